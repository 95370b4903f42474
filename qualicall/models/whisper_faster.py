"""The default speech engine: faster-whisper (CTranslate2), int8 on CPU, both channels' speech decoded in batches.

Decoding settings are the guarded ones of `EngineConfig`: Silero VAD (the
model of `qualicall.models.vad`, bundled with faster-whisper too, offline) so
that silences and the other party's turns are not decoded, no conditioning on
the previous text (a hallucinated sentence would otherwise seed the next
ones), and the no-speech / compression-ratio / log-prob thresholds that
trigger the temperature fallback or drop a window.

Batches: each channel's speech (VAD spans of at most 30 s) is joined into
windows of at most 30 s, as faster-whisper's batched pipeline does; the
windows of all channels, in the order they start in the recording, are
encoded one by one and decoded `BATCH_SIZE` at a time (one beam search over
the batch: the decoder multiplies matrices instead of vectors), each window once and
without timestamps (as faster-whisper's batched pipeline decodes: with them,
Whisper may end a window on an unfinished piece that only seeking back and
decoding again recovers), then word-timed per channel by faster-whisper's
alignment and split into segments at pauses and sentence ends. A window that
fails the thresholds at temperature 0 goes through faster-whisper's own
fallback (0.2 … 1) alone. A channel's language is detected on its first
window, whose encoding is kept for its decoding.

The decoding of one call is bounded in decoder passes (`qualicall.models.asr`):
a window decoded at one temperature is one pass; a batch is cut to the passes
left, and once none is left the remaining windows are not decoded and their
channels' results say `cut`. The fallback's sampling draws from CTranslate2's
random stream, seeded when the engine is made: a fresh process repeats it,
recording after recording.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from qualicall.models.asr import SAMPLE_RATE, AsrError, EngineConfig, Segment, TranscriptionResult, make_segment
from qualicall.models.vad import ENGINE_VAD
from qualicall.models.whisper_models import ModelResolutionError, cache_dir, resolve_model

# faster-whisper runs the same Silero model as `qualicall.models.vad`, with these settings.
VAD_PARAMETERS = {
    "min_silence_duration_ms": ENGINE_VAD.min_silence_ms,
    "speech_pad_ms": ENGINE_VAD.speech_pad_ms,
    "min_speech_duration_ms": ENGINE_VAD.min_speech_ms,
    "threshold": ENGINE_VAD.threshold,
}
# CTranslate2 seeds each of its threads' generators once, from this seed, when the thread first samples.
SAMPLING_SEED = 1
WINDOW_SECONDS = 30  # Whisper's window
# Windows decoded at once (benchmarks/asr.py --batch-sizes measures others).
BATCH_SIZE = 8
# A window's words become segments at pauses this long and after a sentence's end (the guards against invented text
# judge segments: a loop or a repeat is dropped without the rest of the window).
SEGMENT_PAUSE_S = 1.0
SENTENCE_ENDS = (".", "?", "!", "…", "。")


@dataclass
class _Window:
    """Up to 30 s of one channel's speech (VAD spans joined), decoded as one Whisper window."""

    channel: int
    audio: np.ndarray
    offset: float  # seconds into the channel's joined speech
    duration: float
    start: float  # seconds into the recording: the order of decoding
    encoded: np.ndarray | None = None  # the encoder's output, kept from language detection until decoded


@dataclass
class _Channel:
    """One channel's speech (VAD spans, in samples, and windows), its language, and what was decoded."""

    spans: list[dict[str, int]]
    windows: list[_Window]
    language: str | None
    language_probability: float | None = None
    segments: list[Segment] = field(default_factory=list)
    passes: int = 0
    cut: bool = False
    last_speech: float = 0.0  # faster-whisper's word-timing heuristics carry it from window to window


@dataclass(frozen=True)
class _Attempt:
    """One decoding of a window at one temperature, as faster-whisper's fallback judges it."""

    result: Any  # a ctranslate2 WhisperGenerationResult
    avg_logprob: float
    temperature: float
    compression_ratio: float


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
        self._one_at_a_time = threading.Lock()  # one CTranslate2 worker: calls would only queue
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
        return self.transcribe_channels([samples], [language], max_passes=max_passes)[0]

    def transcribe_channels(
        self, channels: list[np.ndarray], languages: list[str | None], follow_first: bool = False, max_passes: int | None = None,
    ) -> list[TranscriptionResult]:
        limit = max_passes if max_passes is not None else self.config.max_decode_passes
        with self._one_at_a_time:
            started = time.monotonic()
            decoded = self._decode(channels, languages, follow_first, limit)
            seconds = round(time.monotonic() - started, 3)
        return [
            TranscriptionResult(
                segments=sorted(channel.segments, key=lambda s: s.start), language=channel.language,
                language_probability=channel.language_probability, cut=channel.cut, decode_passes=channel.passes,
                decode_seconds=seconds if index == 0 else 0.0,  # the call's time, once
            )
            for index, channel in enumerate(decoded)
        ]

    # --- the decoding -----------------------------------------------------------------------------

    def _decode(self, channels: list[np.ndarray], languages: list[str | None], follow_first: bool, limit: int | None) -> list[_Channel]:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        states = [_Channel(*self._windows(samples.astype(np.float32, copy=False), index), language)
                  for index, (samples, language) in enumerate(zip(channels, languages))]
        self._detect_languages(states, follow_first)
        pending = sorted((w for state in states for w in state.windows), key=lambda w: (w.start, w.channel))
        tokenizers: dict[str | None, Any] = {}
        spent = 0
        while pending:
            room = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - spent)
            if room <= 0:
                for window in pending:
                    states[window.channel].cut = True
                break
            language = states[pending[0].channel].language
            batch = [w for w in pending if states[w.channel].language == language][:room]
            pending = [w for w in pending if not any(w is b for b in batch)]
            if language not in tokenizers:
                tokenizers[language] = Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual, task="transcribe", language=language)
            tokenizer = tokenizers[language]
            options = self._options(get_suppressed_tokens(tokenizer, [-1]))
            spent += self._decode_batch(batch, states, tokenizer, options)
        return states

    def _windows(self, samples: np.ndarray, channel: int) -> tuple[list[dict[str, int]], list[_Window]]:
        """A channel's speech spans and the windows of at most 30 s that join them."""
        from faster_whisper.vad import SpeechTimestampsMap, VadOptions, collect_chunks, get_speech_timestamps

        whole = WINDOW_SECONDS * SAMPLE_RATE
        if self.config.vad:
            spans = get_speech_timestamps(samples, VadOptions(**VAD_PARAMETERS, max_speech_duration_s=WINDOW_SECONDS))
        else:
            spans = [{"start": first, "end": min(len(samples), first + whole)} for first in range(0, len(samples), whole)]
        if not spans:
            return [], []
        audio, metadata = collect_chunks(samples, spans, max_duration=WINDOW_SECONDS)
        times = SpeechTimestampsMap(spans, SAMPLE_RATE)
        windows = [
            _Window(channel, piece, meta["offset"], meta["duration"], times.get_original_time(meta["offset"]))
            for piece, meta in zip(audio, metadata)
            if len(piece)
        ]
        return spans, windows

    def _detect_languages(self, states: list[_Channel], follow_first: bool) -> None:
        """Each channel's language where none was given: detected on its first window (whose encoding is kept
        for its decoding), or with `follow_first` the first channel's. A channel without speech has none."""
        followers = follow_first and bool(states[0].windows)
        detect = [s for i, s in enumerate(states) if s.language is None and s.windows and not (i and followers)]
        if detect and not self.model.model.is_multilingual:
            for state in detect:
                state.language = "en"
        elif detect:
            from faster_whisper.transcribe import get_ctranslate2_storage

            firsts = [state.windows[0] for state in detect]
            encoded = self._encode(firsts)
            found = self.model.model.detect_language(get_ctranslate2_storage(encoded))
            for state, window, row, languages in zip(detect, firsts, encoded, found):
                window.encoded = row
                token, probability = languages[0]  # the likeliest, as "<|fr|>"
                state.language, state.language_probability = token[2:-2], float(probability)
        if follow_first:
            for state in states[1:]:
                state.language = state.language or states[0].language

    def _encode(self, windows: list[_Window]) -> np.ndarray:
        """The windows' encoder outputs, one window at a time: the encoder attends over 1 500 frames, and a batch's
        attention weights outgrow the caches (the real call's six windows: 6.6 s of CPU one by one, 8.3 s at once)."""
        from faster_whisper.audio import pad_or_trim

        extract = self.model.feature_extractor
        return np.concatenate([np.asarray(self.model.encode(pad_or_trim(extract(w.audio)[..., :-1])[None])) for w in windows])

    def _options(self, suppress_tokens: list[int]) -> Any:
        from faster_whisper.transcribe import TranscriptionOptions

        config = self.config
        return TranscriptionOptions(
            beam_size=config.beam_size, best_of=5, patience=1, length_penalty=1, repetition_penalty=1, no_repeat_ngram_size=0,
            log_prob_threshold=config.log_prob_threshold, no_speech_threshold=config.no_speech_threshold,
            compression_ratio_threshold=config.compression_ratio_threshold, condition_on_previous_text=False,
            prompt_reset_on_temperature=0.5, temperatures=list(config.temperatures), initial_prompt=None, prefix=None,
            suppress_blank=True, suppress_tokens=suppress_tokens, without_timestamps=True, max_initial_timestamp=1.0,
            word_timestamps=config.word_timestamps, prepend_punctuations="\"'“¿([{-", append_punctuations="\"'.。,，!！?？:：”)]}、",
            multilingual=False, max_new_tokens=None, clip_timestamps="0", hallucination_silence_threshold=None, hotwords=None,
        )

    def _decode_batch(self, batch: list[_Window], states: list[_Channel], tokenizer: Any, options: Any) -> int:
        """Decode `batch` (windows of one language) into its channels' segments; the passes it took."""
        from faster_whisper.transcribe import get_compression_ratio, get_ctranslate2_storage

        model = self.model
        fresh = [w for w in batch if w.encoded is None]
        for window, row in zip(fresh, self._encode(fresh) if fresh else []):
            window.encoded = row
        encoded_rows = np.stack([w.encoded for w in batch])
        for window in batch:
            window.encoded = None
        encoded = get_ctranslate2_storage(encoded_rows)
        prompt = model.get_prompt(tokenizer, [], without_timestamps=True)
        results = model.model.generate(
            encoded, [prompt] * len(batch), beam_size=options.beam_size, patience=options.patience,
            length_penalty=options.length_penalty, max_length=model.max_length, return_scores=True, return_no_speech_prob=True,
            suppress_blank=options.suppress_blank, suppress_tokens=options.suppress_tokens,
            max_initial_timestamp_index=int(round(options.max_initial_timestamp / model.time_precision)),
        )
        passes = 0
        kept: dict[int, list[tuple[int, list[dict[str, Any]], _Attempt]]] = {}
        for row, (window, result) in enumerate(zip(batch, results)):
            attempt = _attempt(result, 0.0, tokenizer, get_compression_ratio)
            window_passes = 1
            if _needs_fallback(attempt, options):
                single = get_ctranslate2_storage(encoded_rows[row : row + 1])
                later = replace(options, temperatures=options.temperatures[1:])
                fallback = _Attempt(*model.generate_with_fallback(single, prompt, tokenizer, later))
                window_passes += later.temperatures.index(fallback.temperature) + 1
                attempt = _better(attempt, fallback, options)
            states[window.channel].passes += window_passes
            passes += window_passes
            if _silent(attempt, options):
                continue
            # The window's text as one piece (faster-whisper's word timing fills its words); split at pauses below.
            piece = {"seek": int(window.offset * model.frames_per_second), "start": window.offset,
                     "end": window.offset + window.duration, "tokens": attempt.result.sequences_ids[0]}
            kept.setdefault(window.channel, []).append((row, [piece], attempt))
        for channel, decoded in kept.items():
            state = states[channel]
            if options.word_timestamps:
                rows = get_ctranslate2_storage(encoded_rows[[row for row, _, _ in decoded]])
                frames = [int(math.ceil(batch[row].duration) * model.frames_per_second) for row, _, _ in decoded]
                state.last_speech = model.add_word_timestamps(
                    [pieces for _, pieces, _ in decoded], tokenizer, rows, frames,
                    options.prepend_punctuations, options.append_punctuations, state.last_speech,
                )
            for _, pieces, attempt in decoded:
                state.segments.extend(_segments(pieces, attempt, state.spans, tokenizer))
        return passes


def _attempt(result: Any, temperature: float, tokenizer: Any, compression_ratio: Any) -> _Attempt:
    tokens = result.sequences_ids[0]
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)  # length penalty 1, as the fallback computes it
    return _Attempt(result, avg_logprob, temperature, compression_ratio(tokenizer.decode(tokens).strip()))


def _silent(attempt: _Attempt, options: Any) -> bool:
    """Probably not speech and not decoded confidently (faster-whisper skips such a window)."""
    return attempt.result.no_speech_prob > options.no_speech_threshold and attempt.avg_logprob <= options.log_prob_threshold


def _needs_fallback(attempt: _Attempt, options: Any) -> bool:
    failed = attempt.compression_ratio > options.compression_ratio_threshold or attempt.avg_logprob < options.log_prob_threshold
    return failed and not (attempt.result.no_speech_prob > options.no_speech_threshold and attempt.avg_logprob < options.log_prob_threshold)


def _better(first: _Attempt, fallback: _Attempt, options: Any) -> _Attempt:
    """The fallback's result when it passed; else the one of the two a failed fallback keeps (not too
    repetitive first, then the higher log probability)."""
    if not _needs_fallback(fallback, options):
        return fallback
    candidates = [a for a in (first, fallback) if a.compression_ratio <= options.compression_ratio_threshold] or [first, fallback]
    return max(candidates, key=lambda a: a.avg_logprob)


def _segments(pieces: list[dict[str, Any]], attempt: _Attempt, spans: list[dict[str, int]], tokenizer: Any) -> list[Segment]:
    """A window's text as segments (runs of words split at pauses and sentence ends), times put back into the channel."""
    from faster_whisper.vad import SpeechTimestampsMap

    times = SpeechTimestampsMap(spans, SAMPLE_RATE)
    runs: list[tuple[str, float, float, list[tuple[float, float, str, float]]]] = []
    for piece in pieces:
        words = []
        for word in piece.get("words") or []:
            # Both ends of a word in the span of its middle (faster-whisper's restore_speech_timestamps).
            span = times.get_chunk_index((word["start"] + word["end"]) / 2)
            words.append((times.get_original_time(word["start"], span), times.get_original_time(word["end"], span), word["word"], word["probability"]))
        if not words:  # no word timing asked
            runs.append((tokenizer.decode(piece["tokens"]), times.get_original_time(piece["start"]), times.get_original_time(piece["end"], is_end=True), []))
            continue
        run = [words[0]]
        for word in words[1:]:
            if word[0] - run[-1][1] >= SEGMENT_PAUSE_S or run[-1][2].strip().endswith(SENTENCE_ENDS):
                runs.append(("".join(w[2] for w in run), run[0][0], run[-1][1], run))
                run = []
            run.append(word)
        runs.append(("".join(w[2] for w in run), run[0][0], run[-1][1], run))
    segments = (make_segment(text, start, end, words, attempt.avg_logprob, attempt.result.no_speech_prob, attempt.compression_ratio)
                for text, start, end, words in runs)
    return [segment for segment in segments if segment is not None]


def create_engine(config: EngineConfig) -> FasterWhisperEngine:
    return FasterWhisperEngine(config)
