"""Reports at scale: `qualicall report` over 100 000 results, time and peak memory.

    python benchmarks/report_scale.py [--results 100000] [--keep DIR [--reuse]]

The results are made from the example month (`examples/generate_month.py`)
scaled up: its generator is run with more contacts per day (abandons,
surveys, transfers, the incident week as in the example), the agents are
split into ten times as many (80 agents, 4 teams, 5 queues), and each contact
gets the result of a real scoring: a few dozen of the month's contacts per
channel and language are scored with the default rubrics once, and each
generated contact takes the criteria and items of one of them, its own
identity, time and indicators (scored against the rubric per contact). So
the file has the size and shape of real `qualicall score` output (evidence,
reasons, thresholds), without scoring 100 000 transcripts. `--keep DIR
--reuse` measures again on a file made before.

Every measurement is a fresh process, waited for with wait4 so that its
figures are its own: wall time, CPU time (user + system; on a shared machine
the figure that does not depend on the other jobs) and peak resident memory
(ru_maxrss: polars' native memory included, which tracemalloc would not
see). First the whole command (`qualicall report FILE --by agent --period
week -f json|html -o OUT`); then one process that reads the file once and
times each step: reading into the polars table, then for two groupings the
aggregation and each format (json, csv, table, html); then the chunked path
of GET /v1/reports (5 000 results at a time, aggregated and merged).
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
END_TO_END_FORMATS = ["json", "html"]  # csv and table read and aggregate as json does: their rendering is timed in-process
TEMPLATES_PER_CHANNEL = 24

STEPS = r"""
import io, json, resource, sys, time
from pathlib import Path
from qualicall.reports.aggregate import aggregate_frame, aggregate_parts
from qualicall.reports.frame import read_results, results_frame
from qualicall.scorer.rubric import ReportSettings

path, groupings, mode = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
settings = ReportSettings()
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
figures = {"steps": []}

def step(name, run):
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    figures["steps"].append([name, time.perf_counter() - wall, time.process_time() - cpu, rss()])
    return value

if mode == "chunks":
    by, period = groupings[0]
    def chunks(size=5000):
        part = []
        for record in read_results([path]):
            part.append(record)
            if len(part) == size:
                yield part
                part = []
        if part:
            yield part
    step(f"read + aggregate in chunks of 5000, merged (--by {','.join(by)} --period {period})", lambda: aggregate_parts(chunks(), by, period, settings))
else:
    from qualicall.reports.html import render_html
    from qualicall.reports.render import print_table, write_csv
    figures["start_rss_mb"] = rss()
    frame = step("read the JSONL into the polars table (streamed)", lambda: results_frame(read_results([path])))
    figures["table_mb"] = frame.estimated_size() / 2**20
    figures["columns"] = frame.width
    for by, period in groupings:
        label = f"--by {','.join(by)} --period {period}"
        report = step(f"{label}: aggregate", lambda: aggregate_frame(frame, by, period, settings))
        figures.setdefault("groups", {})[label] = len(report.groups)
        step(f"{label}: json", lambda: json.dumps(report.to_json()))
        step(f"{label}: csv", lambda: write_csv(report, io.StringIO()))
        step(f"{label}: table", lambda: print_table(report, io.StringIO()))
        step(f"{label}: html", lambda: render_html(frame, by, period, settings))
print(json.dumps(figures))
"""


def scaled_results(count: int, seed: int = 11) -> list[dict]:
    """`count` results shaped like real ones (see the module docstring)."""
    import generate_month
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.indicators import score_indicators
    from qualicall.core.interaction import Interaction
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


def timed_child(args: list[str]) -> tuple[float, float, float, str]:
    """Start, wait with wait4 (so that the rusage is this child's alone); wall s, CPU s (user + system), peak RSS MiB, stdout."""
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
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the results and reports here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="use the results.jsonl already in --keep")
    parser.add_argument("--write-results", action="store_true", help=argparse.SUPPRESS)  # the child that makes the file
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualicall-report-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    results_path = folder / "results.jsonl"
    if args.write_results:
        write_results(results_path, args.results)
        return 0
    if not (args.reuse and results_path.exists()):
        # Made in a child process: a child forked from a process holding the models and the results would
        # start with that process's peak RSS in its own ru_maxrss (Linux keeps it across exec).
        _, _, _, made = timed_child([sys.executable, __file__, "--results", str(args.results), "--keep", str(folder), "--write-results"])
        print(made.strip())
    with results_path.open(encoding="utf-8") as stream:
        count = sum(1 for _ in stream)
    print(f"{count} results, {results_path.stat().st_size / 2**20:.0f} MiB of JSONL")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPUs: {os.cpu_count()}")
    print("(the machine is shared: CPU time, user + system, is the figure that does not depend on the other jobs)")

    python = sys.executable
    empty = folder / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    wall, cpu, rss, _ = timed_child([python, "-m", "qualicall", "report", str(empty), "-f", "json", "-o", str(folder / "empty.json")])
    print(f"\nbaseline, `qualicall report` on no results: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {rss:.0f} MiB")

    by, period = GROUPINGS[0]
    print(f"\nwhole command, one process each (`qualicall report FILE --by {by} --period {period} -f FMT -o OUT`):")
    for fmt in END_TO_END_FORMATS:
        out = folder / f"report.{'txt' if fmt == 'table' else fmt}"
        wall, cpu, rss, _ = timed_child([python, "-m", "qualicall", "report", str(results_path), "--by", by, "--period", period, "-f", fmt, "-o", str(out)])
        print(f"  {fmt:<6} wall {wall:7.1f} s   CPU {cpu:7.1f} s   peak RSS {rss:6.0f} MiB   output {out.stat().st_size / 2**10:.0f} KiB", flush=True)

    groupings = json.dumps([[b.split(","), p] for b, p in GROUPINGS])
    print("\nsteps in one process (read once, then each grouping and format): wall s / CPU s / peak RSS so far MiB")
    for mode in ("steps", "chunks"):
        _, _, rss, out = timed_child([python, "-c", STEPS, str(results_path), groupings, mode])
        figures = json.loads(out)
        if "start_rss_mb" in figures:
            print(f"  after imports: {figures['start_rss_mb']:.0f} MiB; the table: {figures['columns']} columns, {figures['table_mb']:.0f} MiB; groups: {figures['groups']}")
        for name, wall, cpu, peak in figures["steps"]:
            print(f"  {name:<72} {wall:7.2f} / {cpu:7.2f} / {peak:6.0f}")
        print(f"  process peak RSS {rss:.0f} MiB", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
