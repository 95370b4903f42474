"""`qualicall serve --workers N`: N HTTP processes answering at once, scoring in processes of their own,
one of them running the audio jobs; SQLite shared by the processes without "database is locked"."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLES, _serve, make_interaction


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def start(tmp_path_factory, name: str, database_url: str | None):  # type: ignore[no-untyped-def]
    """A server of the session's kind with two HTTP workers (each loads the models: a long start on a busy machine)."""
    return _serve(tmp_path_factory, name, database_url, {"QUALICALL_WORKERS": "2"}, timeout=600)


@pytest.fixture(scope="module")
def two_workers_sqlite(tmp_path_factory):
    server = start(tmp_path_factory, "workers-sqlite", None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_workers_postgres(tmp_path_factory, postgres):
    server = start(tmp_path_factory, "workers-postgres", postgres.database("qualicall_workers"))
    yield server
    server.stop()


def health_from_fresh_connections(url: str, wanted: int = 2, seconds: float = 240) -> list[dict]:
    """/healthz from 16 clients at once, on new connections, until `wanted` processes have answered or `seconds` passed:
    the server is up when its first worker answers, and on a busy machine the second may still be loading its models
    (320 answers in a row came from the first one, once, with the load average at 4)."""
    answers: list[dict] = []
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(16) as pool:
        while time.monotonic() < deadline:
            answers += pool.map(lambda _: httpx.get(f"{url}/healthz", timeout=60).json(), range(16))
            if len({a["worker"] for a in answers}) >= wanted:
                break
            time.sleep(0.5)
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_workers_answer_from_two_processes(database, request):
    server = request.getfixturevalue(f"two_workers_{database}")
    answers = health_from_fresh_connections(server.url)
    assert all(a["status"] == "ok" for a in answers)
    workers = {a["worker"]: a["runs_jobs"] for a in answers}
    assert len(workers) == 2, workers
    # Processes of the supervisor that `serve` started, not the supervisor itself.
    assert all(parent_of(pid) == server.process.pid for pid in workers)
    # The audio jobs and webhooks run in one of them only.
    assert sorted(workers.values()) == [False, True]
    # Both score: posts spread over the connections land on both processes and are stored once each.
    body = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))

    def post(number: int) -> int:
        with server.client() as client:  # a connection of its own: the kernel hands it to either process
            return client.post("/v1/interactions", json={**body, "id": f"both-{database}-{number}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(post, range(8))) == [201] * 8
    with server.client("coach") as client:
        listed = client.get("/v1/interactions", params={"limit": 1000}).json()["items"]
    assert {i["id"] for i in listed} >= {f"both-{database}-{n}" for n in range(8)}


@pytest.mark.slow
def test_concurrent_posts_on_sqlite_give_no_server_error(two_workers_sqlite):
    """Two processes writing one SQLite file at once (WAL, one writer at a time): every post is stored, re-posts
    of the same id become versions in order, and no request fails with "database is locked"."""
    server = two_workers_sqlite
    bodies = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]

    def post(number: int) -> tuple[int, str]:
        # Every fourth post repeats an id: new versions of one interaction, written from both processes.
        interaction_id = "same-id" if number % 4 == 0 else f"many-{number}"
        with server.client() as client:
            response = client.post("/v1/interactions", json={**bodies[number % len(bodies)], "id": interaction_id})
        return response.status_code, response.text[:200]

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(post, range(48)))
    assert [status for status, _ in answers] == [201] * 48, [a for a in answers if a[0] != 201]
    with server.client("coach") as client:
        same = client.get("/v1/interactions/same-id").json()
        listed = client.get("/v1/interactions", params={"limit": 1000}).json()["items"]
    assert [v["version"] for v in same["versions"]] == list(range(1, 13))
    assert {i["id"] for i in listed} >= {f"many-{n}" for n in range(48) if n % 4}
    assert "database is locked" not in server.log_tail()


def test_one_process_holds_the_jobs_lock(tmp_path):
    from qualicall.api.app import _jobs_lock
    from qualicall.settings import Settings

    settings = Settings(data_dir=tmp_path)
    first = _jobs_lock(settings)
    assert first is not None
    assert _jobs_lock(settings) is None  # a second open file (another worker) cannot take it
    first.close()  # the holder ends: the next worker takes it
    again = _jobs_lock(settings)
    assert again is not None
    again.close()


@pytest.mark.slow
def test_a_killed_scoring_process_is_replaced(tmp_path, monkeypatch):
    from qualicall.service.pool import ScoringPool
    from qualicall.service.scoring import ScoringService

    monkeypatch.setenv("QUALICALL_DATA_DIR", str(tmp_path))
    pool = ScoringPool(partial(ScoringService, None, False))
    try:
        call = make_interaction([("agent", "Bonjour, Banque Lumio, Léa à votre écoute."), ("customer", "Bonjour, ma carte est bloquée.")])
        _, first = pool.score(call)
        (child,) = list(pool._executor._processes)
        assert child != os.getpid()
        os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not pool._executor._broken:
            time.sleep(0.1)
        _, again = pool.score(call)  # a new process, the same result
        assert again.model_dump() == first.model_dump()
        assert list(pool._executor._processes) != [child]
    finally:
        pool.close()
