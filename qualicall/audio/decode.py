"""Decoding recordings into float32 16 kHz channels, in bounded windows, with one-line errors naming the file.

PyAV (FFmpeg's libraries, a dependency of faster-whisper) reads what telephony
platforms write: 8 kHz µ-law / A-law WAV, Opus, MP3, FLAC, OGG, M4A; mono or
stereo; any sample rate. Channels are kept apart (one party per channel is the
contact-centre norm); more than two channels are mixed down to two by FFmpeg.

Memory does not grow with a recording's length: `probe` reads the container's
header (a recording declared longer than the limit is refused before any
decoding), `load_audio` decodes once to measure it (length, whether its two
channels carry one signal) and keeps the samples only when they fit in one
window; `DecodedAudio.windows` then gives the recording window by window,
decoding it again when it was not kept, each window ending at the quietest
moment of its last seconds so that no word is cut in two.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qualicall.core.errors import InputError
from qualicall.models.asr import SAMPLE_RATE

AUDIO_SUFFIXES = frozenset({".wav", ".opus", ".ogg", ".oga", ".mp3", ".flac", ".m4a", ".aac", ".webm", ".wma", ".amr", ".au"})
# The longest recording accepted by default (the service's QUALICALL_MAX_RECORDING_HOURS).
MAX_RECORDING_SECONDS = 4 * 3600.0
# Audio transcribed at once: 10 minutes of stereo are 77 MB of samples.
WINDOW_SECONDS = 600.0
# A window ends at the quietest 100 ms of its last CUT_SEARCH_SECONDS (a pause between words).
CUT_SEARCH_SECONDS = 30.0
CUT_STEP = SAMPLE_RATE // 10  # a multiple of the 10 ms frames speaker separation counts in


class AudioError(InputError):
    """A recording that cannot be used: `reason` is one line; the message names the file first."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason


class RecordingTooLong(AudioError):
    """A recording above the duration limit (from its header, or found while decoding)."""


# A recording is cut short when it decodes shorter than its header states by more than this (seconds, or share
# of the stated length): a frame or two of rounding is not a lost end.
TRUNCATION_SECONDS, TRUNCATION_SHARE = 0.5, 0.01
# Containers whose length FFmpeg reads from a header that states it exactly (FLAC's STREAMINFO); a WAV's it estimates
# from the file's size, so `probe` reads its data chunk itself (`wav_data_seconds`); others estimate it (MP3 without a
# Xing header, from its bit rate) or state it at the end (Ogg), so a shorter decoding says nothing.
EXACT_LENGTH_CONTAINERS = frozenset({"flac"})
# WAV data sizes that streaming writers leave when they never come back to the header: length unknown.
_WAV_UNKNOWN_SIZES = frozenset({0, 0xFFFFFFFF})
_WAV_MAX_CHUNKS = 64


@dataclass(frozen=True)
class AudioFormat:
    """What the container says about its first audio stream, before any decoding."""

    codec: str
    source_rate: int
    source_channels: int
    declared_seconds: float | None  # None: the container does not say (FFmpeg's figure: for some, an estimate)
    stated_seconds: float | None = None  # the length the header states exactly (WAV, FLAC): truncation shows against it


def _reason(exc: BaseException) -> str:
    """FFmpeg's own words ("Invalid data found when processing input"), without errno and path."""
    strerror = getattr(exc, "strerror", None)
    if strerror:
        return str(strerror)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def duration(seconds: float) -> str:
    """« 4 h 00 min », « 3 min 20 s », « 40 s »."""
    whole = int(round(seconds))
    if whole >= 3600:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    if whole >= 60:
        return f"{whole // 60} min" + (f" {whole % 60} s" if whole % 60 else "")
    return f"{whole} s"


def _too_long(path: Path, seconds: float, max_seconds: float, how: str) -> RecordingTooLong:
    return RecordingTooLong(path, f"the recording lasts {how}{duration(seconds)}, above the limit of {duration(max_seconds)}")


def _open(path: Path):  # type: ignore[no-untyped-def]
    try:
        import av
    except ModuleNotFoundError:
        raise AudioError(path, "cannot decode audio: PyAV is not installed (pip install 'qualicall[audio]')") from None
    if not path.is_file():
        raise AudioError(path, "no such file" if not path.exists() else "not a file")
    if path.stat().st_size == 0:
        raise AudioError(path, "empty file")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(path, f"not a readable audio file: {_reason(exc)}") from None
    if not container.streams.audio:
        container.close()
        raise AudioError(path, "no audio stream")
    return container


def _format(container) -> AudioFormat:  # type: ignore[no-untyped-def]
    stream = container.streams.audio[0]
    declared = None
    if stream.duration is not None and stream.time_base is not None:
        declared = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        declared = container.duration / 1_000_000  # AV_TIME_BASE
    return AudioFormat(stream.codec_context.name, int(stream.codec_context.sample_rate or stream.rate or 0),
                       int(stream.codec_context.channels or 0), declared,
                       declared if container.format.name in EXACT_LENGTH_CONTAINERS else None)


def wav_data_seconds(path: Path) -> float | None:
    """The length a WAV header states (its data chunk's size over its byte rate); None when it states none.

    FFmpeg estimates a WAV's length from the file's size, so a file cut short in writing or copying reads as
    complete: only its header remembers how long it was."""
    with path.open("rb") as stream:
        head = stream.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None  # RF64 and others: FFmpeg's estimate stands
        byte_rate = 0
        for _ in range(_WAV_MAX_CHUNKS):
            chunk = stream.read(8)
            if len(chunk) < 8:
                return None
            name, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if name == b"data":
                return size / byte_rate if byte_rate and size not in _WAV_UNKNOWN_SIZES else None
            if name == b"fmt ":
                fmt = stream.read(size)
                byte_rate = int.from_bytes(fmt[8:12], "little") if len(fmt) >= 12 else 0
                stream.seek(size & 1, 1)
            else:
                stream.seek(size + (size & 1), 1)
    return None


def probe(path: Path, max_seconds: float = MAX_RECORDING_SECONDS) -> AudioFormat:
    """The recording's format from its header; AudioError when it cannot be read or declares more than `max_seconds`."""
    with _open(path) as container:
        found = _format(container)
        if container.format.name == "wav":
            found = replace(found, stated_seconds=wav_data_seconds(path))
    if found.declared_seconds is not None and found.declared_seconds > max_seconds:
        raise _too_long(path, found.declared_seconds, max_seconds, "")
    return found


def decode_blocks(path: Path, max_seconds: float = MAX_RECORDING_SECONDS) -> Iterator[np.ndarray]:
    """The recording as it decodes: (1 or 2, n) float32 blocks at 16 kHz, every channel (more than two mixed
    down to two). A file truncated mid-way ends where decoding failed (recorders that died mid-call)."""
    import av

    limit = int(max_seconds * SAMPLE_RATE)
    decoded = 0
    with _open(path) as container:
        stream = container.streams.audio[0]
        layout = "stereo" if int(stream.codec_context.channels or 0) >= 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = out.to_ndarray()
                    decoded += block.shape[1]
                    if decoded > limit:  # the header said less, or nothing
                        raise _too_long(path, max_seconds, max_seconds, "more than ")
                    yield block
            for out in resampler.resample(None):
                yield out.to_ndarray()
        except (av.FFmpegError, ValueError) as exc:
            if not decoded:
                raise AudioError(path, f"not a readable audio file: {_reason(exc)}") from None


@dataclass(frozen=True)
class AudioWindow:
    offset: float  # seconds from the start of the recording
    channels: np.ndarray  # (1 or 2, n) float32, 16 kHz


@dataclass(frozen=True)
class DecodedAudio:
    """A recording after one decoding pass: its length and channel layout, and its samples when it fits in
    one window (`channels`; None for a longer one, which `windows` decodes again)."""

    path: Path
    source_rate: int
    source_channels: int
    codec: str
    samples: int  # per channel, at 16 kHz
    stereo: bool
    same_signal: bool  # a "stereo" file carrying one signal twice: a mono recording
    max_seconds: float
    channels: np.ndarray | None = None
    stated_seconds: float | None = None  # the length the header states exactly (WAV, FLAC); None if it states none

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE

    @property
    def truncated(self) -> bool:
        """Shorter than its header states: the file was cut short (an upload or a copy that stopped), its end lost."""
        stated = self.stated_seconds
        return stated is not None and stated - self.seconds > max(TRUNCATION_SECONDS, TRUNCATION_SHARE * stated)

    def windows(self, seconds: float = WINDOW_SECONDS) -> Iterator[AudioWindow]:
        """The recording in consecutive windows of at most `seconds`, each ending at a quiet moment."""
        if self.channels is not None:
            yield AudioWindow(0.0, self.channels)
            return
        size = max(int(seconds * SAMPLE_RATE) // CUT_STEP, 1) * CUT_STEP
        search = min(int(CUT_SEARCH_SECONDS * SAMPLE_RATE) // CUT_STEP * CUT_STEP, size - CUT_STEP)
        pending: list[np.ndarray] = []
        held = start = 0
        for block in decode_blocks(self.path, self.max_seconds):
            pending.append(block)
            held += block.shape[1]
            while held >= size:
                buffer = np.concatenate(pending, axis=1)
                cut = _quiet_cut(buffer[:, size - search : size]) + size - search if search > 0 else size
                yield AudioWindow(start / SAMPLE_RATE, np.ascontiguousarray(buffer[:, :cut]))
                start += cut
                pending, held = [buffer[:, cut:]], buffer.shape[1] - cut
        if held:
            yield AudioWindow(start / SAMPLE_RATE, np.ascontiguousarray(np.concatenate(pending, axis=1)))


def _quiet_cut(tail: np.ndarray) -> int:
    """Where in `tail` to end a window: the end of its quietest 100 ms step (energy over every channel)."""
    steps = tail[:, : tail.shape[1] // CUT_STEP * CUT_STEP].reshape(tail.shape[0], -1, CUT_STEP)
    energy = np.square(steps, dtype=np.float64).sum(axis=(0, 2))
    return (int(np.argmin(energy)) + 1) * CUT_STEP


class ChannelLikeness:
    """Whether two channels carry one signal (a "stereo" file of a mono recording), block after block: their
    largest difference stays within 2 % of the loudest sample."""

    def __init__(self) -> None:
        self.loudest = self.difference = 0.0

    def add(self, block: np.ndarray) -> None:
        self.loudest = max(self.loudest, float(np.abs(block).max(initial=0.0)))
        if block.shape[0] == 2:
            self.difference = max(self.difference, float(np.abs(block[0] - block[1]).max(initial=0.0)))

    @property
    def same_signal(self) -> bool:
        return self.difference <= 0.02 * max(self.loudest, 1e-6)


def mono(channels: np.ndarray) -> np.ndarray:
    """The channels down-mixed (mean) to one."""
    return channels.mean(axis=0).astype(np.float32) if channels.shape[0] == 2 else channels[0]


def load_audio(path: Path, max_seconds: float = MAX_RECORDING_SECONDS, keep_seconds: float = math.inf) -> DecodedAudio:
    """Every channel of `path` measured in one decoding pass, its samples kept when they last at most
    `keep_seconds`. AudioError (one line, naming the file) for what cannot be used."""
    path = Path(path)
    found = probe(path, max_seconds)
    keep = keep_seconds * SAMPLE_RATE
    blocks: list[np.ndarray] | None = []
    samples = 0
    likeness = ChannelLikeness()
    for block in decode_blocks(path, max_seconds):
        samples += block.shape[1]
        likeness.add(block)
        if blocks is not None:
            blocks.append(block)
            if samples > keep:
                blocks = None  # too long to hold: `windows` decodes it again
    if samples == 0:
        raise AudioError(path, "empty audio (no samples decoded)")
    if samples < SAMPLE_RATE // 10:
        raise AudioError(path, f"empty audio ({samples / SAMPLE_RATE:.2f} s)")
    stereo = found.source_channels >= 2
    channels = np.ascontiguousarray(np.concatenate(blocks, axis=1).astype(np.float32, copy=False)) if blocks is not None else None
    return DecodedAudio(path, found.source_rate, found.source_channels, found.codec, samples, stereo,
                        stereo and likeness.same_signal, max_seconds, channels, found.stated_seconds)
