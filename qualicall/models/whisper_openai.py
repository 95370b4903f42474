"""The reference engine: openai-whisper (PyTorch), selected with `--engine openai-whisper`.

Weights, in order (`EngineConfig.model`):
- a `.pt` file: an openai-whisper checkpoint (the official ones, or one made
  by `qualicall models convert`);
- a name or a CTranslate2 folder that `resolve_model` finds offline (the
  installed base model…): converted once into an openai-whisper checkpoint
  in the cache (`qualicall.models.convert`), so that this engine and
  faster-whisper run on identical weights;
- otherwise the name itself ("small", "medium"…), which openai-whisper
  downloads into the cache (online users only).

Decoding follows the same guards as the default engine: Silero VAD
(`qualicall.models.vad`, with the default engine's settings) keeps only speech, which is concatenated
and decoded, and the times are mapped back onto the recording;
`condition_on_previous_text=False`; the no-speech, log-prob and
compression-ratio thresholds of `EngineConfig`. The speech is decoded in
groups of at most `GROUP_SECONDS` (one window each), so that the budget of a
call in decoder passes is checked between groups (openai-whisper's own loop
cannot be stopped): a group costs one pass per temperature its fallback
tried, and once the budget is spent the result covers the start only and
says `cut`. Runs in float32 on CPU with `EngineConfig.threads` torch threads
(a process-wide torch setting).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from qualicall.models.asr import SAMPLE_RATE, AsrError, EngineConfig, Segment, TranscriptionResult, make_segment, one_channel_at_a_time
from qualicall.models.vad import ENGINE_VAD, SpeechChunk, TimeMap, speech_chunks
from qualicall.models.whisper_models import ModelResolutionError, cache_dir, resolve_model

# Speech is decoded in groups of VAD spans totalling at most this much audio: one Whisper window,
# and the point where the budget in decoder passes is checked.
GROUP_SECONDS = 30.0


def load_checkpoint(path: Path) -> Any:
    """An openai-whisper model from a checkpoint file (official or converted), in float32 on CPU."""
    import torch
    import whisper

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        model = whisper.model.Whisper(whisper.model.ModelDimensions(**checkpoint["dims"]))
        model.load_state_dict(checkpoint["model_state_dict"])
    except Exception as exc:  # torch raises many kinds on a bad file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AsrError(f"{path}: not an openai-whisper checkpoint ({first})") from None
    heads = checkpoint.get("alignment_heads")
    if heads:
        # Word timestamps follow these cross-attention heads; without them openai-whisper uses
        # every head of the last half of the decoder, which times words less precisely.
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.eval()


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, config: EngineConfig) -> None:
        try:
            import torch
            import whisper
        except ModuleNotFoundError as exc:
            raise AsrError(f"openai-whisper is not installed here ({exc.name} missing): see the README, 'openai-whisper engine'") from None
        self.config = config
        torch.set_num_threads(config.threads)
        spec = config.model
        if spec and Path(spec).expanduser().is_file():
            path = Path(spec).expanduser()
            self.model_name, self.model_source, self.checkpoint = path.stem, "path", path
            self.model = load_checkpoint(path)
            return
        try:
            resolved = resolve_model(spec)
        except ModelResolutionError as exc:
            raise AsrError(str(exc)) from None
        self.model_name, self.model_source = resolved.name, resolved.source
        if resolved.path is not None:
            from qualicall.models.convert import ConversionError, convert_ct2_model, default_checkpoint_path

            try:
                converted = convert_ct2_model(resolved.path, default_checkpoint_path(resolved.name))
            except ConversionError as exc:
                raise AsrError(str(exc)) from None
            self.checkpoint = converted.checkpoint
            self.model = load_checkpoint(converted.checkpoint)
            return
        try:  # not installed here: openai-whisper downloads its own checkpoint (online only)
            self.model = whisper.load_model(resolved.name, device="cpu", download_root=str(cache_dir() / "openai-whisper"))
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise AsrError(f"cannot load openai-whisper model {resolved.name!r} (not installed, and the download failed: {first})") from None
        self.checkpoint = None

    def _speech_chunks(self, samples: np.ndarray) -> list[SpeechChunk]:
        if not self.config.vad:
            return [SpeechChunk(0, len(samples))] if len(samples) else []
        return speech_chunks(samples, ENGINE_VAD)

    def _detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        import whisper

        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), self.model.dims.n_mels)
        _, probs = self.model.detect_language(mel)
        language = max(probs, key=probs.get)
        return language, float(probs[language])

    def _decode(self, audio: np.ndarray, language: str) -> list[dict[str, Any]]:
        config = self.config
        result = self.model.transcribe(
            audio,
            language=language,
            beam_size=config.beam_size,
            best_of=config.beam_size,
            temperature=config.temperatures,
            fp16=False,
            verbose=None,
            word_timestamps=config.word_timestamps,
            condition_on_previous_text=config.condition_on_previous_text,
            no_speech_threshold=config.no_speech_threshold,
            logprob_threshold=config.log_prob_threshold,
            compression_ratio_threshold=config.compression_ratio_threshold,
        )
        return result["segments"]

    def transcribe(self, samples: np.ndarray, language: str | None = None, max_passes: int | None = None) -> TranscriptionResult:
        budget = max_passes if max_passes is not None else self.config.max_decode_passes
        started = time.monotonic()
        samples = samples.astype(np.float32, copy=False)
        if not self.model.is_multilingual:  # an English-only model (tiny.en…), as faster-whisper does
            language = "en"
        groups = _groups(self._speech_chunks(samples), int(GROUP_SECONDS * SAMPLE_RATE))
        detected_probability = None
        segments: list[Segment] = []
        cut = False
        passes = 0
        for group in groups:
            if budget is not None and passes >= budget:
                cut = True
                break
            audio = np.concatenate([samples[chunk.start : chunk.end] for chunk in group])
            if language is None:
                language, detected_probability = self._detect_language(audio)
            # Times in the concatenated speech → times in the recording (the silences put back).
            times = TimeMap(group)
            decoded = self._decode(audio, language)
            passes += _passes(decoded, self.config.temperatures)
            for raw in decoded:
                segment = _segment(raw, times)
                if segment is not None:
                    segments.append(segment)
        return TranscriptionResult(
            segments=segments,
            language=language,
            language_probability=detected_probability,
            cut=cut,
            decode_seconds=round(time.monotonic() - started, 3),
            decode_passes=passes,
        )

    def transcribe_channels(
        self, channels: list[np.ndarray], languages: list[str | None], follow_first: bool = False, max_passes: int | None = None,
    ) -> list[TranscriptionResult]:
        return one_channel_at_a_time(self, channels, languages, follow_first, max_passes)


def _groups(chunks: list[SpeechChunk], max_samples: int) -> list[list[SpeechChunk]]:
    """Consecutive speech chunks in groups of at most `max_samples` of speech (a longer chunk alone)."""
    groups: list[list[SpeechChunk]] = []
    size = 0
    for chunk in chunks:
        length = chunk.end - chunk.start
        if not groups or size + length > max_samples:
            groups.append([])
            size = 0
        groups[-1].append(chunk)
        size += length
    return groups


def _passes(decoded: list[dict[str, Any]], temperatures: tuple[float, ...]) -> int:
    """Decoder passes of one group: per window (`seek`), one per temperature the fallback tried
    (the one kept and those before it; openai-whisper returns the last one when all fail)."""
    tried = {raw["seek"]: temperatures.index(raw["temperature"]) + 1 for raw in decoded}
    return max(1, sum(tried.values()))


def _segment(raw: dict[str, Any], times: TimeMap) -> Segment | None:
    words = []
    for word in raw.get("words") or []:
        # Both ends of a word are placed in the chunk of its middle, as faster-whisper does.
        chunk = times.chunk_of((word["start"] + word["end"]) / 2)
        words.append((times.original(word["start"], chunk), times.original(word["end"], chunk), word["word"], word["probability"]))
    if words:
        start, end = words[0][0], words[-1][1]
    else:
        start, end = times.original(raw["start"]), times.original(raw["end"], is_end=True)
    return make_segment(raw["text"], start, end, words, raw["avg_logprob"], raw["no_speech_prob"], raw["compression_ratio"])


def create_engine(config: EngineConfig) -> OpenAIWhisperEngine:
    return OpenAIWhisperEngine(config)
