"""Audio redaction: the redacted words' time spans replaced by a tone or silence, in a copy.

FFmpeg decodes any format to float PCM (channels and sample rate kept), the
spans are overwritten in numpy, and FFmpeg encodes the copy in the format
its name asks for. The original recording is never modified.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from typing import TYPE_CHECKING

import numpy as np

from qualicall.core.errors import QualicallError

if TYPE_CHECKING:
    from qualicall.privacy.transcripts import RedactedInteraction
    from qualicall.core.interaction import Interaction

TONE_HZ = 1000.0
TONE_LEVEL = 0.2
# A little margin around each word: word times from ASR are approximate.
MARGIN_S = 0.05


class AudioRedactionError(QualicallError, RuntimeError):
    """The recording cannot be decoded or the copy cannot be written: one line."""


def _ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise AudioRedactionError("ffmpeg is not installed (apt-get install ffmpeg)")
    return path


def _probe(path: Path) -> tuple[int, int]:
    """(sample rate, channels) of the first audio stream."""
    probe = shutil.which("ffprobe")
    if probe is None:
        raise AudioRedactionError("ffprobe is not installed (apt-get install ffmpeg)")
    done = subprocess.run(
        [probe, "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels", "-of", "json", str(path)],
        capture_output=True, text=True,
    )
    streams = json.loads(done.stdout or "{}").get("streams") if done.returncode == 0 else None
    if not streams:
        raise AudioRedactionError(f"{path}: cannot decode audio: {(done.stderr.strip().splitlines() or ['no audio stream'])[-1]}")
    return int(streams[0]["sample_rate"]), int(streams[0]["channels"])


def merge_spans(spans: list[tuple[float, float]], margin: float = MARGIN_S) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for start, end in sorted((max(0.0, s - margin), e + margin) for s, e in spans if e >= s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def redact_audio(source: Path, target: Path, spans: list[tuple[float, float]], mode: str = "tone") -> list[tuple[float, float]]:
    """Write a copy of `source` to `target` with each (start, end) span in seconds replaced; the merged spans are returned."""
    rate, channels = _probe(source)
    decoded = subprocess.run(
        [_ffmpeg(), "-v", "error", "-i", str(source), "-map", "0:a:0", "-f", "f32le", "-acodec", "pcm_f32le", "-"],
        capture_output=True,
    )
    if decoded.returncode != 0:
        raise AudioRedactionError(f"{source}: cannot decode audio: {decoded.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    samples = np.frombuffer(decoded.stdout, dtype=np.float32).reshape(-1, channels).copy()
    merged = merge_spans(spans)
    for start, end in merged:
        first, last = int(start * rate), min(len(samples), int(np.ceil(end * rate)))
        if first >= last:
            continue
        if mode == "tone":
            t = np.arange(first, last) / rate
            samples[first:last] = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)[:, None]
        else:
            samples[first:last] = 0.0
    target.parent.mkdir(parents=True, exist_ok=True)
    encoded = subprocess.run(
        [_ffmpeg(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "-", str(target)],
        input=samples.tobytes(), capture_output=True,
    )
    if encoded.returncode != 0:
        raise AudioRedactionError(f"{target}: cannot write audio: {encoded.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    return merged


def redact_recording(redacted: "RedactedInteraction", source: Path, target: Path, mode: str = "tone") -> "Interaction":
    """The redacted interaction pointing at a copy of `source` with its redacted spans blanked (written to `target`)."""
    redact_audio(source, target, redacted.audio_spans, mode)
    return redacted.interaction.model_copy(update={"recording": str(target)})


def redacted_copy_path(source: Path, out_dir: Path | None = None) -> Path:
    """« call.wav » → « call.redacted.wav », next to it or in `out_dir`."""
    return (out_dir or source.parent) / f"{source.stem}.redacted{source.suffix}"
