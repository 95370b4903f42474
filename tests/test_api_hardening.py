"""What the first hardening left (issue 17), against a real `qualicall serve` on loopback (SQLite file): a write
committed before its answer, reports over any stored number, audio metadata through the same door as JSON and
sealed while its job waits, recordings played only from the service's folders, security headers on a 500."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat

import httpx
import pytest
from api_server import Server, sign_in, silent_wav, upload

pytestmark = [
    pytest.mark.skipif(shutil.which("ffprobe") is None, reason="uploads are checked with ffprobe (Debian's ffmpeg)"),
    pytest.mark.slow,  # a server of its own
]

TURNS = [{"speaker": "agent", "text": "Bonjour, service client, Julie à votre écoute.", "start": 0.0, "end": 3.0},
         {"speaker": "customer", "text": "Bonjour, je voudrais changer mon adresse.", "start": 3.5, "end": 6.0}]
RECORDING = b"RIFF-not-really-audio: the bytes the coach page must play back as they are"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Audio jobs accepted but never run (QUALICALL_AUDIO_WORKERS=0): what a queued job keeps stays to be read.
    A recordings root with one file, next to a data folder that holds other files."""
    folder = tmp_path_factory.mktemp("hardening")
    (folder / "recordings" / "calls").mkdir(parents=True)
    (folder / "recordings" / "calls" / "ok.wav").write_bytes(RECORDING)
    server = Server(folder / "data", env_extra={"QUALICALL_AUDIO_WORKERS": "0", "QUALICALL_WARM_UP": "0", "QUALICALL_MAX_TURN_CHARS": "5000",
                                                "QUALICALL_RECORDINGS_ROOT": str(folder / "recordings")})
    server.data_dir.mkdir()
    server.make_keys()
    yield server.start()
    server.stop()


def database(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "qualicall.db", timeout=30)


def execute(server: Server, sql: str, *params: object) -> list[tuple]:
    connection = database(server)
    try:
        with connection:
            return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def post(server: Server, interaction_id: str, **fields: object) -> httpx.Response:
    with server.client("crm") as crm:
        return crm.post("/v1/interactions", json={"id": interaction_id, "language": "fr", "turns": TURNS, **fields})


# --- the session commits before the answer ----------------------------------

def test_a_review_answered_201_is_read_by_the_get_right_after_it(server):
    """The session dependency committed after the answer was sent: a GET at once could miss the review
    (about once in three full runs of test_api_door before). 40 rounds, each read at once."""
    assert post(server, "reviewed-at-once").status_code == 201
    with server.client("coach") as coach:
        for round_number in range(1, 41):
            made = coach.post("/v1/interactions/reviewed-at-once/reviews", json={"comment": f"round {round_number}"})
            assert made.status_code == 201, made.text
            reviews = coach.get("/v1/interactions/reviewed-at-once").json()["reviews"]
            assert [r["comment"] for r in reviews][-1:] == [f"round {round_number}"] and len(reviews) == round_number


# --- reports over any stored number -----------------------------------------

def test_a_report_sums_numbers_up_to_2_53_exactly_and_the_door_refuses_beyond(server):
    biggest = 2**53 - 1
    for index in range(2):
        assert post(server, f"big-{index}", indicators={"dossier_amount": biggest}).status_code == 201
    for value, shown in ((1e300, "1e+300"), (9.1e15, "9100000000000000.0"), (-1e16, "-1e+16")):
        refused = post(server, "too-big", indicators={"dossier_amount": value})
        assert refused.status_code == 422 and shown in refused.text and "2^53" in refused.text, refused.text
    with server.client("coach") as coach:
        assert coach.get("/v1/interactions/too-big").status_code == 404
        report = coach.get("/v1/reports")
    assert report.status_code == 200, report.text
    # Two values of 2^53 − 1, in thousandths, overflowed 64 bits: the mean came out negative.
    assert report.json()["total"]["means"]["dossier_amount"] == {"mean": float(biggest), "sum": 2.0 * biggest, "count": 2,
                                                                  "score_mean": None, "score_sum": 0.0, "scored": 0}


def test_a_report_leaves_out_a_number_stored_before_the_door_checked_it(server):
    """A result stored before the door refused it (1e300): GET /v1/reports answered 500 (a cast overflow)."""
    assert post(server, "stored-before").status_code == 201
    execute(server, "UPDATE results SET data = json_set(data, '$.indicators.legacy_amount', json('{\"value\": 1e300, \"score\": 50}'))"
                    " WHERE id = (SELECT latest_result_id FROM interactions WHERE id = 'stored-before')")
    with server.client("coach") as coach:
        report = coach.get("/v1/reports", params={"by": "agent"})
    assert report.status_code == 200, report.text
    assert report.json()["total"]["means"].get("legacy_amount", {}).get("count", 0) == 0


def test_report_filters_follow_the_list_filters_grammar(server):
    """Found by benchmarks/fuzz.py: `from=0001-01-01T00:00:00+14:00` overflowed when turned to UTC (500)."""
    with server.client("coach") as coach:
        for params in ({"from": "0001-01-01T00:00:00+14:00"}, {"to": "9999-12-31T23:59:59-14:00"}, {"agent_id": "a\x00b"}, {"team": "a/b"}):
            refused = coach.get("/v1/reports", params=params)
            assert refused.status_code == 422, (params, refused.text)
            (problem,) = refused.json()["detail"]
            assert problem["loc"][0] == "query" and problem["msg"], problem
        assert coach.get("/v1/reports", params={"from": "2026-11-01T00:00:00+01:00", "agent_id": "A-007"}).status_code == 200


# --- audio metadata: the door, then sealed -----------------------------------

HOSTILE_METADATA = {
    "deep": ('{"id": "deep", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "not-a-number": ('{"id": "nan", "indicators": {"csat": NaN}}', "not a finite number"),
    "big-integer": ('{"id": "big", "notes": ' + "9" * 5000 + "}", "digits"),
    "surrogate": ('{"id": "surrogate", "notes": "\\ud800"}', "lone surrogate"),
    "broken": ('{"id": "broken", ', "invalid JSON"),
    # a recording is transcribed as a call: a chat scored from one was judged as a call, silently
    "chat": ('{"id": "chat-audio", "channel": "chat"}', "'chat' with a recording and no turns"),
}


@pytest.mark.parametrize("case", HOSTILE_METADATA)
def test_upload_metadata_is_read_as_a_json_body_is(server, tmp_path, case):
    text, reason = HOSTILE_METADATA[case]
    jobs_before, uploads_before = execute(server, "SELECT count(*) FROM jobs"), len(list((server.data_dir / "uploads").glob("*")))
    with server.client("crm") as crm, silent_wav(tmp_path / "call.wav").open("rb") as audio:
        refused = crm.post("/v1/interactions", files={"audio": ("call.wav", audio, "audio/wav")}, data={"metadata": text})
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"] == ["body", "metadata"] and reason in problem["msg"], problem
    assert execute(server, "SELECT count(*) FROM jobs") == jobs_before
    assert len(list((server.data_dir / "uploads").glob("*"))) == uploads_before


def test_upload_metadata_over_the_size_limits_is_refused(server, tmp_path):
    with server.client("crm") as crm:
        refused = upload(crm, silent_wav(tmp_path / "call.wav"), {"id": "long-notes", "notes": "x" * 6000})
    assert refused.status_code == 413 and "max_turn_chars" in refused.text, refused.text


def test_a_queued_jobs_metadata_is_sealed_and_its_file_name_not_kept(server, tmp_path):
    metadata = {"id": "sealed-job", "customer_name": "Jeanne Dupont", "notes": "carte 4970 1012 3456 7890, jeanne.dupont@example.com"}
    with server.client("crm") as crm:
        accepted = upload(crm, silent_wav(tmp_path / "jeanne-dupont-0612345678.wav"), metadata)
    assert accepted.status_code == 202, accepted.text
    # The client's file name is not kept: the job names the upload as the service stored it.
    assert accepted.json()["filename"] == accepted.json()["id"] + ".wav"
    (stored,) = execute(server, "SELECT metadata FROM jobs WHERE id = ?", accepted.json()["id"])
    files = [server.data_dir / name for name in ("qualicall.db", "qualicall.db-wal") if (server.data_dir / name).exists()]
    for secret in ("Dupont", "4970", "jeanne.dupont", "0612345678"):
        assert secret not in stored[0] and all(secret.encode() not in path.read_bytes() for path in files), secret
    from qualicall.security import Sealer

    key = server.data_dir / "sealing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert json.loads(Sealer.from_file(key).open(json.loads(stored[0])["sealed"])) == metadata


# --- the call page plays recordings from the service's folders only ---------

def test_the_call_page_plays_only_files_of_the_uploads_or_the_recordings_root(server):
    assert post(server, "played", recording="calls/ok.wav").status_code == 201
    uploads = server.data_dir / "uploads"
    uploads.mkdir(mode=0o700, exist_ok=True)
    (uploads / "link.wav").symlink_to("/etc/passwd")
    # Rows stored before references were confined to the recordings root: any path the service can read.
    legacy = {"abs-passwd": "/etc/passwd", "relative-db": "qualicall.db", "up-and-out": "../../../../../etc/passwd",
              "db-by-path": str(server.data_dir / "qualicall.db"), "uploads-link": str(uploads / "link.wav"),
              "uploads-dotdot": str(uploads / ".." / "qualicall.db")}
    for interaction_id, recording in legacy.items():
        assert post(server, interaction_id).status_code == 201
        execute(server, "UPDATE interactions SET recording = ? WHERE id = ?", recording, interaction_id)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert sign_in(http, api_key=server.keys["coach"]).status_code == 303
        played = http.get("/calls/played/audio")
        assert played.status_code == 200 and played.content == RECORDING
        for interaction_id in legacy:
            answer = http.get(f"/calls/{interaction_id}/audio")
            assert answer.status_code == 404, (interaction_id, answer.content[:80])
            assert 'id="player"' not in http.get(f"/calls/{interaction_id}").text, interaction_id


# --- headers on every answer, a 500 too -------------------------------------

def test_an_unexpected_error_answers_500_with_the_security_headers(server):
    """A result the store holds but cannot read back (altered by hand) is the one 500 left to provoke."""
    assert post(server, "altered").status_code == 201
    execute(server, "UPDATE results SET data = json('{\"altered\": true}') WHERE interaction_id = 'altered'")
    with server.client("coach") as coach:
        for _ in range(5):
            answer = coach.get("/v1/interactions/altered")
            assert answer.status_code == 500 and "internal error" in answer.json()["detail"], answer.text
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
            assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-content-type-options"] == "nosniff"
            # The connection is kept: the next request on it is answered (the server closed it after a 500).
            assert coach.get("/healthz").status_code == 200


def test_a_job_sealed_with_another_key_fails_with_the_reason(tmp_path):
    """A queued job whose metadata the key in the data folder cannot open (the key replaced): the job fails
    saying so, its upload is deleted, and the next job still runs (the job thread is not taken down)."""
    from api_server import wait_for

    server = Server(tmp_path / "data", env_extra={"QUALICALL_AUDIO_WORKERS": "0", "QUALICALL_WARM_UP": "0"})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    try:
        with server.client("crm") as crm:
            accepted = upload(crm, silent_wav(tmp_path / "call.wav", 800), {"id": "resealed", "notes": "Jeanne Dupont"})
        assert accepted.status_code == 202, accepted.text
    finally:
        server.stop()
    (server.data_dir / "sealing.key").write_bytes(bytes(32))
    server.env_extra["QUALICALL_AUDIO_WORKERS"] = "1"
    server.start()
    try:
        with server.client("crm") as crm:
            job = wait_for(crm, accepted.json()["id"], ("succeeded", "failed"))
            assert job["status"] == "failed" and "sealing.key" in job["error"] and str(server.data_dir) not in job["error"], job
            assert not list((server.data_dir / "uploads").glob(f"{job['id']}*"))
            # The job thread carries on: the next upload (too short to transcribe) fails for its own reason.
            after = upload(crm, silent_wav(tmp_path / "blip.wav", 0), {"id": "after-resealed"})
            assert wait_for(crm, after.json()["id"], ("succeeded", "failed"))["status"] == "failed"
    finally:
        server.stop()


def test_a_review_whose_commit_fails_is_not_answered_201(postgres_api):
    """The commit made to fail (a deferred constraint trigger, checked by PostgreSQL at COMMIT only): the client
    must not read 201. With the session committed after the answer, it read 201 and nothing was stored; with the
    error left to Starlette's last handler, the connection was reset after the 500."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(postgres_api.database_url)
    with postgres_api.client("crm") as crm:
        assert crm.post("/v1/interactions", json={"id": "commit-fails", "language": "fr", "turns": TURNS}).status_code == 201
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(
            "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'refused at commit'; END $$"))
        connection.execute(sqlalchemy.text(
            "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON reviews DEFERRABLE INITIALLY DEFERRED"
            " FOR EACH ROW WHEN (NEW.comment = 'refused at commit') EXECUTE FUNCTION refuse_at_commit()"))
    try:
        with postgres_api.client("coach") as coach:
            refused = coach.post("/v1/interactions/commit-fails/reviews", json={"comment": "refused at commit"})
            assert refused.status_code == 503 and "nothing was changed" in refused.json()["detail"], refused.text
            assert coach.get("/v1/interactions/commit-fails").json()["reviews"] == []
            assert coach.post("/v1/interactions/commit-fails/reviews", json={"comment": "kept"}).status_code == 201
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("DROP TRIGGER refuse_at_commit ON reviews"))
            connection.execute(sqlalchemy.text("DROP FUNCTION refuse_at_commit()"))
        engine.dispose()


def test_a_database_gone_is_a_503_everywhere_and_health_names_no_host(postgres, tmp_path):
    """An operator's review: the database stopped under a running server, posts, lists and the coach pages answered 500
    (« internal error (OperationalError) ») where the README promises 503; /healthz, which answers anyone, gave the
    driver's message with the database's host, port and user."""
    import sqlalchemy

    url = postgres.database("qualicall_gone")
    server = Server(tmp_path / "data", database_url=url, env_extra={"QUALICALL_WARM_UP": "0"})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    try:
        with server.client("crm") as crm:
            assert crm.get("/healthz").json()["queued_jobs"] == 0
            admin = sqlalchemy.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'qualicall_gone'"))
                connection.execute(sqlalchemy.text('ALTER DATABASE "qualicall_gone" RENAME TO "qualicall_elsewhere"'))
            admin.dispose()
            posted = crm.post("/v1/interactions", json={"id": "gone-1", "language": "fr", "turns": [{"speaker": "agent", "text": "Bonjour"}]})
            listed = crm.get("/v1/interactions")
            health = crm.get("/healthz")
    finally:
        server.stop()
    assert posted.status_code == 503 and "the database did not take the request" in posted.json()["detail"], posted.text
    assert listed.status_code == 503, listed.text
    assert health.status_code == 503 and health.json()["database"] == "unavailable"
    assert "127.0.0.1" not in health.text and "postgres" not in health.text and str(postgres.port) not in health.text


def test_the_servers_rubric_broken_on_disk_is_the_servers_503_not_the_clients_422(tmp_path):
    """An operator's review: with the rubric file broken under a running server, GET /v1/reports answered « 422 invalid
    rubric … », blaming the client for the server's configuration."""
    from qualicall.scorer.rubric import rubric_path

    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    grid = rubric_path("default-fr").read_text(encoding="utf-8").replace("id: default-fr", "id: my-grid", 1)
    (rubrics / "my-grid.yaml").write_text(grid, encoding="utf-8")
    server = Server(tmp_path / "data", env_extra={"QUALICALL_WARM_UP": "0", "QUALICALL_RUBRICS_DIR": str(rubrics), "QUALICALL_RUBRIC": "my-grid"})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    try:
        with server.client("coach") as coach:
            assert coach.get("/v1/reports").status_code == 200
            (rubrics / "my-grid.yaml").write_text(grid + "\n  - [broken\n", encoding="utf-8")
            broken = coach.get("/v1/reports")
    finally:
        server.stop()
    assert broken.status_code == 503 and "QUALICALL_RUBRIC" in broken.json()["detail"], broken.text


def test_a_json_post_waits_for_an_audio_job_of_the_same_id(server, tmp_path):
    """A transcript posted while an audio job of the same id is queued: 409 naming the job (the job's result, stored
    when it ended, silently replaced the post — an integrator's review); nothing stored. Another id is scored."""
    with server.client("crm") as crm:
        accepted = upload(crm, silent_wav(tmp_path / "call.wav", 800), {"id": "race-audio"})
        assert accepted.status_code == 202, accepted.text
    refused = post(server, "race-audio", agent_id="A-JSON")
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == (f"interaction 'race-audio': audio job {accepted.json()['id']} is transcribing it; "
                                        "post again once that job has ended")
    assert execute(server, "SELECT count(*) FROM results WHERE interaction_id = ?", "race-audio") == [(0,)]
    assert post(server, "race-other").status_code == 201


def test_a_contact_posted_again_as_get_returned_it_keeps_its_recording(server):
    """GET gives the recording as the address it is served at; posting that back (a late CSAT) was refused, and posted
    without it the call lost its player, the file left behind (an integrator's review). The address keeps the
    recording; for an id with none kept it is a 422 naming `recording`."""
    assert post(server, "kept-recording", recording="calls/ok.wav").status_code == 201
    with server.client("crm") as crm:
        interaction = crm.get("/v1/interactions/kept-recording").json()["interaction"]
        assert interaction["recording"] == "/v1/interactions/kept-recording/recording"
        again = crm.post("/v1/interactions", json=interaction | {"indicators": {"csat": 5}})
        assert again.status_code == 201, again.text
        assert again.headers["x-result-version"] == "2" and again.json()["indicators"]["csat"]["value"] == 5
        played = crm.get("/v1/interactions/kept-recording/recording")
        assert played.status_code == 200 and played.content == RECORDING
        assert crm.get("/v1/interactions/kept-recording").json()["interaction"]["recording"] == interaction["recording"]
        refused = crm.post("/v1/interactions", json={"id": "none-kept", "language": "fr", "turns": TURNS,
                                                     "recording": "/v1/interactions/none-kept/recording"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "recording"], refused.text
    assert "serves no recording" in refused.json()["detail"][0]["msg"]
    assert execute(server, "SELECT count(*) FROM interactions WHERE id = 'none-kept'") == [(0,)]


def test_a_recording_named_by_a_guid_is_known_by_its_first_bytes(server, tmp_path):
    """A CRM names recordings « 3f2a9c1e » or "call.bin": refused for their name alone (an integrator's review); the
    refusal repeated the client's file name, which may be personal data."""
    with server.client("crm") as crm:
        for name in ("3f2a9c1e", "call.bin"):
            wav = silent_wav(tmp_path / f"{name}.tmp", 800).rename(tmp_path / name)
            accepted = upload(crm, wav, {"id": f"guid-{name.replace('.', '-')}"})
            assert accepted.status_code == 202, accepted.text
            assert accepted.json()["filename"] == f"{accepted.json()['id']}.wav"
        text = tmp_path / "jean-dupont-0612345678"
        text.write_text("not audio at all")
        refused = upload(crm, text)
    assert refused.status_code == 415 and "first bytes" in refused.json()["detail"] and "dupont" not in refused.json()["detail"]


def test_who_read_a_contact_is_recorded(tmp_path):
    """Nothing recorded who opened a call, played or printed it, exported the queue or read one through the API (a data
    protection officer's review: GDPR art. 5(2)); the service's log says it at INFO (serve's default), by account and
    contact id."""
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "ok.wav").write_bytes(RECORDING)
    server = Server(tmp_path / "data", env_extra={"QUALICALL_WARM_UP": "0", "QUALICALL_RECORDINGS_ROOT": str(tmp_path / "recordings")},
                    log_level="info")
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    try:
        assert post(server, "audited", recording="ok.wav").status_code == 201
        with server.client("crm") as crm:
            assert crm.get("/v1/interactions/audited").status_code == 200
            assert crm.get("/v1/interactions/audited/recording").status_code == 200
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert sign_in(http, api_key=server.keys["coach"]).status_code == 303
            for path in ("/calls/audited", "/calls/audited/audio", "/calls/audited/print", "/queue.csv"):
                assert http.get(path).status_code == 200, path
    finally:
        server.stop()
    log = (server.data_dir / f"server-{server.port}.log").read_text(errors="replace")
    audit = [line for line in log.splitlines() if "qualicall.audit" in line]
    assert any("(" in line and ", crm) read interaction 'audited'" in line for line in audit), audit
    assert any(", crm) read the recording of 'audited'" in line for line in audit), audit
    for action in ("read call 'audited'", "played the recording of 'audited'", "printed call 'audited'", "exported the queue:"):
        assert any(line.split("qualicall.audit: ")[1].startswith("coach ") and action in line for line in audit), (action, audit)


@pytest.mark.parametrize("head, suffix", [
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", ".wav"), (b"fLaC\x00\x00\x00\x22", ".flac"), (b"OggS\x00\x02", ".ogg"), (b"ID3\x04\x00", ".mp3"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00", ".m4a"), (b"\xff\xfb\x90\x00", ".mp3"), (b"\xff\xe3\x18\xc4", ".mp3"), (b"\xff\xf1\x50\x80", ".aac"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", ".wma"), (b"#!AMR\n", ".amr"),
    # a second fresh-eyes review: a RIFF image or video, an ISO box image, were taken for audio
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ""), (b"RIFF\x00\x00\x00\x00AVI LIST", ""), (b"\x00\x00\x00\x18ftypheic\x00\x00", ""), (b"MZ\x90\x00", ""),
])
def test_an_uploads_format_by_its_first_bytes(head, suffix):
    from qualicall.api.routes.uploads import _sniffed_suffix

    assert _sniffed_suffix(head) == suffix
