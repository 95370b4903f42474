"""Decoding recordings into float32 16 kHz channels, with one-line errors naming the file.

PyAV (FFmpeg's libraries, a dependency of faster-whisper) reads what telephony
platforms write: 8 kHz µ-law / A-law WAV, Opus, MP3, FLAC, OGG, M4A; mono or
stereo; any sample rate. Channels are kept apart (one party per channel is the
contact-centre norm); more than two channels are mixed down to two by FFmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qualicall.core.errors import InputError
from qualicall.models.asr import SAMPLE_RATE

AUDIO_SUFFIXES = frozenset({".wav", ".opus", ".ogg", ".oga", ".mp3", ".flac", ".m4a", ".aac", ".webm", ".wma", ".amr", ".au"})


class AudioError(InputError):
    """A recording that cannot be used; the message is one line naming the file."""


@dataclass
class DecodedAudio:
    channels: np.ndarray  # shape (n_channels, n_samples), float32, 16 kHz; n_channels is 1 or 2
    source_rate: int
    source_channels: int
    codec: str

    @property
    def seconds(self) -> float:
        return self.channels.shape[1] / SAMPLE_RATE

    @property
    def stereo(self) -> bool:
        return self.channels.shape[0] == 2

    def mono(self) -> np.ndarray:
        """The channels down-mixed (mean) to one."""
        return self.channels.mean(axis=0).astype(np.float32) if self.stereo else self.channels[0]


def _reason(exc: BaseException) -> str:
    """FFmpeg's own words ("Invalid data found when processing input"), without errno and path."""
    strerror = getattr(exc, "strerror", None)
    if strerror:
        return str(strerror)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def load_audio(path: Path) -> DecodedAudio:
    """Every channel of `path` (more than two are mixed down to two), resampled to 16 kHz float32."""
    try:
        import av
    except ModuleNotFoundError:
        raise AudioError(f"{path}: cannot decode audio: PyAV is not installed (pip install 'qualicall[audio]')") from None
    if not path.is_file():
        raise AudioError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: empty file")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(f"{path}: not a readable audio file: {_reason(exc)}") from None
    with container:
        if not container.streams.audio:
            raise AudioError(f"{path}: no audio stream")
        stream = container.streams.audio[0]
        source_rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        source_channels = int(stream.codec_context.channels or 0)
        codec = stream.codec_context.name
        layout = "stereo" if source_channels >= 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except (av.FFmpegError, ValueError) as exc:
            if not chunks:
                raise AudioError(f"{path}: not a readable audio file: {_reason(exc)}") from None
            # A truncated file: what could be decoded is kept (recorders that died mid-call).
    if not chunks:
        raise AudioError(f"{path}: empty audio (no samples decoded)")
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    if samples.shape[1] < SAMPLE_RATE // 10:
        raise AudioError(f"{path}: empty audio ({samples.shape[1] / SAMPLE_RATE:.2f} s)")
    return DecodedAudio(np.ascontiguousarray(samples), source_rate, source_channels, codec)
