"""Batch throughput, measured: `qualicall batch` on synthetic calls and on a large text set.

    python benchmarks/batch.py [--calls 200] [--minutes 1-5] [--texts 100000] [--text-time-box 0]
                               [--kill-records 600] [--skip-audio] [--skip-ray] [--skip-text] [--skip-kill]
                               [--workdir DIR]

Audio: `--calls` stereo phone calls (espeak-ng voices, one party per channel,
8 kHz µ-law WAV, French and English alternately, lengths spread over
`--minutes`), scored end to end with `--workers 1`, `--workers 2` and
`--backend ray`: audio hours per wall hour (wall time of the whole command,
model loading included), speed-up, peak memory (resident memory of the
command and every process under it, sampled every 0.2 s: workers, and Ray's
own processes with Ray).

Kill and resume: a batch of `--kill-records` transcripts is killed with
SIGKILL at three random points and resumed; the final output is compared
with a clean run's (same keys, no duplicates, same results).

Text: `--texts` transcripts made from the dev set (or the examples) with
varied ids and wait times, scored with every core; interactions per second.
`--text-time-box S` stops that run after S seconds (kill -9) and reports the
rate over what was done, with the time the whole set would take.

Every figure is printed, with the machine's cores and load average: the
machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

SENTENCES = {
    "fr": {
        "agent": [
            "Bonjour, vous êtes bien chez Énergie Plus, je m'appelle Paul, que puis-je faire pour vous ?",
            "Je comprends tout à fait, je regarde votre dossier tout de suite.",
            "Si je comprends bien, votre facture a doublé depuis le changement de compteur, c'est bien cela ?",
            "Votre ancien compteur a été relevé en estimation, la facture contient donc un rattrapage.",
            "Vous pouvez étaler ce montant sur trois mois sans frais, je peux le faire maintenant.",
            "C'est fait, vous recevrez la confirmation par courriel dans quelques minutes.",
            "Avez-vous d'autres questions ?",
            "Merci de votre appel, je vous souhaite une bonne journée, au revoir.",
        ],
        "customer": [
            "Bonjour, j'ai reçu une facture beaucoup plus élevée que d'habitude.",
            "Oui, c'est bien ça, le compteur a été changé le mois dernier.",
            "D'accord, et combien de temps faut-il pour que ce soit pris en compte ?",
            "Très bien, je préfère étaler le paiement.",
            "Non, ce sera tout, merci beaucoup.",
        ],
    },
    "en": {
        "agent": [
            "Good morning, thank you for calling Northwind Energy, my name is Tom, how can I help you today?",
            "I understand, let me have a look at your account right away.",
            "So if I understand correctly, your bill doubled after the engineer's visit, is that right?",
            "The old meter was estimated for a few months, so this bill includes a catch up on your usage.",
            "You can spread that amount over three months at no extra cost, I can set it up now.",
            "That's done, you will get a confirmation email in a few minutes.",
            "Is there anything else I can help you with?",
            "Thank you for calling, have a lovely day, goodbye.",
        ],
        "customer": [
            "Hi, my last bill was much higher than usual and I would like to know why.",
            "Yes, that's right, the engineer came last month.",
            "Okay, and how long will that take to show on my account?",
            "Great, I would rather spread the payment.",
            "No, that's all, thanks a lot.",
        ],
    },
}


# --- measuring ---------------------------------------------------------------------

def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (MB), from /proc."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total / 1024


class Run:
    """One `qualicall batch` command, timed, its peak memory sampled."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.command = [sys.executable, "-m", "qualicall", "batch", *args, "--no-progress"]
        self.env = {**os.environ, **(env or {})}
        self.peak_mb = 0.0
        self.wall = 0.0
        self.stderr = ""
        self.returncode: int | None = None

    def start(self) -> "Run":
        self.started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _sample(self) -> None:
        while self.process.poll() is None:
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.process.pid))
            time.sleep(0.2)

    def _read(self) -> None:
        self.stderr = self.process.stderr.read()

    def wait(self, timeout: float | None = None) -> "Run":
        self.returncode = self.process.wait(timeout=timeout)
        self.wall = time.perf_counter() - self.started
        self._reader.join()
        return self

    def kill(self) -> "Run":
        os.kill(self.process.pid, signal.SIGKILL)
        return self.wait()

    def run(self) -> "Run":
        return self.start().wait()


def results(path: Path) -> dict[str, dict]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    keyed = {r["batch"]["key"]: r for r in lines}
    if len(keyed) != len(lines):
        raise SystemExit(f"{path}: {len(lines) - len(keyed)} record(s) written twice")
    return keyed


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- corpora ------------------------------------------------------------------------

def make_calls(folder: Path, count: int, minutes: tuple[float, float], seed: int = 7) -> float:
    """`count` stereo calls; returns their total audio seconds."""
    from audio_calls import make_call

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0.0
    rows = ["recording,id,agent_id,team,language,wait_time_s,csat"]
    for number in range(count):
        language = "fr" if number % 2 == 0 else "en"
        target = rng.uniform(*minutes) * 60
        pool = SENTENCES[language]
        turns = [("agent", pool["agent"][0])]
        # About 4.5 s per turn at espeak's pace (with the gaps): enough turns to reach the target length.
        for turn in range(max(2, int(target / 4.5) - 2)):
            speaker = "customer" if turn % 2 == 0 else "agent"
            turns.append((speaker, rng.choice(pool[speaker][:-1] if speaker == "customer" else pool[speaker][1:-1])))
        turns += [("customer", pool["customer"][-1]), ("agent", pool["agent"][-1])]
        name = f"call-{number:04d}-{language}.wav"
        spoken = make_call(turns, folder / name, language=language)
        total += spoken[-1].end + 0.6 + 1.0  # the last turn, its gap and the tail
        rows.append(f"{name},bench-{number:04d},A-{number % 7:03d},team-{number % 3},{language},{rng.randint(5, 90)},{rng.randint(1, 5)}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return total


def make_texts(path: Path, count: int, seed: int = 11) -> None:
    dev = ROOT.parent / "shared" / "data" / "dev" / "interactions.jsonl"
    source = dev if dev.exists() else ROOT / "examples" / "interactions.jsonl"
    base = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as stream:
        for number in range(count):
            record = dict(base[number % len(base)])
            record.pop("meta", None)
            record["id"] = f"text-{number:06d}-{record['id']}"
            record["indicators"] = {**(record.get("indicators") or {}), "wait_time_s": rng.randint(0, 300)}
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- the benchmarks -------------------------------------------------------------------

def audio(args: argparse.Namespace, work: Path) -> None:
    calls = work / "calls"
    started = time.perf_counter()
    seconds = make_calls(calls, args.calls, args.minutes)
    print(f"audio: {args.calls} calls, {seconds / 3600:.3f} h of audio ({seconds / max(args.calls, 1):.0f} s per call on average), "
          f"made in {time.perf_counter() - started:.0f} s", flush=True)
    figures = {}
    configs = [("workers 1", ["--workers", "1"]), ("workers 2", ["--workers", "2"])]
    if not args.skip_ray:
        configs.append(("ray (local, 2 actors)", ["--backend", "ray", "--workers", "2"]))
    outputs = {}
    for name, extra in configs:
        out = work / f"audio-{name.split()[0]}-{name.split()[1]}.jsonl"
        print(f"  {name}: running (load {load()})…", flush=True)
        run = Run([str(calls / "manifest.csv"), "--out", str(out), *extra]).run()
        if not out.exists():
            raise SystemExit(f"{name}: no output (exit {run.returncode}): {run.stderr[-2000:]}")
        done = results(out)
        scored_audio = sum(r["batch"].get("audio_seconds", 0) for r in done.values())
        rate = scored_audio / run.wall
        figures[name] = rate
        outputs[name] = done
        cut = sum(bool(r["batch"].get("asr_cut")) for r in done.values())
        print(f"  {name}: {len(done)} calls scored (exit {run.returncode}), {scored_audio / 3600:.3f} h of audio in {run.wall:.0f} s: "
              f"{rate:.2f} audio hours per wall hour, peak memory {run.peak_mb:.0f} MB, {cut} transcript(s) cut by the decoding "
              f"time budget; load after {load()}", flush=True)
        if run.returncode not in (0, 1):
            print(run.stderr[-2000:])
    if "workers 1" in figures and "workers 2" in figures:
        print(f"  speed-up workers 2 / workers 1: {figures['workers 2'] / figures['workers 1']:.2f}×")
        same = {k: (r["overall_score"], r["quality_score"]) for k, r in outputs["workers 1"].items()} == {
            k: (r["overall_score"], r["quality_score"]) for k, r in outputs["workers 2"].items()
        }
        print(f"  workers 1 and workers 2 give the same keys and scores: {same}")
    for name in figures:
        if name.startswith("ray") and "workers 2" in figures:
            print(f"  ray / local workers 2: {figures[name] / figures['workers 2']:.2f}×")


def kill_and_resume(args: argparse.Namespace, work: Path) -> None:
    texts = work / "kill-texts.jsonl"
    make_texts(texts, args.kill_records, seed=5)
    clean_out = work / "kill-clean.jsonl"
    clean = Run([str(texts), "--out", str(clean_out), "--workers", "2"]).run()
    print(f"kill/resume: clean run of {args.kill_records} transcripts: {clean.wall:.0f} s (exit {clean.returncode})", flush=True)
    out = work / "kill-resumed.jsonl"
    rng = random.Random(3)
    for attempt in range(3):
        run = Run([str(texts), "--out", str(out), "--workers", "2"]).start()
        # A random point: after 20 to 90 % of what is left has been written (or a random time before any).
        have = len(out.read_text().splitlines()) if out.exists() else 0
        goal = have + int((args.kill_records - have) * rng.uniform(0.2, 0.9))
        while run.process.poll() is None:
            if out.exists() and len(out.read_bytes().splitlines()) >= goal:
                break
            time.sleep(0.05)
        run.kill()
        lines = len(out.read_bytes().splitlines()) if out.exists() else 0
        print(f"  kill {attempt + 1}: SIGKILL after {run.wall:.0f} s with {lines} lines written", flush=True)
    final = Run([str(texts), "--out", str(out), "--workers", "2"]).run()
    summary = [line for line in final.stderr.splitlines() if "scored" in line]
    print(f"  resume: {summary[0] if summary else final.stderr[-500:]}")
    a, b = results(clean_out), results(out)
    print(f"  final output = clean run's: {a == b} ({len(b)} records, no duplicates, same keys: {set(a) == set(b)})")


def text(args: argparse.Namespace, work: Path) -> None:
    texts = work / "texts.jsonl"
    started = time.perf_counter()
    make_texts(texts, args.texts)
    print(f"text: {args.texts} transcripts written in {time.perf_counter() - started:.0f} s ({texts.stat().st_size / 1e6:.0f} MB)", flush=True)
    out = work / "texts-results.jsonl"
    run = Run([str(texts), "--out", str(out)]).start()
    if args.text_time_box:
        try:
            run.wait(timeout=args.text_time_box)
        except subprocess.TimeoutExpired:
            run.kill()
    else:
        run.wait()
    done = len(out.read_bytes().splitlines()) if out.exists() else 0
    rate = done / run.wall
    whole = "" if done >= args.texts else f"; the whole set would take about {args.texts / rate / 60:.0f} min at that rate"
    print(f"  {done} of {args.texts} scored in {run.wall:.0f} s (start-up and planning included): {rate:.1f} interactions/s, "
          f"peak memory {run.peak_mb:.0f} MB{whole}; load {load()}", flush=True)
    # Resume cost: planning the whole set and skipping what is done, with nothing left to score.
    if done:
        subset = work / "texts-done.jsonl"
        ids = {json.loads(line)["batch"]["source"] for line in out.read_text(encoding="utf-8").splitlines()}
        numbers = {int(source.rsplit(":", 1)[1]) for source in ids}
        with texts.open(encoding="utf-8") as source, subset.open("w", encoding="utf-8") as target:
            for number, line in enumerate(source, start=1):
                target.write(line if number in numbers else "\n")
        # Same lines at the same line numbers: the same keys, all done.
        again = Run([str(subset), "--out", str(out)]).run()
        skipped = [line for line in again.stderr.splitlines() if "skipped" in line]
        print(f"  re-run over the {done} done: {again.wall:.1f} s ({skipped[0].removeprefix('qualicall: ') if skipped else again.stderr[-300:]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--minutes", default="1-5", help="range of call lengths, in minutes")
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--text-time-box", type=float, default=0, help="stop the text run after this many seconds (0: never)")
    parser.add_argument("--kill-records", type=int, default=600)
    parser.add_argument("--skip-audio", action="store_true")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-text", action="store_true")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    low, _, high = args.minutes.partition("-")
    args.minutes = (float(low), float(high or low))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="qualicall-batch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load {load()}; work folder {work}", flush=True)
    if not args.skip_audio:
        audio(args, work)
    if not args.skip_kill:
        kill_and_resume(args, work)
    if not args.skip_text:
        text(args, work)


if __name__ == "__main__":
    main()
