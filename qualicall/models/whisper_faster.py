"""The default speech engine: faster-whisper (CTranslate2), int8 on CPU.

Decoding settings are the guarded ones of `EngineConfig`: Silero VAD (the
model of `qualicall.models.vad`, bundled with faster-whisper too, offline) so that silences and the other party's turns
are not decoded, no conditioning on the previous text (a hallucinated
sentence would otherwise seed the next ones), and the no-speech /
compression-ratio / log-prob thresholds that trigger the temperature
fallback or drop a window. The decoding time of one call is bounded between
segments: faster-whisper yields segments lazily, so the loop stops asking for
more once the budget is spent and the result says it was cut.
"""

from __future__ import annotations

import time

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


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, config: EngineConfig) -> None:
        try:
            from faster_whisper import WhisperModel
        except ModuleNotFoundError:
            raise AsrError("faster-whisper is not installed: pip install 'qualicall[audio]'") from None
        try:
            resolved = resolve_model(config.model)
        except ModelResolutionError as exc:
            raise AsrError(str(exc)) from None
        self.config = config
        self.model_name = resolved.name
        self.model_source = resolved.source
        target = str(resolved.path) if resolved.path is not None else resolved.name
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

    def transcribe(self, samples: np.ndarray, language: str | None = None, max_seconds: float | None = None) -> TranscriptionResult:
        config = self.config
        budget = max_seconds if max_seconds is not None else config.max_decode_seconds
        started = time.monotonic()
        duration = len(samples) / SAMPLE_RATE
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
        for raw in segments_iter:
            words = ((w.start, w.end, w.word, w.probability) for w in raw.words or [])
            segment = make_segment(raw.text, raw.start, raw.end, words, raw.avg_logprob, raw.no_speech_prob, raw.compression_ratio)
            if segment is not None:
                segments.append(segment)
            spent = time.monotonic() - started
            if budget is not None and spent > budget and raw.end < duration - 1.0:
                cut = True
                break
        return TranscriptionResult(
            segments=segments,
            language=info.language,
            language_probability=None if language else float(info.language_probability),
            cut=cut,
            decode_seconds=round(time.monotonic() - started, 3),
        )


def create_engine(config: EngineConfig) -> FasterWhisperEngine:
    return FasterWhisperEngine(config)
