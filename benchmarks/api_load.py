"""Load on the HTTP API over loopback: saturation by worker count, open-loop arrivals, reads while writes saturate.

    .venv/bin/python benchmarks/api_load.py                               # 1 then 2 workers, open loop, mixed (SQLite, temp dir)
    .venv/bin/python benchmarks/api_load.py --workers 1,2 --seconds 20 --database-url postgresql://…
    .venv/bin/python benchmarks/api_load.py --url http://host:8000 --key qc_… --modes closed,open --rate 40

Modes, each `--seconds` long, every POST a transcript under a new id (scored and stored):

- `closed`: `--clients` clients post back to back (a saturated server): throughput, latency percentiles.
  With `--workers 1,2` a server is started with each worker count in turn, and the ratio of their
  throughputs is printed: the figures come from the same run, under the same load.
- `open`: requests arrive at `--rate` per second (default: half the last saturated throughput), as a
  Poisson process, whether or not earlier ones have been answered; latency counts from the arrival,
  so queueing shows (a closed loop hides it: its clients wait before sending).
- `mixed`: `--clients` posting clients saturate the server while `--readers` clients read
  `GET /v1/interactions/{id}` of stored interactions back to back: the read latency under write load.

For a server started here, the CPU time of its processes (the supervisor, its HTTP workers and their
scoring processes) is read from /proc before and after each mode: CPU per request is the figure a
loaded machine distorts least. The load average is printed with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's qualicall and test helpers
TICKS = os.sysconf("SC_CLK_TCK")


def interactions() -> list[dict]:
    """The examples (and the dev set when it is there): realistic transcripts of a few minutes."""
    sources = [ROOT / "examples" / "interactions.jsonl", ROOT.parent / "shared" / "data" / "dev" / "interactions.jsonl"]
    out = []
    for path in sources:
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current in stats:
            total += (int(stats[current][11]) + int(stats[current][12])) / TICKS  # utime, stime
        todo += children.get(current, [])
    return total


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    def record(self, status: int | str, seconds: float | None) -> None:
        self.statuses[status] += 1
        if seconds is not None:
            self.latencies.append(seconds)

    def summary(self, ok: int, elapsed: float) -> dict:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1) if ordered else None

        done = self.statuses.get(ok, 0)
        return {
            "requests": sum(self.statuses.values()), "ok": done, "per_second": round(done / elapsed, 2),
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
            "errors": {str(k): v for k, v in self.statuses.items() if k != ok},
        }


async def post(client: httpx.AsyncClient, body: dict, tally: Tally, since: float | None = None) -> None:
    start = since if since is not None else time.perf_counter()
    try:
        response = await client.post("/v1/interactions", json={**body, "id": f"load-{uuid.uuid4().hex}"})
    except httpx.HTTPError as exc:
        tally.record(type(exc).__name__, None)
        return
    tally.record(response.status_code, time.perf_counter() - start)


async def posting(client: httpx.AsyncClient, pool: list[dict], deadline: float, tally: Tally, offset: int) -> None:
    i = offset
    while time.monotonic() < deadline:
        await post(client, pool[i % len(pool)], tally)
        i += 1


async def reading(client: httpx.AsyncClient, ids: list[str], deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            response = await client.get(f"/v1/interactions/{rng.choice(ids)}")
        except httpx.HTTPError as exc:
            tally.record(type(exc).__name__, None)
            continue
        tally.record(response.status_code, time.perf_counter() - start)


def client_for(url: str, key: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120, limits=limits)


async def closed_loop(url: str, key: str, pool: list[dict], clients: int, seconds: float) -> dict:
    tally = Tally()
    async with client_for(url, key, clients) as client:
        await client.post("/v1/interactions", json={**pool[0], "id": f"load-warm-{uuid.uuid4().hex}"})
        started = time.monotonic()
        await asyncio.gather(*(posting(client, pool, started + seconds, tally, i) for i in range(clients)))
        elapsed = time.monotonic() - started
    return {"mode": "closed", "clients": clients, "seconds": round(elapsed, 1), **tally.summary(201, elapsed)}


async def open_loop(url: str, key: str, pool: list[dict], rate: float, seconds: float) -> dict:
    """Poisson arrivals at `rate` per second; each request is sent at its arrival time, answered or not."""
    rng = random.Random(15)
    arrivals, clock = [], 0.0
    while True:
        clock += rng.expovariate(rate)
        if clock >= seconds:
            break
        arrivals.append(clock)
    tally = Tally()
    async with client_for(url, key, 1000) as client:
        await client.post("/v1/interactions", json={**pool[0], "id": f"load-warm-{uuid.uuid4().hex}"})
        started = time.perf_counter()
        tasks = []
        for number, at in enumerate(arrivals):
            delay = started + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(client, pool[number % len(pool)], tally, since=started + at)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return {"mode": "open", "rate_per_second": round(rate, 2), "arrivals": len(arrivals), "seconds": round(elapsed, 1), **tally.summary(201, elapsed)}


async def mixed(url: str, key: str, pool: list[dict], clients: int, readers: int, seconds: float) -> dict:
    """Posting clients saturate the server; readers GET stored interactions meanwhile."""
    ids = []
    async with client_for(url, key, clients + readers) as client:
        for body in pool[:20]:
            ids.append(f"read-{uuid.uuid4().hex}")
            response = await client.post("/v1/interactions", json={**body, "id": ids[-1]})
            response.raise_for_status()
        writes, reads = Tally(), Tally()
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(posting(client, pool, deadline, writes, i) for i in range(clients)),
            *(reading(client, ids, deadline, reads, i) for i in range(readers)),
        )
        elapsed = time.monotonic() - started
    return {"mode": "mixed", "clients": clients, "readers": readers, "seconds": round(elapsed, 1),
            "post": writes.summary(201, elapsed), "get": reads.summary(200, elapsed)}


def measured(run, server_pid: int | None) -> dict:  # type: ignore[no-untyped-def]
    """Run one mode (a coroutine) with the load average and the server's CPU time around it."""
    load = os.getloadavg()
    cpu = process_tree_cpu(server_pid) if server_pid else None
    report = asyncio.run(run)
    if cpu is not None:
        spent = process_tree_cpu(server_pid) - cpu
        done = report["ok"] if "ok" in report else report["post"]["ok"] + report["get"]["ok"]
        report["server_cpu_s"] = round(spent, 2)
        report["server_cpu_ms_per_request"] = round(1000 * spent / done, 1) if done else None
    report["loadavg_before"] = [round(x, 2) for x in load]
    report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def scoring_cpu_ms(pool: list[dict]) -> float:
    """CPU milliseconds to score (no redaction, as the servers here) one transcript of the pool, in this process:
    what a request costs the scoring process; the rest of the server's CPU per request is HTTP, JSON and the store."""
    from qualicall.core.interaction import Interaction
    from qualicall.service.scoring import ScoringService

    service = ScoringService(redact=False)
    interactions = [Interaction.model_validate({**body, "id": f"cpu-{n}"}) for n, body in enumerate(pool)]
    service.warm_up()
    for interaction in interactions[:3]:
        service.score(interaction)
    started = time.process_time()
    for interaction in interactions:
        service.score(interaction)
    return round(1000 * (time.process_time() - started) / len(interactions), 1)


def start_server(workers: int, database_url: str | None, redact: bool):  # type: ignore[no-untyped-def]
    from api_server import Server

    data = Path(tempfile.mkdtemp(prefix="qualicall-load-"))
    server = Server(data, database_url=database_url, env_extra={"QUALICALL_REDACT": "on" if redact else "off", "QUALICALL_WORKERS": str(workers)})
    server.make_keys()
    print(f"starting a server with {workers} worker(s) on {server.url} ({database_url or 'SQLite'})…", file=sys.stderr)
    server.start(timeout=600)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="posting clients (closed and mixed modes)")
    parser.add_argument("--readers", type=int, default=5, help="reading clients (mixed mode)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", default="1,2", help="worker counts to start servers with, in turn (comma-separated)")
    parser.add_argument("--modes", default="closed,open,mixed", help="closed, open, mixed (comma-separated); open and mixed run on the last server")
    parser.add_argument("--rate", type=float, help="open-loop arrivals per second (default: half the last closed-loop throughput)")
    parser.add_argument("--url", help="a running server (default: start them)")
    parser.add_argument("--key", help="a crm or admin key for --url")
    parser.add_argument("--database-url", help="for the servers started here (default: SQLite in a temp dir; PostgreSQL: a fresh database each)")
    parser.add_argument("--redact", action="store_true", help="redact personal data before storing (the product default; off here to measure the API)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    pool = interactions()
    results: list[dict] = []
    saturated: dict[int, float] = {}

    def run_modes(url: str, key: str, pid: int | None, workers: int | None, last: bool) -> None:
        if "closed" in modes:
            report = measured(closed_loop(url, key, pool, args.clients, args.seconds), pid)
            saturated[workers or 0] = report["per_second"]
            results.append({"workers": workers, **report})
            print(json.dumps(results[-1]), flush=True)
        if not last:
            return
        if "open" in modes:
            rate = args.rate or (saturated[workers or 0] / 2 if saturated else None)
            if rate is None:
                raise SystemExit("open mode needs --rate (or a closed run before it)")
            results.append({"workers": workers, **measured(open_loop(url, key, pool, rate, args.seconds), pid)})
            print(json.dumps(results[-1]), flush=True)
        if "mixed" in modes:
            results.append({"workers": workers, **measured(mixed(url, key, pool, args.clients, args.readers, args.seconds), pid)})
            print(json.dumps(results[-1]), flush=True)

    print(f"{os.cpu_count()} cores; {sum(len(i.get('turns', [])) for i in pool) / len(pool):.1f} turns per transcript on average", file=sys.stderr)
    if not args.url and not args.redact:
        print(json.dumps({"scoring_alone_cpu_ms_per_request": scoring_cpu_ms(pool), "loadavg": [round(x, 2) for x in os.getloadavg()]}), flush=True)
    if args.url:
        if not args.key:
            parser.error("--url needs --key")
        run_modes(args.url, args.key, None, None, True)
    else:
        counts = [int(w) for w in args.workers.split(",")]
        for index, workers in enumerate(counts):
            database_url = args.database_url
            if database_url and database_url.startswith("postgresql") and len(counts) > 1:
                database_url = _fresh_database(database_url, f"qualicall_load_{workers}_{uuid.uuid4().hex[:6]}")
            server = start_server(workers, database_url, args.redact)
            try:
                run_modes(server.url, server.keys["crm"], server.process.pid, workers, index == len(counts) - 1)
            finally:
                server.stop()
    if len(saturated) > 1:
        (low, low_rate), (high, high_rate) = min(saturated.items()), max(saturated.items())
        print(json.dumps({"saturated_throughput": saturated, "ratio": round(high_rate / low_rate, 2) if low_rate else None,
                          "of": f"{high} workers / {low} worker(s)", "cores": os.cpu_count()}))


def _fresh_database(url: str, name: str) -> str:
    """A new database on the same PostgreSQL server, so that each server starts empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
