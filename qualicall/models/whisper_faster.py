"""The default speech engine: faster-whisper (CTranslate2), int8 on CPU.

Decoding settings are the guarded ones of `EngineConfig`: Silero VAD (the
model of `qualicall.models.vad`, bundled with faster-whisper too, offline) so that silences and the other party's turns
are not decoded, no conditioning on the previous text (a hallucinated
sentence would otherwise seed the next ones), and the no-speech /
compression-ratio / log-prob thresholds that trigger the temperature
fallback or drop a window. The decoding of one call is bounded in decoder
passes (`qualicall.models.asr`): each window's passes are counted as
faster-whisper's fallback returns (one per temperature tried), and once the
budget is spent the next window is not decoded and the result says it was cut.
The fallback's sampling draws from CTranslate2's random stream, seeded when
the engine is made: a fresh process repeats it, recording after recording.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from qualicall.models.asr import SAMPLE_RATE, AsrError, EngineConfig, Segment, TranscriptionResult, make_segment
from qualicall.models.vad import ENGINE_VAD
from qualicall.models.whisper_models import ModelResolutionError, cache_dir, resolve_model

# faster-whisper runs the same Silero model as `qualicall.models.vad` inside its decoder, with these settings.
VAD_PARAMETERS = {
    "min_silence_duration_ms": ENGINE_VAD.min_silence_ms,
    "speech_pad_ms": ENGINE_VAD.speech_pad_ms,
    "min_speech_duration_ms": ENGINE_VAD.min_speech_ms,
    "threshold": ENGINE_VAD.threshold,
}


# CTranslate2 seeds each of its threads' generators once, from this seed, when the thread first samples.
SAMPLING_SEED = 1


class _BudgetSpent(Exception):
    """The decoder passes of a call reached its budget before the next window."""


class _Passes:
    """The decoder passes of one transcribe() call, counted around faster-whisper's fallback."""

    def __init__(self, generate_with_fallback: Any, limit: int | None) -> None:
        self.generate_with_fallback = generate_with_fallback
        self.limit = limit
        self.spent = 0

    def __call__(self, encoder_output: Any, prompt: list[int], tokenizer: Any, options: Any) -> Any:
        if self.limit is not None and self.spent >= self.limit:
            raise _BudgetSpent
        result = self.generate_with_fallback(encoder_output, prompt, tokenizer, options)
        # The temperature of the result kept: the fallback tried every one before it (and all of
        # them when every result failed, the last one then being returned).
        self.spent += list(options.temperatures).index(result[2]) + 1
        return result


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, config: EngineConfig) -> None:
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ModuleNotFoundError:
            raise AsrError("faster-whisper is not installed: pip install 'qualicall[audio]'") from None
        try:
            resolved = resolve_model(config.model)
        except ModelResolutionError as exc:
            raise AsrError(str(exc)) from None
        self.config = config
        self._one_at_a_time = threading.Lock()  # the pass counter is the model's, for one call
        self.model_name = resolved.name
        self.model_source = resolved.source
        target = str(resolved.path) if resolved.path is not None else resolved.name
        ctranslate2.set_random_seed(SAMPLING_SEED)
        try:
            self.model = WhisperModel(
                target,
                device="cpu",
                compute_type="int8",
                cpu_threads=config.threads,
                num_workers=1,
                download_root=str(cache_dir() / "hub"),
            )
        except Exception as exc:  # CTranslate2 and the hub client raise many kinds
            where = f"from {resolved.path}" if resolved.path else "(not installed, and the download failed)"
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise AsrError(f"cannot load Whisper model {resolved.name!r} {where}: {first}") from None

    def transcribe(self, samples: np.ndarray, language: str | None = None, max_passes: int | None = None) -> TranscriptionResult:
        with self._one_at_a_time:
            return self._transcribe(samples, language, max_passes if max_passes is not None else self.config.max_decode_passes)

    def _transcribe(self, samples: np.ndarray, language: str | None, max_passes: int | None) -> TranscriptionResult:
        config = self.config
        started = time.monotonic()
        passes = _Passes(self.model.generate_with_fallback, max_passes)
        self.model.generate_with_fallback = passes
        try:
            segments_iter, info = self.model.transcribe(
                samples.astype(np.float32, copy=False),
                language=language,
                beam_size=config.beam_size,
                vad_filter=config.vad,
                vad_parameters=VAD_PARAMETERS,
                word_timestamps=config.word_timestamps,
                condition_on_previous_text=config.condition_on_previous_text,
                no_speech_threshold=config.no_speech_threshold,
                log_prob_threshold=config.log_prob_threshold,
                compression_ratio_threshold=config.compression_ratio_threshold,
                temperature=list(config.temperatures),
            )
            segments: list[Segment] = []
            cut = False
            try:
                for raw in segments_iter:
                    words = ((w.start, w.end, w.word, w.probability) for w in raw.words or [])
                    segment = make_segment(raw.text, raw.start, raw.end, words, raw.avg_logprob, raw.no_speech_prob, raw.compression_ratio)
                    if segment is not None:
                        segments.append(segment)
            except _BudgetSpent:
                cut = True
        finally:
            del self.model.generate_with_fallback  # the class's own again
        return TranscriptionResult(
            segments=segments,
            language=info.language,
            language_probability=None if language else float(info.language_probability),
            cut=cut,
            decode_seconds=round(time.monotonic() - started, 3),
            decode_passes=passes.spent,
        )


def create_engine(config: EngineConfig) -> FasterWhisperEngine:
    return FasterWhisperEngine(config)
