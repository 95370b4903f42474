"""What a recording costs to transcribe, this checkout against another, in one run: CPU time, WER, agreement.

    python benchmarks/asr_cost.py --against DIR [--rounds 2] [--threads 2] [--real ../shared/data/real] [--json FILE]
    python benchmarks/asr_cost.py --against-engine openai-whisper [--rounds 1] ...
    python benchmarks/asr_cost.py --against DIR --beam-size 1 ...   (this checkout decoding with another beam)

Each round transcribes, in a fresh process per checkout and in alternation
(so that both see the same load), the real dual-channel call
`spokenwoz_MUL1011.opus` (183 s, both channels, agent channel and language
found automatically, as `benchmarks/asr.py` does) and the real clips whose
text is known. Printed per checkout: the CPU time (user + system, every
thread of the process) of the call's transcription alone, model loading
excluded, per second of audio; the WER on the real clips; and the agreement
of the two checkouts' transcripts of the call (the WER of one party's words
in this checkout against the other's, per party). The load average is
printed beside each figure: the machine may be shared. With
`--against-engine NAME` the "before" is this checkout with that engine (the
same weights, beam and threads: openai-whisper on the converted checkpoint).
`--beam-size N` decodes this checkout ("after") with a beam of N instead of
the default 5, the "before" unchanged: what a narrower beam would save, and
what it would change.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(real: Path, threads: int, engine_name: str | None, beam_size: int | None) -> dict:
    """Run in the checkout under test (PYTHONPATH): its pipeline on the call and the clips."""
    from qualicall.audio.decode import load_audio, mono
    from qualicall.audio.pipeline import AudioOptions, RecordingTranscriber
    from qualicall.models.asr import drop_hallucinations

    sys.path.append(str(HERE))  # after the checkout's own qualicall, already imported
    from asr import CLIPS, PHONE_CALL, STEREO_CLIP, wer

    def options(**fields) -> AudioOptions:  # type: ignore[no-untyped-def]
        chosen = AudioOptions.choose(engine=engine_name, threads=threads, **fields)
        return replace(chosen, asr=replace(chosen.asr, beam_size=beam_size)) if beam_size else chosen

    transcriber = RecordingTranscriber(options(lang="auto", agent_channel="auto"))
    engine = transcriber.engine
    call = real / PHONE_CALL.name
    audio = transcriber.decode(call)
    cpu = time.process_time()
    recording = transcriber.transcribe(call, {"id": "MUL1011"}, audio=audio)
    cpu = time.process_time() - cpu
    interaction = recording.interaction
    figures = {
        "qualicall": str(Path(sys.modules["qualicall"].__file__).parent.parent),
        "audio_s": recording.audio_seconds, "cpu_s": round(cpu, 2), "cpu_per_audio_s": round(cpu / recording.audio_seconds, 4),
        "cut": interaction.asr["cut"], "roles": interaction.roles["agent"], "language": interaction.language,
        "turns": len(interaction.turns), "words": {party: " ".join(t.text for t in interaction.turns if t.speaker == party) for party in ("agent", "customer")},
        "load_average": os.getloadavg()[0],
    }
    errors = words = 0
    for name, (language, reference) in CLIPS.items():
        result = engine.transcribe(mono(load_audio(real / name).channels), language)
        e, n = wer(reference, " ".join(s.text for s in drop_hallucinations(result.segments)))
        errors, words = errors + e, words + n
    name, language, references = STEREO_CLIP
    turns = RecordingTranscriber(options(lang=language), engine=engine).transcribe(real / name, {"id": "stereo"}).interaction.turns
    for party, reference in references.items():
        e, n = wer(reference, " ".join(t.text for t in turns if t.speaker == party))
        errors, words = errors + e, words + n
    figures["clips_wer"] = [errors, words]
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def run(checkout: Path, real: Path, threads: int, engine_name: str | None, beam_size: int | None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--real", str(real), "--threads", str(threads)]
    command += ["--engine", engine_name] if engine_name else []
    command += ["--beam-size", str(beam_size)] if beam_size else []
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(command, env=env, cwd=checkout, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, help="the other checkout (the 'before')")
    parser.add_argument("--against-engine", help="the 'before' is this checkout with this engine (openai-whisper)")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # the child's engine
    parser.add_argument("--beam-size", type=int, help="this checkout's beam (default: the engine's, 5)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.real.resolve(), args.threads, args.engine, args.beam_size), ensure_ascii=False))
        return
    if not (args.against or args.against_engine) or not (args.real / "spokenwoz_MUL1011.opus").exists():
        parser.error("needs --against DIR or --against-engine NAME, and the real call in --real")
    sys.path.insert(0, str(HERE))
    from asr import normalise, wer

    checkouts = {"before": (args.against or ROOT).resolve(), "after": ROOT}
    engines = {"before": args.against_engine, "after": None}
    beams = {"before": None, "after": args.beam_size}
    print(f"before: {checkouts['before']} ({args.against_engine or 'its default engine'}); after: {ROOT}"
          + (f" with a beam of {args.beam_size}" if args.beam_size else ""))
    print(f"{args.threads} threads, {args.rounds} rounds; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs: dict[str, list[dict]] = {label: [] for label in checkouts}
    for round_ in range(args.rounds):
        for label, checkout in checkouts.items():
            figures = run(checkout, args.real.resolve(), args.threads, engines[label], beams[label])
            runs[label].append(figures)
            e, n = figures["clips_wer"]
            print(f"round {round_ + 1} {label:6} CPU {figures['cpu_s']:6.1f} s = {figures['cpu_per_audio_s']:.4f} CPU-s per audio s; "
                  f"{figures['turns']} turns, agent {figures['roles']}, {figures['language']}, cut {figures['cut']}; clips WER {e}/{n}; "
                  f"peak RSS {figures['peak_rss_mb']} MB; load {figures['load_average']:.1f}")
    summary: dict = {"threads": args.threads, "after_beam_size": args.beam_size, "rounds": runs}
    for label in checkouts:
        cpu = sorted(f["cpu_per_audio_s"] for f in runs[label])
        summary[label] = {"cpu_per_audio_s_median": cpu[len(cpu) // 2], "cpu_per_audio_s": cpu}
    summary["ratio"] = round(summary["after"]["cpu_per_audio_s_median"] / summary["before"]["cpu_per_audio_s_median"], 3)
    before, after = runs["before"][0]["words"], runs["after"][0]["words"]
    summary["agreement"] = {}
    for party in ("agent", "customer"):
        e, n = wer(before[party], after[party])
        summary["agreement"][party] = {"wer_vs_before": round(e / max(1, n), 3), "errors": e, "words": n,
                                       "after_words": len(normalise(after[party]))}
    print(f"CPU per audio second: after ÷ before = {summary['ratio']} (medians {summary['after']['cpu_per_audio_s_median']} ÷ "
          f"{summary['before']['cpu_per_audio_s_median']}); agreement with before's transcript (WER of after against it): "
          + ", ".join(f"{p} {a['wer_vs_before']} ({a['errors']}/{a['words']})" for p, a in summary["agreement"].items())
          + f"; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
