"""Which recording files the service reads: the uploads it made itself, and references inside a recordings root.

A JSON interaction's `recording` names a file for the service to copy (redacted)
and for the coach pages to play. Taken as a path, it would let any client read
any file the service can (`../../../../etc/passwd`, the session secret, the
database). So, in the API, a reference is resolved inside the configured
recordings root only: relative, without `..`, and, once symbolic links are
followed, still inside the root; without a root, references are refused (an
upload is then the way to send audio). A URL (`https://…`, `s3://…`) is kept as
the client's reference and never read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualicall.core.errors import InputError
from qualicall.settings import Settings


class RecordingRefused(InputError):
    """A `recording` reference the service will not read; the message says why, in one line."""


def is_url(reference: str) -> bool:
    """A reference to somewhere else (a CRM, object storage): kept as given, never read."""
    return "://" in reference


@dataclass(frozen=True)
class RecordingsRoot:
    """The folder JSON `recording` references are resolved in; None: none is configured, references are refused."""

    path: Path | None

    def resolve(self, reference: str) -> Path:
        """The file `reference` names inside the root; RecordingRefused with the reason otherwise."""
        if self.path is None:
            raise RecordingRefused(
                "recording: a file reference is read only inside a configured recordings root (QUALICALL_RECORDINGS_ROOT),"
                " and none is configured: upload the audio as multipart/form-data instead"
            )
        relative = PurePosixPath(reference)
        if "\0" in reference or not reference.strip():
            raise RecordingRefused("recording: not a file name")
        if relative.is_absolute():
            raise RecordingRefused("recording: an absolute path is not accepted (give a path relative to the recordings root)")
        if ".." in relative.parts:
            raise RecordingRefused("recording: '..' is not accepted in a path (give a path inside the recordings root)")
        root = self.path.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise RecordingRefused("recording: the path leads outside the recordings root (through a symbolic link)")
        if not target.is_file():
            raise RecordingRefused(f"recording: no such file in the recordings root: {reference}")
        return target


def stored_recording_file(recording: str | None, settings: Settings) -> Path | None:
    """A stored interaction's recording as a file to serve, if it lies, symbolic links resolved, in a folder the service
    reads recordings from: the data folder's uploads and redacted copies, or the recordings root; else None.
    Rows stored before references were confined to the recordings root may name any file: never served."""
    if not recording or is_url(recording):
        return None
    path = settings.local_file(recording)
    folders = [settings.uploads_dir, settings.redacted_recordings_dir, settings.recordings_root]
    try:
        resolved = path.resolve(strict=True)
        inside = any(resolved.is_relative_to(folder.resolve()) for folder in folders if folder is not None)
    except (OSError, RuntimeError, ValueError):  # missing, a loop of links, a NUL in the name
        return None
    return resolved if inside and resolved.is_file() else None


def redacted_copy_stem(interaction_id: str) -> str:
    """The name (without its extension, the recording's own) of a contact's redacted copy in the recordings folder: no
    id in clear, and the same for every version of the contact, whose copies differ only by extension."""
    return hashlib.sha256(interaction_id.encode()).hexdigest()[:24]
