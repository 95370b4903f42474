"""The product's storing and serving paths keep no planted value in clear: the API, the coach pages, the SQLite store."""

from __future__ import annotations

import sqlite3

import pytest
from api_server import Server
from privacy_planted import leaks, planted_interaction


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("privacy-api"), env_extra={"QUALICALL_REDACT": "on"})
    srv.make_keys()
    srv.start()
    yield srv
    srv.stop()


def test_api_responses_and_the_stored_rows_are_redacted(server):
    data = planted_interaction()
    with server.client("crm") as crm:
        posted = crm.post("/v1/interactions", json=data, headers={"Idempotency-Key": "privacy-1"})
        assert posted.status_code == 201, posted.text
        replayed = crm.post("/v1/interactions", json=data, headers={"Idempotency-Key": "privacy-1"})
        got = crm.get(f"/v1/interactions/{data['id']}")
        listed = crm.get("/v1/interactions")
    for response in (posted, replayed, got, listed):
        assert response.status_code in (200, 201), response.text
        assert leaks(response.text) == [], response.request.url
    body = got.json()
    agent_name = body["result"]["criteria"]["greeting"]["items"]["agent_name"]
    assert agent_name["status"] == "passed"
    (evidence,) = agent_name["evidence"]
    turn = body["interaction"]["turns"][evidence["turn"]]["text"]
    assert turn[evidence["start_char"] : evidence["end_char"]] == evidence["text"] == "je m'appelle [NAME]"
    # The coach workspace: signed in with a coach key, the queue and the call's page.
    with server.client(None, follow_redirects=False) as browser:
        signed_in = browser.post("/login", data={"api_key": server.keys["coach"], "next": "/queue"})
        assert signed_in.status_code == 303, signed_in.text
        cookie = {"Cookie": signed_in.headers["set-cookie"].split(";")[0]}
        pages = [browser.get(path, headers=cookie) for path in ("/queue", f"/calls/{data['id']}")]
    for page in pages:
        assert page.status_code == 200 and data["id"] in page.text, page.request.url
        assert leaks(page.text) == [], page.request.url
    assert "[NAME]" in pages[1].text and "[CARD]" in pages[1].text
    # Everything the store holds, every table, as SQL text.
    database = sqlite3.connect(server.data_dir / "qualicall.db")
    dump = "\n".join(database.iterdump())
    database.close()
    assert data["id"] in dump and "[CARD]" in dump
    assert leaks(dump) == []
    assert leaks(server.log_tail()) == []
