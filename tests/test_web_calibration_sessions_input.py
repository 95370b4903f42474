"""Bad input on the calibration sessions' forms and addresses, over HTTP against a real `qualicall serve` (SQLite
file): every one a 4xx with its reason, never a 500, and no session half-made. No browser: the pages themselves
are tested in tests/test_web_calibration_sessions.py.

The numbers a lead types are digits for `str.isdigit` that `int` refuses ("²", "٣" is read) or that no column holds
(more than 4 300 digits; a coach's id past 2**63 − 1, where SQLite stops); row ids in the address likewise.
"""

from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest
from api_server import Server, sign_in

from conftest import EXAMPLES

LEAD, ANNE, BRUNO, PASSWORD = "chef.qualite", "anne.coach", "bruno.coach", "saisie-2026"

pytestmark = pytest.mark.slow  # a server of its own


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("session-input"), env_extra={"QUALICALL_WARM_UP": "0"})
    server.make_keys()
    for name, role in ((LEAD, "admin"), (ANNE, "coach"), (BRUNO, "coach")):
        server.make_user(name, PASSWORD, role)
    server.start()
    example = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
    with server.client("crm") as crm:
        answer = crm.post("/v1/interactions", json={**example, "id": "saisie-1", "agent_id": "A-1", "started_at": "2026-11-10T09:00:00+01:00"})
        assert answer.status_code == 201, answer.text
    yield server
    server.stop()


def signed_in(server: Server, user: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=120, headers={"Accept-Language": "fr"})
    assert sign_in(http, username=user, password=PASSWORD).status_code == 303
    return http, re.search(r'name="csrf" value="([^"]+)"', http.get("/assignments").text).group(1)


def sessions_stored(server: Server) -> int:
    with sqlite3.connect(server.data_dir / "qualicall.db") as db:
        return db.execute("select count(*) from calibration_sessions").fetchone()[0]


@pytest.mark.parametrize(("field", "value", "says"), [
    ("per_agent_week", "²", "de 1 à 50 appels par agent et par semaine"),
    ("per_agent_week", "9" * 5000, "de 1 à 50 appels par agent et par semaine"),
    ("seed", "³", "une graine de 1 à 999999"),
    ("seed", "9" * 5000, "une graine de 1 à 999999"),
    ("coaches", "²", "choisissez deux coachs au moins"),
    ("coaches", "9" * 30, "choisissez deux coachs au moins"),
], ids=["week-superscript", "week-5000-digits", "seed-superscript", "seed-5000-digits", "coach-superscript", "coach-past-int64"])
def test_a_number_the_lead_typed_that_is_no_number_is_refused_with_its_reason(server, field, value, says):
    lead, csrf = signed_in(server, LEAD)
    coaches = re.findall(r'name="coaches" value="(\d+)"', lead.get("/calibration/sessions/new").text)
    assert len(coaches) >= 2
    form = {"csrf": csrf, "name": "Novembre", "coaches": coaches[:2], "mode": "random", "from": "2026-11-01", "to": "2026-11-30",
            "per_agent_week": "2", "seed": "4242"}
    before = sessions_stored(server)
    answer = lead.post("/calibration/sessions", data={**form, field: [coaches[0], value] if field == "coaches" else value})
    assert answer.status_code == 422, answer.text[-500:]
    assert "Session non créée" in answer.text and says in answer.text
    assert sessions_stored(server) == before
    lead.close()


def test_row_ids_past_what_the_database_holds_are_a_4xx(server):
    lead, csrf = signed_in(server, LEAD)
    anne, anne_csrf = signed_in(server, ANNE)
    huge = "9" * 25
    answers = {
        "session page": lead.get(f"/calibration/sessions/{huge}"),
        "blind page": anne.get(f"/calibration/sessions/{huge}/calls/saisie-1"),
        "close": lead.post(f"/calibration/sessions/{huge}/close", data={"csrf": csrf}),
        "blind verdicts": anne.post(f"/calibration/sessions/{huge}/calls/saisie-1", data={"csrf": anne_csrf}),
        "dispute": anne.post(f"/disputes/{huge}/resolve", data={"csrf": anne_csrf, "resolution": "upheld", "comment": "vu"}),
        "saved filter": anne.post(f"/queue/filters/{huge}/delete", data={"csrf": anne_csrf}),
    }
    for name, answer in answers.items():
        assert answer.status_code in (404, 422) and answer.text, f"{name}: {answer.status_code} {answer.text[-300:]}"
    lead.close()
    anne.close()


def test_a_lead_who_scores_in_the_session_sees_its_results_only_after_scoring_every_call(server):
    lead, csrf = signed_in(server, LEAD)
    coaches = dict((name, value) for value, name in re.findall(r'name="coaches" value="(\d+)"[^>]*>\s*([^<\s]+)', lead.get("/calibration/sessions/new").text))
    made = lead.post("/calibration/sessions", data={"csrf": csrf, "name": "Le chef note aussi", "coaches": [coaches[LEAD], coaches[ANNE]],
                                                   "mode": "random", "from": "2026-11-01", "to": "2026-11-30", "per_agent_week": "1", "seed": "7"})
    assert made.status_code == 303, made.text[-500:]
    page = made.headers["location"].split("?")[0]
    assert lead.get(page).status_code == 403, "the lead takes part and has not scored yet: the others' verdicts stay hidden"
    blind = lead.get(f"{page}/calls/saisie-1").text
    statuses = {name: "passed" for name in set(re.findall(r'name="(status:[^"]+)"', blind))}
    assert statuses
    assert lead.post(f"{page}/calls/saisie-1", data={"csrf": csrf, **statuses}).status_code == 303
    assert lead.get(page).status_code == 200, "every call scored: the lead sees the session's results"
    lead.close()
