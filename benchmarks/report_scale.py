"""Reports at scale: `qualicall report` over 100 000 results, time and peak memory per format and grouping.

    python benchmarks/report_scale.py [--results 100000] [--keep DIR]

The results are made from the example month (`examples/generate_month.py`)
scaled up: its generator is run with more contacts per day (abandons,
surveys, transfers, the incident week as in the example), the agents are
split into ten times as many (80 agents, 4 teams, 6 queues), and each contact
gets the result of a real scoring: a few dozen of the month's contacts per
channel are scored with the default rubrics once, and each generated contact
takes the criteria and items of one of them, its own identity, time and
indicators (scored against the rubric per contact). So the files have the
size and shape of real `qualicall score` output (evidence, reasons,
thresholds), without scoring 100 000 transcripts.

Each measurement is a fresh process: the whole command for each format
(`qualicall report FILE --by … -f FMT -o OUT`), timed from start to exit,
and its peak resident memory (ru_maxrss from wait4: polars' native memory
included, which tracemalloc would not see). A second kind of process times
the steps in one run (reading into the table, aggregating, rendering) and
the chunked path of GET /v1/reports (5 000 results at a time, merged).
The machine may be shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

GROUPINGS = [("agent", "week"), ("team,channel", "day")]
FORMATS = ["json", "csv", "table", "html"]
TEMPLATES_PER_CHANNEL = 24

STEPS = r"""
import json, resource, sys, time
from pathlib import Path
from qualicall.reports.aggregate import aggregate_frame, aggregate_parts
from qualicall.reports.frame import read_results, results_frame
from qualicall.scorer.rubric import ReportSettings

path, by, period, mode = Path(sys.argv[1]), [b for b in sys.argv[2].split(",") if b], sys.argv[3], sys.argv[4]
settings = ReportSettings()
times = {}
start = time.perf_counter()
if mode == "chunks":
    def chunks(size=5000):
        part = []
        for record in read_results([path]):
            part.append(record)
            if len(part) == size:
                yield part
                part = []
        if part:
            yield part
    report = aggregate_parts(chunks(), by, period, settings)
    times["read + aggregate in chunks of 5000, merged"] = time.perf_counter() - start
else:
    frame = results_frame(read_results([path]))  # streamed: one result object at a time
    times["parse JSON + build the polars table"] = time.perf_counter() - start
    mark = time.perf_counter()
    report = aggregate_frame(frame, by, period, settings)
    times["aggregate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    doc = report.to_json()
    times["to_json"] = time.perf_counter() - mark
    mark = time.perf_counter()
    from qualicall.reports.html import render_html
    page = render_html(frame, by, period, settings)
    times["render HTML (3 aggregations, 3 charts)"] = time.perf_counter() - mark
print(json.dumps({"times": times, "groups": len(report.groups), "contacts": report.total.counts["contacts"],
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scaled_results(count: int, seed: int = 11) -> list[dict]:
    """`count` results shaped like real ones (see the module docstring)."""
    import generate_month
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.indicators import score_indicators
    from qualicall.scorer.interaction import Interaction
    from qualicall.scorer.rubric import load_rubric

    # Contacts per working day so that the month holds about `count` (the incident week adds a quarter).
    per_day = max(1, round(count / (len(generate_month.working_days(2026, 11)) * 1.06)))
    interactions = generate_month.generate(seed=seed, per_day=per_day)[:count]
    scorer = Scorer()
    templates: dict[tuple[str, str, bool], list[dict]] = {}
    for record in interactions:
        key = (record["channel"], record["language"], record["abandoned"])
        bucket = templates.setdefault(key, [])
        if len(bucket) < (1 if record["abandoned"] else TEMPLATES_PER_CHANNEL):
            bucket.append(scorer.score(Interaction.model_validate(record)).to_json())
    rubrics = {language: load_rubric(f"default-{language}") for language in ("fr", "en")}
    rng = random.Random(seed)
    results = []
    for number, record in enumerate(interactions):
        result = copy.deepcopy(rng.choice(templates[(record["channel"], record["language"], record["abandoned"])]))
        rubric = rubrics[record["language"]]
        indicators, operational, absent = score_indicators(rubric, record["indicators"], channel=record["channel"])
        quality = result["quality_score"]
        result |= {
            "interaction_id": f"{record['id']}-{number}",
            "agent_id": f"{record['agent_id']}-{number % 10}",  # 8 agents → 80
            "team": record["team"], "queue": record["queue"], "started_at": record["started_at"],
            "indicators": {name: entry.model_dump(mode="json") for name, entry in indicators.items()},
            "operational_score": operational,
        }
        result["overall_score"], result["combination"] = _combined(rubric, quality, operational, absent)
        results.append(result)
    return results


def _combined(rubric, quality, operational, absent):  # noqa: ANN001, ANN202
    from qualicall.scorer.engine import combine

    overall, combination = combine(rubric, quality, operational)
    combination["indicators_absent"] = absent
    return overall, combination


def write_results(path: Path, count: int) -> None:
    start = time.perf_counter()
    results = scaled_results(count)
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    abandoned = sum(r["abandoned"] for r in results)
    print(f"{len(results)} results ({abandoned} abandoned, {len({r['agent_id'] for r in results})} agents, "
          f"{len({r['team'] for r in results})} teams, {len({r['queue'] for r in results})} queues), "
          f"{path.stat().st_size / 2**20:.0f} MiB of JSONL, made in {time.perf_counter() - start:.0f} s")


def timed_child(args: list[str]) -> tuple[float, float, str]:
    """Start, wait with wait4 (so that the rusage is this child's alone), return wall s, peak RSS MiB, stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({process.returncode}): {err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the results and reports here (default: a temporary folder)")
    parser.add_argument("--write-results", action="store_true", help=argparse.SUPPRESS)  # the child that makes the file
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualicall-report-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    results_path = folder / "results.jsonl"
    if args.write_results:
        write_results(results_path, args.results)
        return 0
    # Made in a child process: a child forked from a process holding the models and the results would
    # start with that process's peak RSS in its own ru_maxrss (Linux keeps it across exec).
    _, _, made = timed_child([sys.executable, __file__, "--results", str(args.results), "--keep", str(folder), "--write-results"])
    print(made.strip())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPUs: {os.cpu_count()}")

    python = sys.executable
    empty = folder / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    wall, rss, _ = timed_child([python, "-m", "qualicall", "report", str(empty), "-f", "json", "-o", str(folder / "empty.json")])
    print(f"\nbaseline: `qualicall report` on no results: {wall:.1f} s, peak RSS {rss:.0f} MiB")

    print("\nwhole command, one process each: wall s / peak RSS MiB")
    print(f"{'grouping':<28}" + "".join(f"{fmt:>18}" for fmt in FORMATS))
    for by, period in GROUPINGS:
        cells = []
        for fmt in FORMATS:
            out = folder / f"report-{by.replace(',', '-')}-{period}.{ 'txt' if fmt == 'table' else fmt}"
            wall, rss, _ = timed_child([python, "-m", "qualicall", "report", str(results_path), "--by", by, "--period", period, "-f", fmt, "-o", str(out)])
            cells.append(f"{wall:8.1f} / {rss:5.0f}")
        print(f"{'--by ' + by + ' --period ' + period:<28}" + "".join(f"{c:>18}" for c in cells), flush=True)

    print("\nsteps in one process (s)")
    for by, period in GROUPINGS:
        for mode in ("steps", "chunks"):
            _, _, out = timed_child([python, "-c", STEPS, str(results_path), by, period, mode])
            figures = json.loads(out)
            steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in figures["times"].items())
            print(f"--by {by} --period {period} ({figures['groups']} groups): {steps}; peak RSS {figures['max_rss_mb']:.0f} MiB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
