"""Decoding recordings: what a file's header states against what it holds (no speech model)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("av", reason="the audio extra is not installed")
if shutil.which("ffmpeg") is None:
    pytest.skip("needs ffmpeg", allow_module_level=True)

from qualicall.audio.decode import load_audio, probe, wav_data_seconds  # noqa: E402

SECONDS = 12.0


def _tone(out: Path, *codec: str) -> Path:
    """Twelve seconds of a stereo tone, written by ffmpeg (8 kHz µ-law WAV by default, with its LIST chunk)."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}", "-ac", "2",
                    *(codec or ("-ar", "8000", "-c:a", "pcm_mulaw")), str(out)], check=True)
    return out


def _cut(source: Path, out: Path, keep: float) -> Path:
    """The first `keep` share of `source`'s bytes, header included: an upload or a copy that stopped."""
    data = source.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


@pytest.mark.parametrize("name, codec", [("ulaw.wav", ()), ("pcm16k.wav", ("-ar", "16000")), ("call.flac", ("-ar", "8000"))])
def test_a_file_cut_short_is_truncated_and_the_whole_file_is_not(tmp_path, name, codec):
    """FFmpeg measures a WAV by its size: a file cut in half read as a whole call of half the length."""
    whole = load_audio(_tone(tmp_path / name, *codec))
    assert whole.seconds == pytest.approx(SECONDS, abs=0.05) and not whole.truncated
    assert whole.stated_seconds == pytest.approx(SECONDS, abs=0.05)
    half = load_audio(_cut(tmp_path / name, tmp_path / f"half-{name}", 0.5))
    assert half.truncated and half.seconds < 0.6 * SECONDS
    assert half.stated_seconds == pytest.approx(SECONDS, abs=0.05)
    # the last few milliseconds missing are rounding, not a lost end
    nearly = load_audio(_cut(tmp_path / name, tmp_path / f"nearly-{name}", 0.999))
    assert not nearly.truncated


def test_formats_that_estimate_their_length_are_never_called_truncated(tmp_path):
    """An MP3's length without a Xing header is an estimate from its bit rate; an Ogg file states it at its end."""
    for name, codec in (("call.mp3", ("-c:a", "libmp3lame")), ("call.opus", ("-c:a", "libopus"))):
        half = load_audio(_cut(_tone(tmp_path / name, *codec), tmp_path / f"half-{name}", 0.5))
        assert half.stated_seconds is None and not half.truncated, name


def test_a_wav_whose_writer_never_came_back_to_its_header_states_no_length(tmp_path):
    """Streaming recorders leave the data size at 0xFFFFFFFF (or 0): the length is unknown, not 298 hours."""
    wav = _tone(tmp_path / "stream.wav")
    data = bytearray(wav.read_bytes())
    at = data.index(b"data") + 4
    data[at : at + 4] = b"\xff\xff\xff\xff"
    wav.write_bytes(bytes(data))
    assert wav_data_seconds(wav) is None
    decoded = load_audio(wav)
    assert decoded.seconds == pytest.approx(SECONDS, abs=0.05) and not decoded.truncated
    assert probe(wav).declared_seconds == pytest.approx(SECONDS, abs=0.05)  # the duration limit reads what the file holds


def test_a_header_stating_hours_does_not_make_a_short_file_too_long(tmp_path):
    """The duration limit reads what FFmpeg finds (the file's size), not a forged data size: the file is decoded,
    and called truncated."""
    wav = _tone(tmp_path / "forged.wav")
    data = bytearray(wav.read_bytes())
    at = data.index(b"data") + 4
    data[at : at + 4] = (16000 * 3600 * 5).to_bytes(4, "little")  # five hours of 8 kHz µ-law stereo
    wav.write_bytes(bytes(data))
    decoded = load_audio(wav, max_seconds=3600)
    assert decoded.truncated and decoded.stated_seconds == pytest.approx(5 * 3600)
