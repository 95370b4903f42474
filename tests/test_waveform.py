"""The call page's waveform: the peak envelope of a recording (qualicall.audio.waveform), against loud and quiet
spans planted in generated WAV files, its cache, and the two lanes drawn from it (qualicall.api.web.waveform)
against planted turns. Expected values come from the planting."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest

from qualicall.api.web.views import ItemView, TurnView
from qualicall.api.web.waveform import LANE_HEIGHT, Envelope, waveform_view
from qualicall.audio.decode import AudioError
from qualicall.audio.waveform import cached_envelope, peak_envelope

RATE = 16_000
SECONDS = 10.0
POINTS = 100  # slices of 0.1 s: 20 periods of the 200 Hz tone each, so that a slice holds the tone's peaks


def write_wav(path: Path, channels: list[np.ndarray], rate: int = RATE) -> Path:
    samples = np.clip(np.stack(channels, axis=1), -1, 1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def planted(loud: list[tuple[float, float, float]], quiet: float = 0.01, rate: int = RATE) -> np.ndarray:
    """A 200 Hz tone at `quiet` amplitude, at `amplitude` inside each (start, end, amplitude)."""
    time = np.arange(int(SECONDS * rate)) / rate
    level = np.full(time.shape, quiet)
    for start, end, amplitude in loud:
        level[(time >= start) & (time < end)] = amplitude
    return level * np.sin(2 * np.pi * 200 * time)


def slices(start: float, end: float) -> slice:
    """The envelope's slices wholly inside [start, end), one slice of margin either side."""
    return slice(round(start / SECONDS * POINTS) + 1, round(end / SECONDS * POINTS) - 1)


QUANTUM = 2 / 32767  # a 16-bit sample's rounding, and then some


def test_a_stereo_envelope_shows_each_channels_loud_spans_where_they_were_planted(tmp_path):
    left = planted([(1.0, 3.0, 0.8)])
    right = planted([(5.0, 8.0, 0.5), (8.0, 9.0, 0.2)])
    envelope = peak_envelope(write_wav(tmp_path / "call.wav", [left, right]), points=POINTS)
    assert envelope.channels == 2 and envelope.points == POINTS
    assert envelope.seconds == pytest.approx(SECONDS, abs=0.01)
    for channel, spans in ((0, [(1.0, 3.0, 0.8)]), (1, [(5.0, 8.0, 0.5), (8.0, 9.0, 0.2)])):
        high, low = envelope.high[channel], envelope.low[channel]
        loud = np.zeros(POINTS, bool)
        for start, end, amplitude in spans:
            inside = slices(start, end)
            assert np.allclose(high[inside], amplitude, atol=QUANTUM + 0.002), (channel, start)
            assert np.allclose(low[inside], -amplitude, atol=QUANTUM + 0.002), (channel, start)
            loud[round(start / SECONDS * POINTS) - 1 : round(end / SECONDS * POINTS) + 1] = True
        assert np.all(high[~loud] <= 0.01 + QUANTUM) and np.all(low[~loud] >= -0.01 - QUANTUM), channel


def test_a_telephone_rate_recording_keeps_its_spans_in_time(tmp_path):
    """8 kHz (resampled to 16 kHz while decoding): the loud span stays at 4–6 s."""
    envelope = peak_envelope(write_wav(tmp_path / "phone.wav", [planted([(4.0, 6.0, 0.6)], rate=8000)], rate=8000), points=POINTS)
    assert envelope.channels == 1 and envelope.seconds == pytest.approx(SECONDS, abs=0.01)
    assert np.all(envelope.high[0][slices(4.0, 6.0)] > 0.55)
    assert np.all(envelope.high[0][: slices(4.0, 6.0).start - 2] < 0.02) and np.all(envelope.high[0][slices(4.0, 6.0).stop + 2 :] < 0.02)


def test_one_signal_on_two_channels_is_one_envelope(tmp_path):
    signal = planted([(2.0, 4.0, 0.7)])
    envelope = peak_envelope(write_wav(tmp_path / "twice.wav", [signal, signal]), points=POINTS)
    assert envelope.channels == 1
    assert np.allclose(envelope.high[0][slices(2.0, 4.0)], 0.7, atol=QUANTUM + 0.002)


def test_a_short_recording_has_one_slice_per_10_ms(tmp_path):
    time = np.arange(int(0.5 * RATE)) / RATE
    envelope = peak_envelope(write_wav(tmp_path / "short.wav", [0.3 * np.sin(2 * np.pi * 200 * time)]), points=1000)
    assert envelope.points == 50 and envelope.seconds == pytest.approx(0.5)


def test_the_envelope_is_kept_and_measured_again_when_the_recording_changes(tmp_path):
    recording = write_wav(tmp_path / "Dupont Jean 0612345678.wav", [planted([(1.0, 3.0, 0.8)])])
    cache = tmp_path / "waveforms"
    first = cached_envelope(recording, cache, points=POINTS)
    kept = list(cache.iterdir())
    assert len(kept) == 1 and "Dupont" not in kept[0].name and "0612345678" not in kept[0].name
    # Kept: the same file is read back, not measured (a measure would have found the recording's 0.8).
    again = cached_envelope(recording, cache, points=POINTS)
    assert np.array_equal(again.high, first.high) and again.seconds == first.seconds
    # Replaced by another recording of the same size: measured again (its modification time moved).
    write_wav(recording, [planted([(6.0, 8.0, 0.4)])])
    os.utime(recording, ns=(recording.stat().st_atime_ns, recording.stat().st_mtime_ns + 10**9))
    changed = cached_envelope(recording, cache, points=POINTS)
    assert np.all(changed.high[0][slices(6.0, 8.0)] > 0.39) and np.all(changed.high[0][slices(1.0, 3.0)] < 0.02)
    assert len(list(cache.iterdir())) == 1
    # A damaged cached file is measured again, not an error.
    kept[0].write_bytes(b"not numpy")
    assert np.array_equal(cached_envelope(recording, cache, points=POINTS).high, changed.high)


def test_a_file_that_is_no_audio_is_a_one_line_error(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF but nothing else")
    with pytest.raises(AudioError) as raised:
        cached_envelope(broken, tmp_path / "waveforms")
    assert "broken.wav" in str(raised.value) and "\n" not in str(raised.value)


# --- the two lanes ----------------------------------------------------------------------------------------------

def turn(index: int, role: str, start: float, end: float) -> TurnView:
    return TurnView(index, role, role, "…", start, end, "")


def item(key: str, time: float | None, effective: str = "failed") -> ItemView:
    return ItemView(key, key, effective, None, effective, "", [], time, [])


# Agent 0.5–4 s, customer 3–6 s (both speak 3–4 s), nobody 6–9 s (a 3 s silence), agent 9–9.5 s then the
# customer 10.5–11.5 s after a 1 s gap (no silence mark: under 2 s), agent 11.3-11.4 s (0.1 s: no overtalk mark).
TURNS = [turn(0, "agent", 0.5, 4.0), turn(1, "customer", 3.0, 6.0), turn(2, "agent", 9.0, 9.5),
         turn(3, "customer", 10.5, 11.5), turn(4, "agent", 11.3, 11.4)]
LENGTH = 12.0


def flat_envelope(channels: int, points: int = 120) -> Envelope:
    """A recording as loud everywhere (0.5): what a lane shows then depends on the turns alone."""
    return Envelope(LENGTH, np.full((channels, points), -0.5, np.float32), np.full((channels, points), 0.5, np.float32))


def test_silences_overtalk_and_ticks_are_where_the_turns_put_them():
    view = waveform_view(flat_envelope(2), TURNS, [item("greeting.salutation", 0.5), item("closing.recap", None), item("x.y", 3.25, "passed")], None)
    per_second = 120 / LENGTH
    assert [(b.x, b.width) for b in view.silences] == [(6.0 * per_second, 3.0 * per_second)]
    assert [(b.x, b.width) for b in view.overtalk] == [(3.0 * per_second, 1.0 * per_second)]
    assert [(b.start_clock, b.end_clock) for b in view.overtalk] == [("0:03", "0:04")]
    assert [(t.key, t.status, t.clock) for t in view.ticks] == [("greeting.salutation", "failed", "0:00"), ("x.y", "passed", "0:03")]
    assert [t.left for t in view.ticks] == pytest.approx([0.5 / 12 * 100, 3.25 / 12 * 100], abs=0.001)
    agent, customer = view.lanes
    assert (agent.role, customer.role) == ("agent", "customer") and customer.y == LANE_HEIGHT + 4
    assert [(b.x, b.width) for b in agent.turns][:2] == [(0.5 * per_second, 3.5 * per_second), (9.0 * per_second, 0.5 * per_second)]


def lane_heights(outline: str, points: int) -> np.ndarray:
    """Each slice's drawn height, from a lane's polygon (highs left to right, then lows right to left)."""
    ys = np.array([float(p.split(",")[1]) for p in outline.split()])
    return ys[points:][::-1] - ys[:points]


def test_a_mono_recording_is_split_into_the_lanes_by_the_turns():
    view = waveform_view(flat_envelope(1), TURNS, [], None)
    agent, customer = (lane_heights(lane.outline, 120) for lane in view.lanes)
    # Slice i covers [i/10, (i+1)/10) s: the agent speaks in slices 5–39, 90–94, 113; the customer in 30–59, 105–114.
    assert np.flatnonzero(agent > 0).tolist() == [*range(5, 40), *range(90, 95), 113]
    assert np.flatnonzero(customer > 0).tolist() == [*range(30, 60), *range(105, 115)]
    assert agent.max() == pytest.approx(LANE_HEIGHT - 2, abs=0.1)  # scaled to the lane


def test_the_agent_lane_shows_the_agents_channel():
    """Left channel loud in the first half only, right channel in the second half only."""
    first_half = np.arange(120) < 60
    high = np.array([np.where(first_half, 0.5, 0.0), np.where(first_half, 0.0, 0.5)], np.float32)
    envelope = Envelope(LENGTH, -high, high)
    for roles, agent_half in ((None, True), ({"agent": "left"}, True), ({"agent": "right"}, False), ({"agent": "voice 1"}, True)):
        agent, customer = (lane_heights(lane.outline, 120) > 0 for lane in waveform_view(envelope, TURNS, [], roles).lanes)
        assert np.array_equal(agent, first_half if agent_half else ~first_half), roles
        assert np.array_equal(customer, ~agent), roles


def test_an_empty_envelope_draws_nothing():
    assert waveform_view(Envelope(0.0, np.zeros((1, 0), np.float32), np.zeros((1, 0), np.float32)), TURNS, [], None) is None
