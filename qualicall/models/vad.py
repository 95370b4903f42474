"""Where someone speaks: Silero VAD (v6, ONNX, shipped in `assets/`), run with onnxruntime.

Used by the openai-whisper engine (only speech is decoded) and by mono speaker
separation; faster-whisper applies the same model inside its own decoder. Its
own module, so that neither user needs faster-whisper installed.

`speech_chunks(samples, settings)` gives the speech as sample ranges of a
16 kHz float32 signal: Silero's probability per 32 ms frame, a span opening at
`threshold` and closing after `min_silence_ms` below `threshold - 0.15`, spans
shorter than `min_speech_ms` dropped, `speech_pad_ms` added on each side (half
the gap when two spans are closer than twice that). `TimeMap` puts times
measured in the concatenated speech back onto the recording.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qualicall.models.errors import ModelError

SAMPLE_RATE = 16_000
MODEL_PATH = Path(__file__).parent / "assets" / "silero_vad_v6.onnx"
FRAME = 512  # samples per probability (32 ms)
CONTEXT = 64  # samples of the previous frame the model sees with each one
BATCH = 10_000  # frames per onnxruntime call


@dataclass(frozen=True)
class VadSettings:
    min_silence_ms: int
    speech_pad_ms: int
    min_speech_ms: int = 0
    threshold: float = 0.5


@dataclass(frozen=True)
class SpeechChunk:
    start: int  # first sample
    end: int  # one past the last sample


# What both Whisper engines decode: speech shorter than 250 ms is ignored, 0.7 s of silence ends a span, and a
# little padding so that word starts are not clipped on 8 kHz phone audio.
ENGINE_VAD = VadSettings(min_silence_ms=700, speech_pad_ms=200, min_speech_ms=250)


class VadError(ModelError):
    """The VAD model cannot run here (onnxruntime missing); one line."""


_session = None
_session_lock = threading.Lock()


def _model():  # type: ignore[no-untyped-def]
    """The ONNX session, made once per process (one thread: frames are sequential)."""
    global _session
    with _session_lock:
        if _session is None:
            try:
                import onnxruntime
            except ModuleNotFoundError:
                raise VadError("voice activity detection needs onnxruntime (pip install onnxruntime)") from None
            options = onnxruntime.SessionOptions()
            options.inter_op_num_threads = options.intra_op_num_threads = 1
            options.enable_cpu_mem_arena = False
            options.log_severity_level = 4
            _session = onnxruntime.InferenceSession(str(MODEL_PATH), providers=["CPUExecutionProvider"], sess_options=options)
        return _session


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """Silero's speech probability for each 512-sample frame (the last one zero-padded)."""
    padded = np.pad(samples.astype(np.float32, copy=False), (0, FRAME - len(samples) % FRAME))
    frames = padded.reshape(-1, FRAME)
    # As the model was exported to be run (faster-whisper's runner): the last frame's tail is zeroed
    # and serves as the first frame's context.
    frames[-1, -CONTEXT:] = 0.0
    context = np.roll(frames[:, -CONTEXT:], 1, axis=0)
    batched = np.concatenate([context, frames], axis=1)
    state_h = np.zeros((1, 1, 128), dtype=np.float32)
    state_c = np.zeros((1, 1, 128), dtype=np.float32)
    session = _model()
    outputs = []
    for first in range(0, len(batched), BATCH):
        output, state_h, state_c = session.run(None, {"input": batched[first : first + BATCH], "h": state_h, "c": state_c})
        outputs.append(output)
    return np.concatenate(outputs, axis=0).reshape(-1)


def speech_chunks(samples: np.ndarray, settings: VadSettings) -> list[SpeechChunk]:
    """Where `samples` (16 kHz) hold speech, as sample ranges in time order."""
    length = len(samples)
    if length == 0:
        return []
    low = max(settings.threshold - 0.15, 0.01)
    min_silence = SAMPLE_RATE * settings.min_silence_ms / 1000
    min_speech = SAMPLE_RATE * settings.min_speech_ms / 1000
    pad = SAMPLE_RATE * settings.speech_pad_ms / 1000
    spans: list[list[int]] = []
    start: int | None = None
    silence_from = 0  # where the current silence inside a span began (0: none yet)
    for index, probability in enumerate(speech_probabilities(samples)):
        position = FRAME * index
        if probability >= settings.threshold:
            silence_from = 0
            if start is None:
                start = position
            continue
        if start is not None and probability < low:
            silence_from = silence_from or position
            if position - silence_from >= min_silence:
                if silence_from - start > min_speech:
                    spans.append([start, silence_from])
                start, silence_from = None, 0
    if start is not None and length - start > min_speech:
        spans.append([start, length])
    for index, span in enumerate(spans):
        if index == 0:
            span[0] = int(max(0, span[0] - pad))
        if index < len(spans) - 1:
            following = spans[index + 1]
            gap = following[0] - span[1]
            if gap < 2 * pad:
                span[1] += int(gap // 2)
                following[0] = int(max(0, following[0] - gap // 2))
            else:
                span[1] = int(min(length, span[1] + pad))
                following[0] = int(max(0, following[0] - pad))
        else:
            span[1] = int(min(length, span[1] + pad))
    return [SpeechChunk(a, b) for a, b in spans]


class TimeMap:
    """Times in the concatenation of `chunks` → times in the recording (the silences between them put back)."""

    def __init__(self, chunks: list[SpeechChunk]) -> None:
        self._ends: list[int] = []  # each chunk's end, in concatenated samples
        self._silence_before: list[float] = []  # seconds of silence left out before each chunk
        previous_end = silent = 0
        for chunk in chunks:
            silent += chunk.start - previous_end
            previous_end = chunk.end
            self._ends.append(chunk.end - silent)
            self._silence_before.append(silent / SAMPLE_RATE)

    def chunk_of(self, time: float, is_end: bool = False) -> int:
        sample = int(time * SAMPLE_RATE)
        if is_end and sample in self._ends:
            return self._ends.index(sample)
        return min(bisect.bisect(self._ends, sample), len(self._ends) - 1)

    def original(self, time: float, chunk: int | None = None, is_end: bool = False) -> float:
        """`time` in the recording; `chunk`: the chunk it belongs to (default: the one holding it)."""
        index = self.chunk_of(time, is_end) if chunk is None else chunk
        return round(self._silence_before[index] + time, 2)
