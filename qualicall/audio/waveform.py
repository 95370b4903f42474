"""A recording's peak envelope, for the waveform of the call page: per channel, the lowest and the highest
sample of each of `points` equal slices of the recording, a few kilobytes whatever its length.

One decoding pass (`decode.decode_blocks`, memory bounded: 10 ms minima and maxima are kept, not samples);
a "stereo" file carrying one signal twice gives one channel, like a mono file. `cached_envelope` keeps the
envelope in a folder of the data directory, under a name derived from the recording's path (the path may
hold a customer's name: it is hashed), with the recording's size and modification time, so that a replaced
recording is measured again. An envelope is no personal data: loudness over time, nothing to hear.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qualicall.audio.decode import MAX_RECORDING_SECONDS, ChannelLikeness, decode_blocks
from qualicall.models.asr import SAMPLE_RATE

ENVELOPE_POINTS = 1200
FRAME = SAMPLE_RATE // 100  # 10 ms: the finest slice kept while decoding
# Bumped when what is stored changes: older files are measured again.
FORMAT = 1


@dataclass(frozen=True)
class Envelope:
    seconds: float  # the recording's length
    low: np.ndarray  # (channels, points) float32: each slice's lowest sample, in [-1, 1]
    high: np.ndarray  # (channels, points) float32: each slice's highest sample

    @property
    def channels(self) -> int:
        return self.low.shape[0]

    @property
    def points(self) -> int:
        return self.low.shape[1]


def peak_envelope(path: Path, points: int = ENVELOPE_POINTS, max_seconds: float = MAX_RECORDING_SECONDS) -> Envelope:
    """The envelope of `path` in at most `points` slices (fewer for a recording under `points` × 10 ms).
    AudioError (one line, naming the file) for a recording that cannot be decoded."""
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []
    likeness = ChannelLikeness()
    pending: np.ndarray | None = None
    samples = 0
    for block in decode_blocks(Path(path), max_seconds):
        samples += block.shape[1]
        likeness.add(block)
        if pending is not None:
            block = np.concatenate([pending, block], axis=1)
        whole = block.shape[1] // FRAME * FRAME
        frames = block[:, :whole].reshape(block.shape[0], -1, FRAME)
        lows.append(frames.min(axis=2))
        highs.append(frames.max(axis=2))
        pending = block[:, whole:]
    if pending is not None and pending.shape[1]:
        lows.append(pending.min(axis=1, keepdims=True))
        highs.append(pending.max(axis=1, keepdims=True))
    low = np.concatenate(lows, axis=1) if lows else np.zeros((1, 0), np.float32)
    high = np.concatenate(highs, axis=1) if highs else np.zeros((1, 0), np.float32)
    if low.shape[0] == 2 and likeness.same_signal:
        low, high = low[:1], high[:1]
    starts = np.unique(np.linspace(0, low.shape[1], min(points, low.shape[1]) + 1).astype(int)[:-1])
    if not starts.size:
        return Envelope(samples / SAMPLE_RATE, low, high)
    return Envelope(samples / SAMPLE_RATE, np.minimum.reduceat(low, starts, axis=1).astype(np.float32),
                    np.maximum.reduceat(high, starts, axis=1).astype(np.float32))


def envelope_file(recording: Path, cache_dir: Path) -> Path:
    """Where `cached_envelope` keeps the envelope of `recording` (named by its resolved path: no name of a call)."""
    return cache_dir / (hashlib.sha256(os.fsencode(Path(recording).resolve())).hexdigest()[:32] + ".npz")


def cached_envelope(recording: Path, cache_dir: Path, points: int = ENVELOPE_POINTS,
                    max_seconds: float = MAX_RECORDING_SECONDS) -> Envelope:
    """The envelope of `recording`, measured once and kept in `cache_dir`; measured again when the recording
    changed (size or modification time), when `points` differs, or when the kept file cannot be read."""
    recording = Path(recording).resolve()
    stat = recording.stat()
    source = np.array([stat.st_size, stat.st_mtime_ns, points, FORMAT], dtype=np.int64)
    kept = envelope_file(recording, cache_dir)
    try:
        with np.load(kept, allow_pickle=False) as stored:
            if np.array_equal(stored["source"], source):
                return Envelope(float(stored["seconds"]), stored["low"], stored["high"])
    except (OSError, KeyError, ValueError):  # not there yet, or unreadable: measured again below
        pass
    envelope = peak_envelope(recording, points, max_seconds)
    draft = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: two pages opened at once never read half a file.
        with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".npz", delete=False) as draft:
            np.savez(draft, source=source, seconds=np.float64(envelope.seconds), low=envelope.low, high=envelope.high)
        os.replace(draft.name, kept)
    except OSError:  # a full or read-only disk: the page still shows it, measured again next time
        if draft is not None:
            Path(draft.name).unlink(missing_ok=True)
    return envelope
