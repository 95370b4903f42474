"""Validation at the door (issue 17, findings 8–11 and the size limits), against a real server on SQLite and PostgreSQL:
every hostile body is a 4xx with a reason, stores nothing and burns no Idempotency-Key; ranges, the id grammar,
the author of a review, and the coach pages' bad parameters."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import httpx
import pytest
import sqlalchemy
from api_server import sign_in
from test_web_security import csrf_of

TABLES = ("interactions", "results", "result_items", "reviews", "idempotency_keys")
TURN = {"speaker": "agent", "text": "Service clients, bonjour, que puis-je pour vous ?", "start": 0.0, "end": 3.0}


@pytest.fixture
def server(api_server):
    return api_server


def database_url(server) -> str:
    return server.database_url or f"sqlite:///{server.data_dir / 'qualicall.db'}"


def table_counts(server) -> dict[str, int]:
    """Rows in each table the JSON route writes to, read from the server's own database."""
    engine = sqlalchemy.create_engine(database_url(server))
    try:
        with engine.connect() as connection:
            return {table: connection.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}
    finally:
        engine.dispose()


def new_id() -> str:
    return f"door-{uuid.uuid4().hex[:10]}"


def interaction(**changes) -> dict:
    return {"id": new_id(), "language": "fr", "turns": [dict(TURN)], **changes}


def raw(text: str) -> bytes:
    """A body written by hand: what json.dumps cannot produce (lone surrogates, 1e999, huge integers)."""
    return text.replace("ID", new_id()).encode()


TURNS = '"turns": [{"speaker": "agent", "text": "Bonjour", "start": 0.0, "end": 2.0}]'
# Each: a body that was once a 500, scored silently, or stored unreadable. All must be a 4xx naming the problem.
HOSTILE: dict[str, bytes | dict] = {
    "deep nesting": raw('{"id": "ID", ' + TURNS + ', "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "nesting past the limit": raw('{"id": "ID", ' + TURNS + ', "extra": ' + "[" * 40 + "]" * 40 + "}"),
    "lone surrogate in a turn": raw('{"id": "ID", "turns": [{"speaker": "agent", "text": "Bonjour \\ud800"}]}'),
    "lone surrogate in a key": raw('{"id": "ID", ' + TURNS + ', "\\udc00": 1}'),
    "4000-digit wait": raw('{"id": "ID", ' + TURNS + ', "indicators": {"wait_time_s": ' + "9" * 4000 + "}}"),
    "4000-digit time": raw('{"id": "ID", "turns": [{"speaker": "agent", "text": "Bonjour", "start": ' + "9" * 4000 + "}]}"),
    "20-digit extra": raw('{"id": "ID", ' + TURNS + ', "crm_ref": 123456789012345678901}'),
    "1e999 silence ratio": raw('{"id": "ID", ' + TURNS + ', "measured": {"silence_ratio": -1e999}}'),
    "1e999 time": raw('{"id": "ID", "turns": [{"speaker": "agent", "text": "Bonjour", "start": 0, "end": 1e999}]}'),
    "1e308 times": raw('{"id": "ID", "turns": [{"speaker": "agent", "text": "Bonjour", "start": -1e308, "end": 1e308}]}'),
    "1e308 wait": raw('{"id": "ID", ' + TURNS + ', "indicators": {"wait_time_s": 1e308}}'),
    "NaN": raw('{"id": "ID", ' + TURNS + ', "indicators": {"csat": NaN}}'),
    "turn starting after a year": interaction(turns=[{**TURN, "start": 4e7, "end": 4e7 + 1}]),
    "negative word time": interaction(turns=[{**TURN, "words": [{"word": "Service", "start": -1.0, "end": 0.5}]}]),
    "word probability 2": interaction(turns=[{**TURN, "words": [{"word": "Service", "start": 0.0, "end": 0.5, "probability": 2}]}]),
    "year 1": interaction(started_at="0001-01-01T00:30:00+01:00"),
    "year 9999": interaction(started_at="9999-12-31T23:30:00-01:00"),
    "not a date": interaction(started_at="mardi matin"),
    "complaint received in year 1": interaction(indicators={"received_at": "0001-01-01T00:30:00+01:00"}),
    "negative wait": interaction(indicators={"wait_time_s": -5}),
    "csat 99": interaction(indicators={"csat": 99}),
    "csat 0": interaction(indicators={"csat": 0}),
    "nps 11": interaction(indicators={"nps": 11}),
    "csat as text": interaction(indicators={"csat": "5"}),
    "resolved as a number": interaction(indicators={"resolved_first_contact": 1}),
    # an integrator's review: "yes" and 1 were taken, and a five-turn call stored without a score
    "abandoned as a word": interaction(abandoned="yes"),
    "abandoned as a number": interaction(abandoned=1),
    "negative transfers": interaction(indicators={"transfers": -1}),
    "talk ratio 1.5": interaction(measured={"agent_talk_ratio": 1.5}),
    "turn confidence -0.1": interaction(turns=[{**TURN, "confidence": -0.1}]),
    "NUL in a turn": interaction(turns=[{**TURN, "text": "Bonjour\x00"}]),
    "NUL in an extra": interaction(notes="a\x00b"),
    "id with a slash": interaction(id="a/b"),
    "id with a backslash": interaction(id="a\\b"),
    "id of 201 characters": interaction(id="x" * 201),
    "id with a NUL": interaction(id="a\x00b"),
    "id with a newline": interaction(id="a\nb"),
    "id with a space at the end": interaction(id="door "),
    "id '..'": interaction(id=".."),
    "empty id": interaction(id=""),
    "agent of 201 characters": interaction(agent_id="A" * 201),
    "agent with a NUL": interaction(agent_id="A\x00"),
    "team with a slash": interaction(team="x/y"),
    "queue with a slash": interaction(queue="q/1"),
    "extra field named like an e-mail": interaction(**{"jean.dupont@example.com": 1}),
}


def post(client: httpx.Client, body: bytes | dict, key: str) -> httpx.Response:
    headers = {"Idempotency-Key": key}
    if isinstance(body, dict):
        return client.post("/v1/interactions", json=body, headers=headers)
    return client.post("/v1/interactions", content=body, headers={**headers, "content-type": "application/json"})


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_body_is_a_4xx_with_a_reason_and_stores_nothing(server, case):
    before = table_counts(server)
    key = uuid.uuid4().hex
    with server.client("crm") as crm:
        first = post(crm, HOSTILE[case], key)
        again = post(crm, HOSTILE[case], key)
        # The key was not burnt by the refused request: a good body with it is scored.
        good = post(crm, interaction(), key)
    assert 400 <= first.status_code < 500, f"{case}: {first.status_code} {first.text[:300]}"
    detail = first.json()["detail"]
    assert detail and (isinstance(detail, str) or all(error["msg"] for error in detail)), first.text
    assert again.status_code == first.status_code and "idempotent-replayed" not in again.headers
    assert good.status_code == 201, good.text
    after = table_counts(server)
    assert after["interactions"] == before["interactions"] + 1 and after["idempotency_keys"] == before["idempotency_keys"] + 1


def messages(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else " | ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in detail)


def test_reasons_name_the_field_and_the_rule(server):
    expected = {
        "csat 99": "csat", "negative wait": "wait_time_s", "talk ratio 1.5": "agent_talk_ratio", "year 9999": "started_at",
        "id with a slash": "id", "team with a slash": "team", "1e999 silence ratio": "silence_ratio", "lone surrogate in a turn": "turns[0].text",
        "deep nesting": "nest", "4000-digit wait": "wait_time_s", "abandoned as a word": "abandoned",
    }
    with server.client("crm") as crm:
        for case, field in expected.items():
            response = post(crm, HOSTILE[case], uuid.uuid4().hex)
            assert response.status_code == 422 and field in messages(response), f"{case}: {messages(response)}"


def test_valid_edges_and_the_id_grammar_are_accepted_and_readable(server):
    cases = [
        interaction(id=f"appel n°{uuid.uuid4().hex[:6]} (rappel)", team="résiliation", agent_id="Julie Martin", queue="particuliers-pro"),
        interaction(id=f"crm:2026:{uuid.uuid4().hex[:6]}", started_at="2026-11-02T09:14:03Z",
                    indicators={"wait_time_s": 0, "csat": 1, "nps": 10, "transfers": 0, "resolved_first_contact": False},
                    measured={"silence_ratio": 0, "agent_talk_ratio": 1}),
        interaction(id="x" * 200, indicators={"csat": 5, "nps": 0, "handle_time_s": 312.5}, customer_ref=42, tags=["a", "b"]),
    ]
    with server.client("crm") as crm:
        for body in cases:
            posted = crm.post("/v1/interactions", json=body)
            assert posted.status_code == 201, posted.text
            assert posted.headers["location"] == f"/v1/interactions/{quote(body['id'], safe='')}"
            got = crm.get(f"/v1/interactions/{quote(body['id'], safe='')}")
            assert got.status_code == 200 and got.json()["interaction"]["id"] == body["id"]
        listed = crm.get("/v1/interactions", params={"team": "résiliation", "agent_id": "Julie Martin"}).json()["items"]
        assert cases[0]["id"] in [item["id"] for item in listed]


def test_ids_in_paths_and_filters_follow_the_grammar(server):
    with server.client("crm") as crm:
        assert crm.get("/v1/interactions/a%00b").status_code == 422
        assert crm.get("/v1/interactions/" + "x" * 201).status_code == 422
        assert crm.get("/v1/interactions/unknown-but-valid").status_code == 404
        for name in ("agent_id", "team", "queue"):
            response = crm.get("/v1/interactions", params={name: "a\x00b"})
            assert response.status_code == 422 and name in messages(response)
    with server.client("coach") as coach:
        assert coach.post("/v1/interactions/a%00b/reviews", json={"comment": "x"}).status_code == 422


def test_review_author_is_the_key_and_a_reviewer_field_is_refused(server):
    body = interaction()
    with server.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    before = table_counts(server)
    with server.client("coach") as coach:
        forged = coach.post(f"/v1/interactions/{body['id']}/reviews", json={"comment": "card 4970 1012 3456 7890", "reviewer": "alice"})
        assert forged.status_code == 422 and "reviewer" in messages(forged)
        assert "4970" not in forged.text  # a refused value is not written back (it may be personal data)
        assert table_counts(server)["reviews"] == before["reviews"]
        nul = coach.post(f"/v1/interactions/{body['id']}/reviews", json={"comment": "a\x00b"})
        assert nul.status_code == 422
        made = coach.post(f"/v1/interactions/{body['id']}/reviews", json={"comment": "good call"})
        assert made.status_code == 201, made.text
        reviews = coach.get(f"/v1/interactions/{body['id']}").json()["reviews"]
    key_id = key_id_of(server, server.keys["coach"])
    assert [(r["reviewer"], r["reviewer_key_id"], r["reviewer_user_id"]) for r in reviews] == [("test-coach", key_id, None)]
    engine = sqlalchemy.create_engine(database_url(server))
    with engine.connect() as connection:
        stored = connection.execute(sqlalchemy.text("SELECT reviewer, reviewer_key_id, reviewer_user_id FROM reviews WHERE interaction_id = :i"),
                                    {"i": body["id"]}).all()
    engine.dispose()
    assert [tuple(row) for row in stored] == [("test-coach", key_id, None)]


def key_id_of(server, key: str) -> int:
    engine = sqlalchemy.create_engine(database_url(server))
    with engine.connect() as connection:
        key_id = connection.execute(sqlalchemy.text("SELECT id FROM api_keys WHERE prefix = :p"), {"p": key.split("_")[1]}).scalar_one()
    engine.dispose()
    return key_id


# Documented defaults (README, "Size limits"): QUALICALL_MAX_TURN_CHARS, QUALICALL_MAX_TURNS, QUALICALL_MAX_INTERACTION_CHARS.
MAX_TURN_CHARS, MAX_TURNS, MAX_INTERACTION_CHARS = 100_000, 5_000, 1_000_000


def test_size_limits_are_413_before_any_scoring(server):
    word = "bonjour "
    long_turn = {"speaker": "agent", "text": (word * (MAX_TURN_CHARS // len(word) + 1))[: MAX_TURN_CHARS + 1]}
    long_notes = "x" * (MAX_TURN_CHARS + 1)
    many_turns = [{"speaker": "agent", "text": "oui"}] * (MAX_TURNS + 1)
    chunk = {"speaker": "customer", "text": "d" * MAX_TURN_CHARS}
    too_much = [chunk] * (MAX_INTERACTION_CHARS // MAX_TURN_CHARS) + [{"speaker": "agent", "text": "merci"}]
    before = table_counts(server)
    with server.client("crm") as crm:
        for name, body, needle in (
            ("one turn", interaction(turns=[long_turn]), "turns[0].text"),
            ("one other text", interaction(notes=long_notes), "notes"),
            ("turns", interaction(turns=many_turns), "turns"),
            ("characters", interaction(turns=too_much), "characters"),
        ):
            response = crm.post("/v1/interactions", json=body)
            assert response.status_code == 413, f"{name}: {response.status_code} {response.text[:200]}"
            assert needle in response.json()["detail"] and "(setting max_" in response.json()["detail"]
            assert response.elapsed.total_seconds() < 5, f"{name}: refused only after {response.elapsed}"
        at_limit = crm.post("/v1/interactions", json=interaction(turns=[dict(TURN)] * 50, notes="x" * 1000))
        assert at_limit.status_code == 201
    assert table_counts(server)["interactions"] == before["interactions"] + 1


# --- the coach pages ----------------------------------------------------------------------------------

def signed_in(server, **credentials: str) -> tuple[httpx.Client, str]:
    """A client signed in to the coach pages (with the coach key unless `username`/`password` are given), and the
    session's CSRF token."""
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
    assert sign_in(http, **(credentials or {"api_key": server.keys["coach"]})).status_code == 303
    return http, csrf_of(http)


def test_the_queue_dates_are_the_days_each_call_shows(server):
    # A call at 23:30 on 31 October in Chicago shows « 31/10/2026 23:30 » in the queue: October's, though November in UTC.
    team = f"days-{new_id()}"
    calls = {"oct": "2026-10-31T23:30:00-05:00", "nov": "2026-11-15T10:00:00+01:00", "nov-last": "2026-11-30T23:30:00-10:00"}
    with server.client("crm") as crm:
        for name, started_at in calls.items():
            assert crm.post("/v1/interactions", json=interaction(id=f"{team}-{name}", team=team, started_at=started_at)).status_code == 201
    http, _ = signed_in(server)
    try:
        exported = http.get("/queue.csv", params={"team": team, "from": "2026-11-01", "to": "2026-11-30"})
    finally:
        http.close()
    assert exported.status_code == 200, exported.text
    assert sorted(line.split(";")[0] for line in exported.text.lstrip("\ufeff").splitlines()[1:]) == [f"{team}-nov", f"{team}-nov-last"]


def test_a_forged_machine_version_is_a_form_to_check_again_not_a_500(server):
    # « ² » passed str.isdigit() and failed int(); 24 digits overflowed SQLite's integer (a security review: 500).
    body = interaction(agent_id="A-forged")
    with server.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    http, csrf = signed_in(server)
    try:
        for version in ("²", "9" * 24, "9" * 5000, "-1", "0x1"):
            override = http.post(f"/calls/{body['id']}/reviews", data={"item": "greeting.salutation", "status": "failed", "comment": "x",
                                                                       "csrf": csrf, "machine_version": version})
            confirm = http.post(f"/calls/{body['id']}/confirm", data={"csrf": csrf, "machine_version": version})
            assert override.status_code == 409 and confirm.status_code == 409, (version, override.status_code, confirm.status_code)
    finally:
        http.close()
    with server.client("crm") as crm:
        assert crm.get(f"/v1/interactions/{body['id']}").json()["reviews"] == []  # nothing saved against a verdict never shown


def test_coach_pages_answer_bad_parameters_with_a_4xx(server):
    body = interaction(agent_id="A-door", team="door-team")
    with server.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    http, csrf = signed_in(server)
    try:
        assert http.get("/agents/A-door").status_code == 200
        for path in ("/agents/nobody-here", "/teams/no-such-team"):
            response = http.get(path)
            assert response.status_code == 404 and path.rsplit("/", 1)[1] in response.text, path
        for path in ("/agents/a%00b", "/teams/" + "t" * 201, "/calls/a%00b"):
            assert http.get(path).status_code in (404, 422), path
        for page in ("inf", "-1", "1e999", "nan", "x", "9" * 5000):  # the page number is clamped to the pages there are
            assert http.get("/queue", params={"offset": page, "page": page}).status_code == 200, page
        for name in ("agent", "team", "queue", "item_failed"):
            response = http.get("/queue", params={name: "a\x00b"})
            assert response.status_code == 422 and name in response.text, name
        assert http.get("/queue", params={"from": "0001-01-01", "to": "9999-12-31"}).status_code == 200
        before = table_counts(server)["reviews"]
        no_dot = http.post(f"/calls/{body['id']}/reviews", data={"item": "greeting", "status": "passed", "comment": "x", "csrf": csrf})
        assert no_dot.status_code == 422, no_dot.text
        assert table_counts(server)["reviews"] == before
    finally:
        http.close()


def test_coach_page_reviews_are_signed_by_the_account_id(server):
    from qualicall.store.db import Store
    from qualicall.store.users import create_user

    username, password = f"coach-{uuid.uuid4().hex[:6]}", "calibrage-2026"
    store = Store(database_url(server))
    with store.session() as session:
        user_id = create_user(session, username, password, "coach").id
    store.close()
    body = interaction()
    with server.client("crm") as crm:
        assert crm.post("/v1/interactions", json=body).status_code == 201
    http, csrf = signed_in(server, username=username, password=password)
    try:
        saved = http.post(f"/calls/{body['id']}/reviews", data={"item": "greeting.salutation", "status": "failed", "comment": "inaudible", "csrf": csrf})
        assert saved.status_code == 303, saved.text
    finally:
        http.close()
    http, csrf = signed_in(server)
    try:
        assert http.post(f"/calls/{body['id']}/confirm", data={"csrf": csrf}).status_code == 303
    finally:
        http.close()
    with server.client("coach") as coach:
        reviews = coach.get(f"/v1/interactions/{quote(body['id'], safe='')}").json()["reviews"]
    authors = {(r["reviewer"], r["reviewer_key_id"], r["reviewer_user_id"]) for r in reviews}
    assert authors == {(username, None, user_id), ("test-coach", key_id_of(server, server.keys["coach"]), None)}
