"""Where interactions come from: JSON / JSONL files (audio files are added by the audio pipeline)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from qualicall.scorer.interaction import Interaction, InteractionError, read_interactions

TRANSCRIPT_SUFFIXES = (".json", ".jsonl")


def iter_sources(paths: Iterable[Path]) -> Iterator[Interaction | InteractionError]:
    """Each interaction of each file, or an error for what cannot be read; never stops early."""
    for path in paths:
        if path.is_dir():
            yield InteractionError(f"{path}: is a folder (use 'qualicall batch' for folders)")
        elif not path.exists():
            yield InteractionError(f"{path}: no such file")
        elif path.suffix.lower() in TRANSCRIPT_SUFFIXES:
            yield from read_interactions(path)
        else:
            yield InteractionError(f"{path}: unsupported file type {path.suffix or '(none)'} (expected .json or .jsonl)")
