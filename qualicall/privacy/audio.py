"""Audio redaction: the redacted words' time spans replaced by a tone or silence, in a copy.

FFmpeg decodes any format to float PCM (channels and sample rate kept), the
spans are overwritten in numpy, and FFmpeg encodes the copy in the format
its name asks for, block by block through pipes: memory does not grow with
the recording's length. The original recording is never modified.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
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


class UndecodableRecording(AudioRedactionError):
    """The recording itself is no audio the decoder reads (not the server's fault: no decoder, a full disk)."""


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
        raise UndecodableRecording(f"{path}: cannot decode audio: {(done.stderr.strip().splitlines() or ['no audio stream'])[-1]}")
    return int(streams[0]["sample_rate"]), int(streams[0]["channels"])


def merge_spans(spans: list[tuple[float, float]], margin: float = MARGIN_S) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for start, end in sorted((max(0.0, s - margin), e + margin) for s, e in spans if e >= s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _blank(block: np.ndarray, first: int, rate: int, spans: list[tuple[float, float]], mode: str) -> None:
    """Overwrite, in `block` (frames `first`… of the recording), what the spans cover."""
    for start, end in spans:
        begin, stop = max(int(start * rate), first), min(int(np.ceil(end * rate)), first + len(block))
        if begin >= stop:
            continue
        if mode == "tone":
            t = np.arange(begin, stop) / rate
            block[begin - first : stop - first] = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)[:, None]
        else:
            block[begin - first : stop - first] = 0.0


def _last_line(log) -> str:  # type: ignore[no-untyped-def]
    log.seek(0)
    return (log.read().decode(errors="replace").strip().splitlines() or ["ffmpeg failed"])[-1]


def redact_audio(source: Path, target: Path, spans: list[tuple[float, float]], mode: str = "tone") -> list[tuple[float, float]]:
    """Write a copy of `source` to `target` with each (start, end) span in seconds replaced; the merged spans are returned."""
    rate, channels = _probe(source)
    merged = merge_spans(spans)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame_bytes = 4 * channels
    block_bytes = frame_bytes * rate * 10  # ten seconds at a time
    with tempfile.TemporaryFile() as decode_log, tempfile.TemporaryFile() as encode_log:
        decoder = subprocess.Popen(
            [_ffmpeg(), "-v", "error", "-i", str(source), "-map", "0:a:0", "-f", "f32le", "-acodec", "pcm_f32le", "-"],
            stdout=subprocess.PIPE, stderr=decode_log,
        )
        encoder = subprocess.Popen(
            [_ffmpeg(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "-", str(target)],
            stdin=subprocess.PIPE, stderr=encode_log,
        )
        assert decoder.stdout is not None and encoder.stdin is not None
        first = 0
        pending = b""
        try:
            while chunk := decoder.stdout.read(block_bytes):
                data = pending + chunk
                whole = len(data) // frame_bytes * frame_bytes
                pending = data[whole:]
                block = np.frombuffer(data[:whole], dtype=np.float32).reshape(-1, channels).copy()
                _blank(block, first, rate, merged, mode)
                encoder.stdin.write(block.tobytes())
                first += len(block)
            encoder.stdin.close()
        except BrokenPipeError:
            pass  # the encoder failed: its log says why
        finally:
            decoder.stdout.close()
            decoded, encoded = decoder.wait(), encoder.wait()
        if decoded != 0:
            target.unlink(missing_ok=True)
            raise UndecodableRecording(f"{source}: cannot decode audio: {_last_line(decode_log)}")
        if encoded != 0:
            target.unlink(missing_ok=True)
            raise AudioRedactionError(f"{target}: cannot write audio: {_last_line(encode_log)}")
    return merged


def redact_recording(redacted: "RedactedInteraction", source: Path, target: Path, mode: str = "tone") -> "Interaction":
    """The redacted interaction pointing at a copy of `source` with its redacted spans blanked (written to `target`)."""
    redact_audio(source, target, redacted.audio_spans, mode)
    return redacted.interaction.model_copy(update={"recording": str(target)})


def redacted_copy_path(source: Path, out_dir: Path | None = None) -> Path:
    """« call.wav » → « call.redacted.wav », next to it or in `out_dir`."""
    return (out_dir or source.parent) / f"{source.stem}.redacted{source.suffix}"
