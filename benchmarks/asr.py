"""Speech recognition on recordings: speed, memory, word error rate, role accuracy.

    python benchmarks/asr.py [--engine faster-whisper|openai-whisper] [--model base] [--threads 2]
                             [--compare openai-whisper] [--skip-rtf] [--mono]

Figures (printed; the machine may be shared, so the load average and the CPU
time are printed beside the wall-clock ones):
- RTF (processing seconds ÷ audio seconds) and peak memory (max RSS of this
  process) of the whole pipeline on the real dual-channel phone call
  ../shared/data/real/spokenwoz_MUL1011.opus (183 s), both channels decoded;
- WER on the real clips of ../shared/data/real whose text is known (Common
  Voice fr/en, JFK, the stereo two-speaker clip), and on a synthetic French
  stereo 8 kHz call (benchmarks/synthetic_call.py: two espeak-ng voices);
- role accuracy: the share of turns attributed to the right party, on the
  real call (dual-channel, agent channel chosen automatically) and after
  down-mixing it to mono (speaker separation from qualicall.audio.diarize),
  and on the synthetic call. The reference party of a turn of the real call
  is the channel that carries its words (louder channel over the words'
  times), with the agent's channel known from the call (the operator, on the
  right, says "how can I help you"); of the synthetic call, the script's turns;
- `--compare ENGINE`: the same audio, same beam size, through a second engine
  (e.g. openai-whisper on the converted weights), with the speed ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
REAL = ROOT.parent / "shared" / "data" / "real"
PHONE_CALL = REAL / "spokenwoz_MUL1011.opus"
PHONE_CALL_AGENT = 1  # the right channel: the operator ("how can I help you", "your reservation is confirmed")

# The real clips' text as read (../shared/data/real/README.md), titles written as spoken.
CLIPS = {
    "common_voice_fr_17299458.wav": ("fr", "la parole est à madame annie le houerou"),
    "common_voice_en_17299458.wav": ("en", "the floor is to mrs annie le houerou"),
    "jfk.flac": ("en", "and so my fellow americans ask not what your country can do for you ask what you can do for your country"),
}
STEREO_CLIP = ("stereo_diarization.wav", "en", {
    "agent": "he began a confused complaint against the wizard who had vanished behind the curtain on the left",
    "customer": "the horizon seems extremely distant",
})
SPOKEN = {"mme": "madame", "mrs.": "mrs", "m.": "monsieur"}


def normalise(text: str) -> list[str]:
    """Lower case, apostrophes unified, punctuation out, for word error rates (accents kept: they are words in French)."""
    text = unicodedata.normalize("NFC", text.lower().replace("’", "'"))
    words = [SPOKEN.get(w, w) for w in text.split()]
    text = re.sub(r"[^\w' ]+", " ", " ".join(words))
    return text.replace("' ", "'").split()


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words)."""
    ref = normalise(reference)
    return edit_distance(ref, normalise(hypothesis)), len(ref)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def turn_truth(turns, channels) -> list[str]:  # type: ignore[no-untyped-def]
    """The party whose channel carries each turn's words (louder over the words' times)."""
    import numpy as np

    truth = []
    for turn in turns:
        energy = np.zeros(2)
        for word in turn.words or []:
            a, b = int(word.start * 16000), int(max(word.end, word.start + 0.05) * 16000)
            energy += (channels[:, a:b].astype(np.float64) ** 2).sum(axis=1)
        louder = int(np.argmax(energy))
        truth.append("agent" if louder == PHONE_CALL_AGENT else "customer")
    return truth


def role_accuracy(turns, truth) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Share of turns, and of words, attributed to the right party."""
    right = sum(t.speaker == r for t, r in zip(turns, truth))
    words = sum(len(t.words or []) for t in turns)
    right_words = sum(len(t.words or []) for t, r in zip(turns, truth) if t.speaker == r)
    return right / max(1, len(turns)), right_words / max(1, words)


def transcriber(args, engine_name: str | None = None, engine=None, **options):  # type: ignore[no-untyped-def]
    """A transcriber with the run's settings; `engine`: one already loaded, shared."""
    from qualicall.audio.pipeline import AudioOptions, RecordingTranscriber
    from qualicall.models.asr import EngineConfig

    settings = AudioOptions(engine=engine_name or args.engine, asr=EngineConfig(model=args.model, threads=args.threads, beam_size=args.beam_size), **options)
    return RecordingTranscriber(settings, engine=engine)


def main() -> None:
    parser = argparse.ArgumentParser(description="speech recognition figures")
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--model", default=None, help="a name or path (default: base)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--compare", default=None, help="a second engine to run on the same audio (speed ratio, WER)")
    parser.add_argument("--skip-rtf", action="store_true", help="skip the 183 s phone call")
    parser.add_argument("--mono", action="store_true", help="also the phone call down-mixed to mono (speaker separation)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    figures: dict = {"engine": args.engine, "model": args.model or "base", "threads": args.threads, "beam_size": args.beam_size}
    print(f"engine {args.engine}, model {args.model or 'base'}, {args.threads} threads, beam {args.beam_size}; load average {load()}")

    from qualicall.audio.decode import load_audio, mono

    started = time.monotonic()
    main_transcriber = transcriber(args, lang="auto", agent_channel="auto")
    engine = main_transcriber.engine
    figures["model_load_s"] = round(time.monotonic() - started, 2)
    print(f"model loaded in {figures['model_load_s']} s; peak RSS {peak_rss_mb():.0f} MB")

    # 1. The real phone call: RTF, memory, roles.
    if not args.skip_rtf and PHONE_CALL.exists():
        audio = load_audio(PHONE_CALL)
        wall, cpu = time.monotonic(), cpu_seconds()
        recording = main_transcriber.transcribe(PHONE_CALL, {"id": "MUL1011"})
        wall, cpu = time.monotonic() - wall, cpu_seconds() - cpu
        interaction = recording.interaction
        truth = turn_truth(interaction.turns, audio.channels)
        turns_ok, words_ok = role_accuracy(interaction.turns, truth)
        figures["phone_call"] = {
            "audio_s": recording.audio_seconds, "wall_s": round(wall, 1), "rtf": round(wall / recording.audio_seconds, 3),
            "cpu_s": round(cpu, 1), "cpu_per_audio_s": round(cpu / recording.audio_seconds, 3), "peak_rss_mb": round(peak_rss_mb()),
            "cut": interaction.asr["cut"], "roles": interaction.roles, "turns": len(interaction.turns),
            "role_accuracy_turns": round(turns_ok, 3), "role_accuracy_words": round(words_ok, 3),
            "measured": recording.measured, "load_average": load(),
        }
        print(f"phone call {recording.audio_seconds} s (2 channels): wall {wall:.1f} s, RTF {wall / recording.audio_seconds:.3f}, "
              f"CPU {cpu:.1f} s ({cpu / recording.audio_seconds:.3f} CPU-s per audio s), peak RSS {peak_rss_mb():.0f} MB, "
              f"cut {interaction.asr['cut']}; load average {load()}")
        print(f"  roles (auto): agent {interaction.roles['agent']} (confidence {interaction.roles['confidence']}); "
              f"role accuracy {turns_ok:.3f} of {len(interaction.turns)} turns, {words_ok:.3f} of words; measured {recording.measured}")
        if args.mono:
            with tempfile.TemporaryDirectory() as folder:
                import subprocess

                mono = Path(folder) / "mono.wav"
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(PHONE_CALL), "-ac", "1", "-ar", "8000", "-c:a", "pcm_mulaw", str(mono)], check=True)
                mono_transcriber = transcriber(args, engine=engine, lang="auto")
                wall = time.monotonic()
                mono_rec = mono_transcriber.transcribe(mono, {"id": "MUL1011-mono"})
                wall = time.monotonic() - wall
            mono_turns = mono_rec.interaction.turns
            mono_truth = turn_truth(mono_turns, audio.channels)
            m_turns, m_words = role_accuracy(mono_turns, mono_truth)
            figures["phone_call_mono"] = {"roles": mono_rec.interaction.roles, "turns": len(mono_turns), "wall_s": round(wall, 1),
                                          "role_accuracy_turns": round(m_turns, 3), "role_accuracy_words": round(m_words, 3)}
            print(f"  mono down-mix: roles {mono_rec.interaction.roles}; role accuracy {m_turns:.3f} of {len(mono_turns)} turns, "
                  f"{m_words:.3f} of words; wall {wall:.1f} s")

    # 2. WER on the real clips (one channel each: the pipeline's engine directly).
    from qualicall.models.asr import drop_hallucinations

    errors = words = 0
    figures["clips"] = {}
    for name, (language, reference) in CLIPS.items():
        path = REAL / name
        if not path.exists():
            continue
        samples = mono(load_audio(path).channels)
        result = engine.transcribe(samples, language)
        text = " ".join(s.text for s in drop_hallucinations(result.segments))
        e, n = wer(reference, text)
        errors, words = errors + e, words + n
        figures["clips"][name] = {"wer": round(e / n, 3), "text": text, "decode_s": result.decode_seconds}
        print(f"{name}: WER {e / n:.3f} ({e}/{n}) « {text} »")
    name, language, references = STEREO_CLIP
    if (REAL / name).exists():
        stereo_transcriber = transcriber(args, engine=engine, lang=language)
        turns = stereo_transcriber.transcribe(REAL / name, {"id": "stereo"}).interaction.turns
        for party, reference in references.items():
            text = " ".join(t.text for t in turns if t.speaker == party)
            e, n = wer(reference, text)
            errors, words = errors + e, words + n
            figures["clips"][f"{name}:{party}"] = {"wer": round(e / n, 3), "text": text}
            print(f"{name} ({party} channel): WER {e / n:.3f} ({e}/{n}) « {text} »")
    if words:
        figures["real_clips_wer"] = round(errors / words, 3)
        print(f"real clips: WER {errors / words:.3f} ({errors}/{words} words)")

    # 3. The synthetic French call: WER per party, roles, measured hold.
    from audio_calls import make_call
    from synthetic_call import CALL, HOLD_AFTER

    with tempfile.TemporaryDirectory() as folder:
        call = Path(folder) / "synthetic.wav"
        reference_turns = make_call(CALL, call, pauses=HOLD_AFTER)
        synth = transcriber(args, engine=engine, lang="auto", agent_channel="auto")
        wall = time.monotonic()
        recording = synth.transcribe(call, {"id": "synthetic"})
        wall = time.monotonic() - wall
    turns = recording.interaction.turns
    figures["synthetic"] = {"audio_s": recording.audio_seconds, "wall_s": round(wall, 1), "roles": recording.interaction.roles,
                            "language": recording.interaction.language, "measured": recording.measured}
    total_e = total_n = 0
    for party in ("agent", "customer"):
        reference = " ".join(t.text for t in reference_turns if t.speaker == party)
        text = " ".join(t.text for t in turns if t.speaker == party)
        e, n = wer(reference, text)
        total_e, total_n = total_e + e, total_n + n
        figures["synthetic"][f"wer_{party}"] = round(e / n, 3)
        print(f"synthetic French call, {party}: WER {e / n:.3f} ({e}/{n}) « {text[:160]}… »")
    # Role accuracy: each recognised turn against the script's turn it overlaps most.
    def party_at(start: float, end: float) -> str:
        return max(reference_turns, key=lambda r: min(end, r.end) - max(start, r.start)).speaker

    right = sum(t.speaker == party_at(t.start, t.end) for t in turns)
    figures["synthetic"].update(wer=round(total_e / total_n, 3), role_accuracy_turns=round(right / max(1, len(turns)), 3))
    figures["synthetic"]["cut"] = recording.interaction.asr["cut"]
    for turn in turns:
        print(f"  {turn.speaker:8} {turn.start:6.2f}–{turn.end:6.2f} {turn.text[:100]}")
    print(f"synthetic French call ({recording.audio_seconds} s, wall {wall:.1f} s, cut {recording.interaction.asr['cut']}): WER {total_e / total_n:.3f}; "
          f"roles {recording.interaction.roles['agent']} ({recording.interaction.roles['confidence']}), "
          f"role accuracy {right}/{len(turns)} turns; measured {recording.measured}")

    # 4. Side by side with a second engine.
    if args.compare:
        from qualicall.models.asr import AsrError

        try:
            other = transcriber(args, engine_name=args.compare, lang="en")
            other_engine = other.engine
        except AsrError as exc:
            figures["compare"] = {"engine": args.compare, "error": str(exc)}
            print(f"{args.compare}: cannot run here: {exc}")
        else:
            samples = mono(load_audio(REAL / "jfk.flac").channels) if (REAL / "jfk.flac").exists() else None
            if samples is not None:
                timings = {}
                for label, candidate in ((args.engine, engine), (args.compare, other_engine)):
                    wall = time.monotonic()
                    result = candidate.transcribe(samples, "en")
                    timings[label] = time.monotonic() - wall
                    e, n = wer(CLIPS["jfk.flac"][1], " ".join(s.text for s in result.segments))
                    print(f"jfk.flac with {label}: {timings[label]:.2f} s, WER {e / n:.3f}")
                figures["compare"] = {"engine": args.compare, "seconds": {k: round(v, 2) for k, v in timings.items()},
                                      "speed_ratio": round(timings[args.compare] / timings[args.engine], 2)}
                print(f"{args.compare} takes {figures['compare']['speed_ratio']}× the time of {args.engine} (same audio, beam {args.beam_size})")

    figures["peak_rss_mb"] = round(peak_rss_mb())
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n")
    print(f"peak RSS {peak_rss_mb():.0f} MB; load average {load()}")


if __name__ == "__main__":
    main()
