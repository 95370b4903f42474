"""faster-whisper vs openai-whisper on identical weights, and mono speaker separation.

    python benchmarks/asr_engines.py [--threads 1] [--beam-size 5] [--call-seconds 60] [--float32] [--skip-engines] [--skip-mono]

1. Engines, side by side in one run: the same audio, the same beam size, the
   same guards (VAD, thresholds), both on the base model (openai-whisper on
   the checkpoint converted from faster-whisper's CTranslate2 weights,
   `qualicall models convert`). For each clip: decoding seconds of each
   engine, their ratio, each engine's WER where the text is known (the real
   clips of ../shared/data/real and an espeak-ng English sentence), and the
   WER of openai-whisper's text against faster-whisper's (agreement) on the
   first `--call-seconds` of each channel of the real phone call, whose words
   are not transcribed. Models are loaded once, before timing; the load
   average is printed, since the machine may be shared.
2. Mono: speaker accuracy of `qualicall.audio.diarize.separate_speakers`
   (the share of 10 ms speech frames given to the right speaker, labels
   matched at best) on the real recordings down-mixed to mono, whose
   reference is per-channel energy (a frame belongs to the channel 10 dB
   louder than the other; overlapped frames are not judged), and on
   espeak-ng calls with two distinct voices, two similar voices and one
   voice for both parties; then the role accuracy of the whole mono path
   (`qualicall transcribe` on a mono synthetic English call: the share of
   recognised turns attributed to the right party).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from asr import CLIPS, PHONE_CALL, REAL, load, normalise, wer  # noqa: E402

RATE = 16_000
SENTENCE = "Thank you for calling Northwind Energy. My name is Sarah, how can I help you today?"
ENGLISH_CALL = [
    ("agent", "Good morning, you are through to Northwind Energy, my name is Sarah, how can I help you today?"),
    ("customer", "Hello, I received a bill that is much higher than usual and I would like to understand why."),
    ("agent", "I understand. Could you give me your customer number, please?"),
    ("customer", "Yes, it is four one two, three two zero."),
    ("agent", "Thank you. Your meter was replaced last month, so this bill covers two months."),
    ("customer", "Oh I see, so I have not paid twice then."),
    ("agent", "Exactly. To sum up, the bill covers two months and the amount is correct. Is there anything else?"),
    ("customer", "No, that is all, thank you very much."),
    ("agent", "Thank you for calling, have a nice day, goodbye."),
]


def decode(path: Path, channels: int = 1) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels), "-ar", str(RATE), "-"], check=True, capture_output=True).stdout
    samples = np.frombuffer(raw, dtype=np.float32)
    return samples.reshape(-1, channels).T.copy() if channels > 1 else samples.copy()


def espeak(text: str, voice: str, folder: Path) -> np.ndarray:
    wav = folder / f"{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    pad = np.zeros(RATE // 2, np.float32)
    return np.concatenate([pad, decode(wav), pad])


def text_of(result) -> str:  # type: ignore[no-untyped-def]
    from qualicall.models.asr import drop_hallucinations

    return " ".join(segment.text for segment in drop_hallucinations(result.segments))


def engines(args: argparse.Namespace) -> None:
    from qualicall.models.asr import EngineConfig, create_engine

    config = EngineConfig(model="base", threads=args.threads, beam_size=args.beam_size)
    loaded = {}
    for name in ("faster-whisper", "openai-whisper"):
        started = time.monotonic()
        loaded[name] = create_engine(name, config)
        print(f"{name}: base model loaded in {time.monotonic() - started:.1f} s")
    if args.float32:
        # The default engine with its CTranslate2 model in float32 instead of int8: the same numbers as
        # openai-whisper's float32, so that text differences can be told from quantisation or from decoding.
        from faster_whisper import WhisperModel

        from qualicall.models.whisper_models import resolve_model

        unquantised = create_engine("faster-whisper", config)
        unquantised.model = WhisperModel(str(resolve_model("base").path), device="cpu", compute_type="float32", cpu_threads=args.threads)
        loaded["faster-whisper float32"] = unquantised
    clips: list[tuple[str, np.ndarray, str, str | None]] = []  # name, samples, language, reference text
    for name, (language, reference) in CLIPS.items():
        if (REAL / name).exists():
            clips.append((name, decode(REAL / name), language, reference))
    with tempfile.TemporaryDirectory() as folder:
        clips.append(("espeak-ng en-us sentence", espeak(SENTENCE, "en-us", Path(folder)), "en", SENTENCE))
    if PHONE_CALL.exists() and args.call_seconds > 0:
        stereo = decode(PHONE_CALL, channels=2)[:, : int(args.call_seconds * RATE)]
        for index, side in enumerate(("left", "right")):
            clips.append((f"phone call {side} channel, first {args.call_seconds:.0f} s", stereo[index], "en", None))

    print(f"\nsame audio, beam {args.beam_size}, {args.threads} thread(s), load average {load()}")
    totals = dict.fromkeys(loaded, 0.0)
    errors = dict.fromkeys(loaded, 0)
    reference_words = 0
    for name, samples, language, reference in clips:
        seconds, texts = {}, {}
        for engine_name, engine in loaded.items():
            started = time.monotonic()
            result = engine.transcribe(samples, language)
            seconds[engine_name] = time.monotonic() - started
            texts[engine_name] = text_of(result)
            totals[engine_name] += seconds[engine_name]
        line = f"{name} ({len(samples) / RATE:.1f} s): " + ", ".join(f"{n} {seconds[n]:.1f} s" for n in loaded)
        line += f" (openai-whisper ×{seconds['openai-whisper'] / seconds['faster-whisper']:.1f})"
        if reference is not None:
            scored = {n: wer(reference, texts[n]) for n in loaded}
            for n, (e, _) in scored.items():
                errors[n] += e
            reference_words += len(normalise(reference))
            line += "; WER " + ", ".join(f"{n} {e / w:.3f}" for n, (e, w) in scored.items())
        for n in loaded:
            if n != "openai-whisper":
                e, w = wer(texts[n], texts["openai-whisper"])
                line += f"; openai-whisper's text vs {n}'s: {e / max(1, w):.3f}"
        print(line)
        for engine_name in loaded:
            print(f"    {engine_name}: « {texts[engine_name][:200]} »")
    print("total decoding: " + ", ".join(f"{n} {totals[n]:.1f} s" for n in loaded)
          + f" (openai-whisper ×{totals['openai-whisper'] / totals['faster-whisper']:.1f} of faster-whisper); "
          + f"WER on the clips with a reference ({reference_words} words): "
          + ", ".join(f"{n} {errors[n] / reference_words:.3f}" for n in loaded) + f"; load average {load()}")


def frame_accuracy(reference: np.ndarray, segments) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(speaker accuracy over the judged frames, share of judged frames the separation labelled)."""
    from qualicall.audio.diarize import FRAME_SECONDS

    hypothesis = np.full(len(reference), -1)
    for start, end, speaker in segments:
        hypothesis[int(round(start / FRAME_SECONDS)) : int(round(end / FRAME_SECONDS))] = speaker
    judged = (reference >= 0) & (hypothesis >= 0)
    same = float(np.mean(hypothesis[judged] == reference[judged])) if judged.any() else 0.0
    return max(same, 1 - same), judged.sum() / max(1, (reference >= 0).sum())


def channel_reference(stereo: np.ndarray) -> np.ndarray:
    """Per 10 ms frame: the channel at least 10 dB louder than the other (and within 35 dB of its loudest), else -1."""
    hop = RATE // 100
    n = stereo.shape[1] // hop
    level = 10 * np.log10((stereo[:, : n * hop].reshape(2, n, hop).astype(np.float64) ** 2).mean(axis=-1) + 1e-12)
    level = np.stack([np.convolve(channel, np.ones(5) / 5, "same") for channel in level])
    active = level > level.max(axis=1, keepdims=True) - 35
    reference = np.full(n, -1)
    reference[active[0] & (level[0] - level[1] > 10)] = 0
    reference[active[1] & (level[1] - level[0] > 10)] = 1
    return reference


def mono(args: argparse.Namespace) -> None:
    from audio_calls import make_call

    from qualicall.audio.diarize import separate_speakers
    from qualicall.audio.pipeline import AudioOptions, RecordingTranscriber, speech_spans_of
    from qualicall.models.asr import EngineConfig

    print(f"\nmono speaker separation; load average {load()}")
    recordings: list[tuple[str, np.ndarray]] = []
    for name in ("stereo_diarization.wav", PHONE_CALL.name):
        if (REAL / name).exists():
            recordings.append((f"{name} down-mixed", decode(REAL / name, channels=2)))
    with tempfile.TemporaryDirectory() as folder:
        for label, voices in (("two distinct voices (en-us, en+f3)", ("en-us", "en+f3")), ("two similar voices (en-us, en+m3)", ("en-us", "en+m3")),
                              ("one voice for both (en-us)", ("en-us", "en-us"))):
            import audio_calls

            audio_calls.VOICES["en"] = {"agent": voices[0], "customer": voices[1]}
            path = Path(folder) / f"{voices[1]}.wav"
            make_call(ENGLISH_CALL, path, language="en")
            recordings.append((f"espeak-ng call, {label}", decode(path, channels=2)))
        for name, stereo in recordings:
            samples = stereo.mean(axis=0).astype(np.float32)
            spans = speech_spans_of(samples)
            started = time.monotonic()
            result = separate_speakers(samples, spans)
            wall = time.monotonic() - started
            accuracy, coverage = frame_accuracy(channel_reference(stereo), result.segments)
            print(f"{name} ({len(samples) / RATE:.0f} s): speaker accuracy {accuracy:.3f} of frames ({coverage:.2f} of the reference's "
                  f"speech labelled), confidence {result.confidence:.2f}, {result.speakers} speaker(s), {len(result.segments)} segments, {wall:.1f} s")

        # The whole mono path: transcription, separation, the agent chosen from what they say.
        audio_calls.VOICES["en"] = {"agent": "en-us", "customer": "en+m3"}
        path = Path(folder) / "mono-call.wav"
        reference_turns = make_call(ENGLISH_CALL, path, language="en", mono=True)
        transcriber = RecordingTranscriber(AudioOptions(asr=EngineConfig(threads=args.threads, beam_size=args.beam_size), lang="en"))
        started = time.monotonic()
        recording = transcriber.transcribe(path, {"id": "mono"})
        wall = time.monotonic() - started
    turns = recording.interaction.turns
    if PHONE_CALL.exists():  # the real call down-mixed to mono, through the whole pipeline
        from asr import role_accuracy, turn_truth

        from qualicall.audio.decode import load_audio

        channels = load_audio(PHONE_CALL).channels
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "mono.wav"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(PHONE_CALL), "-ac", "1", "-ar", "8000", "-c:a", "pcm_mulaw", str(path)], check=True)
            real_started = time.monotonic()
            real = RecordingTranscriber(AudioOptions(asr=EngineConfig(threads=args.threads, beam_size=args.beam_size), lang="en"), engine=transcriber.engine).transcribe(path, {"id": "mono-call"})
            real_wall = time.monotonic() - real_started
        right_turns, right_words = role_accuracy(real.interaction.turns, turn_truth(real.interaction.turns, channels))
        print(f"real phone call down-mixed to mono ({real.audio_seconds} s): role accuracy {right_turns:.3f} of {len(real.interaction.turns)} turns, "
              f"{right_words:.3f} of words; roles {real.interaction.roles}; {real_wall:.1f} s")

    def party_at(start: float, end: float) -> str:
        return max(reference_turns, key=lambda r: min(end, r.end) - max(start, r.start)).speaker

    right = sum(turn.speaker == party_at(turn.start, turn.end) for turn in turns)
    print(f"mono synthetic English call ({recording.audio_seconds} s, two similar voices): role accuracy {right}/{len(turns)} turns; "
          f"roles {recording.interaction.roles}; {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="per engine (1: fairer on a shared machine)")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--call-seconds", type=float, default=60.0, help="how much of each phone-call channel to decode (0: none)")
    parser.add_argument("--float32", action="store_true", help="also faster-whisper with its model in float32 (no int8 quantisation)")
    parser.add_argument("--skip-engines", action="store_true")
    parser.add_argument("--skip-mono", action="store_true")
    args = parser.parse_args()
    if not args.skip_engines:
        engines(args)
    if not args.skip_mono:
        mono(args)


if __name__ == "__main__":
    main()
