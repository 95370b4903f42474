"""Mono recordings: two speakers told apart by resemblyzer d-vectors (qualicall.audio.diarize, issue 3).

Calls are made here with espeak-ng (two voices, or one voice for both
parties) and mixed into one channel; the real dual-channel phone call is
down-mixed to mono, its per-channel energy giving the reference.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import REAL_DATA, skip_unless_installed

skip_unless_installed("resemblyzer", reason="the mono extra is not installed")
skip_unless_installed("faster_whisper", reason="the audio extra is not installed")

pytestmark = pytest.mark.slow  # resemblyzer's network on every call

from qualicall.audio.diarize import FRAME_SECONDS, Diarization, separate_speakers  # noqa: E402

RATE = 16_000
TURNS = [
    "Good morning, you are through to Northwind Energy, my name is Sarah, how can I help you today?",
    "Hello, I received a bill that is much higher than usual and I would like to understand why.",
    "I understand. Could you give me your customer number, please?",
    "Yes, it is four one two, three two zero.",
    "Thank you. Your meter was replaced last month, so this bill covers two months.",
    "Oh I see, so I have not paid twice then. Thank you very much.",
]


def speak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "turn.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-f", "f32le", "-ac", "1", "-ar", str(RATE), "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.float32)


def mono_call(voices: tuple[str, str], gap: float = 0.6) -> tuple[np.ndarray, list[tuple[float, float, int]]]:
    """The turns said alternately by the two voices into one channel, and who speaks when."""
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("needs espeak-ng and ffmpeg")
    pieces, reference, at = [np.zeros(int(0.5 * RATE), np.float32)], [], 0.5
    for index, text in enumerate(TURNS):
        clip = speak(text, voices[index % 2])
        pieces += [clip, np.zeros(int(gap * RATE), np.float32)]
        reference.append((at, at + len(clip) / RATE, index % 2))
        at += len(clip) / RATE + gap
    return np.concatenate(pieces), reference


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """As the audio pipeline finds them (Silero VAD, bundled with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500, speech_pad_ms=100))
    return [(s["start"] / RATE, s["end"] / RATE) for s in spans]


def frames_of(segments: list[tuple[float, float, int]], n_frames: int) -> np.ndarray:
    labels = np.full(n_frames, -1)
    for start, end, speaker in segments:
        labels[int(round(start / FRAME_SECONDS)) : int(round(end / FRAME_SECONDS))] = speaker
    return labels


def speaker_accuracy(reference: np.ndarray, diarization: Diarization) -> float:
    """Share of the reference's speech frames given to the right speaker (labels matched as best they can be)."""
    hypothesis = frames_of(list(diarization.segments), len(reference))
    judged = reference >= 0
    same = float(np.mean(hypothesis[judged] == reference[judged]))
    swapped = float(np.mean(hypothesis[judged] == 1 - reference[judged]))
    return max(same, swapped)


@pytest.fixture(scope="module")
def two_voices() -> tuple[np.ndarray, list[tuple[float, float, int]]]:
    return mono_call(("en-us", "en+m3"))  # two male voices: the harder case


def test_two_voices_are_told_apart(two_voices) -> None:
    samples, turns = two_voices
    result = separate_speakers(samples, speech_spans(samples))
    reference = frames_of(turns, int(np.ceil(len(samples) / RATE / FRAME_SECONDS)))
    assert speaker_accuracy(reference, result) >= 0.9
    assert result.speakers == 2 and result.confidence >= 0.5
    # Speaker 0 is the one heard first; segments are ordered and do not overlap.
    assert result.segments[0].speaker == 0 and result.segments[0].start < turns[0][1]
    assert all(a.end <= b.start for a, b in zip(result.segments, result.segments[1:]))
    # Labels are the named tuple the pipeline reads, and unpack as (start, end, speaker).
    start, end, speaker = result.segments[0]
    assert (start, end, speaker) == (result.segments[0].start, result.segments[0].end, result.segments[0].speaker)


def test_one_voice_is_not_split_with_confidence() -> None:
    samples, _ = mono_call(("en-us", "en-us"))
    result = separate_speakers(samples, speech_spans(samples))
    assert result.confidence <= 0.3, result.confidence


def test_real_phone_call_down_mixed_to_mono() -> None:
    call = REAL_DATA / "spokenwoz_MUL1011.opus"
    if not call.exists():
        pytest.skip("../shared/data/real is absent")
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(call), "-f", "f32le", "-ac", "2", "-ar", str(RATE), "-"], check=True, capture_output=True).stdout
    stereo = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2).T
    mono = stereo.mean(axis=0).astype(np.float32)
    # Reference: each channel is one party; a 10 ms frame belongs to the channel 10 dB louder than the other.
    hop = int(RATE * FRAME_SECONDS)
    n = stereo.shape[1] // hop
    level = 10 * np.log10((stereo[:, : n * hop].reshape(2, n, hop) ** 2).mean(axis=-1) + 1e-12)
    level = np.stack([np.convolve(channel, np.ones(5) / 5, "same") for channel in level])
    active = level > level.max(axis=1, keepdims=True) - 35
    reference = np.full(n, -1)
    reference[active[0] & (level[0] - level[1] > 10)] = 0
    reference[active[1] & (level[1] - level[0] > 10)] = 1
    result = separate_speakers(mono, speech_spans(mono))
    assert speaker_accuracy(reference, result) >= 0.95
    assert result.confidence >= 0.5


def test_no_speech_no_segments() -> None:
    result = separate_speakers(np.zeros(RATE * 5, np.float32), [])
    assert result.segments == [] and result.confidence == 0.0
    short = separate_speakers(np.zeros(RATE * 5, np.float32), [(1.0, 2.0)])
    assert [tuple(s) for s in short.segments] == [(1.0, 2.0, 0)] and short.confidence == 0.0
