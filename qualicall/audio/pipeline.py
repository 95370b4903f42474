"""A recording in, a scored-ready interaction out: decode, transcribe, attribute roles, measure.

- Dual-channel (the contact-centre norm): each channel is transcribed on its
  own; speaker = channel (`agent_channel` left | right, or auto: the channel
  whose opening sounds like an agent's, see `roles`).
- Mono: the speakers are separated by `qualicall.audio.diarize` when it is
  installed, then the agent is chosen from what each says; without it the
  whole call is one speaker, attributed to the agent with a low role
  confidence (0.5) that the result states.
- Guards against invented text: VAD and decoder thresholds in the engine,
  then `drop_hallucinations` (loops, unsure non-speech) on every engine's
  output; one decoding-time budget per recording (`max_decode_rtf` × its
  length, wall clock), and the interaction's `asr.cut` says when it was spent.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np

from qualicall.audio.decode import AUDIO_SUFFIXES, AudioError, DecodedAudio, load_audio
from qualicall.audio.measures import TimedWord, Utterance, measure
from qualicall.audio.roles import OPENING_SECONDS, OPENING_WORDS, decide_agent
from qualicall.models.asr import (
    SAMPLE_RATE,
    AsrEngine,
    EngineConfig,
    Segment,
    TranscriptionResult,
    WordTiming,
    create_engine,
    default_threads,
    drop_hallucinations,
)
from qualicall.core.interaction import Interaction, parse_interaction

__all__ = ["AUDIO_SUFFIXES", "AudioError", "AudioOptions", "Recording", "RecordingTranscriber"]

AgentChannel = Literal["left", "right", "auto"]
CHANNEL_NAMES = ("left", "right")
SUPPORTED_LANGUAGES = ("fr", "en")
# A new turn for the same speaker after this long without words.
TURN_GAP_S = 4.0
# Words further apart than this are separate units, ordered by time among the other speaker's.
UNIT_GAP_S = 1.0


@dataclass
class AudioOptions:
    agent_channel: AgentChannel = "left"
    threads: int = field(default_factory=default_threads)
    engine: str = "faster-whisper"
    model: str | None = None  # a path or a name; None: base
    lang: str = "auto"  # fr | en | auto (Whisper's detection on the agent's speech)
    beam_size: int = 5
    # Decoding stops after this many seconds per second of audio (at least 60 s per recording): a
    # bound for the temperature fallback's worst cases, not for a loaded machine (a 67 s call took
    # 2.6 s per second on 2 cores shared by 3× as many busy processes).
    max_decode_rtf: float = 3.0
    # A silence on both channels at least this long is a hold (indicators.md); shorter announced ones too.
    hold_min_s: float = 20.0

    def __post_init__(self) -> None:
        if self.agent_channel not in ("left", "right", "auto"):
            raise ValueError(f"agent_channel: {self.agent_channel!r} (use left, right or auto)")
        if self.lang not in ("auto", *SUPPORTED_LANGUAGES):
            raise ValueError(f"lang: {self.lang!r} (use fr, en or auto)")


@dataclass
class Recording:
    interaction: Interaction
    measured: dict[str, float]
    audio_seconds: float


@dataclass
class _Unit:
    """Consecutive words of one speaker (a segment on a channel, or part of one after separation)."""

    speaker: int
    words: list[WordTiming]
    text: str
    start: float
    end: float
    confidence: float


def _units_of(segments: list[Segment], speaker_of: Callable[[float, float], int]) -> list[_Unit]:
    units: list[_Unit] = []
    for segment in segments:
        if not segment.words:
            probability = math.exp(segment.avg_logprob) if segment.avg_logprob is not None else 0.5
            units.append(_Unit(speaker_of(segment.start, segment.end), [], segment.text, segment.start, segment.end, probability))
            continue
        run: list[WordTiming] = []
        run_speaker = None
        for word in segment.words:
            speaker = speaker_of(word.start, word.end)
            # A pause inside one decoded segment (VAD joins speech chunks) may hold the other party's turn.
            if run and (speaker != run_speaker or word.start - run[-1].end > UNIT_GAP_S):
                units.append(_unit(run_speaker, run))  # type: ignore[arg-type]
                run = []
            run.append(word)
            run_speaker = speaker
        if run:
            units.append(_unit(run_speaker, run))  # type: ignore[arg-type]
    return units


_NO_SPACE_BEFORE = ("'", "’", "-", ",", ".", ")", "…")


def join_words(words: list[str]) -> str:
    """Words back into text: Whisper splits French elisions (« m » + « 'appelle ») and some punctuation off."""
    text = ""
    for word in words:
        glued = not text or word.startswith(_NO_SPACE_BEFORE) or text.endswith(("'", "’", "-"))
        text += word if glued else " " + word
    return text


def _unit(speaker: int, words: list[WordTiming]) -> _Unit:
    return _Unit(speaker, words, join_words([w.word for w in words]), words[0].start, words[-1].end,
                 sum(w.probability for w in words) / len(words))


def _turns(units: list[_Unit], roles: dict[int, str]) -> list[dict[str, Any]]:
    """Units in time order, consecutive ones of the same speaker merged into turns."""
    turns: list[dict[str, Any]] = []
    last_speaker = None
    for unit in sorted(units, key=lambda u: (u.start, u.speaker)):
        speaker = roles[unit.speaker]
        if turns and speaker == last_speaker and unit.start - turns[-1]["end"] < TURN_GAP_S:
            turn = turns[-1]
            turn["text"] += " " + unit.text
            turn["end"] = max(turn["end"], round(unit.end, 2))
            turn["_units"].append(unit)
        else:
            turns.append({"speaker": speaker, "text": unit.text, "start": round(unit.start, 2), "end": round(unit.end, 2), "_units": [unit]})
        last_speaker = speaker
    for turn in turns:
        units_in = turn.pop("_units")
        words = [w for u in units_in for w in u.words]
        if words:
            turn["words"] = [{"word": w.word, "start": round(w.start, 2), "end": round(w.end, 2), "probability": round(w.probability, 3)} for w in words]
            turn["confidence"] = round(sum(w.probability for w in words) / len(words), 3)
        else:
            turn["confidence"] = round(sum(u.confidence for u in units_in) / len(units_in), 3)
        turn["text"] = turn["text"].strip()
    return turns


def _opening(units: list[_Unit], speaker: int) -> str:
    mine = sorted((u for u in units if u.speaker == speaker), key=lambda u: u.start)
    if not mine:
        return ""
    start = mine[0].start
    words = " ".join(u.text for u in mine if u.start <= start + OPENING_SECONDS).split()
    return " ".join(words[:OPENING_WORDS])


def _first_speaker(units: list[_Unit]) -> int | None:
    return min(units, key=lambda u: u.start).speaker if units else None


def _same_signal(channels: np.ndarray) -> bool:
    """A "stereo" file carrying one signal twice is a mono recording."""
    left, right = channels
    scale = max(float(np.abs(channels).max()), 1e-6)
    return float(np.abs(left - right).max()) <= 0.02 * scale


def speech_spans_of(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where someone speaks, in seconds (Silero VAD, bundled with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500, speech_pad_ms=100))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


class RecordingTranscriber:
    """Transcribes recordings with one engine, loaded on first use and kept (one per worker)."""

    def __init__(self, options: AudioOptions | None = None, engine: AsrEngine | None = None) -> None:
        """`engine`: an engine already loaded, to share one model between transcribers of different options."""
        self.options = options or AudioOptions()
        self._engine = engine

    @property
    def engine(self) -> AsrEngine:
        if self._engine is None:
            options = self.options
            self._engine = create_engine(options.engine, EngineConfig(model=options.model, threads=options.threads, beam_size=options.beam_size))
        return self._engine

    def transcribe(self, path: Path, metadata: dict[str, Any] | None = None, audio: DecodedAudio | None = None) -> Recording:
        """The interaction of one recording; AudioError (one line, naming the file) if it cannot be used.

        `audio`: the recording already decoded (`load_audio(path)`), so that a batch decodes the next
        recording while this one is transcribed."""
        path = Path(path)
        metadata = dict(metadata or {})
        audio = audio if audio is not None else load_audio(path)
        language = self.options.lang if self.options.lang != "auto" else metadata.get("language")
        budget = max(60.0, self.options.max_decode_rtf * audio.seconds)
        if audio.stereo and not _same_signal(audio.channels):
            units, roles, asr = self._dual_channel(audio, language, budget)
        else:
            units, roles, asr = self._mono(audio, language, budget)
        names = {roles["agent"]: "agent", 1 - roles["agent"]: "customer"}
        turns = _turns(units, names)
        words = [TimedWord(w.start, w.end, names[u.speaker]) for u in units for w in u.words]
        utterances = [Utterance(t["speaker"], t["text"], t["end"]) for t in turns]
        measured = measure(words, utterances, dual_channel=asr["mode"] == "dual-channel", hold_min_s=self.options.hold_min_s)
        detected = asr.get("language")
        all_words = [w for u in units for w in u.words]
        record = {
            **metadata,
            "id": metadata.get("id") or path.stem,
            "channel": "voice",
            "recording": metadata.get("recording") or str(path),
            "turns": turns,
            "measured": measured,
            "roles": roles["info"],
            "asr": {**asr, "audio_seconds": round(audio.seconds, 2)},
        }
        if all_words:
            record["asr_confidence"] = round(sum(w.probability for w in all_words) / len(all_words), 3)
        if not metadata.get("language") and detected in SUPPORTED_LANGUAGES:
            record["language"] = detected
        interaction = parse_interaction(record, str(path))
        return Recording(interaction, measured, round(audio.seconds, 2))

    # --- the two kinds of recording ------------------------------------------

    def _run(self, samples: np.ndarray, language: str | None, budget: float) -> TranscriptionResult:
        result = self.engine.transcribe(samples, language, max_seconds=max(1.0, budget))
        result.segments = drop_hallucinations(result.segments)
        return result

    def _asr_info(self, results: list[TranscriptionResult], mode: str, language: str | None) -> dict[str, Any]:
        engine = self.engine
        return {
            "engine": engine.name,
            "model": engine.model_name,
            "mode": mode,
            "language": language,
            "language_probability": next((r.language_probability for r in results if r.language_probability is not None), None),
            "cut": any(r.cut for r in results),
            "decode_seconds": round(sum(r.decode_seconds for r in results), 2),
        }

    def _dual_channel(self, audio: DecodedAudio, language: str | None, budget: float):  # type: ignore[no-untyped-def]
        configured = self.options.agent_channel
        order = [0, 1] if configured != "right" else [1, 0]
        results: dict[int, TranscriptionResult] = {}
        for channel in order:
            spent = sum(r.decode_seconds for r in results.values())
            results[channel] = self._run(audio.channels[channel], language, budget - spent)
            if configured != "auto" and language is None:
                # Detected on the agent's channel, imposed on the customer's (short replies mislead detection).
                language = results[channel].language
        units = [u for channel in (0, 1) for u in _units_of(results[channel].segments, lambda s, e, c=channel: c)]
        if configured == "auto":
            decision = decide_agent([_opening(units, 0), _opening(units, 1)], _first_speaker(units))
            agent = decision.agent
            info = {"method": "channel-auto", "agent": CHANNEL_NAMES[agent], "confidence": decision.confidence, "reason": decision.reason}
            language = language or results[agent].language
        else:
            agent = CHANNEL_NAMES.index(configured)
            info = {"method": "channel", "agent": configured, "confidence": 1.0, "reason": f"agent on the {configured} channel (as configured)"}
        asr = self._asr_info([results[agent], results[1 - agent]], "dual-channel", language)
        return units, {"agent": agent, "info": info}, asr

    def _mono(self, audio: DecodedAudio, language: str | None, budget: float):  # type: ignore[no-untyped-def]
        samples = audio.mono()
        result = self._run(samples, language, budget)
        language = language or result.language
        separate, missing = _separator()
        if separate is None:
            units = _units_of(result.segments, lambda s, e: 0)
            info = {"method": "single-speaker", "agent": "speaker 0", "confidence": 0.5,
                    "reason": f"mono recording and {missing}: all speech attributed to the agent"}
            return units, {"agent": 0, "info": info}, self._asr_info([result], "mono", language)
        diarization = separate(samples, speech_spans_of(samples))
        segments = sorted(diarization.segments, key=lambda s: s.start)
        if getattr(diarization, "speakers", 2) < 2 or not segments:
            units = _units_of(result.segments, lambda s, e: 0)
            info = {"method": "diarization", "agent": "speaker 0", "confidence": 0.5,
                    "reason": "mono recording in which one voice only was found: all speech attributed to the agent"}
            return units, {"agent": 0, "info": info}, self._asr_info([result], "mono", language)

        def speaker_of(start: float, end: float) -> int:
            best, overlap = None, 0.0
            for seg in segments:
                shared = min(end, seg.end) - max(start, seg.start)
                if shared > overlap:
                    best, overlap = seg, shared
            if best is None:  # between separated segments: the nearest one
                middle = (start + end) / 2
                best = min(segments, key=lambda s: min(abs(s.start - middle), abs(s.end - middle)), default=None)
            return 1 if best is not None and int(best.speaker) == 1 else 0

        units = _units_of(result.segments, speaker_of)
        decision = decide_agent([_opening(units, 0), _opening(units, 1)], _first_speaker(units))
        separation = getattr(diarization, "confidence", None)
        confidence = decision.confidence if separation is None else round(min(decision.confidence, float(separation)), 2)
        info = {"method": "diarization", "agent": f"speaker {decision.agent}", "confidence": confidence, "reason": decision.reason}
        if separation is not None:
            info["separation_confidence"] = round(float(separation), 2)
        return units, {"agent": decision.agent, "info": info}, self._asr_info([result], "mono", language)


def _separator() -> tuple[Callable[..., Any] | None, str]:
    """`qualicall.audio.diarize.separate_speakers`, or None and why it cannot be used here."""
    try:
        module = importlib.import_module("qualicall.audio.diarize")
    except ModuleNotFoundError as exc:
        return None, f"no speaker separation ({exc.name} is not installed)"
    return module.separate_speakers, ""
