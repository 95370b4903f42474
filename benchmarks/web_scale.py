"""The coach pages over 100 000 stored contacts: how long each takes to load.

    python benchmarks/web_scale.py [--contacts 100000] [--postgres] [--keep DIR [--reuse]] [--runs 5]

The store is filled by direct inserts (what `save_scored` writes, without scoring each contact): the
contacts are the example month's generator scaled up (`examples/generate_month.py`, its transcripts varied
from its phrase banks, 80 agents in 4 teams), each with the result of a real scoring of one of a few dozen
of them (as benchmarks/report_scale.py does), its search row (`qualicall.store.search`), one contact in
a hundred reviewed by a coach on two items (the calibration page's pairs), and a calibration session of 50
contacts scored on every item by two coaches (the session's page; the benchmark's account is an admin, the lead).

Then a real `qualicall serve` (one HTTP worker) on that store, a coach signed in, and each page fetched
`--runs` times after a first fetch (timed apart: it makes the digests of results no list has read yet): the queue (no filter, a filter on an agent, a search for a
frequent word, a rare one and two words with the agent filter, its CSV), one call, its printable page,
the agents' and teams' lists, one agent, one team, calibration, the calibration session and the coach's
assignments. For each: the median and the worst wall
time, and the server's CPU time per fetch (user + system of its process, read from /proc: the figure a
loaded machine does not inflate), with the load average before and after.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests"))

COACH, PASSWORD = "bench.coach", "pages-100k"
SECOND_COACH = "bench.coach2"
SESSION_CALLS = 50
TEMPLATES_PER_KIND = 24
CHUNK = 5000


def contacts_and_results(count: int, seed: int = 11):  # noqa: ANN201
    """`count` generated contacts, each with a copy of a real result of its kind (channel, language)."""
    import generate_month
    from qualicall.core.interaction import Interaction
    from qualicall.scorer.engine import Scorer

    per_day = max(1, round(count / (len(generate_month.working_days(2026, 11)) * 1.06)))
    interactions = [r for r in generate_month.generate(seed=seed, per_day=per_day) if not r["abandoned"]]
    while len(interactions) < count:  # the abandoned ones left out: another month's worth to make up the count
        interactions += [r for r in generate_month.generate(seed=seed + len(interactions), per_day=per_day) if not r["abandoned"]]
    interactions = interactions[:count]
    scorer = Scorer()
    templates: dict[tuple[str, str], list[dict]] = {}
    for record in interactions:
        bucket = templates.setdefault((record["channel"], record["language"]), [])
        if len(bucket) < TEMPLATES_PER_KIND:
            bucket.append(scorer.score(Interaction.model_validate(record)).to_json())
    rng = random.Random(seed)
    for number, record in enumerate(interactions):
        record.pop("abandoned", None)
        record["id"] = f"{record['id']}-{number}"
        record["agent_id"] = f"{record['agent_id']}-{number % 10}"  # 8 agents → 80
        result = copy.deepcopy(rng.choice(templates[(record["channel"], record["language"])]))
        result["interaction_id"] = record["id"]
        yield record, result


def fill(url: str, count: int) -> None:
    """The store at `url`, migrated, with `count` contacts inserted directly, and a coach account."""
    from sqlalchemy import insert

    from qualicall.core.interaction import contact_moment
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow, ResultFigureRow, ResultItemRow, ResultRow, ReviewRow, TranscriptText
    from qualicall.store.repository import result_figures
    from qualicall.store.search import transcript_body
    from qualicall.store.users import create_user

    store = Store(url)
    start = time.perf_counter()
    now = datetime.now(timezone.utc)
    rows: dict[str, list[dict]] = {"interactions": [], "results": [], "items": [], "figures": [], "texts": [], "reviews": []}

    def flush(session) -> None:  # noqa: ANN001
        for model, key in ((InteractionRow, "interactions"), (ResultRow, "results"), (ResultItemRow, "items"),
                           (ResultFigureRow, "figures"), (TranscriptText, "texts"), (ReviewRow, "reviews")):
            if rows[key]:
                session.execute(insert(model), rows[key])
                rows[key].clear()

    session_calls: dict[str, list[tuple[str, str, str]]] = {}  # a calibration session's contacts and their items
    with store.session() as session:
        create_user(session, COACH, PASSWORD, "admin")
        create_user(session, SECOND_COACH, PASSWORD)
        for number, (record, result) in enumerate(contacts_and_results(count), start=1):
            rows["interactions"].append({
                "id": record["id"], "channel": record["channel"], "language": record["language"], "agent_id": record["agent_id"],
                "team": record["team"], "queue": record["queue"], "started_at": record["started_at"],
                "contact_time": contact_moment(record["started_at"]), "data": record, "latest_result_id": number,
                "created_at": now, "updated_at": now})
            rows["results"].append({
                "id": number, "interaction_id": record["id"], "version": 1, "rubric_id": result["rubric"]["id"],
                "rubric_version": result["rubric"]["version"], "quality_score": result.get("quality_score"),
                "operational_score": result.get("operational_score"), "overall_score": result.get("overall_score"),
                "data": result, "created_at": now})
            items = [(cid, iid, item["status"]) for cid, c in (result.get("criteria") or {}).items() for iid, item in c["items"].items()]
            rows["items"] += [{"result_id": number, "criterion_id": cid, "item_id": iid, "status": status} for cid, iid, status in items]
            rows["figures"] += [{"result_id": number, **figure} for figure in result_figures(result)]
            rows["texts"].append({"interaction_id": record["id"], "body": transcript_body(record)})
            if number % 100 == 0:  # a coach reviewed one contact in a hundred, on two items
                for cid, iid, status in items[:2]:
                    rows["reviews"].append({"interaction_id": record["id"], "result_id": number, "criterion_id": cid, "item_id": iid,
                                            "status": "failed" if number % 300 == 0 else status, "comment": "revu",
                                            "reviewer": COACH, "created_at": now})
            if number % max(1, count // SESSION_CALLS) == 0 and len(session_calls) < SESSION_CALLS:
                session_calls[record["id"]] = items
            if number % CHUNK == 0:
                flush(session)
                print(f"  {number} contacts stored ({time.perf_counter() - start:.0f} s)", flush=True)
        flush(session)
        calibration_session(session, session_calls)
    store.close()
    print(f"{count} contacts stored in {time.perf_counter() - start:.0f} s")


def calibration_session(session, calls: dict[str, list[tuple[str, str, str]]]) -> None:  # noqa: ANN001
    """A session of `calls` scored on every item by both coaches: the first as the machine, the second turning one
    call in three's failed items to passed."""
    from sqlalchemy import insert, select

    from qualicall.store.calibration_sessions import create_session
    from qualicall.store.models import CalibrationVerdict, User
    from qualicall.store.repository import Reviewer

    users = list(session.scalars(select(User).where(User.username.in_([COACH, SECOND_COACH])).order_by(User.username)))
    made = create_session(session, "bench", [user.id for user in users], list(calls), {"kind": "random", "per_agent_week": 1, "from": "2026-11-01", "to": "2026-11-30", "seed": 1}, Reviewer(COACH))
    coaches = {coach.username: coach.id for coach in made.coaches}
    verdicts = []
    for position, call in enumerate(made.calls):
        for cid, iid, status in calls[call.interaction_id]:
            second = "passed" if position % 3 == 0 and status == "failed" else status
            verdicts += [{"call_id": call.id, "coach_id": coaches[COACH], "criterion_id": cid, "item_id": iid, "status": status},
                         {"call_id": call.id, "coach_id": coaches[SECOND_COACH], "criterion_id": cid, "item_id": iid, "status": second}]
    session.execute(insert(CalibrationVerdict), verdicts)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server, runs: int) -> list[tuple[str, float, float, float]]:  # noqa: ANN001
    import httpx
    from sqlalchemy import func, select

    from api_server import sign_in
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import CalibrationSession, InteractionRow

    store = Store(Settings(data_dir=server.data_dir, database_url=server.database_url).url, migrate=False)
    with store.session() as session:
        agent, team = session.execute(select(InteractionRow.agent_id, InteractionRow.team).limit(1)).one()
        call = session.scalar(select(InteractionRow.id).order_by(InteractionRow.contact_time.desc()).limit(1))
        total = session.scalar(select(func.count()).select_from(InteractionRow))
        session_id = session.scalar(select(func.max(CalibrationSession.id)))
    store.close()
    print(f"{total} contacts; agent {agent}, team {team}, call {call}")
    pages = [
        ("queue", "/queue"),
        ("queue, one agent", f"/queue?agent={agent}"),
        ("queue, page 20", "/queue?page=20"),
        ("search: frequent word", "/queue?q=bonjour"),
        ("search: rare word", "/queue?q=remboursement"),
        ("search: two words + agent", f"/queue?q=facture+reclamation&agent={agent}"),
        ("queue CSV (5 000 rows)", "/queue.csv"),
        ("call", f"/calls/{call}"),
        ("printable evaluation", f"/calls/{call}/print"),
        ("agents", "/agents"),
        ("agent", f"/agents/{agent}"),
        ("teams", "/teams"),
        ("team", f"/teams/{team}"),
        ("calibration", "/calibration"),
        (f"calibration session ({SESSION_CALLS} calls)", f"/calibration/sessions/{session_id}"),
        ("assignments", "/assignments"),
    ]
    figures = []
    with httpx.Client(base_url=server.url, timeout=300) as http:
        assert sign_in(http, username=COACH, password=PASSWORD).status_code == 303
        for name, path in pages:
            began = time.perf_counter()
            answer = http.get(path)
            first = time.perf_counter() - began
            assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:200]}"
            walls, cpus = [], []
            for _ in range(runs):
                cpu = cpu_seconds(server.process.pid)
                began = time.perf_counter()
                answer = http.get(path)
                walls.append(time.perf_counter() - began)
                cpus.append(cpu_seconds(server.process.pid) - cpu)
                assert answer.status_code == 200
            figures.append((name, statistics.median(walls), max(walls), statistics.median(cpus)))
            print(f"  {name:28s} median {statistics.median(walls):6.3f} s  worst {max(walls):6.3f} s  server CPU {statistics.median(cpus):6.3f} s"
                  f"  (first fetch {first:6.3f} s)", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL cluster instead of a SQLite file")
    parser.add_argument("--keep", type=Path, help="the data folder to fill (kept afterwards)")
    parser.add_argument("--reuse", action="store_true", help="measure on the store --keep filled before")
    args = parser.parse_args()

    from api_server import Postgres, Server

    folder = args.keep or Path(tempfile.mkdtemp(prefix="web-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    postgres = Postgres().start() if args.postgres else None
    try:
        url = postgres.database("web_scale") if postgres else None
        server = Server(folder, database_url=url)
        if not args.reuse:
            from qualicall.settings import Settings

            fill(Settings(data_dir=folder, database_url=url).url, args.contacts)
        server.start(600)
        try:
            load = os.getloadavg()
            figures = measure(server, args.runs)
            after = os.getloadavg()
        finally:
            server.stop()
    finally:
        if postgres:
            postgres.stop()
    print(f"load average before {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, after {after[0]:.1f} / {after[1]:.1f} / {after[2]:.1f} "
          f"({os.cpu_count()} cores)")
    over = [name for name, median, _, _ in figures if median > 1.0]
    print("over 1 s (median): " + (", ".join(over) if over else "none"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
