"""Recordings to interactions: decoding (`decode`), speech recognition per channel or
speaker, roles, measured indicators (`pipeline`). Mono speaker separation lives in
`diarize` (`separate_speakers(samples, speech_spans) -> Diarization`).

Everything here works on float32 mono 16 kHz samples (`qualicall.models.asr.SAMPLE_RATE`).
"""

import importlib.util

# What the `audio` extra brings: the speech recogniser and the decoder. This package
# itself is always installed, so its presence says nothing about them.
_EXTRA_MODULES = ("faster_whisper", "av")


def unavailable() -> str | None:
    """Why recordings cannot be transcribed in this installation, or None when they can."""
    missing = [name for name in _EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        return f"{', '.join(missing)} not installed (pip install 'qualicall[audio]')"
    return None
