"""Fuzzing a real `qualicall serve`: schemathesis on the whole OpenAPI document, then the hostile inputs of
issue 17, against one server; what it must show: no 5xx, no row stored by a refused request, memory bounded.

    .venv/bin/python benchmarks/fuzz.py                              # SQLite in a temp dir, ≥ 10 000 requests
    .venv/bin/python benchmarks/fuzz.py --postgres                   # a PostgreSQL cluster of its own (initdb)
    .venv/bin/python benchmarks/fuzz.py --examples 20 --hostile 300  # a short run (tests/test_fuzz.py)

Phases, in this order, on one server (one HTTP worker, audio jobs accepted but not run):
- schemathesis: every operation, `--examples` cases generated from the schema (positive) and as many
  violating it (negative), one request at a time;
- hostile: `--hostile` requests from `hostile_requests()` (deep nesting, lone surrogates, 5000-digit
  integers, 1e999 and ±1e308, years 1 and 9999, ids with `/`, NUL or 201 characters, out-of-range indicators,
  paths outside the recordings root, oversized turns, broken multipart metadata, the coach pages' unknown
  agents and teams, `offset=inf`, an override of `greeting`…) mixed with valid posts, by `--concurrency` clients.

What is counted: the answers by status; every 5xx (with what was sent); the rows of the tables a request can
write (interactions, results, reviews, jobs, idempotency keys) before and after, against what the accepted
answers account for (a 201 post: one result, maybe a new interaction; a 202: one job; a review: its rows) —
the difference is what refused requests stored; the resident memory of the server's processes sampled
every 0.5 s (start, peak, end); the duration and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's qualicall and test helpers

COUNTED_TABLES = ("interactions", "results", "reviews", "jobs", "idempotency_keys")
TURNS = [{"speaker": "agent", "text": "Bonjour, service client, Julie à votre écoute.", "start": 0.0, "end": 3.0},
         {"speaker": "customer", "text": "Bonjour, je voudrais changer mon adresse.", "start": 3.5, "end": 6.0},
         {"speaker": "agent", "text": "Merci de votre appel, bonne journée.", "start": 6.5, "end": 8.0}]
COACH, PASSWORD = "fuzz.coach", "fuzz-password-2026"


# --- what the server answered ------------------------------------------------------------------------

@dataclass
class Tally:
    """Every answer, by status; what the accepted ones stored; the 5xx and the refusals that were not."""

    statuses: Counter = field(default_factory=Counter)
    by_phase: Counter = field(default_factory=Counter)
    server_errors: list[dict] = field(default_factory=list)
    accepted_unexpectedly: list[dict] = field(default_factory=list)
    accepted_ids: set[str] = field(default_factory=set)
    results_stored: int = 0
    jobs_stored: int = 0
    reviews_stored: int = 0
    keyed_accepted: int = 0  # accepted posts with an Idempotency-Key: each may leave one record
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, phase: str, label: str, response: httpx.Response, sent: str, refuse: bool = False, keyed: bool = False) -> None:
        status = response.status_code
        replayed = response.headers.get("idempotent-replayed") == "true"
        with self.lock:
            self.statuses[status] += 1
            self.by_phase[phase] += 1
            if status >= 500:
                self.server_errors.append({"phase": phase, "request": label, "status": status, "answer": response.text[:300], "sent": sent[:600]})
            elif refuse and status < 400:
                self.accepted_unexpectedly.append({"request": label, "status": status, "sent": sent[:300]})
            if replayed or not 200 <= status < 300:
                return
            method, _, path = label.partition(" ")
            self.keyed_accepted += keyed and method == "POST"
            if (method, path, status) == ("POST", "/v1/interactions", 201):
                self.results_stored += 1
                self.accepted_ids.add(response.json()["interaction_id"])
            elif (method, path, status) == ("POST", "/v1/interactions", 202):
                self.jobs_stored += 1
            elif method == "POST" and path.endswith("/reviews") and status == 201:
                self.reviews_stored += len(response.json())

    def dropped(self, label: str, error: str, sent: str) -> None:
        """A request the server answered with no answer (connection closed or reset): a failure like a 5xx."""
        with self.lock:
            self.statuses[0] += 1
            self.server_errors.append({"request": label, "status": None, "answer": error, "sent": sent[:600]})

    def redirect_reviews(self, count: int) -> None:
        """Reviews saved by the pages' forms (answered 303)."""
        with self.lock:
            self.reviews_stored += count

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


# --- the server: its rows and its memory -----------------------------------------------------------

def table_rows(url: str) -> tuple[dict[str, int], set[str]]:
    """Rows per counted table, and the stored interaction ids."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in COUNTED_TABLES}
            ids = set(connection.execute(text("SELECT id FROM interactions")).scalars())
    finally:
        engine.dispose()
    return counts, ids


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its descendants (HTTP worker, scoring process), MiB, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent and child not in tree]
        tree.update(children)
        frontier += children
    total_kib = 0
    for member in tree:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kib += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kib / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, every_s: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.samples = pid, every_s, [tree_rss_mib(pid)]
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every_s):
            self.samples.append(tree_rss_mib(self.pid))

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.join()
        self.samples.append(tree_rss_mib(self.pid))
        return {"start": round(self.samples[0]), "peak": round(max(self.samples)), "end": round(self.samples[-1]), "samples": len(self.samples)}


# --- phase 1: schemathesis ---------------------------------------------------------------------------

def schemathesis_phase(url: str, key: str, examples: int, tally: Tally, seed: int, coach_key: str | None = None) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, seed as hypothesis_seed, settings

    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    headers = {"Authorization": f"Bearer {key}"}
    for found in schema.get_all_operations():
        operation = found.ok()
        # An erasure the admin key could make would remove rows the tally counts against what was accepted: the coach's
        # key, which may not erase, sends those (refused, 403).
        sending = {"Authorization": f"Bearer {coach_key}"} if coach_key and operation.method.upper() == "DELETE" else headers
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @hypothesis_seed(seed)
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def probe(case) -> None:  # type: ignore[no-untyped-def]
                response = case.call(headers=sending, timeout=120)
                sent = f"{case.path} {case.path_parameters} {case.query} {case.media_type} {str(case.body)[:400]}"
                keyed = "idempotency-key" in {name.lower() for name in response.request.headers}
                tally.record("schemathesis", f"{case.method.upper()} {operation.path}", httpx_like(response), sent, keyed=keyed)

            try:
                probe()
            except Exception as exc:  # a mode that cannot generate for this operation (no parameter to break)
                print(f"  {operation.label} ({mode.value}): {type(exc).__name__}: {str(exc).splitlines()[0][:120]}", file=sys.stderr)
        print(f"  {operation.label}: {tally.by_phase['schemathesis']} requests so far", file=sys.stderr, flush=True)


def httpx_like(response) -> httpx.Response:  # type: ignore[no-untyped-def]
    """Schemathesis's response (headers as lists) as httpx's, for the tally."""
    return httpx.Response(response.status_code, headers=[(name, value) for name, values in response.headers.items() for value in values],
                          content=response.content)


# --- phase 2: the hostile inputs of issue 17 ---------------------------------------------------------

@dataclass
class Hostile:
    """One request: how to send it (with a client of the given role, or the coach's signed-in browser)."""

    label: str
    role: str  # crm | coach | admin | browser
    method: str
    path: str
    refuse: bool = True  # a request that must be refused (4xx)
    json: object = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    files: dict | None = None
    params: dict | None = None


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def hostile_requests(rng: random.Random, wav: bytes, known_id: str) -> Iterator[Hostile]:
    """An endless mix of hostile requests (each made unique) and, one in eight, a valid post."""

    def post_json(label: str, body: object, refuse: bool = True, **headers: str) -> Hostile:
        return Hostile(label, "crm", "POST", "/v1/interactions", refuse, json=body, headers=headers)

    def post_raw(label: str, text: str, content_type: str = "application/json") -> Hostile:
        return Hostile(label, "crm", "POST", "/v1/interactions", content=text.encode("utf-8", "surrogatepass"), headers={"content-type": content_type})

    def interaction(**fields: object) -> dict:
        return {"id": f"fz-{uuid.uuid4().hex[:12]}", "language": "fr", "turns": TURNS, **fields}

    def upload(label: str, metadata: str | None, **form: str) -> Hostile:
        data = {**({"metadata": metadata} if metadata is not None else {}), **form}
        return Hostile(label, "crm", "POST", "/v1/interactions", data=data, files={"audio": ("call.wav", wav, "audio/wav")})

    def unique() -> str:
        return uuid.uuid4().hex[:10]

    makers: list[Callable[[], Hostile]] = [
        # Bodies the JSON reader must refuse.
        lambda: post_raw("nested 100 000 deep", deep(100_000)),
        lambda: post_raw("nested 33 deep in notes", json.dumps(interaction())[:-1] + ', "notes": ' + deep(33) + "}"),
        lambda: post_raw("lone surrogate in a turn", json.dumps(interaction()).replace("Julie", "Julie\\ud800")),
        lambda: post_raw("lone surrogate in an id", json.dumps(interaction(id=f"fz-\\ud83d-{unique()}")).replace("\\\\ud83d", "\\ud83d")),
        lambda: post_raw("5000-digit integer", json.dumps(interaction())[:-1] + ', "indicators": {"transfers": ' + "9" * 5000 + "}}"),
        lambda: post_raw("1e999 silence ratio", json.dumps(interaction())[:-1] + ', "measured": {"silence_ratio": -1e999}}'),
        lambda: post_raw("NaN csat", json.dumps(interaction())[:-1] + ', "indicators": {"csat": NaN}}'),
        lambda: post_raw("Infinity in a turn's end", json.dumps(interaction()).replace('"end": 3.0', '"end": Infinity')),
        lambda: post_raw("not JSON", "{'id': 'x'"),
        lambda: post_raw("not UTF-8", "\udcff\udcfe", "application/json"),
        lambda: post_raw("empty body", ""),
        lambda: post_raw("a JSON array", "[1, 2, 3]"),
        lambda: post_raw("text/plain", json.dumps(interaction()), "text/plain"),
        # Values the door refuses.
        lambda: post_json("time 1e308", interaction(turns=[{**TURNS[0], "start": 1e308, "end": -1e308}])),
        lambda: post_json("year 1 with an offset", interaction(started_at="0001-01-01T00:00:00+14:00")),
        lambda: post_json("year 9999 with an offset", interaction(started_at="9999-12-31T23:59:59-14:00")),
        lambda: post_json("received_at year 1", interaction(indicators={"received_at": "0001-01-01T00:30:00+01:00"})),
        lambda: post_json("id of 201 characters", interaction(id="i" * 201)),
        lambda: post_json("agent of 201 characters", interaction(agent_id="a" * 201)),
        lambda: post_json("team with a NUL", interaction(team=f"team\x00{unique()}")),
        lambda: post_json("id with a slash", interaction(id=f"a/{unique()}")),
        lambda: post_json("id with a backslash", interaction(id=f"a\\{unique()}")),
        lambda: post_json("id '..'", interaction(id="..")),
        lambda: post_json("id with a trailing space", interaction(id=f"fz-{unique()} ")),
        lambda: post_json("csat 99", interaction(indicators={"csat": 99})),
        lambda: post_json("wait -5", interaction(indicators={"wait_time_s": -5})),
        lambda: post_json("csat as text", interaction(indicators={"csat": "4"})),
        lambda: post_json("an indicator of 1e300", interaction(indicators={"amount": 1e300})),
        lambda: post_json("recording ../", interaction(recording="../../../../etc/passwd")),
        lambda: post_json("recording absolute", interaction(recording="/etc/passwd")),
        lambda: post_json("field name an e-mail", interaction(**{"jean.dupont@example.com": "x"})),
        lambda: post_json("turns not a list", interaction(turns="bonjour")),
        lambda: post_json("turn without a speaker", interaction(turns=[{"text": "Bonjour"}])),
        lambda: post_json("no turns, not abandoned", {"id": f"fz-{unique()}", "language": "fr"}),
        lambda: post_json("a reviewer field (an extra field of the interaction)", interaction(reviewer="alice"), refuse=False),
        lambda: post_json("a turn above the size limit", interaction(turns=[{**TURNS[0], "text": "mot " * 6000}])),
        lambda: post_json("too many turns", interaction(turns=[{**TURNS[index % 3]} for index in range(260)])),
        lambda: post_json("a language it does not know", interaction(language="xx")),
        lambda: Hostile("an Idempotency-Key of 201 characters", "crm", "POST", "/v1/interactions", json=interaction(), headers={"Idempotency-Key": "k" * 201}),
        lambda: Hostile("a refused post under an Idempotency-Key", "crm", "POST", "/v1/interactions", json=interaction(indicators={"csat": 99}),
                        headers={"Idempotency-Key": f"refused-{rng.randrange(20)}"}),
        # Reviews.
        lambda: Hostile("review of an unknown item", "coach", "POST", f"/v1/interactions/{known_id}/reviews", json={"items": [{"item_id": "greeting", "status": "failed"}]}),
        lambda: Hostile("review with a status of its own", "coach", "POST", f"/v1/interactions/{known_id}/reviews",
                        json={"items": [{"item_id": "greeting.salutation", "status": "maybe"}]}),
        lambda: Hostile("review signed by another name", "coach", "POST", f"/v1/interactions/{known_id}/reviews", json={"comment": "ok", "reviewer": "alice"}),
        lambda: Hostile("review comment of 100 000 characters", "coach", "POST", f"/v1/interactions/{known_id}/reviews", json={"comment": "x" * 100_000}),
        lambda: Hostile("review of an unknown interaction", "coach", "POST", f"/v1/interactions/none-{unique()}/reviews", json={"comment": "x"}),
        lambda: Hostile("review by a crm key", "crm", "POST", f"/v1/interactions/{known_id}/reviews", json={"comment": "x"}),
        # Reads with hostile parameters.
        lambda: Hostile("list from year 1", "coach", "GET", "/v1/interactions", params={"from": "0001-01-01T00:00:00+14:00"}),
        lambda: Hostile("list to year 9999", "coach", "GET", "/v1/interactions", params={"to": "9999-12-31T23:59:59-14:00"}),
        lambda: Hostile("list min_score nan", "coach", "GET", "/v1/interactions", params={"min_score": rng.choice(["nan", "inf", "-1e999", "1e400"])}),
        lambda: Hostile("list limit 1e9", "coach", "GET", "/v1/interactions", params={"limit": rng.choice(["1e9", "999999999999999999999", "-1"])}),
        lambda: Hostile("list a forged cursor", "coach", "GET", "/v1/interactions", params={"cursor": rng.choice(["!!!", "eyJ4Ijox", "a" * 500, "e30="])}),
        lambda: Hostile("list a cursor of a lone surrogate's bytes", "coach", "GET", "/v1/interactions?cursor=%ED%A0%80"),
        lambda: Hostile("list agent with a NUL", "coach", "GET", "/v1/interactions", params={"agent_id": "a\x00b"}),
        lambda: Hostile("report from year 1", "coach", "GET", "/v1/reports", params={"from": "0001-01-01T00:00:00+14:00", "by": "agent"}),
        lambda: Hostile("report to year 9999", "coach", "GET", "/v1/reports", params={"to": "9999-12-31T23:59:59-14:00", "period": "week"}),
        lambda: Hostile("report by something", "coach", "GET", "/v1/reports", params={"by": "customer_name"}),
        lambda: Hostile("an id of 10 000 characters", "coach", "GET", "/v1/interactions/" + "i" * 10_000),
        lambda: Hostile("an id with an encoded slash", "coach", "GET", "/v1/interactions/a%2Fb"),
        lambda: Hostile("a job id of 65 characters", "crm", "GET", "/v1/jobs/" + "j" * 65),
        lambda: Hostile("no key", "", "GET", "/v1/interactions"),
        lambda: Hostile("a forged key", "", "GET", "/v1/interactions", headers={"Authorization": f"Bearer qc_{unique()}_{'x' * 40}"}),
        # Uploads' metadata and form.
        lambda: upload("metadata nested 100 000 deep", deep(100_000)),
        lambda: upload("metadata with NaN", '{"csat": NaN}'),
        lambda: upload("metadata with a 5000-digit integer", '{"notes": ' + "9" * 5000 + "}"),
        lambda: upload("metadata with a lone surrogate", '{"notes": "\\udc00"}'),
        lambda: upload("metadata with a recording", json.dumps({"recording": "/etc/passwd"})),
        lambda: upload("metadata with turns", json.dumps({"turns": TURNS})),
        lambda: upload("metadata not an object", "[]"),
        lambda: upload("metadata id with a slash", json.dumps({"id": f"a/{unique()}"})),
        lambda: upload("a callback inside the network", None, callback_url=rng.choice(["http://127.0.0.1:1/", "http://[::1]/", "http://169.254.169.254/latest"])),
        lambda: upload("agent channel of its own", None, agent_channel="middle"),
        lambda: upload("a field of its own", None, extra="x"),
        lambda: Hostile("audio of random bytes", "crm", "POST", "/v1/interactions", files={"audio": ("call.wav", os.urandom(4000), "audio/wav")}),
        # A path in an upload's name is never followed (the upload is stored as <job id>.<format>); a WAV named .exe is
        # known by its first bytes and accepted, what no format begins like is refused.
        lambda: Hostile("audio named ../../x.exe", "crm", "POST", "/v1/interactions", refuse=False, files={"audio": ("../../x.exe", wav, "audio/wav")}),
        lambda: Hostile("no audio named ../../x.exe", "crm", "POST", "/v1/interactions", files={"audio": ("../../x.exe", b"MZ" + os.urandom(4000), "audio/wav")}),
        lambda: Hostile("multipart without a boundary", "crm", "POST", "/v1/interactions", content=b"--x\r\n", headers={"content-type": "multipart/form-data"}),
        # The coach pages.
        lambda: Hostile("an unknown agent's page", "browser", "GET", f"/agents/nobody-{unique()}"),
        lambda: Hostile("an unknown team's page", "browser", "GET", f"/teams/nobody-{unique()}"),
        lambda: Hostile("an agent named with a NUL", "browser", "GET", "/agents/a%00b"),
        # The queue clamps its page and ignores what it does not know: an answer, not a refusal.
        lambda: Hostile("the queue at offset inf", "browser", "GET", "/queue", refuse=False, params={"offset": rng.choice(["inf", "nan", "-1", "1e999"])}),
        lambda: Hostile("the queue at page 10^30", "browser", "GET", "/queue", refuse=False, params={"page": "1" + "0" * 30, "min_score": "nan"}),
        lambda: Hostile("an unknown call", "browser", "GET", f"/calls/none-{unique()}"),
        lambda: Hostile("an unknown call's audio", "browser", "GET", f"/calls/none-{unique()}/audio"),
        lambda: Hostile("override of 'greeting'", "browser", "POST", f"/calls/{known_id}/reviews", data={"item": "greeting", "status": "failed", "comment": "x"}),
        lambda: Hostile("override without its CSRF token", "browser", "POST", f"/calls/{known_id}/reviews",
                        data={"item": "greeting.salutation", "status": "failed", "comment": "x", "csrf": "forged"}),
        lambda: Hostile("override with a status of its own", "browser", "POST", f"/calls/{known_id}/reviews", data={"item": "greeting.salutation", "status": "maybe"}),
        lambda: Hostile("the language page of a code of its own (back to the page)", "browser", "GET", f"/language/{rng.choice(['xx', '..', 'fr%00'])}", refuse=False),
        lambda: Hostile("a static file by ../", "browser", "GET", "/static/..%2F..%2Fqualicall.db"),
    ]
    while True:
        if rng.random() < 0.125:  # a valid post or upload: what the store gains must be what these were answered
            if rng.random() < 0.2:
                yield Hostile("a valid upload", "crm", "POST", "/v1/interactions", refuse=False, data={"metadata": json.dumps({"id": f"fz-{unique()}"})},
                              files={"audio": ("call.wav", wav, "audio/wav")})
            else:
                yield Hostile("a valid post", "crm", "POST", "/v1/interactions", refuse=False, json=interaction(agent_id=f"A-{rng.randrange(5)}"))
        else:
            yield rng.choice(makers)()


def hostile_phase(server, count: int, concurrency: int, tally: Tally, seed: int, wav: bytes) -> None:  # type: ignore[no-untyped-def]
    from api_server import sign_in

    with server.client("crm") as crm:
        known = crm.post("/v1/interactions", json={"id": "fz-known", "language": "fr", "turns": TURNS})
    tally.record("hostile", "POST /v1/interactions", known, "the interaction the reviews are posted on")
    clients = {role: server.client(role) for role in ("crm", "coach", "admin")}
    clients[""] = httpx.Client(base_url=server.url, timeout=120)
    browser = httpx.Client(base_url=server.url, timeout=120, follow_redirects=False)
    sign_in(browser, username=COACH, password=PASSWORD)
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/queue").text).group(1)
    rng = random.Random(seed)
    requests = hostile_requests(rng, wav, "fz-known")
    lock = threading.Lock()

    def send(_: int) -> None:
        with lock:
            request = next(requests)
        client = browser if request.role == "browser" else clients[request.role]
        data = request.data
        if request.role == "browser" and data is not None and "csrf" not in data:
            data = {**data, "csrf": csrf}
        sent = request.label + " " + (json.dumps(request.json, ensure_ascii=True)[:300] if request.json is not None else str(request.params or data or ""))
        try:
            answer = client.request(request.method, request.path, json=request.json, content=request.content, data=data,
                                    files=request.files, params=request.params, headers=request.headers)
        except httpx.TransportError as exc:  # no answer at all: counted with the 5xx
            tally.dropped(f"{request.method} {request.path}", f"{type(exc).__name__}: {exc}", sent)
            return
        except (UnicodeError, httpx.InvalidURL) as exc:  # a request httpx will not send: this generator's mistake
            raise RuntimeError(f"cannot send {request.label!r}: {exc}") from exc
        tally.record("hostile", f"{request.method} {request.path}", answer, sent, refuse=request.refuse, keyed="Idempotency-Key" in request.headers)
        if request.role == "browser" and request.method == "POST" and answer.status_code == 303:
            tally.redirect_reviews(1)  # an override saved (none of the forms sent here should be)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, range(count)))
    for client in (*clients.values(), browser):
        client.close()


# --- the run -----------------------------------------------------------------------------------------

def silent_wav() -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000)
    return buffer.getvalue()


def start_server(database_url: str | None):  # type: ignore[no-untyped-def]
    from api_server import Server

    data = Path(tempfile.mkdtemp(prefix="qualicall-fuzz-"))
    # Small size limits, so that requests above them are cheap to make; audio jobs are accepted, never run.
    server = Server(data, database_url=database_url, env_extra={
        "QUALICALL_AUDIO_WORKERS": "0", "QUALICALL_MAX_UPLOAD_MB": "2", "QUALICALL_MAX_TURN_CHARS": "20000",
        "QUALICALL_MAX_TURNS": "200", "QUALICALL_QUEUE_SIZE": "100000",
        # Every request of the coach's browser comes from loopback: its sign-in is not throttled away.
        "QUALICALL_SIGNIN_FAILURES_PER_ADDRESS": "1000000",
    })
    server.make_keys()
    server.make_user(COACH, PASSWORD, "coach")
    print(f"starting a server on {server.url} ({database_url or 'SQLite'}) in {data}…", file=sys.stderr)
    return server.start(timeout=600)


def run(examples: int, hostile: int, concurrency: int, database_url: str | None, seed: int) -> dict:
    from qualicall.settings import Settings

    server = start_server(database_url)
    try:
        url = Settings(data_dir=server.data_dir, database_url=database_url).url
        rows_before, ids_before = table_rows(url)
        tally, memory = Tally(), MemorySampler(server.process.pid)
        memory.start()
        started = time.monotonic()
        schemathesis_phase(server.url, server.keys["admin"], examples, tally, seed, coach_key=server.keys["coach"])
        hostile_phase(server, hostile, concurrency, tally, seed, silent_wav())
        duration = time.monotonic() - started
        rss = memory.stop()
        rows_after, ids_after = table_rows(url)
        load = [round(x, 2) for x in os.getloadavg()]
        alive = server.process.poll() is None
    finally:
        server.stop()
    grown = {table: rows_after[table] - rows_before[table] for table in COUNTED_TABLES}
    accounted = {"results": tally.results_stored, "jobs": tally.jobs_stored, "reviews": tally.reviews_stored}
    unexplained_ids = sorted(ids_after - ids_before - tally.accepted_ids)
    from_refused = {table: grown[table] - accounted[table] for table in accounted} | {
        "interactions (ids no 2xx made)": len(unexplained_ids), "idempotency_keys": max(0, grown["idempotency_keys"] - tally.keyed_accepted)}
    return {
        "database": "PostgreSQL" if database_url else "SQLite",
        "requests": tally.requests,
        "by_phase": dict(tally.by_phase),
        "statuses": dict(sorted(tally.statuses.items())),
        "5xx": sum(n for status, n in tally.statuses.items() if status >= 500),
        "no_answer": tally.statuses.get(0, 0),
        "server_errors": tally.server_errors[:50],
        "hostile_accepted": tally.accepted_unexpectedly[:50],
        "rows_grown": grown,
        "rows_accounted_by_accepted": accounted,
        "rows_from_refused": from_refused,
        "unexplained_ids": unexplained_ids[:20],
        "rss_mib": rss,
        "duration_s": round(duration, 1),
        "loadavg_end": load,
        "cores": os.cpu_count(),
        "server_alive": alive,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=300, help="schemathesis cases per operation and mode (positive, negative)")
    parser.add_argument("--hostile", type=int, default=6000, help="requests of the hostile phase")
    parser.add_argument("--concurrency", type=int, default=4, help="clients of the hostile phase")
    parser.add_argument("--postgres", action="store_true", help="on a PostgreSQL cluster started here (initdb, pg_ctl)")
    parser.add_argument("--database-url", help="on this (empty) database instead")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", type=Path, help="write the figures here as JSON too")
    args = parser.parse_args()
    postgres = None
    database_url = args.database_url
    if args.postgres:
        from api_server import Postgres

        postgres = Postgres().start()
        database_url = postgres.database("qualicall_fuzz")
    try:
        figures = run(args.examples, args.hostile, args.concurrency, database_url, args.seed)
    finally:
        if postgres is not None:
            postgres.stop()
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    failed = figures["5xx"] or figures["no_answer"] or any(figures["rows_from_refused"].values()) or not figures["server_alive"]
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
