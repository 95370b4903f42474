"""Erasure on request (`DELETE /v1/interactions/{id}`, `qualicall db erase`), retention (`qualicall db purge`,
`QUALICALL_RETENTION_DAYS`) and backups (`qualicall db backup`):
everything kept of a contact goes — rows in every table, the SQLite files' bytes, the kept recording and its waveform
— and nothing else does. Against real servers (SQLite, PostgreSQL) and the real command."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy
from api_server import Server

from conftest import run_cli

pytestmark = pytest.mark.slow  # a server of its own (redaction on, a recordings root)

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
TABLES = ("interactions", "results", "result_items", "result_figures", "result_digests", "reviews", "transcript_search",
          "idempotency_keys", "disputes", "jobs", "webhook_deliveries", "calibration_calls")


def marker() -> str:
    """A word no call holds, letters only (the search index folds words)."""
    return "zq" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:12])


def contact(word: str, **changes) -> dict:
    return {
        "id": f"erase-{uuid.uuid4().hex[:10]}", "language": "fr", "agent_id": "A-17", "started_at": "2026-11-30T10:00:00+01:00",
        "turns": [
            {"speaker": "agent", "text": "Bonjour, service client, Julie à votre écoute.", "start": 0.0, "end": 3.0},
            {"speaker": "customer", "text": f"Bonjour, mon colis {word} n'est jamais arrivé.", "start": 3.5, "end": 6.0},
            {"speaker": "agent", "text": "Je regarde tout de suite, merci de votre patience. Au revoir.", "start": 6.5, "end": 9.0},
        ],
        **changes,
    }


def database_text(server: Server) -> str:
    return server.stored_text(TABLES)


def without(word: str, server: Server, seconds: float = 20) -> bool:
    """Whether the database holds no trace of `word`, waiting for the index merge and the log's emptying that the API
    runs once a burst of erasures has ended (qualicall.service.erasure.DeferredForget)."""
    deadline = time.monotonic() + seconds
    while word in database_text(server):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.3)
    return True


def test_an_erased_contact_leaves_no_row_behind(api_server):
    word = marker()
    body = contact(word)
    with api_server.client("crm") as crm, api_server.client("coach") as coach:
        assert crm.post("/v1/interactions", json=body, headers={"Idempotency-Key": body["id"]}).status_code == 201
        assert crm.post("/v1/interactions", json=body).status_code == 201  # a second result version
        reviewed = coach.post(f"/v1/interactions/{body['id']}/reviews",
                              json={"items": [{"item_id": "salutation", "status": "failed", "comment": f"revoir {word}"}]})
        assert reviewed.status_code == 201, reviewed.text
        kept = crm.post("/v1/interactions", json=contact(marker()))  # another contact: untouched
        assert word in database_text(api_server)  # (what the search below would find)
        erased = crm.delete(f"/v1/interactions/{body['id']}")
        again = crm.delete(f"/v1/interactions/{body['id']}")
        gone = crm.get(f"/v1/interactions/{body['id']}")
        listed = crm.get("/v1/interactions", params={"agent_id": "A-17", "limit": 1000}).json()["items"]
        other = crm.get(f"/v1/interactions/{kept.json()['interaction_id']}")
        left = without(word, api_server)
        # The remembered response went too: the same key scores the contact anew instead of replaying the erased result.
        reposted = crm.post("/v1/interactions", json=body, headers={"Idempotency-Key": body["id"]})
    assert erased.status_code == 204 and erased.content == b""
    assert again.status_code == 404 and again.json()["detail"] == f"unknown interaction {body['id']!r}"
    assert gone.status_code == 404 and body["id"] not in [item["id"] for item in listed]
    assert other.status_code == 200
    assert left  # every table (PostgreSQL), every byte of the files (SQLite)
    assert reposted.status_code == 201 and "idempotent-replayed" not in reposted.headers and reposted.headers["x-result-version"] == "1"


def test_only_a_crm_or_admin_key_erases(api_server):
    body = contact(marker())
    with api_server.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    with api_server.client("coach") as coach:
        refused = coach.delete(f"/v1/interactions/{body['id']}")
    with api_server.client(None) as anonymous:
        anonymous_answer = anonymous.delete(f"/v1/interactions/{body['id']}")
    with api_server.client("admin") as admin:
        still = admin.get(f"/v1/interactions/{body['id']}")
        by_admin = admin.delete(f"/v1/interactions/{body['id']}")
    assert refused.status_code == 403 and "needs admin or crm" in refused.json()["detail"]
    assert anonymous_answer.status_code == 401
    assert still.status_code == 200 and by_admin.status_code == 204


@pytest.fixture(scope="module")
def keeping(tmp_path_factory):
    """A server that redacts and keeps redacted copies of recordings referenced in its recordings root, on SQLite."""
    folder = tmp_path_factory.mktemp("erasing")
    (folder / "recordings").mkdir()
    server = Server(folder / "data", env_extra={"QUALICALL_REDACT": "on", "QUALICALL_RECORDINGS_ROOT": str(folder / "recordings")})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    yield server
    server.stop()


def tone(path, seconds: float = 9.0):  # type: ignore[no-untyped-def]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}:sample_rate=16000", str(path)],
                   check=True)
    return path


@needs_ffmpeg
def test_erasure_leaves_no_trace_in_the_sqlite_files_nor_the_kept_recording(keeping):
    from qualicall.audio.waveform import cached_envelope, envelope_file

    word = marker()
    recordings = keeping.data_dir.parent / "recordings"
    first, second = tone(recordings / f"{word}.wav"), tone(recordings / f"{word}.flac")
    body = contact(word, recording=first.name)
    kept = set((keeping.data_dir / "redacted-recordings").glob("*")) if (keeping.data_dir / "redacted-recordings").exists() else set()
    with keeping.client("crm") as crm:
        posted = crm.post("/v1/interactions", json=body)
        assert posted.status_code == 201, posted.text
        # A second version with a recording of another format: its copy has another extension, the first one stays.
        assert crm.post("/v1/interactions", json={**body, "recording": second.name}).status_code == 201
        copies = sorted(set((keeping.data_dir / "redacted-recordings").iterdir()) - kept)
        assert [copy.suffix for copy in copies] == [".flac", ".wav"]
        assert crm.get(f"/v1/interactions/{body['id']}/recording").status_code == 200
        waveforms = []
        for copy in copies:
            cached_envelope(copy, keeping.data_dir / "waveforms")  # as the call page keeps it
            waveforms.append(envelope_file(copy, keeping.data_dir / "waveforms"))
        assert all(waveform.exists() for waveform in waveforms) and word in database_text(keeping)
        assert crm.delete(f"/v1/interactions/{body['id']}").status_code == 204
        recording = crm.get(f"/v1/interactions/{body['id']}/recording")
    assert recording.status_code == 404
    # Not in the database, its log, or the index's segments (zeroed, checkpointed, merged): not a byte of it.
    assert without(word, keeping)
    assert not any(copy.exists() for copy in copies) and not any(waveform.exists() for waveform in waveforms)
    assert first.exists() and second.exists()  # the client's own files, in its recordings root: not the service's to remove


def test_purge_erases_what_happened_before_the_cut_and_nothing_else(keeping):
    old, recent, word = contact(marker(), started_at="2025-01-15T09:00:00+01:00"), contact(marker()), marker()
    older = contact(word, started_at="2024-06-01T09:00:00Z")
    with keeping.client("crm") as crm:
        for body in (old, recent, older):
            assert crm.post("/v1/interactions", json=body).status_code == 201
    env = {"QUALICALL_DATA_DIR": str(keeping.data_dir)}
    dry = run_cli("db", "purge", "--before", "2025-06-01", "--dry-run", env=env)
    with keeping.client("crm") as crm:
        after_dry = [crm.get(f"/v1/interactions/{body['id']}").status_code for body in (old, recent, older)]
    done = run_cli("db", "purge", "--before", "2025-06-01", env=env)
    with keeping.client("crm") as crm:
        after = [crm.get(f"/v1/interactions/{body['id']}").status_code for body in (old, recent, older)]
    assert dry.returncode == 0 and dry.stdout.startswith("would erase 2 interaction(s) from before 2025-06-01T00:00:00+00:00, 2 result version(s)")
    assert after_dry == [200, 200, 200]
    assert done.returncode == 0 and done.stdout.startswith("erased 2 interaction(s) from before 2025-06-01T00:00:00+00:00"), done.stderr
    assert after == [404, 200, 404]
    assert word not in database_text(keeping)


def test_a_contact_dated_in_the_future_is_purged_by_when_it_came(tmp_path):
    """started_at 2099 by a typing error: the purge went by it alone, and the contact outlived every retention (a data
    protection officer's review). A contact cannot have happened after it came: the purge reads its last receipt too —
    the last, so that an id first posted long ago and posted again today with a new conversation stays (a fresh-eyes
    review)."""
    server = Server(tmp_path / "data", env_extra={"QUALICALL_WARM_UP": "0"})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    today = datetime.now(timezone.utc)
    try:
        future, past = contact(marker(), started_at="2099-06-01T09:00:00+01:00"), contact(marker(), started_at="2025-01-15T09:00:00+01:00")
        reposted = contact(marker(), started_at=today.isoformat(timespec="seconds"))
        with server.client("crm") as crm:
            for body in (future, past, reposted):
                assert crm.post("/v1/interactions", json=body).status_code == 201
        connection = sqlite3.connect(server.data_dir / "qualicall.db")
        with connection:
            connection.execute("UPDATE interactions SET created_at = ? WHERE id = ?", ((today - timedelta(days=400)).strftime("%Y-%m-%d %H:%M:%S"), reposted["id"]))
        connection.close()
        env = {"QUALICALL_DATA_DIR": str(server.data_dir)}
        month_ago = run_cli("db", "purge", "--before", (today - timedelta(days=30)).date().isoformat(), env=env)
        with server.client("crm") as crm:
            after_month = [crm.get(f"/v1/interactions/{body['id']}").status_code for body in (future, past, reposted)]
        tomorrow = run_cli("db", "purge", "--before", (today + timedelta(days=1)).date().isoformat(), env=env)
        with server.client("crm") as crm:
            after_tomorrow = [crm.get(f"/v1/interactions/{body['id']}").status_code for body in (future, past, reposted)]
    finally:
        server.stop()
    assert month_ago.returncode == 0 and month_ago.stdout.startswith("erased 1 interaction(s)"), (month_ago.stdout, month_ago.stderr)
    assert after_month == [200, 404, 200]
    assert tomorrow.returncode == 0 and tomorrow.stdout.startswith("erased 2 interaction(s)"), (tomorrow.stdout, tomorrow.stderr)
    assert after_tomorrow == [404, 404, 404]


def test_erase_and_purge_commands_say_what_is_wrong_in_one_line(keeping):
    env = {"QUALICALL_DATA_DIR": str(keeping.data_dir)}
    body = contact(marker())
    with keeping.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    erased = run_cli("db", "erase", body["id"], "nobody-here", env=env)
    unknown = run_cli("db", "erase", "nobody-here", env=env)
    both = run_cli("db", "purge", "--before", "2025-01-01", "--older-than", "30", env=env)
    neither = run_cli("db", "purge", env=env)
    bad_date = run_cli("db", "purge", "--before", "01/02/2025", env=env)
    too_long = run_cli("db", "purge", "--older-than", "1000000", "--dry-run", env=env)
    assert erased.returncode == 0 and erased.stdout.strip() == "erased 1 interaction(s) of 2, 1 result version(s), 0 audio job(s)"
    assert too_long.returncode == 2 and "Traceback" not in too_long.stderr and "36500" in too_long.stderr, too_long.stderr
    for answer, message in ((unknown, "no stored interaction 'nobody-here'"), (both, "give either --older-than DAYS or --before YYYY-MM-DD"),
                            (neither, "give either --older-than DAYS or --before YYYY-MM-DD"),
                            (bad_date, "--before '01/02/2025': expected a date, YYYY-MM-DD")):
        assert answer.returncode == 2 and answer.stderr.strip() == f"qualicall: error: {message}", answer.stderr


def test_a_contact_being_transcribed_is_not_erased_and_old_request_records_go(tmp_path):
    """In the store, on a SQLite file: a running audio job refuses the erasure (it would store the contact again);
    a purge drops finished jobs, sent webhook bodies and remembered responses made before its cut."""
    from qualicall.store import erasure
    from qualicall.store.db import Store
    from qualicall.store.models import IdempotencyRecord, InteractionRow, JobRow, WebhookDelivery

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    long_ago = datetime(2024, 1, 1, tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    with store.session() as session:
        session.add(InteractionRow(id="c-1", channel="voice", contact_time=long_ago, data={"id": "c-1"}))
        session.add(JobRow(id="j-run", status="running", interaction_id="c-1", upload_path="/nowhere.wav", filename="x.wav", metadata_json={}, options={}))
        for job, status, made in (("j-old", "succeeded", long_ago), ("j-new", "succeeded", now), ("j-queued", "queued", long_ago)):
            session.add(JobRow(id=job, status=status, interaction_id=f"other-{job}", upload_path="", filename="x.wav", metadata_json={}, options={}, created_at=made))
        session.flush()
        session.add(WebhookDelivery(id="d-old", job_id="j-old", url="http://127.0.0.1/", body="{}", status="delivered", created_at=long_ago))
        session.add(WebhookDelivery(id="d-pending", job_id="j-new", url="http://127.0.0.1/", body="{}", status="pending", created_at=long_ago))
    with pytest.raises(erasure.ErasureRefused, match="an audio job is transcribing it"), store.session() as session:
        erasure.erase(session, ["c-1"])
    with store.session() as session:
        assert session.get(InteractionRow, "c-1") is not None
        assert list(session.scalars(erasure.expired(now))) == []  # the purge passes it over while it is transcribed
        dry = erasure.drop_leftovers(session, now - timedelta(days=30), dry_run=True)
        dropped = erasure.drop_leftovers(session, now - timedelta(days=30))
        left = sorted(session.scalars(sqlalchemy.select(JobRow.id))), sorted(session.scalars(sqlalchemy.select(WebhookDelivery.id)))
        assert session.scalar(sqlalchemy.select(sqlalchemy.func.count()).select_from(IdempotencyRecord)) == 0
    store.close()
    assert dry == dropped == erasure.Leftovers(jobs=1, deliveries=1, replays=0)
    assert left == (["j-new", "j-queued", "j-run"], ["d-pending"])


def test_erasure_drops_the_trend_pages_sums_of_its_agent_and_team(tmp_path):
    """SQLite gives a later result the id of an erased one: a trend day kept as (contacts, sum of result ids) would then
    be read as unchanged and show the erased contact's scores (a review's finding). The erased contact's agent's and
    team's days go with it; another agent's stay."""
    from qualicall.store import erasure
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow, TrendDay

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    moment = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    with store.session() as session:
        session.add(InteractionRow(id="x", channel="voice", agent_id="A-1", team="T-1", contact_time=moment, data={"id": "x"}))
        for scope, name in (("agent", "A-1"), ("team", "T-1"), ("agent", "A-2"), ("team", "T-2")):
            session.add(TrendDay(scope=scope, name=name, day="2026-11-30", contacts=1, results=609, figures=[], items=[]))
    with store.session() as session:
        erasure.erase(session, ["x"])
    with store.session() as session:
        left = sorted(session.execute(sqlalchemy.select(TrendDay.scope, TrendDay.name)).all())
    store.close()
    assert left == [("agent", "A-2"), ("team", "T-2")]


def test_a_purge_removes_uploads_no_contact_keeps_and_its_dry_run_counts_what_it_does(tmp_path):
    """Without redaction an upload is its contact's recording until a second upload replaces it: the first job's file
    then belongs to no row but that job's, and went nowhere when the purge dropped the job (a review's finding). And
    a dry run counted a contact's own job twice (as the contact's and as a finished job)."""
    from qualicall.service.erasure import purge
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import IdempotencyRecord, InteractionRow, JobRow, WebhookDelivery
    from qualicall.security import Sealer
    from qualicall.store.repository import create_api_key

    settings = Settings(data_dir=tmp_path, database_url=None)
    settings.uploads_dir.mkdir(parents=True)
    replaced, current, other = (settings.uploads_dir / name for name in ("jA.wav", "jB.wav", "jC.wav"))
    for path in (replaced, current, other):
        path.write_bytes(b"RIFF")
    store = Store(settings.url)
    long_ago, recent = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime.now(timezone.utc)
    with store.session() as session:
        key, _ = create_api_key(session, "crm", "crm", Sealer.from_file(settings.sealing_key))
        session.add(InteractionRow(id="kept", channel="voice", contact_time=recent, recording=str(current), data={"id": "kept"}))
        session.add(InteractionRow(id="old", channel="voice", contact_time=long_ago, recording=str(other), data={"id": "old"}))
        for job, contact, upload in (("jA", "kept", replaced), ("jB", "kept", current), ("jC", "old", other)):
            session.add(JobRow(id=job, status="succeeded", interaction_id=contact, upload_path=str(upload), filename=upload.name,
                               metadata_json={}, options={}, created_at=long_ago))
        session.flush()
        session.add(WebhookDelivery(id="d-C", job_id="jC", url="http://127.0.0.1/", body="{}", status="delivered", created_at=long_ago))
        session.add(WebhookDelivery(id="d-A", job_id="jA", url="http://127.0.0.1/", body="{}", status="delivered", created_at=long_ago))
        session.add(IdempotencyRecord(api_key_id=key.id, key="k", request_hash="h", status_code=202, response={"interaction_id": "old"},
                                      created_at=long_ago))
    cut = datetime(2025, 1, 1, tzinfo=timezone.utc)
    dry = purge(store, settings, cut, dry_run=True)
    done = purge(store, settings, cut)
    with store.session() as session:
        jobs = sorted(session.scalars(sqlalchemy.select(JobRow.id)))
    store.close()
    counts = lambda d: (d.erased.interactions, d.erased.jobs, d.leftovers.jobs, d.leftovers.deliveries, d.leftovers.replays)  # noqa: E731
    assert counts(dry) == counts(done) == (1, 1, 2, 1, 0)  # « old » and its job; jA and jB finished, jA's delivery
    assert jobs == [] and not replaced.exists() and not other.exists() and current.exists()


def test_the_server_applies_the_retention_period_itself(tmp_path):
    """QUALICALL_RETENTION_DAYS: a server started on a store holding a contact older than the period erases it (at start,
    then daily), and keeps the recent one."""
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow

    store = Store(Settings(data_dir=tmp_path, database_url=None).url)
    with store.session() as session:
        for contact, when in (("long-ago", datetime(2024, 1, 1, tzinfo=timezone.utc)), ("last-week", datetime.now(timezone.utc) - timedelta(days=7))):
            session.add(InteractionRow(id=contact, channel="chat", contact_time=when, data={"id": contact, "channel": "chat"}))
    store.close()
    server = Server(tmp_path, env_extra={"QUALICALL_RETENTION_DAYS": "365", "QUALICALL_WARM_UP": "false"}, log_level="info")
    server.make_keys()
    server.start()
    try:
        with server.client("crm") as crm:
            deadline = time.monotonic() + 60
            while crm.get("/v1/interactions/long-ago").status_code == 200 and time.monotonic() < deadline:
                time.sleep(0.3)
            answers = [crm.get(f"/v1/interactions/{contact}").status_code for contact in ("long-ago", "last-week")]
        with server.client("admin") as admin:  # (and an erasure on request says who asked, in the server's log)
            assert admin.delete("/v1/interactions/last-week").status_code == 204
    finally:
        server.stop()
    assert answers == [404, 200]
    assert "interaction 'last-week' erased by API key" in server.log_tail()


def test_a_backup_is_a_whole_private_copy_taken_while_the_server_runs(keeping, tmp_path):
    env = {"QUALICALL_DATA_DIR": str(keeping.data_dir)}
    with keeping.client("crm") as crm:
        assert crm.post("/v1/interactions", json=contact(marker())).status_code == 201
        stored = len(crm.get("/v1/interactions", params={"limit": 200}).json()["items"])
    copy = tmp_path / "backup.db"
    done = run_cli("db", "backup", str(copy), env=env)
    again = run_cli("db", "backup", str(copy), env=env)
    assert done.returncode == 0 and done.stdout.startswith(f"backed up {stored} interaction(s) to {copy}"), done.stderr
    assert copy.stat().st_mode & 0o777 == 0o600
    engine = sqlalchemy.create_engine(f"sqlite:///{copy}")
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(sqlalchemy.text("SELECT count(*) FROM interactions")).scalar() == stored
    engine.dispose()
    assert again.returncode == 2 and again.stderr.strip() == f"qualicall: error: {copy}: already exists (a backup is written to a new file)"


def test_a_backup_of_postgresql_says_pg_dump(postgres, tmp_path):
    done = run_cli("db", "backup", str(tmp_path / "b.db"), env={"QUALICALL_DATABASE_URL": postgres.database("qualicall_backup")})
    assert done.returncode == 2 and "pg_dump" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b.db").exists()


def test_the_api_s_owed_index_merge_is_done_at_shutdown_and_after_a_kill(tmp_path):
    """The index merge and the log's emptying run after a burst of DELETEs: a server stopped at once did neither, and
    a restarted one never did (a review found an erased call's words in the files after a restart)."""
    server = Server(tmp_path, env_extra={"QUALICALL_WARM_UP": "false"})
    server.make_keys()
    server.start()
    killed, stopped = contact(marker()), contact(marker())
    try:
        with server.client("crm") as crm:
            for body in (killed, stopped):
                assert crm.post("/v1/interactions", json=body).status_code == 201
            assert crm.delete(f"/v1/interactions/{killed['id']}").status_code == 204
        server.kill()  # kill -9 right after the erasure: no shutdown handler
        assert killed["turns"][1]["text"].split()[3] in database_text(server)  # (owed: the words still in the files)
        server.start()
        assert without(killed["turns"][1]["text"].split()[3], server)  # done by the next start
        with server.client("crm") as crm:
            assert crm.delete(f"/v1/interactions/{stopped['id']}").status_code == 204
    finally:
        server.stop()  # at once: the shutdown does what is owed
    assert stopped["turns"][1]["text"].split()[3] not in database_text(server)
    assert not (tmp_path / "erasure.pending").exists()


def test_an_erasure_is_refused_whole_and_leaves_no_copy_behind(tmp_path):
    """Many ids, one of them being transcribed: refused before anything is erased (500 were, before, and the answer
    said nothing of them). The same ids erased again remove a redacted copy an interrupted erasure left with no row."""
    from qualicall.service.erasure import erase_contacts
    from qualicall.service.recordings import redacted_copy_stem
    from qualicall.settings import Settings
    from qualicall.store import erasure
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow, JobRow

    settings = Settings(data_dir=tmp_path, database_url=None)
    store = Store(settings.url)
    moment = datetime(2026, 11, 30, tzinfo=timezone.utc)
    ids = [f"many-{n:03d}" for n in range(510)]
    with store.session() as session:
        session.add_all(InteractionRow(id=i, channel="chat", contact_time=moment, data={"id": i}) for i in ids)
        session.add(JobRow(id="j", status="running", interaction_id=ids[505], upload_path="", filename="x.wav", metadata_json={}, options={}))
    with pytest.raises(erasure.ErasureRefused, match="many-505"):
        erase_contacts(store, settings, ids)
    with store.session() as session:
        left = session.scalar(sqlalchemy.select(sqlalchemy.func.count()).select_from(InteractionRow))
    settings.redacted_recordings_dir.mkdir(parents=True)
    orphan = settings.redacted_recordings_dir / f"{redacted_copy_stem('ghost')}.wav"
    orphan.write_bytes(b"RIFF")
    done = erase_contacts(store, settings, ["ghost"])
    store.close()
    assert left == 510
    assert done.erased.nothing and not orphan.exists()


def test_a_failed_statement_quotes_none_of_its_values(tmp_path):
    """A database error (and the server log's traceback of it) quoted the statement's parameters: a transcript's words."""
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    row = {"channel": "chat", "contact_time": datetime(2026, 11, 30, tzinfo=timezone.utc), "data": {"text": "Madame Berthelot 0612345678"}}
    with store.session() as session:
        session.add(InteractionRow(id="same", **row))
    with pytest.raises(sqlalchemy.exc.IntegrityError) as failed, store.session() as session:
        session.add(InteractionRow(id="same", **row))
    store.close()
    assert "UNIQUE constraint failed" in str(failed.value) and "Berthelot" not in str(failed.value)


def test_the_owed_merge_is_tried_again_and_a_shutdown_waits_little(tmp_path):
    """A review: a merge a writer's lock made fail was never tried again while the server ran; a reader holding the log
    made the shutdown last up to a minute; the marker went while an erasure asked again during a merge."""
    import sqlite3

    from qualicall.service.erasure import DeferredForget
    from qualicall.store.db import Store

    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    marker = tmp_path / "erasure.pending"
    writer = sqlite3.connect(tmp_path / "q.db", timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # a writer in the way: the merge cannot run
    forgetting = DeferredForget(store.engine, marker, settle_s=0.1, retry_s=1.0)
    store.engine.dispose()
    with store.engine.connect() as connection:  # (a quick failure: the first try gives up after 0.5 s)
        connection.exec_driver_sql("PRAGMA busy_timeout=500")
    forgetting.ask()
    time.sleep(0.3)
    writer.rollback()  # the writer gone: the next try succeeds
    deadline = time.monotonic() + 60
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not marker.exists()
    # A reader holding the log at shutdown: flush gives up after its wait, the work stays owed.
    reader = sqlite3.connect(tmp_path / "q.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM interactions").fetchone()
    from qualicall.store.models import InteractionRow

    with store.session() as session:  # (a write after the reader's snapshot: the log cannot be emptied under it)
        session.add(InteractionRow(id="after", channel="chat", contact_time=datetime.now(timezone.utc), data={"id": "after"}))
    stopping = DeferredForget(store.engine, marker, settle_s=60, flush_wait_s=1.0)
    stopping.ask()
    started = time.monotonic()
    stopping.flush()
    waited = time.monotonic() - started
    reader.rollback()
    assert waited < 5 and marker.exists()
    # An erasure that asked again while a merge ran (the marker newer than its start): the marker stays.
    future = time.time() + 3600
    os.utime(marker, (future, future))
    assert stopping._forget_now(1.0) and marker.exists()
    writer.close()
    reader.close()
    store.close()


def test_a_backup_holds_no_word_of_an_erasure_whose_merge_is_still_owed(tmp_path):
    """Seconds after a DELETE (or while a reader keeps the merge from running) the index's old segments still hold the
    erased call's words: a backup copied them (a review found them with grep in the copy)."""
    from qualicall.core.interaction import Interaction
    from qualicall.core.result import Result
    from qualicall.service.erasure import erase_contacts
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.repository import save_scored

    from conftest import default_scorer

    settings = Settings(data_dir=tmp_path / "data", database_url=None)
    store = Store(settings.url)
    word, kept = marker(), marker()
    erased, other = contact(word), contact(kept)
    for body in (erased, other):
        interaction = Interaction.model_validate(body)
        with store.session() as session:
            save_scored(session, interaction, Result.model_validate(default_scorer().score(interaction).to_json()))
    erase_contacts(store, settings, [erased["id"]], forget=False)  # as the API does: the merge owed, not done
    store.close()
    copy = tmp_path / "copy.db"
    done = run_cli("db", "backup", str(copy), env={"QUALICALL_DATA_DIR": str(settings.data_dir)})
    assert done.returncode == 0, done.stderr
    held = copy.read_bytes().decode("latin-1")
    assert word not in held and kept in held


def test_a_data_folder_moved_elsewhere_still_serves_and_erases_its_own_files(tmp_path):
    """An upgrade operator's review: the store keeps absolute paths of uploads and redacted copies, so a data folder
    restored into another place (everything copied, as the README says) answered 404 for its recordings and failed its
    queued jobs « no such file »; its erasure would have left the moved uploads. A path no longer there, of a folder of
    the service's own kind, is read as the same name in this data folder's; other paths are not remapped."""
    from qualicall.service.erasure import erase_contacts
    from qualicall.service.recordings import stored_recording_file
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import InteractionRow

    old = tmp_path / "old-place"  # where the rows were written; gone
    settings = Settings(data_dir=tmp_path / "new-place", database_url=None)
    settings.uploads_dir.mkdir(parents=True)
    settings.redacted_recordings_dir.mkdir(parents=True)
    (settings.uploads_dir / "j1.wav").write_bytes(b"RIFF")
    (settings.redacted_recordings_dir / "abc.wav").write_bytes(b"RIFF")
    assert settings.local_file(str(old / "uploads" / "j1.wav")) == settings.uploads_dir / "j1.wav"
    assert settings.local_file("uploads/j1.wav") == settings.uploads_dir / "j1.wav"
    assert settings.local_file(str(old / "elsewhere" / "j1.wav")) == old / "elsewhere" / "j1.wav"  # not one of its folders
    assert stored_recording_file(str(old / "redacted-recordings" / "abc.wav"), settings) == (settings.redacted_recordings_dir / "abc.wav").resolve()
    assert stored_recording_file(str(old / "elsewhere" / "abc.wav"), settings) is None
    store = Store(settings.url)
    with store.session() as session:
        session.add(InteractionRow(id="moved", channel="voice", contact_time=datetime(2026, 11, 2, tzinfo=timezone.utc),
                                   recording=str(old / "uploads" / "j1.wav"), data={"id": "moved"}))
    erase_contacts(store, settings, ["moved"])
    store.close()
    assert not (settings.uploads_dir / "j1.wav").exists() and (settings.redacted_recordings_dir / "abc.wav").exists()
