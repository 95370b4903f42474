"""Where interactions come from: JSON / JSONL files, and recordings transcribed by the audio pipeline.

An audio file is transcribed into an interaction (turns, roles, measured
indicators); so is an interaction whose `recording` is given without `turns`
(its path is relative to the JSON file). The audio pipeline is imported only
when a recording is met, so JSON-only installations never need it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualicall.core.interaction import Interaction, InteractionError, SourceError, read_interactions

if TYPE_CHECKING:
    from qualicall.audio.pipeline import AudioOptions

TRANSCRIPT_SUFFIXES = (".json", ".jsonl")


def audio_suffixes() -> frozenset[str]:
    from qualicall.audio import unavailable
    from qualicall.audio.decode import AUDIO_SUFFIXES

    return frozenset() if unavailable() else AUDIO_SUFFIXES


class AudioSource:
    """Transcribes recordings met among the inputs, with one transcriber (models loaded once)."""

    def __init__(self, options: "AudioOptions | None" = None) -> None:
        self.options = options
        self._transcriber: Any = None

    def transcribe(self, path: Path, metadata: dict[str, Any]) -> Interaction | InteractionError:
        from qualicall.audio.pipeline import AudioError, RecordingTranscriber

        if self._transcriber is None:
            self._transcriber = RecordingTranscriber(self.options)
        try:
            # The measured indicators travel in the interaction (`measured`): the scorer reads them there.
            return self._transcriber.transcribe(path, metadata).interaction
        except (AudioError, InteractionError) as exc:
            return InteractionError(str(exc))


def iter_sources(paths: Iterable[Path], audio: AudioSource | None = None) -> Iterator[Interaction | InteractionError]:
    """Each interaction of each file, or an error for what cannot be read; never stops early."""
    audio = audio or AudioSource()
    suffixes = audio_suffixes()
    for path in paths:
        suffix = path.suffix.lower()
        if path.is_dir():
            yield SourceError(f"{path}: is a folder (use 'qualicall batch' for folders)")
        elif not path.exists():
            yield SourceError(f"{path}: no such file")
        elif suffix in TRANSCRIPT_SUFFIXES:
            for item in read_interactions(path):
                if isinstance(item, Interaction) and item.turns is None and item.recording and not item.abandoned and suffixes:
                    recording = Path(item.recording).expanduser()
                    recording = recording if recording.is_absolute() else path.parent / recording
                    metadata = item.model_dump(exclude_none=True)
                    metadata["recording"] = item.recording
                    yield audio.transcribe(recording, metadata)
                else:
                    yield item
        elif suffix in suffixes:
            transcribed = audio.transcribe(path, {"id": path.stem})
            yield SourceError(str(transcribed)) if isinstance(transcribed, InteractionError) else transcribed
        else:
            expected = ".json or .jsonl" + (", or a recording (" + " ".join(sorted(suffixes)) + ")" if suffixes else "")
            yield SourceError(f"{path}: unsupported file type {path.suffix or '(none)'} (expected {expected})")
