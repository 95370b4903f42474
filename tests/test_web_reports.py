"""The managers' report from the workspace (a coach's review: a coach or a lead signed in with a password could not
reach it; only an API key could), over HTTP against a real `qualicall serve` (SQLite file): the form, the page, its CSV
with the form's last day included, refusals with their reason, agents kept out."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from api_server import Server, sign_in

from conftest import EXAMPLES
from qualicall.scorer.rubric import rubric_path

COACH, AGENT, PASSWORD = "julie.coach", "lea.agent", "rapport-2026"

pytestmark = pytest.mark.slow  # a server of its own


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    rubric = folder / "grille.yaml"  # the server's own rubric file, broken on disk by the last test
    rubric.write_text(rubric_path("default-fr").read_text(encoding="utf-8"), encoding="utf-8")
    server = Server(folder, env_extra={"QUALICALL_WARM_UP": "0", "QUALICALL_RUBRIC": str(rubric)})
    server.rubric = rubric
    server.make_keys()
    server.make_user(COACH, PASSWORD, "coach")
    server.make_user(AGENT, PASSWORD, "agent", "A-1")
    server.start()
    example = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
    with server.client("crm") as crm:
        for number, day in ((1, "2026-11-10"), (2, "2026-11-30")):  # the month's last day: in a report « au 30 »
            answer = crm.post("/v1/interactions", json={**example, "id": f"rapport-{number}", "agent_id": "A-1", "team": "Facturation",
                                                        "started_at": f"{day}T09:00:00+01:00"})
            assert answer.status_code == 201, answer.text
    yield server
    server.stop()


@contextmanager
def signed_in(server: Server, user: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=120, headers={"Accept-Language": "fr"}) as http:
        assert sign_in(http, username=user, password=PASSWORD).status_code == 303
        yield http


def contacts(answer: httpx.Response) -> dict[str, int]:
    """The CSV's contacts per group."""
    return {row["team"]: int(row["contacts"]) for row in csv.DictReader(io.StringIO(answer.text))}


def test_a_coach_reads_the_report_from_the_workspace(server):
    with signed_in(server, COACH) as coach:
        form = coach.get("/reports")
        assert form.status_code == 200 and 'href="/reports" aria-current="page"' in form.text
        assert 'action="/reports/view"' in form.text and 'name="from"' in form.text and "Au (inclus)" in form.text
        page = coach.get("/reports/view", params={"from": "2026-11-01", "to": "2026-11-30", "by": "team", "period": "week", "format": "html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<title>Rapport du centre de contacts</title>" in page.text and "<html lang=fr>" in page.text
        assert "Facturation" in page.text and "<svg" in page.text, page.text[-3000:]
        # November, the 30th included (the API's `to` is exclusive: the form's last day is the one a manager means).
        month = coach.get("/reports/view", params={"from": "2026-11-01", "to": "2026-11-30", "by": "team", "format": "csv"})
        assert month.status_code == 200 and month.headers["content-type"].startswith("text/csv")
        assert contacts(month) == {"Facturation": 2, "(total)": 2}
        before = coach.get("/reports/view", params={"from": "2026-11-01", "to": "2026-11-29", "by": "team", "format": "csv"})
        assert contacts(before) == {"Facturation": 1, "(total)": 1}
    with server.client("coach") as api:  # the same figures as the API's, `to` exclusive there
        assert api.get("/v1/reports", params={"from": "2026-11-01", "to": "2026-12-01", "by": "team"}).json()["groups"][0]["contacts"] == 2


@pytest.mark.parametrize(("params", "says"), [
    ({"from": "2026-11-31", "to": "2026-11-30"}, "Du : « 2026-11-31 » n'est pas un jour de 1970 à 2099"),
    ({"from": "2026-11-01", "to": "3026-11-30"}, "Au (inclus) : « 3026-11-30 » n'est pas un jour"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "le dernier jour vient avant le premier"),
    ({"from": "2026-11-01", "to": "2026-11-30", "by": "password"}, "choisissez un regroupement"),
    ({"from": "2026-11-01", "to": "2026-11-30", "format": "pdf"}, "choisissez un regroupement, un découpage et un format"),
], ids=["no-such-day", "past-2099", "reversed", "unknown-grouping", "unknown-format"])
def test_a_report_asked_wrongly_answers_with_the_form_and_its_reason(server, params, says):
    with signed_in(server, COACH) as coach:
        answer = coach.get("/reports/view", params=params)
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert says in html.unescape(answer.text).replace("\u00a0", " ") and 'action="/reports/view"' in answer.text
    assert f'value="{params["from"]}"' in answer.text  # what was typed, kept


def test_an_agent_has_no_report(server):
    with signed_in(server, AGENT) as agent:
        for path in ("/reports", "/reports/view?from=2026-11-01&to=2026-11-30&format=csv"):
            answer = agent.get(path)
            assert answer.status_code == 403 and "Facturation" not in answer.text, path
        assert 'href="/reports"' not in agent.get("/me").text



def test_a_broken_server_rubric_is_said_on_a_page_without_its_path(server):
    """A fresh-eyes review: the server's rubric file broken since it started answered the workspace in JSON, then on a
    French page in English with the file's path. Now a page in the coach's language; the path and the fault in the log."""
    text = server.rubric.read_text(encoding="utf-8")
    server.rubric.write_text("criteria: [", encoding="utf-8")
    try:
        with signed_in(server, COACH) as coach:
            answer = coach.get("/reports/view", params={"from": "2026-11-01", "to": "2026-11-30", "format": "html"})
    finally:
        server.rubric.write_text(text, encoding="utf-8")
    assert answer.status_code == 503 and answer.headers["content-type"].startswith("text/html")
    assert "la grille du serveur ne peut pas être lue" in html.unescape(answer.text) and str(server.rubric) not in answer.text
    assert str(server.rubric) in (server.data_dir / f"server-{server.port}.log").read_text(errors="replace")
