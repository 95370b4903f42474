"""Batch throughput, measured: `qualicall batch` on synthetic calls and on a large text set.

    python benchmarks/batch.py [--calls 200] [--minutes 1-5] [--texts 100000] [--text-time-box 0]
                               [--kill-records 600] [--real-copies 0] [--real-dir ../shared/data/real]
                               [--skip-audio] [--skip-ray] [--skip-text] [--skip-kill] [--workdir DIR]

Audio: `--calls` stereo phone calls (espeak-ng voices, one party per channel,
8 kHz µ-law WAV, French and English alternately, lengths spread over
`--minutes`), scored end to end with `--workers 1`, `--workers 2` and
`--backend ray`: audio hours per wall hour (wall time of the whole command,
model loading included), speed-up, peak memory (resident memory of the
command and every process under it, sampled every 0.2 s: workers, and Ray's
own processes with Ray).

Real call: `--real-copies N` copies of the real phone call
(`spokenwoz_MUL1011.opus` in `--real-dir`, 183 s, stereo; never part of the
project: copied into the work folder only, and skipped with a message when
absent), each under its own name, scored with `--workers` = the cores: the
figures above, plus CPU-seconds per audio second (user + system of the command
and every process under it, steadier than wall time on a shared machine), the
peak resident memory of each worker process, and whether every copy has its
one result, identical to the others' but for the id and file name.

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
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_CALL = "spokenwoz_MUL1011.opus"  # 183 s, stereo, one party per channel (../shared/data/real/README.md)
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

def process_tree(pid: int) -> dict[int, tuple[int, int]]:
    """Each process of the tree under `pid`, itself included: (resident memory now, its peak so far), in kB,
    from /proc (VmRSS, VmHWM)."""
    found = {}
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{current}/status").read_text().splitlines() if ":" in line)
            found[current] = (int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, KeyError):
            continue
    return found


def process_role(pid: int, root: int) -> str:
    """What a process of a batch's tree is: the command itself, a pool worker, or another helper."""
    if pid == root:
        return "parent"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "spawn_main" in command:
        return "worker"
    if "resource_tracker" in command:
        return "resource tracker"
    return Path(command.split(" ", 1)[0]).name or "?"


def children_cpu_seconds() -> float:
    """User + system CPU time of the descendants that have ended and been waited for, each by its parent."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Run:
    """One `qualicall batch` command, timed, its memory sampled (the tree's total and each process's peak) and
    its CPU time counted (user + system of the command and every process under it: one Run at a time)."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.command = [sys.executable, "-m", "qualicall", "batch", *args, "--no-progress"]
        self.env = {**os.environ, **(env or {})}
        self.peak_mb = 0.0
        self.process_peaks_mb: dict[int, tuple[str, float]] = {}  # pid: (role, peak resident memory)
        self.wall = 0.0
        self.cpu_seconds = 0.0
        self.stderr = ""
        self.returncode: int | None = None

    def start(self) -> "Run":
        self.started = time.perf_counter()
        self._cpu_before = children_cpu_seconds()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _sample(self) -> None:
        root = self.process.pid
        while self.process.poll() is None:
            tree = process_tree(root)
            self.peak_mb = max(self.peak_mb, sum(rss for rss, _ in tree.values()) / 1024)
            for pid, (_, high_water) in tree.items():
                role = self.process_peaks_mb[pid][0] if pid in self.process_peaks_mb else process_role(pid, root)
                self.process_peaks_mb[pid] = (role, high_water / 1024)
            time.sleep(0.2)

    def _read(self) -> None:
        self.stderr = self.process.stderr.read()

    def wait(self, timeout: float | None = None) -> "Run":
        self.returncode = self.process.wait(timeout=timeout)
        self.wall = time.perf_counter() - self.started
        self.cpu_seconds = children_cpu_seconds() - self._cpu_before
        self._reader.join()
        return self

    def kill(self) -> "Run":
        os.kill(self.process.pid, signal.SIGKILL)
        return self.wait()

    def run(self) -> "Run":
        return self.start().wait()

    def peaks_mb(self, role: str) -> list[float]:
        """The peak resident memory of each process of that role (VmHWM as last sampled), largest first."""
        return sorted((peak for r, peak in self.process_peaks_mb.values() if r == role), reverse=True)


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

def audio_batch(name: str, sources_and_options: list[str], out: Path) -> tuple[Run, dict[str, dict], float]:
    """`qualicall batch` on recordings, its figures printed: the run, its results by key, audio hours per wall hour."""
    print(f"  {name}: running (load {load()})…", flush=True)
    run = Run([*sources_and_options, "--out", str(out)]).run()
    if not out.exists():
        raise SystemExit(f"{name}: no output (exit {run.returncode}): {run.stderr[-2000:]}")
    done = results(out)
    scored_audio = sum(r["batch"].get("audio_seconds", 0) for r in done.values())
    rate = scored_audio / run.wall
    cut = sum(bool(r["batch"].get("asr_cut")) for r in done.values())
    print(f"  {name}: {len(done)} calls scored (exit {run.returncode}), {scored_audio / 3600:.3f} h of audio in {run.wall:.0f} s: "
          f"{rate:.2f} audio hours per wall hour, {run.cpu_seconds / scored_audio if scored_audio else 0:.3f} CPU-seconds per audio "
          f"second ({run.cpu_seconds:.0f} s user+sys, every process), peak memory {run.peak_mb:.0f} MB, {cut} transcript(s) cut by "
          f"the decoding budget; load after {load()}", flush=True)
    if run.returncode not in (0, 1):
        print(run.stderr[-2000:])
    return run, done, rate


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
        run, done, rate = audio_batch(name, [str(calls / "manifest.csv"), *extra], out)
        figures[name] = rate
        outputs[name] = done
    if "workers 1" in figures and "workers 2" in figures:
        print(f"  speed-up workers 2 / workers 1: {figures['workers 2'] / figures['workers 1']:.2f}×")
        same = {k: (r["overall_score"], r["quality_score"]) for k, r in outputs["workers 1"].items()} == {
            k: (r["overall_score"], r["quality_score"]) for k, r in outputs["workers 2"].items()
        }
        print(f"  workers 1 and workers 2 give the same keys and scores: {same}")
    for name in figures:
        if name.startswith("ray") and "workers 2" in figures:
            print(f"  ray / local workers 2: {figures[name] / figures['workers 2']:.2f}×")


# What differs between copies of one recording by construction: their names, hence their ids and keys.
PER_COPY = ("interaction_id",)
PER_COPY_BATCH = ("key", "source")


def without_copy_fields(result: dict) -> dict:
    kept = {k: v for k, v in result.items() if k not in PER_COPY}
    kept["batch"] = {k: v for k, v in result["batch"].items() if k not in PER_COPY_BATCH}
    return kept


def differing_fields(a: dict, b: dict, prefix: str = "") -> list[str]:
    """The paths (a.b.c) where two results differ."""
    paths = []
    for key in sorted(set(a) | set(b)):
        left, right = a.get(key), b.get(key)
        if isinstance(left, dict) and isinstance(right, dict):
            paths.extend(differing_fields(left, right, f"{prefix}{key}."))
        elif left != right:
            paths.append(f"{prefix}{key}")
    return paths


def real_calls(args: argparse.Namespace, work: Path) -> None:
    """`--real-copies` copies of the real call, each under its own name, scored on every core."""
    source = args.real_dir / REAL_CALL
    if not source.is_file():
        print(f"real call: skipped: {source} is absent (the real recordings are not part of the project; "
              "they live in ../shared/data/real beside a development checkout, or give --real-dir)", flush=True)
        return
    calls = work / "real-calls"
    calls.mkdir(parents=True, exist_ok=True)
    names = [f"real-{number:02d}" for number in range(args.real_copies)]
    for name in names:
        shutil.copyfile(source, calls / f"{name}{source.suffix}")
    workers = os.cpu_count() or 1
    print(f"real call: {args.real_copies} copies of {source.name} in {calls}, --workers {workers}", flush=True)
    run, done, _ = audio_batch(f"real call ×{args.real_copies}, workers {workers}", [str(calls), "--workers", str(workers)], work / "real-results.jsonl")
    workers_mb = run.peaks_mb("worker")
    helpers: dict[str, list[float]] = {}
    for role, peak in run.process_peaks_mb.values():
        if role != "worker":
            helpers.setdefault(role, []).append(peak)
    others = ", ".join(f"{role} {max(peaks):.0f} MB" + (f" (the largest of {len(peaks)})" if len(peaks) > 1 else "") for role, peaks in sorted(helpers.items()))
    print(f"  peak resident memory per process: {len(workers_mb)} worker(s) {', '.join(f'{mb:.0f}' for mb in workers_mb)} MB; {others}")
    ids = sorted(r["interaction_id"] for r in done.values())
    print(f"  every copy scored once: {ids == names} ({len(ids)} results for {len(names)} copies"
          + (f"; missing {sorted(set(names) - set(ids))}, twice {sorted({i for i in ids if ids.count(i) > 1})}" if ids != names else "") + ")")
    by_id = {r["interaction_id"]: without_copy_fields(r) for r in done.values()}
    if not by_id:
        return
    first = by_id[min(by_id)]
    differ = {name: differing_fields(first, result) for name, result in sorted(by_id.items()) if result != first}
    print(f"  identical results across the copies (every field but the id, key and file name: the scores, each item's verdict, "
          f"reason and quoted evidence, the measured indicators, the roles): {not differ}")
    for name, fields in differ.items():
        print(f"    {name} differs from {min(by_id)} in {len(fields)} field(s): {', '.join(fields[:12])}"
              + (" …" if len(fields) > 12 else "") + f"; overall {by_id[name]['overall_score']} vs {first['overall_score']}")


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
    parser.add_argument("--real-copies", type=int, default=0, help="copies of the real call to score on every core (0: none)")
    parser.add_argument("--real-dir", type=Path, default=ROOT.parent / "shared" / "data" / "real", help="where the real call is")
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
    if args.real_copies:
        real_calls(args, work)
    if not args.skip_kill:
        kill_and_resume(args, work)
    if not args.skip_text:
        text(args, work)


if __name__ == "__main__":
    main()
