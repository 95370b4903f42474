"""Time to a first result: `qualicall score FILE` in fresh processes, CPU and wall per run.

    python benchmarks/first_score.py [--runs 5] [--file examples/call-fr.json] [--hide-torch] [--breakdown] [-- score options]

Each run is a new Python process, as a coach's or a script's `qualicall score`
is. The first run uses an empty cache folder ($QUALICALL_CACHE_DIR), as a
first command does where nothing was prepared (spaCy's compiled tokenizer
patterns, lexicons and example-bank vectors are derived there once); the
others share one warm cache folder, as every later command does. Then, in
another empty folder, `qualicall models warm` (the installer's last step, which
derives the same files) and the first score after it: the first command after
installing. CPU time
(user + system, from the kernel's accounting of the child) is the figure
that a loaded machine does not distort much; wall time is printed with the
load average next to it.

`--hide-torch`: the processes run as if torch were not installed (the default
runtime installation has no torch; the development one does, for the
transformers embedding backend and openai-whisper). `--breakdown`: one more
warm run, in which the costly steps of a first score are timed (CPU) one by
one: importing the command, loading the spaCy pipeline, textstat, the
redactor, the scoring itself.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in the child: torch hidden (as in the runtime installation), then the command or the breakdown.
HIDE_TORCH = """
import sys, importlib.abc
class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NoTorch())
"""
RUN_CLI = """
import runpy, sys
sys.argv = ["qualicall", *sys.argv[1:]]
runpy.run_module("qualicall", run_name="__main__", alter_sys=True)
"""
# The steps of a first score, by the function that does each (module, attribute): CPU seconds spent inside.
STEPS = [
    ("qualicall.models.nlp", "load_nlp", "spaCy pipeline (import and load)"),
    ("qualicall.models.readability", "textstat", "textstat"),
    # The same steps before this benchmark's commit (for --checkout of an older tree).
    ("qualicall.scorer.checks.greeting", "stop_words", "stop words (importing spaCy's French language module)"),
    ("qualicall.scorer.checks.language", "_textstat", "textstat"),
    ("qualicall.models.names", "_first_names", "first-name lexicon"),
    ("qualicall.models.embeddings", "get_embedder", "sentence embedder"),
    ("qualicall.privacy.redactor", "analyzer", "Presidio analyzer (import and build)"),
    ("qualicall.service.scoring", "ScoringService.score", "scoring and redaction, models included"),
]
BREAKDOWN = """
import functools, importlib, json, resource, sys, time

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

spent = {}
started = cpu()
import qualicall.cli, qualicall.service.scoring
spent["import the command (typer, pydantic, the scorer's modules)"] = cpu() - started

def timed(module_name, attribute, label):
    module = importlib.import_module(module_name)
    owner_name, _, name = attribute.rpartition(".")
    owner = getattr(module, owner_name) if owner_name else module
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        before = cpu()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + cpu() - before

    setattr(owner, name, wrapper)
    for other in list(sys.modules.values()):  # `from module import function` copies, already made
        if getattr(other, name, None) is original and other is not owner and getattr(other, "__name__", "").startswith("qualicall"):
            setattr(other, name, wrapper)

for module_name, attribute, label in STEPS:
    try:
        timed(module_name, attribute, label)
    except (ImportError, AttributeError):
        pass
from qualicall.cli import COMMAND_MODULES, app
for command_module in COMMAND_MODULES:
    importlib.import_module(command_module).register(app)
sys.argv = ["qualicall", *sys.argv[1:]]
try:
    app()  # not main(): it would end the process before the figures are printed
except SystemExit:
    pass
spent["total in the process"] = cpu() - started
print("BREAKDOWN " + json.dumps(spent), file=sys.stderr)
"""


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before_cpu, before_wall = child_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=env["PYTHONPATH"], env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - before_wall, child_cpu() - before_cpu
    if done.returncode != 0:
        raise SystemExit(f"qualicall {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return cpu, wall, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs (after the cold one)")
    parser.add_argument("--file", default="examples/call-fr.json")
    parser.add_argument("--hide-torch", action="store_true", help="as if torch were not installed (the runtime installation)")
    parser.add_argument("--breakdown", action="store_true", help="one more run timing each step")
    parser.add_argument("--keep-cache", help="use this cache folder instead of a new empty one (no cold run)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the qualicall source tree to run (default: this one; another worktree gives the before figures)")
    parser.add_argument("options", nargs="*", help="more `qualicall score` options (after --)")
    args = parser.parse_args()
    prefix = HIDE_TORCH if args.hide_torch else ""
    score = ["score", args.file, "--out", os.devnull, *args.options]
    cache = Path(args.keep_cache) if args.keep_cache else Path(tempfile.mkdtemp(prefix="qualicall-cache-"))
    env = {**os.environ, "QUALICALL_CACHE_DIR": str(cache), "PYTHONPATH": str(args.checkout.resolve())}
    print(f"qualicall {' '.join(score)} in {args.checkout} ({'torch hidden' if args.hide_torch else 'torch importable' if _has_torch() else 'no torch installed'})")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    runs: list[tuple[float, float]] = []
    if not args.keep_cache:
        cpu, wall, _ = run_once(prefix + RUN_CLI, score, env)
        print(f"cold cache (nothing prepared): CPU {cpu:5.2f} s  wall {wall:5.2f} s  (load {os.getloadavg()[0]:.2f})")
    for number in range(args.runs):
        cpu, wall, _ = run_once(prefix + RUN_CLI, score, env)
        runs.append((cpu, wall))
        print(f"run {number + 1}: CPU {cpu:5.2f} s  wall {wall:5.2f} s  (load {os.getloadavg()[0]:.2f})")
    if runs:
        cpus, walls = [c for c, _ in runs], [w for _, w in runs]
        print(f"warm runs: CPU median {statistics.median(cpus):.2f} s (min {min(cpus):.2f}, max {max(cpus):.2f}); "
              f"wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})")
    if not args.keep_cache and 'command("warm")' in (args.checkout / "qualicall" / "cli" / "models.py").read_text(encoding="utf-8"):
        installed = {**env, "QUALICALL_CACHE_DIR": tempfile.mkdtemp(prefix="qualicall-cache-")}
        cpu, wall, _ = run_once(prefix + RUN_CLI, ["models", "warm"], installed)
        print(f"qualicall models warm (the installer's last step): CPU {cpu:5.2f} s  wall {wall:5.2f} s")
        cpu, wall, _ = run_once(prefix + RUN_CLI, score, installed)
        print(f"first run after it (the first command after installing): CPU {cpu:5.2f} s  wall {wall:5.2f} s  (load {os.getloadavg()[0]:.2f})")
    if args.breakdown:
        code = prefix + f"STEPS = {STEPS!r}\n" + BREAKDOWN
        _, wall, stderr = run_once(code, score, env)
        line = next(line for line in stderr.splitlines() if line.startswith("BREAKDOWN "))
        print(f"breakdown (CPU seconds, one warm run, wall {wall:.2f} s; steps nest: scoring includes the models it loads):")
        for label, seconds in json.loads(line[len("BREAKDOWN "):]).items():
            print(f"  {seconds:6.2f}  {label}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


if __name__ == "__main__":
    raise SystemExit(main())
