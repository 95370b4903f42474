"""Speech recognition behind one small interface: audio in, timed segments with words out.

Interface (what an engine implements and what the audio pipeline relies on)
--------------------------------------------------------------------------
- Input: `samples`, a 1-D `np.float32` array, mono, 16 kHz, values in [-1, 1]
  (`qualicall.audio` decodes and resamples every recording to that).
- `AsrEngine.transcribe(samples, language=None, max_passes=None) -> TranscriptionResult`
  `language`: "fr", "en"… or None to let the engine detect it;
  `max_passes`: the decoding budget of this call in decoder passes (overrides
  `EngineConfig.max_decode_passes`; the pipeline shares one budget per
  recording between its channels). A pass is one window of at most 30 s
  decoded at one temperature: the temperature fallback costs one pass per
  temperature tried. The budget counts work, not time, so that the same
  audio is cut at the same place (or not at all) however loaded the machine.
- `AsrEngine.transcribe_channels(channels, languages, follow_first=False, max_passes=None)
  -> list[TranscriptionResult]`: the channels of one recording (a list of
  sample arrays) and a language per channel (None: detected on it, or with
  `follow_first` taken from the first channel, detected there), with one
  budget for all; faster-whisper decodes their speech in batches, other
  engines one channel after another (`one_channel_at_a_time`).
- `TranscriptionResult`: `segments` (a list of `Segment`, ordered by time,
  times in seconds from the start of `samples`), `language`,
  `language_probability` (None when the language was given), `cut` (True
  when decoding stopped at the budget before the end of the audio: the
  segments then cover only the start), `decode_passes` (the passes spent),
  `decode_seconds` (wall clock, for information only: nothing depends on it).
- `Segment`: `start`, `end`, `text`, `words` (a tuple of `WordTiming`:
  `start`, `end`, `word`, `probability` in [0, 1]), and the decoder's
  `avg_logprob`, `no_speech_prob`, `compression_ratio` where it has them;
  both engines build theirs with `make_segment`.
- Engines are built by name with `create_engine(name, config)`; the registry
  `ENGINES` maps a name to "module:factory", imported lazily (so neither
  engine's heavy imports happen before one is chosen). A factory takes one
  `EngineConfig` and returns an `AsrEngine`:
    "faster-whisper" (default) → qualicall.models.whisper_faster:create_engine
    "openai-whisper"           → qualicall.models.whisper_openai:create_engine
- `EngineConfig.model` is what the user asked for (`--model`: a path or a
  name such as "base"); an engine resolves it with
  `qualicall.models.whisper_models.resolve_model` (explicit path, models
  directory, installed package, then download by name).
- Guards against invented text that do not depend on the engine
  (`drop_hallucinations`: repeated loops, low-confidence segments on
  probable non-speech) run in `qualicall.audio`, on every engine's output;
  an engine applies its own decoder-side guards (VAD, no-speech,
  compression-ratio and log-prob thresholds, no conditioning on the previous
  text) as `EngineConfig` says.
- Errors: `AsrError` (one line) for an engine or model that cannot be used.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from qualicall.models.errors import ModelError

SAMPLE_RATE = 16_000
DEFAULT_ENGINE = "faster-whisper"


class AsrError(ModelError):
    """A speech engine or model that cannot be used; the message is one line."""


@dataclass(frozen=True)
class WordTiming:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[WordTiming, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None

    def shifted(self, seconds: float) -> "Segment":
        """The segment `seconds` later (a window's segments placed in the whole recording)."""
        if not seconds:
            return self
        words = tuple(WordTiming(w.start + seconds, w.end + seconds, w.word, w.probability) for w in self.words)
        return replace(self, start=self.start + seconds, end=self.end + seconds, words=words)


def make_segment(
    text: str, start: float, end: float, words: Iterable[tuple[float, float, str, float]],
    avg_logprob: float, no_speech_prob: float, compression_ratio: float,
) -> Segment | None:
    """A decoded segment as every engine gives it: text and words stripped, times in seconds of the
    samples given to the engine, (start, end, word, probability) per word; None when it holds no text."""
    text = text.strip()
    if not text:
        return None
    timed = tuple(WordTiming(float(s), float(e), word.strip(), float(p)) for s, e, word, p in words)
    return Segment(float(start), float(end), text, timed, float(avg_logprob), float(no_speech_prob), float(compression_ratio))


@dataclass(frozen=True)
class TranscriptionResult:
    segments: list[Segment]
    language: str | None
    language_probability: float | None = None
    cut: bool = False
    decode_seconds: float = 0.0
    decode_passes: int = 0


def default_threads() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class EngineConfig:
    """How to decode; the defaults are the guarded settings the pipeline uses."""

    model: str | None = None  # a path or a model name; None: the default model ("base")
    threads: int = field(default_factory=default_threads)
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    condition_on_previous_text: bool = False
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    # Temperatures tried in turn when a window fails the thresholds above (the fallback).
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    # Bound on the decoder passes of one transcribe() call (the temperature fallback on bad audio
    # can decode each window six times); None: no bound.
    max_decode_passes: int | None = None


@runtime_checkable
class AsrEngine(Protocol):
    name: str
    model_name: str

    def transcribe(self, samples: np.ndarray, language: str | None = None, max_passes: int | None = None) -> TranscriptionResult: ...

    def transcribe_channels(
        self, channels: list[np.ndarray], languages: list[str | None], follow_first: bool = False, max_passes: int | None = None,
    ) -> list[TranscriptionResult]: ...


def one_channel_at_a_time(
    engine: AsrEngine, channels: list[np.ndarray], languages: list[str | None], follow_first: bool, max_passes: int | None,
) -> list[TranscriptionResult]:
    """`transcribe_channels` for an engine that decodes one signal at a time: the budget shared in order."""
    results: list[TranscriptionResult] = []
    for samples, language in zip(channels, languages):
        if language is None and follow_first and results:
            language = results[0].language
        left = None if max_passes is None else max(0, max_passes - sum(r.decode_passes for r in results))
        results.append(engine.transcribe(samples, language, max_passes=left))
    return results


ENGINES: dict[str, str] = {
    "faster-whisper": "qualicall.models.whisper_faster:create_engine",
    "openai-whisper": "qualicall.models.whisper_openai:create_engine",
}


def create_engine(name: str | None, config: EngineConfig) -> AsrEngine:
    """The engine registered under `name` (default faster-whisper), built from `config`."""
    name = name or DEFAULT_ENGINE
    target = ENGINES.get(name)
    if target is None:
        raise AsrError(f"unknown speech engine {name!r} (use {', '.join(ENGINES)})")
    module_name, _, factory_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise AsrError(f"speech engine {name!r} is not installed here ({exc.name} missing)") from None
    factory: Callable[[EngineConfig], AsrEngine] = getattr(module, factory_name)
    return factory(config)


# --- guards on any engine's output -------------------------------------------

_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def _looping(text: str) -> bool:
    """A segment made of one short phrase repeated (« m'y m'y m'y… », "thank you thank you…")."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if len(tokens) < 4:
        return False
    for size in (1, 2, 3):
        grams = [tuple(tokens[i : i + size]) for i in range(0, len(tokens) - size + 1, size)]
        if len(grams) >= 4 and max(grams.count(g) for g in set(grams)) / len(grams) >= 0.75:
            return True
    # A long segment with very few distinct words is a loop too, whatever its period.
    return len(tokens) >= 12 and len(set(tokens)) / len(tokens) < 0.25


def _key(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN.findall(text))


def drop_hallucinations(segments: list[Segment], no_speech_threshold: float = 0.6, log_prob_threshold: float = -1.0) -> list[Segment]:
    """The segments without the ones Whisper invents on silence, music or noise.

    Dropped: repeated loops inside a segment; the same text decoded in three
    or more consecutive segments (all of them: the first is invented too) and
    the repeat of a pair (one kept); segments the decoder itself thought were
    probably not speech and decoded with low confidence; segments with no words.
    """
    candidates = []
    for segment in segments:
        if not _key(segment.text) or _looping(segment.text):
            continue
        unsure = segment.avg_logprob is not None and segment.avg_logprob < log_prob_threshold
        if segment.no_speech_prob is not None and segment.no_speech_prob > no_speech_threshold and unsure:
            continue
        candidates.append(segment)
    kept: list[Segment] = []
    index = 0
    while index < len(candidates):
        run = index + 1
        while run < len(candidates) and _key(candidates[run].text) == _key(candidates[index].text):
            run += 1
        if run - index < 3:
            kept.append(candidates[index])
        index = run
    return kept
