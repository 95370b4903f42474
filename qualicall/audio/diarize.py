"""Two speakers on one channel: who speaks when, without a hub model.

Called by the audio pipeline's mono path, window by window (`Separation.add`
for each, then `Separation.result()`), or on a recording held whole:

    from qualicall.audio.diarize import separate_speakers
    diarization = separate_speakers(samples, speech_spans)

- `samples`: np.float32, mono, 16 kHz, in [-1, 1]; `speech_spans`: where
  someone speaks, (start, end) in seconds (the pipeline's Silero VAD).
- Returns a `Diarization`: `segments`, a time-ordered list of
  `SpeakerSegment(start, end, speaker)` (a named tuple: `seg.speaker` or
  `start, end, speaker = seg`), speaker 0 being the one heard first, 1 the
  other; and `confidence` in [0, 1], how clearly two voices were told apart
  (about 0 when the call sounds like one voice: then every segment is
  speaker 0). Which speaker is the agent is decided by the caller, from what
  they say.

How: resemblyzer's speaker encoder (a 3-layer LSTM trained for speaker
verification; its weights are inside its wheel, nothing is downloaded)
turns 1.6 s windows of speech, every `HOP_SECONDS`, into d-vectors; the
windows are split into two clusters (spectral clustering on their cosine
affinities, refined by k-means on the sphere); each 10 ms speech frame takes
the label of the windows covering it (a vote weighted by how central the
frame is in each window), and labels that flip for less than
`MIN_TURN_SECONDS` are smoothed away. Measured figures: README, "Mono
recordings", and `benchmarks/asr_engines.py`.

Needs the `mono` extra (resemblyzer, librosa, torch): importing this module
raises ModuleNotFoundError when they are missing, which the pipeline reports
as "no speaker separation".
"""

from __future__ import annotations

import importlib.util
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

for _module in ("resemblyzer", "librosa", "torch"):
    if importlib.util.find_spec(_module) is None:
        raise ModuleNotFoundError(f"mono speaker separation needs {_module} (the 'mono' extra)", name=_module)

SAMPLE_RATE = 16_000
FRAME_SECONDS = 0.01  # resemblyzer's mel hop
WINDOW_FRAMES = 160  # 1.6 s: the partial-utterance length the encoder was trained on
HOP_SECONDS = 0.5
MIN_TURN_SECONDS = 0.5
# Below this much speech there is too little to compare voices: one speaker.
MIN_SPEECH_SECONDS = 3.0
TARGET_DBFS = -30.0  # resemblyzer's volume normalisation
# Windows the spectral clustering and the silhouette look at, at most (about 12 minutes of speech).
MAX_SPECTRAL = 1500


class SpeakerSegment(NamedTuple):
    start: float
    end: float
    speaker: int  # 0: heard first, 1: the other


@dataclass
class Diarization:
    segments: list[SpeakerSegment] = field(default_factory=list)
    confidence: float = 0.0  # 0: no second voice told apart … 1: two clearly distinct voices
    speakers: int = 1  # how many voices were kept (1 or 2)


_encoder: Any = None
_encoder_lock = threading.Lock()


def _voice_encoder() -> Any:
    """resemblyzer's VoiceEncoder on CPU, loaded once per process."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            with warnings.catch_warnings():  # resemblyzer 0.1.4 imports a deprecated scipy path
                warnings.simplefilter("ignore", DeprecationWarning)
                from resemblyzer import VoiceEncoder

            _encoder = VoiceEncoder("cpu", verbose=False)
        return _encoder


def _speech_mask(n_frames: int, speech_spans: list[tuple[float, float]]) -> np.ndarray:
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in speech_spans:
        mask[max(0, int(round(start / FRAME_SECONDS))) : max(0, int(round(end / FRAME_SECONDS)))] = True
    return mask


def _windows(mask: np.ndarray) -> list[int]:
    """Start frames of the windows: every hop inside each run of speech; one window per short run."""
    hop = int(round(HOP_SECONDS / FRAME_SECONDS))
    starts: list[int] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    for begin, end in zip(edges[::2], edges[1::2]):
        if end - begin <= WINDOW_FRAMES:
            starts.append(max(0, min((begin + end) // 2 - WINDOW_FRAMES // 2, len(mask) - WINDOW_FRAMES)))
            continue
        starts.extend(range(begin, end - WINDOW_FRAMES + 1, hop))
        if starts[-1] + WINDOW_FRAMES < end:
            starts.append(end - WINDOW_FRAMES)
    return starts


def embed_windows(samples: np.ndarray, starts: list[int]) -> np.ndarray:
    """One L2-normalised d-vector per 1.6 s window starting at each frame of `starts`."""
    import torch

    encoder = _voice_encoder()  # imports resemblyzer first, quietly
    from resemblyzer.audio import wav_to_mel_spectrogram

    hop = int(SAMPLE_RATE * FRAME_SECONDS)
    # One mel spectrogram for the whole recording (the encoder's features are mel power, not log).
    mel = wav_to_mel_spectrogram(samples)
    mel = np.pad(mel, ((0, max(0, max(starts) + WINDOW_FRAMES - len(mel))), (0, 0)))
    power = np.pad(samples.astype(np.float64) ** 2, (0, WINDOW_FRAMES * hop))
    cumulative = np.concatenate(([0.0], np.cumsum(power)))
    target = 10 ** (TARGET_DBFS / 10)
    batch = np.empty((len(starts), WINDOW_FRAMES, mel.shape[1]), dtype=np.float32)
    for row, start in enumerate(starts):
        mean_power = (cumulative[(start + WINDOW_FRAMES) * hop] - cumulative[start * hop]) / (WINDOW_FRAMES * hop)
        # Each window at the level the encoder was trained on (power scales the mel linearly), so
        # that a loud and a quiet party are compared by voice, not by volume.
        batch[row] = mel[start : start + WINDOW_FRAMES] * (target / max(mean_power, 1e-10))
    with torch.no_grad():
        vectors = [encoder(torch.from_numpy(batch[i : i + 64])).numpy() for i in range(0, len(batch), 64)]
    return np.concatenate(vectors)


def two_clusters(vectors: np.ndarray) -> np.ndarray:
    """Labels 0/1 for unit vectors: the sign of the Fiedler vector of their cosine affinities, then k-means on the sphere.

    The spectral step works on at most MAX_SPECTRAL evenly spaced windows (its matrices grow with the
    square of their number: a long call would need gigabytes); k-means then labels every window.
    """
    sample = np.linspace(0, len(vectors) - 1, min(len(vectors), MAX_SPECTRAL)).round().astype(int)
    initial = _spectral_labels(vectors[sample])
    centroids = _centroids(vectors[sample], initial)
    if centroids is None:
        return np.zeros(len(vectors), dtype=int)
    labels = np.argmax(vectors @ centroids.T, axis=1)
    for _ in range(20):
        centroids = _centroids(vectors, labels)
        if centroids is None:
            break
        updated = np.argmax(vectors @ centroids.T, axis=1)
        if np.array_equal(updated, labels):
            break
        labels = updated
    return labels


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
    """The two clusters' unit mean vectors; None if one cluster is empty."""
    centroids = []
    for label in (0, 1):
        members = vectors[labels == label]
        if len(members) == 0:
            return None
        centre = members.mean(axis=0)
        centroids.append(centre / (np.linalg.norm(centre) or 1.0))
    return np.stack(centroids)


def _spectral_labels(vectors: np.ndarray) -> np.ndarray:
    affinity = np.clip(vectors @ vectors.T, 0.0, None)
    # Keep each window's strongest links only (its nearest neighbours), so that the few windows
    # that mix both voices do not tie the two groups together.
    keep = max(3, len(vectors) // 4)
    threshold = -np.sort(-affinity, axis=1)[:, keep - 1 : keep]
    affinity = np.where(affinity >= threshold, affinity, 0.0)
    affinity = np.maximum(affinity, affinity.T)
    degree = affinity.sum(axis=1)
    scale = 1.0 / np.sqrt(np.maximum(degree, 1e-9))
    laplacian = np.eye(len(vectors)) - scale[:, None] * affinity * scale[None, :]
    _, eigenvectors = np.linalg.eigh(laplacian)
    fiedler = eigenvectors[:, 1] * scale
    if np.all(fiedler > 0) or np.all(fiedler < 0):
        return (fiedler > np.median(fiedler)).astype(int)
    return (fiedler > 0).astype(int)


def _separation_confidence(vectors: np.ndarray, labels: np.ndarray) -> float:
    """How distinct the two clusters are: the mean silhouette of the windows (cosine), mapped to [0, 1].

    A single voice split in two gives silhouettes near 0 (each window is about as close to the other
    half as to its own); two voices give clearly positive ones. The smaller cluster's share also
    counts: a "second speaker" of a few windows is more likely noise than a party of the call; and
    so does the number of windows.
    """
    if len(set(labels.tolist())) < 2:
        return 0.0
    # Two clusters fitted to few windows look distinct even in one voice or in noise (6 s of white
    # noise: 0.46 without this, 30 s: 0.19): under 40 windows (about 20 s of speech), less evidence.
    evidence = min(1.0, len(vectors) / 40)
    sample = np.linspace(0, len(vectors) - 1, min(len(vectors), MAX_SPECTRAL)).round().astype(int)
    vectors, labels = vectors[sample], labels[sample]
    distance = 1.0 - vectors @ vectors.T
    silhouettes = []
    for index, label in enumerate(labels):
        own = labels == label
        own[index] = False
        if not own.any():
            continue
        inside = distance[index, own].mean()
        outside = distance[index, labels != label].mean()
        silhouettes.append((outside - inside) / max(inside, outside, 1e-9))
    silhouette = float(np.mean(silhouettes)) if silhouettes else 0.0
    minority = min(np.mean(labels == 0), np.mean(labels == 1))
    # Measured (benchmarks/asr_engines.py): one espeak-ng voice split in two 0.16–0.17; two similar
    # espeak-ng voices 0.28–0.30, the real phone call 0.34, distinct voices 0.50. So: 0.15 or less,
    # one voice; 0.35 and more, two clearly distinct voices.
    distinct = np.clip((silhouette - 0.15) / 0.20, 0.0, 1.0)
    balance = np.clip(minority / 0.1, 0.0, 1.0)
    return round(float(distinct * balance * evidence), 2)


def _frame_labels(n_frames: int, starts: list[int], labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per 10 ms frame: the weighted vote of the windows covering it (weight highest at a window's centre); -1 outside speech."""
    votes = np.zeros((2, n_frames))
    weight = np.hanning(WINDOW_FRAMES + 2)[1:-1]
    for start, label in zip(starts, labels):
        end = min(n_frames, start + WINDOW_FRAMES)
        votes[label, start:end] += weight[: end - start]
    frames = np.where(votes[1] > votes[0], 1, 0)
    uncovered = votes.sum(axis=0) == 0
    if uncovered.any() and (~uncovered).any():  # speech no window reaches: the nearest covered frame
        covered = np.flatnonzero(~uncovered)
        nearest = covered[np.clip(np.searchsorted(covered, np.flatnonzero(uncovered)), 0, len(covered) - 1)]
        frames[uncovered] = frames[nearest]
    return np.where(mask, frames, -1)


def _smooth(frames: np.ndarray) -> np.ndarray:
    """Runs of one label shorter than MIN_TURN_SECONDS inside speech take their neighbours' label."""
    shortest = int(MIN_TURN_SECONDS / FRAME_SECONDS)
    frames = frames.copy()
    speech = np.flatnonzero(frames >= 0)
    if len(speech) == 0:
        return frames
    labels = frames[speech]
    changed = True
    while changed:
        changed = False
        edges = np.flatnonzero(np.diff(labels)) + 1
        bounds = np.concatenate(([0], edges, [len(labels)]))
        runs = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
        if len(runs) < 2:
            break
        begin, end = min(runs, key=lambda run: run[1] - run[0])
        if end - begin < shortest:
            labels[begin:end] = 1 - labels[begin]
            changed = True
    frames[speech] = labels
    return frames


def _segments(frames: np.ndarray) -> list[SpeakerSegment]:
    segments: list[SpeakerSegment] = []
    start = None
    for index in range(len(frames) + 1):
        label = frames[index] if index < len(frames) else -1
        if start is not None and label != frames[start]:
            segments.append(SpeakerSegment(round(start * FRAME_SECONDS, 2), round(index * FRAME_SECONDS, 2), int(frames[start])))
            start = None
        if start is None and label >= 0:
            start = index
    return segments


class Separation:
    """Speaker separation fed window by window (consecutive windows, each a whole number of 10 ms frames
    but the last), so that a long recording never sits in memory whole; `result()` clusters them all."""

    def __init__(self) -> None:
        self._masks: list[np.ndarray] = []
        self._starts: list[np.ndarray] = []
        self._vectors: list[np.ndarray] = []
        self._frames = 0

    def add(self, samples: np.ndarray, speech_spans: list[tuple[float, float]]) -> None:
        """The next window: its samples and where someone speaks in it (seconds from its start)."""
        samples = np.asarray(samples, dtype=np.float32)
        n_frames = int(np.ceil(len(samples) / (SAMPLE_RATE * FRAME_SECONDS)))
        mask = _speech_mask(n_frames, speech_spans)
        starts = _windows(mask)
        if starts:
            self._vectors.append(embed_windows(samples, starts))
            self._starts.append(np.asarray(starts) + self._frames)
        self._masks.append(mask)
        self._frames += n_frames

    def result(self) -> Diarization:
        mask = np.concatenate(self._masks) if self._masks else np.zeros(0, dtype=bool)
        if not mask.any():
            return Diarization([], 0.0, 0)
        starts = np.concatenate(self._starts).tolist()
        if mask.sum() * FRAME_SECONDS < MIN_SPEECH_SECONDS or len(starts) < 4:
            return Diarization(_segments(np.where(mask, 0, -1)), 0.0, 1)
        vectors = np.concatenate(self._vectors)
        labels = two_clusters(vectors)
        confidence = _separation_confidence(vectors, labels)
        if confidence == 0.0:
            return Diarization(_segments(np.where(mask, 0, -1)), 0.0, 1)
        frames = _smooth(_frame_labels(len(mask), starts, labels, mask))
        speech = frames[frames >= 0]
        if len(speech) and speech[0] == 1:  # speaker 0 is the one heard first
            frames = np.where(frames >= 0, 1 - frames, frames)
        segments = _segments(frames)
        speakers = len({segment.speaker for segment in segments})
        return Diarization(segments, confidence if speakers == 2 else 0.0, speakers)


def separate_speakers(samples: np.ndarray, speech_spans: list[tuple[float, float]]) -> Diarization:
    """Who speaks when in a mono recording of (at most) two parties, held whole; see the module docstring."""
    separation = Separation()
    separation.add(samples, speech_spans)
    return separation.result()
