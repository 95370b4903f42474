"""Bounded load on the HTTP API over loopback: N concurrent clients posting transcripts for D seconds.

    .venv/bin/python benchmarks/api_load.py                       # starts its own server (SQLite, temp dir)
    .venv/bin/python benchmarks/api_load.py --clients 50 --seconds 30 --database-url postgresql://…
    .venv/bin/python benchmarks/api_load.py --url http://host:8000 --key qc_…   # an already running server

Prints throughput, latency percentiles and errors by status. Each request posts an
example interaction under a new id, so every one is scored and stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's qualicall and test helpers


def interactions() -> list[dict]:
    """The examples (and the dev set when it is there): realistic transcripts of a few minutes."""
    sources = [ROOT / "examples" / "interactions.jsonl", ROOT.parent / "shared" / "data" / "dev" / "interactions.jsonl"]
    out = []
    for path in sources:
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


async def client_loop(client: httpx.AsyncClient, pool: list[dict], deadline: float, latencies: list[float], statuses: Counter) -> None:
    i = 0
    while time.monotonic() < deadline:
        body = {**pool[i % len(pool)], "id": f"load-{uuid.uuid4().hex}"}
        i += 1
        start = time.perf_counter()
        try:
            response = await client.post("/v1/interactions", json=body)
            statuses[response.status_code] += 1
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            continue
        latencies.append(time.perf_counter() - start)


async def run(url: str, key: str, clients: int, seconds: float) -> dict:
    pool = interactions()
    latencies: list[float] = []
    statuses: Counter = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120, limits=limits) as client:
        await client.post("/v1/interactions", json={**pool[0], "id": f"load-warm-{uuid.uuid4().hex}"})
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(client_loop(client, pool, deadline, latencies, statuses) for _ in range(clients)))
        elapsed = time.monotonic() - started
    ok = statuses.get(201, 0)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")

    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": sum(statuses.values()), "scored": ok,
        "throughput_rps": round(ok / elapsed, 2), "p50_ms": round(pct(50), 1), "p95_ms": round(pct(95), 1),
        "p99_ms": round(pct(99), 1), "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
        "errors": {str(k): v for k, v in statuses.items() if k != 201},
        "transcript_turns_mean": round(statistics.fmean(len(i.get("turns", [])) for i in pool), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--key", help="a crm or admin key for --url")
    parser.add_argument("--database-url", help="for the server started here (default: SQLite in a temp dir)")
    parser.add_argument("--redact", action="store_true", help="redact personal data before storing (the product default; off here to measure the API)")
    args = parser.parse_args()
    server = None
    if args.url:
        if not args.key:
            parser.error("--url needs --key")
        url, key = args.url, args.key
    else:
        from api_server import Server

        server = Server(Path(tempfile.mkdtemp(prefix="qualicall-load-")), database_url=args.database_url,
                        env_extra={"QUALICALL_REDACT": "on" if args.redact else "off"})
        server.make_keys()
        print(f"starting a server on {server.url} ({args.database_url or 'SQLite'})…", file=sys.stderr)
        server.start()
        url, key = server.url, server.keys["crm"]
    try:
        load = os.getloadavg()
        report = asyncio.run(run(url, key, args.clients, args.seconds))
        report["cpus"] = os.cpu_count()
        report["loadavg_before"] = [round(x, 2) for x in load]
        report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(report, indent=2))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
