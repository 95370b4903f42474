"""No personal data rests in clear (issue 17, finding 2): a server that redacts, on SQLite and PostgreSQL, is posted
free text everywhere the format lets it go, and comments (a coach's review, an agent's dispute, its resolution, a
calibration session's name and a coach's verdicts in it: issue 16); the database files or tables, every answer and the Idempotency-Key replay are then searched for the
clear values."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from api_server import Server, sign_in

from verdicts_by_hand import SHORT_CALL, failed

# Invented values. The card number is not Luhn-valid and has nothing before it to say what it is.
CARD, CARD_SPACED, EMAIL, CUSTOMER, PHONE = "4970101234567890", "4970 1012 3456 7890", "jean.dupont@example.com", "Berthelot", "0612345678"
CLEAR = (CARD, "4970 1012", "3456 7890", "jean.dupont", "example.com", CUSTOMER, "12 34 56", PHONE)
TABLES = ("interactions", "results", "result_items", "reviews", "idempotency_keys", "disputes", "calibration_sessions", "calibration_verdicts")

pytestmark = pytest.mark.slow  # servers of their own (redaction on)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def redacting(request, tmp_path_factory):
    """A real `qualicall serve` with redaction on (the other API tests' servers keep it off to go faster)."""
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres").database("qualicall_redacting")
    server = Server(tmp_path_factory.mktemp(f"redacting-{request.param}"), database_url=url, env_extra={"QUALICALL_REDACT": "on"})
    server.make_keys()
    yield server.start()
    server.stop()


def contacts() -> list[dict]:
    tag = uuid.uuid4().hex[:8]
    return [
        # The example: free text at the top and in a turn.
        {"id": f"pii-1-{tag}", "language": "fr", "notes": f"carte {CARD_SPACED}, {EMAIL}",
         "turns": [{"speaker": "agent", "text": "Bonjour", "note": CARD}]},
        # A name known to be the customer's, with no turn to redact (abandoned; then silent).
        {"id": f"pii-2-{tag}", "language": "fr", "abandoned": True, "customer_name": f"Agathe {CUSTOMER}", "indicators": {"wait_time_s": 130}},
        {"id": f"pii-3-{tag}", "language": "fr", "turns": [], "customer_name": f"Agathe {CUSTOMER}", "subject": f"Agathe {CUSTOMER} rappelle"},
        # Text indicators, nested extras, a named speaker, extra keys of words.
        {"id": f"pii-4-{tag}", "language": "fr", "customer_name": f"Agathe {CUSTOMER}", "customer_email": EMAIL,
         "indicators": {"csat": 4, "crm_contact": f"{EMAIL} / {PHONE}", "received_at": "2026-11-02T09:00:00+01:00"},
         "crm": {"history": [{"subject": f"Mme {CUSTOMER}, carte {CARD}"}], "callback": PHONE},
         "turns": [{"speaker": f"Agathe {CUSTOMER}", "text": "Bonjour, je voudrais un renseignement."},
                   {"speaker": "agent", "text": "Bonjour madame, je vous écoute.", "words": [{"word": "Bonjour", "start": 0, "end": 1, "said_to": EMAIL}]}]},
    ]


def leaked(text: str) -> list[str]:
    return [value for value in CLEAR if value in text]


def database_text(server) -> str:
    return server.stored_text(TABLES)


def test_no_clear_value_is_stored_or_answered(redacting):
    answers = []
    with redacting.client("crm") as crm:
        for body in contacts():
            key = uuid.uuid4().hex
            posted = crm.post("/v1/interactions", json=body, headers={"Idempotency-Key": key})
            assert posted.status_code == 201, posted.text
            replayed = crm.post("/v1/interactions", json=body, headers={"Idempotency-Key": key})
            assert replayed.headers.get("idempotent-replayed") == "true"
            got = crm.get(f"/v1/interactions/{body['id']}")
            assert got.status_code == 200
            answers += [posted.text, replayed.text, got.text]
            stored = got.json()["interaction"]
            if "customer_name" in body:
                assert stored["customer_name"] == "[NAME]"
            if "received_at" in body.get("indicators", {}):  # a time the reports read, not free text
                assert stored["indicators"]["received_at"] == body["indicators"]["received_at"]
        answers.append(crm.get("/v1/interactions", params={"limit": 50}).text)
    assert [leaked(answer) for answer in answers] == [[]] * len(answers)
    assert leaked(database_text(redacting)) == []
    # What the redaction left: the placeholders, where the clear values were.
    first = answers[2]
    assert "[CARD]" in first and "[EMAIL]" in first and "[NUMBER]" in first


def test_comments_of_reviews_disputes_and_resolutions_are_stored_redacted(redacting):
    """A coach's review comment (API), an agent's dispute and a coach's resolution (pages), each with a card number,
    an e-mail address and a phone number: none rests in clear, none is answered."""
    tag = uuid.uuid4().hex[:8]
    call = f"litige-{tag}"
    agent, coach = f"agent-{tag}", f"coach-{tag}"
    redacting.make_user(agent, "mot-de-passe", "agent", f"A-{tag}")
    redacting.make_user(coach, "mot-de-passe", "coach")
    turns = [{"speaker": s, "text": text} for s, text in SHORT_CALL]
    with redacting.client("crm") as crm:
        result = crm.post("/v1/interactions", json={"id": call, "language": "fr", "agent_id": f"A-{tag}", "turns": turns}).json()
    first, second = failed(result)[:2]
    answers = []
    with redacting.client("coach") as api:
        review = {"items": [{"item_id": second.split(".")[1], "status": "failed", "comment": f"rappeler au {PHONE}, carte {CARD_SPACED}"}]}
        answers.append(api.post(f"/v1/interactions/{call}/reviews", json=review).text)
    with httpx.Client(base_url=redacting.url, timeout=60) as page:
        assert sign_in(page, username=agent, password="mot-de-passe").status_code == 303
        token = re.search(r'name="csrf" value="([^"]+)"', page.get(f"/calls/{call}").text).group(1)
        form = {"item": first, "status": "passed", "comment": f"le client a donné {EMAIL} et la carte {CARD}", "csrf": token}
        assert page.post(f"/calls/{call}/disputes", data=form).status_code == 303
        answers.append(page.get(f"/calls/{call}").text)
    with httpx.Client(base_url=redacting.url, timeout=60) as page:
        assert sign_in(page, username=coach, password="mot-de-passe").status_code == 303
        listed = page.get("/disputes?state=open").text
        dispute = re.search(rf'href="/calls/{call}#dispute-(\d+)"', listed).group(1)
        token = re.search(r'name="csrf" value="([^"]+)"', listed).group(1)
        form = {"resolution": "upheld", "comment": f"vu, écrivez à {EMAIL} ou au {PHONE}", "csrf": token}
        assert page.post(f"/disputes/{dispute}/resolve", data=form).status_code == 303
        answers += [listed, page.get(f"/calls/{call}").text, page.get("/calibration").text]
    with redacting.client("coach") as api:
        answers += [api.get("/v1/disputes").text, api.get(f"/v1/interactions/{call}").text]
    assert [leaked(answer) for answer in answers] == [[]] * len(answers)
    assert leaked(database_text(redacting)) == []
    assert "[EMAIL]" in answers[-2] and "[PHONE]" in answers[-2]  # the dispute and its resolution, redacted


def test_a_calibration_sessions_name_and_its_verdicts_comments_are_stored_redacted(redacting):
    """A lead names a session with an e-mail address; a coach comments an item with a card number and a phone number
    and a second one disagrees on it (the session's page shows the comment): none rests in clear, none is answered."""
    tag = uuid.uuid4().hex[:8]
    call, lead, coaches = f"double-{tag}", f"lead-{tag}", [f"coach-{tag}-1", f"coach-{tag}-2"]
    redacting.make_user(lead, "mot-de-passe", "admin")
    for coach in coaches:
        redacting.make_user(coach, "mot-de-passe", "coach")
    turns = [{"speaker": s, "text": text} for s, text in SHORT_CALL]
    with redacting.client("crm") as crm:
        body = {"id": call, "language": "fr", "agent_id": f"A-{tag}", "started_at": "2026-11-10T09:30:00+01:00", "turns": turns}
        result = crm.post("/v1/interactions", json=body).json()
    items = [f"{c}.{i}" for c, criterion in result["criteria"].items() for i in criterion["items"]]
    answers = []
    with httpx.Client(base_url=redacting.url, timeout=60) as page:
        assert sign_in(page, username=lead, password="mot-de-passe").status_code == 303
        form_page = page.get("/calibration/sessions/new").text
        token = re.search(r'name="csrf" value="([^"]+)"', form_page).group(1)
        ids = [re.search(rf'name="coaches" value="(\d+)"> {coach}', form_page).group(1) for coach in coaches]
        # Only this test's contact has an agent in these days: the other tests' contacts have neither.
        made = page.post("/calibration/sessions", data={"csrf": token, "name": f"Session {EMAIL}", "coaches": ids, "mode": "random",
                                                        "per_agent_week": "1", "from": "2026-11-09", "to": "2026-11-15", "seed": "7"})
        assert made.status_code == 303, made.text
        session_path = made.headers["location"].split("?")[0]
    for number, coach in enumerate(coaches):
        with httpx.Client(base_url=redacting.url, timeout=60) as page:
            assert sign_in(page, username=coach, password="mot-de-passe").status_code == 303
            blind = page.get(f"{session_path}/calls/{call}").text
            token = re.search(r'name="csrf" value="([^"]+)"', blind).group(1)
            verdicts = {f"status:{item}": "passed" for item in items}
            if number == 0:
                verdicts |= {f"status:{items[0]}": "failed", f"comment:{items[0]}": f"carte {CARD_SPACED}, rappeler au {PHONE}"}
            assert page.post(f"{session_path}/calls/{call}", data={"csrf": token, **verdicts}).status_code == 303
            answers.append(page.get(f"{session_path}/calls/{call}").text)
    with httpx.Client(base_url=redacting.url, timeout=60) as page:
        assert sign_in(page, username=lead, password="mot-de-passe").status_code == 303
        answers += [page.get(session_path).text, page.get("/calibration/sessions").text]
    assert [leaked(answer) for answer in answers] == [[]] * len(answers)
    assert leaked(database_text(redacting)) == []
    assert "Session [EMAIL]" in answers[-1], re.findall(r'sessions/\d+">[^<]*', answers[-1])  # redacted, and shown
    assert "« carte [CARD], rappeler au [" in answers[-2], re.findall(r'verdict-comment">[^<]*', answers[-2])
