"""A recording in, a scored-ready interaction out: decode, transcribe, attribute roles, measure.

- Dual-channel (the contact-centre norm): each channel is transcribed on its
  own; speaker = channel (`agent_channel` auto, the default: the channel whose
  opening sounds like an agent's, see `roles`; or left | right as configured).
- Mono: the speakers are separated by `qualicall.audio.diarize` when it is
  installed, then the agent is chosen from what each says; without it the
  whole call is one speaker, attributed to the agent with a low role
  confidence (0.5) that the result states.
- Bounded memory: a recording is decoded and transcribed in windows of at
  most `window_seconds` (`qualicall.audio.decode`); the language found in the
  first window is kept for the next ones, and speaker separation clusters the
  voices of all windows at the end. A recording of one window is decoded once.
- Guards against invented text: VAD and decoder thresholds in the engine,
  then `drop_hallucinations` (loops, unsure non-speech) on every engine's
  output; one decoding budget per recording, in decoder passes (work, not
  time: the same recording is cut at the same place, or not at all, however
  loaded the machine), and the interaction's `asr.cut` says when it was spent.
- A file shorter than its header states (a WAV or FLAC whose upload or copy stopped) is transcribed as far as
  it goes, and `asr.truncated` says so, with the length it should have had (`asr.stated_seconds`).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qualicall.audio.decode import AUDIO_SUFFIXES, MAX_RECORDING_SECONDS, WINDOW_SECONDS, AudioError, DecodedAudio, load_audio, mono
from qualicall.audio.measures import TimedWord, Utterance, measure
from qualicall.audio.roles import OPENING_SECONDS, OPENING_WORDS, decide_agent
from qualicall.core.errors import InputError
from qualicall.core.interaction import Interaction, parse_interaction
from qualicall.models.asr import (
    DEFAULT_ENGINE,
    SAMPLE_RATE,
    AsrEngine,
    EngineConfig,
    Segment,
    TranscriptionResult,
    WordTiming,
    create_engine,
    drop_hallucinations,
)
from qualicall.models.vad import VadSettings, speech_chunks

__all__ = ["AUDIO_SUFFIXES", "AudioError", "AudioOptions", "Recording", "RecordingTranscriber"]

AGENT_CHANNELS = ("left", "right", "auto")
# A role decision less sure than this is flagged for review: one strong agent cue against none gives 0.85,
# no cue at all (the first speaker taken) 0.55.
ROLE_REVIEW_BELOW = 0.75
CHANNEL_NAMES = ("left", "right")
SUPPORTED_LANGUAGES = ("fr", "en")
# A new turn for the same speaker after this long without words.
TURN_GAP_S = 4.0
# Words further apart than this are separate units, ordered by time among the other speaker's.
UNIT_GAP_S = 1.0
# Speech spans for speaker separation: finer than the engines' (0.5 s of silence ends a span).
SEPARATION_VAD = VadSettings(min_silence_ms=500, speech_pad_ms=100)
# Whisper's window, the unit of the decoding budget, and the budget of the shortest recordings.
WINDOW_S = 30.0
MIN_DECODE_PASSES = 12


class AudioOptionError(InputError):
    """An audio option with a value the pipeline does not know; one line naming the option."""


@dataclass(frozen=True)
class AudioOptions:
    """How recordings become interactions; `asr` is how the engine decodes (model, threads, beam…)."""

    agent_channel: str = "auto"  # auto (from what each says) | left | right
    lang: str = "auto"  # fr | en | auto (Whisper's detection on the agent's speech)
    engine: str = DEFAULT_ENGINE
    asr: EngineConfig = field(default_factory=EngineConfig)
    # Decoding stops after this many decoder passes (a window of at most 30 s decoded at one
    # temperature) per 30 s of each channel decoded, at least MIN_DECODE_PASSES per recording: a bound
    # for degenerate decoding (windows advancing by a few seconds, each through the whole fallback),
    # counted in work so that a loaded machine decodes as much as an idle one. 6: every window
    # through all six temperatures of the fallback.
    max_decode_passes: float = 6.0
    # A silence on both channels at least this long is a hold (indicators.md); shorter announced ones too.
    hold_min_s: float = 20.0
    # Longer recordings are refused (from their header when it says, else while decoding).
    max_seconds: float = MAX_RECORDING_SECONDS
    # Audio decoded and transcribed at once: what bounds memory on long recordings.
    window_seconds: float = WINDOW_SECONDS

    def __post_init__(self) -> None:
        if self.agent_channel not in AGENT_CHANNELS:
            raise AudioOptionError(f"agent channel {self.agent_channel!r}: use left, right or auto")
        if self.lang not in ("auto", *SUPPORTED_LANGUAGES):
            raise AudioOptionError(f"language {self.lang!r}: use fr, en or auto")

    @classmethod
    def choose(cls, *, engine: str | None = None, model: str | None = None, threads: int | None = None, **fields: Any) -> "AudioOptions":
        """Options from a user's choices (command line, job): None keeps the default."""
        config = EngineConfig(model=model, **({"threads": threads} if threads else {}))
        return cls(engine=engine or DEFAULT_ENGINE, asr=config, **{k: v for k, v in fields.items() if v is not None})


@dataclass(frozen=True)
class Recording:
    interaction: Interaction
    measured: dict[str, float]
    audio_seconds: float


@dataclass(frozen=True)
class Unit:
    """Consecutive words of one speaker (a segment on a channel, or part of one after separation)."""

    speaker: int  # the channel, or the separated voice
    words: tuple[WordTiming, ...]
    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class Turn:
    """Consecutive units of one role, less than TURN_GAP_S apart."""

    speaker: str  # agent | customer
    units: tuple[Unit, ...]

    @property
    def text(self) -> str:
        return " ".join(unit.text for unit in self.units).strip()

    @property
    def start(self) -> float:
        return round(self.units[0].start, 2)

    @property
    def end(self) -> float:
        return max(round(unit.end, 2) for unit in self.units)

    def record(self) -> dict[str, Any]:
        """The turn as the interaction format writes it."""
        turn: dict[str, Any] = {"speaker": self.speaker, "text": self.text, "start": self.start, "end": self.end}
        words = [w for unit in self.units for w in unit.words]
        if words:
            turn["words"] = [{"word": w.word, "start": round(w.start, 2), "end": round(w.end, 2), "probability": round(w.probability, 3)} for w in words]
            turn["confidence"] = round(sum(w.probability for w in words) / len(words), 3)
        else:
            turn["confidence"] = round(sum(u.confidence for u in self.units) / len(self.units), 3)
        return turn


@dataclass(frozen=True)
class Roles:
    """Which speaker is the agent, how that was decided and how sure it is (the interaction's `roles`)."""

    agent: int  # the agent's channel or separated voice
    method: str  # channel | channel-auto | diarization | single-speaker | none (no speech found)
    label: str  # the agent as the result names it: left, right, speaker 0…
    confidence: float
    reason: str
    separation_confidence: float | None = None

    def record(self) -> dict[str, Any]:
        roles: dict[str, Any] = {"method": self.method, "agent": self.label, "confidence": self.confidence, "reason": self.reason}
        # A guess a coach should check before trusting the greeting and closing items (the review queue says so).
        roles["review"] = self.confidence < ROLE_REVIEW_BELOW
        if self.separation_confidence is not None:
            roles["separation_confidence"] = self.separation_confidence
        return roles


@dataclass(frozen=True)
class AsrInfo:
    """How the recording was transcribed (the interaction's `asr`, with its length)."""

    engine: str
    model: str
    mode: str  # dual-channel | mono
    language: str | None
    language_probability: float | None
    cut: bool
    decode_passes: int
    decode_seconds: float  # wall clock, for information: nothing depends on it


@dataclass(frozen=True)
class Attribution:
    """A recording's words as units of speakers, which speaker is the agent, and how it was transcribed."""

    units: tuple[Unit, ...]
    roles: Roles
    asr: AsrInfo


def _units_of(segments: Iterable[Segment], speaker_of: Callable[[float, float], int]) -> list[Unit]:
    units: list[Unit] = []
    for segment in segments:
        if not segment.words:
            probability = math.exp(segment.avg_logprob) if segment.avg_logprob is not None else 0.5
            units.append(Unit(speaker_of(segment.start, segment.end), (), segment.text, segment.start, segment.end, probability))
            continue
        run: list[WordTiming] = []
        run_speaker = 0
        for word in segment.words:
            speaker = speaker_of(word.start, word.end)
            # A pause inside one decoded segment (VAD joins speech chunks) may hold the other party's turn.
            if run and (speaker != run_speaker or word.start - run[-1].end > UNIT_GAP_S):
                units.append(_unit(run_speaker, run))
                run = []
            run.append(word)
            run_speaker = speaker
        if run:
            units.append(_unit(run_speaker, run))
    return units


_NO_SPACE_BEFORE = ("'", "’", "-", ",", ".", ")", "…")


def join_words(words: list[str]) -> str:
    """Words back into text: Whisper splits French elisions (« m » + « 'appelle ») and some punctuation off."""
    text = ""
    for word in words:
        glued = not text or word.startswith(_NO_SPACE_BEFORE) or text.endswith(("'", "’", "-"))
        text += word if glued else " " + word
    return text


def _unit(speaker: int, words: list[WordTiming]) -> Unit:
    return Unit(speaker, tuple(words), join_words([w.word for w in words]), words[0].start, words[-1].end,
                sum(w.probability for w in words) / len(words))


def _turns(units: Iterable[Unit], roles: dict[int, str]) -> list[Turn]:
    """Units in time order, consecutive ones of the same speaker merged into turns."""
    groups: list[tuple[str, list[Unit]]] = []
    end = 0.0
    for unit in sorted(units, key=lambda u: (u.start, u.speaker)):
        speaker = roles[unit.speaker]
        if groups and speaker == groups[-1][0] and unit.start - end < TURN_GAP_S:
            groups[-1][1].append(unit)
            end = max(end, round(unit.end, 2))
        else:
            groups.append((speaker, [unit]))
            end = round(unit.end, 2)
    return [Turn(speaker, tuple(members)) for speaker, members in groups]


def _opening(units: Iterable[Unit], speaker: int) -> str:
    mine = sorted((u for u in units if u.speaker == speaker), key=lambda u: u.start)
    if not mine:
        return ""
    start = mine[0].start
    words = " ".join(u.text for u in mine if u.start <= start + OPENING_SECONDS).split()
    return " ".join(words[:OPENING_WORDS])


def _first_speaker(units: list[Unit]) -> int | None:
    return min(units, key=lambda u: u.start).speaker if units else None


def speech_spans_of(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where someone speaks, in seconds (Silero VAD), for speaker separation."""
    return [(c.start / SAMPLE_RATE, c.end / SAMPLE_RATE) for c in speech_chunks(samples, SEPARATION_VAD)]


class _Transcript:
    """One channel's (or the mono mix's) transcription, window after window."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.language: str | None = None
        self.language_probability: float | None = None
        self.cut = False
        self.decode_passes = 0
        self.decode_seconds = 0.0
        self.windows = 0

    def add(self, result: TranscriptionResult, offset: float) -> None:
        if not self.windows:
            self.language, self.language_probability = result.language, result.language_probability
        self.windows += 1
        self.segments.extend(segment.shifted(offset) for segment in result.segments)
        self.cut = self.cut or result.cut
        self.decode_passes += result.decode_passes
        self.decode_seconds += result.decode_seconds

    def kept(self) -> list[Segment]:
        return drop_hallucinations(self.segments)


class RecordingTranscriber:
    """Transcribes recordings with one engine, loaded on first use and kept (one per worker)."""

    def __init__(self, options: AudioOptions | None = None, engine: AsrEngine | None = None) -> None:
        """`engine`: an engine already loaded, to share one model between transcribers of different options."""
        self.options = options or AudioOptions()
        self._engine = engine

    @property
    def engine(self) -> AsrEngine:
        if self._engine is None:
            self._engine = create_engine(self.options.engine, self.options.asr)
        return self._engine

    def decode(self, path: Path) -> DecodedAudio:
        """The first decoding pass over `path` (what `transcribe` takes as `audio`), within this transcriber's limits."""
        return load_audio(Path(path), self.options.max_seconds, keep_seconds=self.options.window_seconds)

    def transcribe(self, path: Path, metadata: dict[str, Any] | None = None, audio: DecodedAudio | None = None) -> Recording:
        """The interaction of one recording; AudioError (one line, naming the file) if it cannot be used.

        `audio`: the recording already decoded (`decode(path)`), so that a batch decodes the next
        recording while this one is transcribed."""
        path = Path(path)
        metadata = dict(metadata or {})
        audio = audio if audio is not None else self.decode(path)
        language = self.options.lang if self.options.lang != "auto" else metadata.get("language")
        dual_channel = audio.stereo and not audio.same_signal
        windows = (2 if dual_channel else 1) * audio.seconds / WINDOW_S
        budget = max(MIN_DECODE_PASSES, math.ceil(self.options.max_decode_passes * windows))
        if dual_channel:
            attribution = self._dual_channel(audio, language, budget)
        else:
            attribution = self._mono(audio, language, budget)
        agent = attribution.roles.agent
        names = {agent: "agent", 1 - agent: "customer"}
        turns = _turns(attribution.units, names)
        words = [TimedWord(w.start, w.end, names[u.speaker]) for u in attribution.units for w in u.words]
        utterances = [Utterance(t.speaker, t.text, t.end) for t in turns]
        asr = attribution.asr
        measured = measure(words, utterances, dual_channel=asr.mode == "dual-channel", hold_min_s=self.options.hold_min_s)
        all_words = [w for u in attribution.units for w in u.words]
        record = {
            **metadata,
            "id": metadata.get("id") or path.stem,
            "channel": "voice",
            "recording": metadata.get("recording") or str(path),
            "turns": [turn.record() for turn in turns],
            "measured": measured,
            "roles": attribution.roles.record(),
            "asr": {**asdict(asr), "audio_seconds": round(audio.seconds, 2), "truncated": audio.truncated},
        }
        if audio.truncated:
            # scored on what the file holds, and saying so: the call's end (often its closing) is lost
            record["asr"]["stated_seconds"] = round(audio.stated_seconds or 0.0, 2)
        if all_words:
            record["asr_confidence"] = round(sum(w.probability for w in all_words) / len(all_words), 3)
        if not metadata.get("language") and asr.language in SUPPORTED_LANGUAGES:
            record["language"] = asr.language
        interaction = parse_interaction(record, str(path))
        return Recording(interaction, measured, round(audio.seconds, 2))

    # --- the two kinds of recording ------------------------------------------

    def _run(self, samples: np.ndarray, language: str | None, passes_left: int) -> TranscriptionResult:
        return self.engine.transcribe(samples, language, max_passes=max(0, passes_left))

    def _asr_info(self, transcripts: list[_Transcript], mode: str, language: str | None) -> AsrInfo:
        engine = self.engine
        return AsrInfo(
            engine=engine.name,
            model=engine.model_name,
            mode=mode,
            language=language,
            language_probability=next((t.language_probability for t in transcripts if t.language_probability is not None), None),
            cut=any(t.cut for t in transcripts),
            decode_passes=sum(t.decode_passes for t in transcripts),
            decode_seconds=round(sum(t.decode_seconds for t in transcripts), 2),
        )

    def _dual_channel(self, audio: DecodedAudio, language: str | None, budget: int) -> Attribution:
        configured = self.options.agent_channel
        order = [0, 1] if configured != "right" else [1, 0]
        transcripts = {0: _Transcript(), 1: _Transcript()}
        for window in audio.windows(self.options.window_seconds):
            spent = sum(t.decode_passes for t in transcripts.values())
            # In auto mode each channel keeps the language found on it in the first window; otherwise the language
            # is detected on the agent's channel and imposed on the customer's (short replies mislead detection).
            asked = [language if configured != "auto" else language or transcripts[channel].language for channel in order]
            results = self.engine.transcribe_channels(
                [window.channels[channel] for channel in order], asked, follow_first=configured != "auto", max_passes=max(0, budget - spent),
            )
            for channel, result in zip(order, results):
                transcripts[channel].add(result, window.offset)
            if configured != "auto" and language is None:
                language = results[0].language
            if any(t.cut for t in transcripts.values()):
                break
        units = [u for channel in (0, 1) for u in _units_of(transcripts[channel].kept(), lambda s, e, c=channel: c)]
        if configured == "auto":
            decision = decide_agent([_opening(units, 0), _opening(units, 1)], _first_speaker(units))
            agent = decision.agent
            roles = Roles(agent, "channel-auto", CHANNEL_NAMES[agent], decision.confidence, decision.reason)
            language = language or transcripts[agent].language
        else:
            agent = CHANNEL_NAMES.index(configured)
            roles = Roles(agent, "channel", configured, 1.0, f"agent on the {configured} channel (as configured)")
        asr = self._asr_info([transcripts[agent], transcripts[1 - agent]], "dual-channel", language)
        return Attribution(tuple(units), roles, asr)

    def _mono(self, audio: DecodedAudio, language: str | None, budget: int) -> Attribution:
        transcript = _Transcript()
        separate, missing = _separator()
        separation = separate() if separate is not None else None
        for window in audio.windows(self.options.window_seconds):
            samples = mono(window.channels)
            result = self._run(samples, language, budget - transcript.decode_passes)
            transcript.add(result, window.offset)
            language = language or result.language
            if separation is not None:
                separation.add(samples, speech_spans_of(samples))
            if result.cut:
                break
        asr = self._asr_info([transcript], "mono", language)
        segments = transcript.kept()
        # (a stereo file whose channels carry one signal is read as mono: said so, not called mono)
        recording = "stereo recording whose channels carry the same sound" if audio.stereo else "mono recording"
        if not segments:
            # Silence, music, noise: nobody to attribute (it said « one voice only was found » of a silent file).
            return Attribution((), Roles(0, "none", "speaker 0", 0.5, "no speech was found in the recording"), asr)
        if separation is None:
            units = _units_of(segments, lambda s, e: 0)
            roles = Roles(0, "single-speaker", "speaker 0", 0.5, f"{recording} and {missing}: all speech attributed to the agent")
            return Attribution(tuple(units), roles, asr)
        diarization = separation.result()
        voices = sorted(diarization.segments, key=lambda s: s.start)
        if diarization.speakers < 2 or not voices:
            units = _units_of(segments, lambda s, e: 0)
            roles = Roles(0, "diarization", "speaker 0", 0.5, f"{recording} in which one voice only was found: all speech attributed to the agent")
            return Attribution(tuple(units), roles, asr)

        def speaker_of(start: float, end: float) -> int:
            best, overlap = None, 0.0
            for voice in voices:
                shared = min(end, voice.end) - max(start, voice.start)
                if shared > overlap:
                    best, overlap = voice, shared
            if best is None:  # between separated segments: the nearest one
                middle = (start + end) / 2
                best = min(voices, key=lambda s: min(abs(s.start - middle), abs(s.end - middle)), default=None)
            return 1 if best is not None and int(best.speaker) == 1 else 0

        units = _units_of(segments, speaker_of)
        decision = decide_agent([_opening(units, 0), _opening(units, 1)], _first_speaker(units))
        separation_confidence = round(float(diarization.confidence), 2)
        confidence = round(min(decision.confidence, float(diarization.confidence)), 2)
        roles = Roles(decision.agent, "diarization", f"speaker {decision.agent}", confidence, decision.reason, separation_confidence)
        return Attribution(tuple(units), roles, asr)


def _separator() -> tuple[Callable[[], Any] | None, str]:
    """`qualicall.audio.diarize.Separation`, or None and why it cannot be used here."""
    try:
        module = importlib.import_module("qualicall.audio.diarize")
    except ModuleNotFoundError as exc:
        return None, f"no speaker separation ({exc.name} is not installed)"
    return module.Separation, ""

