"""Calibration sessions (issue 16), end to end in French and English: a real `qualicall serve`, a real SQLite file,
real headless Chromium (Debian's, driven by Playwright).

A lead (admin) makes a session, in French by a seeded random draw per agent and week, in English from the queue's
filters; a refused form comes back with the message and what was typed. Two coaches score the four calls blind
(no machine verdict, no reason, no score, not the other coach's verdicts; a call with an item left out comes back
with the message and the verdicts given kept); the session's page shows the kappas computed by hand below, and the
call on which they disagree, linked. Agents get 403 on every page of it, a coach on the lead's pages and on the
results of a session still open. The store part runs on PostgreSQL as well (tests/test_store_calibration_sessions.py).

Screenshots at 1366×768 in both languages go to artifacts/web/sessions-*.png (git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import string
from urllib.parse import urlsplit

import pytest
from api_server import Server

from conftest import EXAMPLES, ROOT
from verdicts_by_hand import SHORT_CALL

ARTIFACTS = ROOT / "artifacts" / "web"
VIEWPORT = {"width": 1366, "height": 768}
LEAD, ANNE, BRUNO, AGENT, PASSWORD = "chef.qualite", "anne.coach", "bruno.coach", "lea.agent", "double-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RECAP = "closing.recap"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # a server of its own and a browser
]

LOCALES = {"fr": "fr-FR", "en": "en-GB"}
# What each language says, written here rather than read from the code under test.
SAYS = {
    "fr": {"forbidden": "Accès refusé", "coaches_needed": "choisissez deux coachs au moins", "made": "Session créée",
           "missing": "donnez un verdict à chaque item", "finished": "Tous vos appels de la session sont notés",
           "sample": "Tirage aléatoire : 2 appel(s) par agent et par semaine ISO, du 09/11/2026 au 15/11/2026, graine 4242.",
           "half": "0,50", "one": "1,00", "progress": "0/4 notés"},
    "en": {"forbidden": "Forbidden", "coaches_needed": "choose two coaches at least", "made": "Session made",
           "missing": "give every item a verdict", "finished": "Every call of the session is scored",
           "sample": "Calls of the queue's filters: Team: T-cal", "half": "0.50", "one": "1.00", "progress": "0/4 scored"},
}
# Machine on closing.recap: the short call fails it (no recap), the example call passes it.
MACHINE_RECAP = {"cal-1": "failed", "cal-2": "failed", "cal-3": "passed", "cal-4": "passed"}
# The coaches' verdicts on closing.recap (every other item: passed, by both).
#   Anne, as the machine:  F F P P          Bruno:  F P P P
# Anne·Bruno: agree 3/4; Anne (F2 P2), Bruno (F1 P3): p_e = (2·1 + 2·3)/16 = 1/2; κ = (3/4 − 1/2)/(1/2) = 0.50
# machine·Anne: agree 4/4, p_e = 1/2: κ = 1.00; machine·Bruno: the same table as Anne·Bruno: κ = 0.50
VERDICTS = {ANNE: dict(MACHINE_RECAP), BRUNO: {"cal-1": "failed", "cal-2": "passed", "cal-3": "passed", "cal-4": "passed"}}


def timed(turns: list[tuple[str, str]]) -> list[dict]:
    return [{"speaker": s, "text": text, "start": 1.5 * i, "end": 1.5 * i + 1.4} for i, (s, text) in enumerate(turns)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("sessions"))
    server.make_keys()
    for name, role, agent_id in ((LEAD, "admin", None), (ANNE, "coach", None), (BRUNO, "coach", None), (AGENT, "agent", "A-900")):
        server.make_user(name, PASSWORD, role, agent_id)
    server.start()
    example = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
    base = {"channel": "voice", "language": "fr", "team": "T-cal"}
    calls = [
        {**base, "id": "cal-1", "agent_id": "A-900", "started_at": "2026-11-10T09:30:00+01:00", "turns": timed(SHORT_CALL)},
        {**base, "id": "cal-2", "agent_id": "A-900", "started_at": "2026-11-11T09:30:00+01:00", "turns": timed(SHORT_CALL)},
        {**base, "id": "cal-3", "agent_id": "A-901", "started_at": "2026-11-10T14:00:00+01:00", "turns": example["turns"]},
        {**base, "id": "cal-4", "agent_id": "A-901", "started_at": "2026-11-12T14:00:00+01:00", "turns": example["turns"]},
        {**base, "id": "cal-later", "agent_id": "A-900", "started_at": "2026-11-20T09:30:00+01:00", "turns": timed(SHORT_CALL)},
    ]
    results = {}
    with server.client("crm") as crm:
        for interaction in calls:
            response = crm.post("/v1/interactions", json=interaction)
            assert response.status_code == 201, response.text
            results[interaction["id"]] = response.json()
    criterion, item = RECAP.split(".")
    assert {call: results[call]["criteria"][criterion]["items"][item]["status"] for call in MACHINE_RECAP} == MACHINE_RECAP
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": results}
    server.stop()


@pytest.fixture(scope="module")
def browser(workspace):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def signed_in(browser, workspace, user: str, language: str):
    context = browser.new_context(viewport=VIEWPORT, locale=LOCALES[language], base_url=workspace["server"].url)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto("/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"sessions-{name}.png"), full_page=True)
    english = [piece for piece in english_pieces() if piece in interface_text(page)]
    if name.endswith("-fr"):
        assert not english, f"{page.url}: {english}"
    else:
        assert english, page.url  # the scan finds what it looks for


def english_pieces() -> set[str]:
    """The fixed phrases of the interface's English strings (two words, 8 characters or more) that its French strings do not share."""
    from qualicall.api.web.i18n import STRINGS

    french = [fr for fr, _ in STRINGS.values()]
    found = set()
    for fr, en in STRINGS.values():
        for literal, *_ in string.Formatter().parse(en):
            for piece in re.split(r"[:;,.()“”!?]", literal or ""):
                piece = piece.strip()
                if len(piece) >= 8 and " " in piece and piece != fr and not any(piece in text for text in french):
                    found.add(piece)
    return found


def interface_text(page) -> str:
    """What the interface says on the page (its text, tooltips and labels), without the transcript: the call's own words."""
    return page.evaluate("(() => { const body = document.body.cloneNode(true); body.querySelectorAll('#transcript').forEach(e => e.remove());"
                         " return body.textContent + '\\n' + [...body.querySelectorAll('[title], [aria-label]')]"
                         ".map(e => (e.getAttribute('title') || '') + ' ' + (e.getAttribute('aria-label') || '')).join('\\n'); })()")


def make_session(lead, language: str) -> str:
    """The lead fills the form (a first try with one coach only is refused); returns the session's path."""
    name = "Double correction novembre" if language == "fr" else "November double marking"
    if language == "fr":
        lead.goto("/calibration/sessions")
        lead.click("#new-session")
        lead.check("#mode-random")
        lead.fill("#session-per-week", "2")
        lead.fill("#session-from", "2026-11-09")
        lead.fill("#session-to", "2026-11-15")
        lead.fill("#session-seed", "4242")
    else:
        lead.goto("/queue?team=T-cal&from=2026-11-09&to=2026-11-15")
        lead.click("#session-from-queue")
        assert lead.locator("#mode-queue").is_checked()
        assert "The 4 calls of the queue's filters" in lead.inner_text("label:has(#mode-queue)")
    lead.fill("#session-name", name)
    lead.locator("#session-coaches label", has_text=ANNE).locator("input").check()
    lead.click("#session-form button[type=submit]")
    lead.wait_for_load_state()
    assert SAYS[language]["coaches_needed"] in lead.inner_text("#session-error")
    # The refusal has the focus (a screen reader reads it; it was the page's body) and describes the form.
    assert lead.evaluate("document.activeElement.id") == "session-error"
    assert lead.get_attribute("#session-coaches", "aria-describedby") == "session-error"  # (the field it is about)
    assert lead.get_attribute("#session-coaches", "aria-invalid") == "true"
    assert lead.locator("#session-name").input_value() == name  # what was typed, kept
    assert lead.locator("#session-coaches label", has_text=ANNE).locator("input").is_checked()
    shot(lead, f"form-error-{language}")
    lead.locator("#session-coaches label", has_text=BRUNO).locator("input").check()
    lead.click("#session-form button[type=submit]")
    lead.wait_for_url(re.compile(r".*/calibration/sessions/\d+\?done=made"))
    assert SAYS[language]["made"] in lead.inner_text(".flash")
    assert SAYS[language]["sample"] in lead.inner_text("#session-sample")
    assert SAYS[language]["progress"] in lead.inner_text("#session-progress")
    return urlsplit(lead.url).path


def score_every_call(coach, workspace, user: str, language: str, session_path: str) -> None:
    says = SAYS[language]
    coach.goto("/assignments")
    card = coach.locator(f"section.assignment[data-session='{session_path.rsplit('/', 1)[-1]}']")
    assert says["progress"] in card.inner_text()
    shot(coach, f"assignments-{language}")
    card.locator("a.next-call").click()
    for number in range(4):
        coach.wait_for_url(re.compile(r".*/calibration/sessions/\d+/calls/cal-\d"))
        call = coach.url.split("/calls/")[1].split("?")[0]
        # Blind: no machine verdict, reason or score, and no verdict already ticked (not the other coach's).
        assert coach.locator(".status, #overall-score, .scores, .reason-text, .measures, ol.history").count() == 0
        assert coach.locator("#blind-form input[type=radio]:checked").count() == 0
        coach.locator("#blind-form input[type=radio][value=passed]").evaluate_all("radios => radios.forEach(r => { r.checked = true; })")
        coach.check(f"#blind-form input[name='status:{RECAP}'][value={VERDICTS[user][call]}]")
        if number == 0:  # one item left out: refused, the page says so and keeps what was given
            coach.locator("#blind-form input[name='status:closing.thanks']:checked").evaluate("radio => { radio.checked = false; }")
            coach.fill(f"#blind-form input[name='comment:{RECAP}']", "récapitulatif partiel")
            coach.click("#blind-form button[type=submit]")
            coach.wait_for_load_state()
            assert says["missing"] in coach.inner_text("#blind-error")
            assert coach.locator("tr.missing").get_attribute("data-item") == "closing.thanks"
            assert coach.locator(f"#blind-form input[name='status:{RECAP}'][value={VERDICTS[user][call]}]").is_checked()
            assert coach.locator(f"#blind-form input[name='comment:{RECAP}']").input_value() == "récapitulatif partiel"
            shot(coach, f"blind-error-{language}")
            coach.check("#blind-form input[name='status:closing.thanks'][value=passed]")
        coach.click("#blind-form button[type=submit]")
    coach.wait_for_url("**/assignments?done=finished")
    assert says["finished"] in coach.inner_text(".flash")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_lead_makes_a_session_two_coaches_score_blind_and_the_page_shows_their_kappa(browser, workspace, language):
    says = SAYS[language]
    lead = signed_in(browser, workspace, LEAD, language)
    session_path = make_session(lead, language)
    shot(lead, f"new-{language}")
    anne, bruno = signed_in(browser, workspace, ANNE, language), signed_in(browser, workspace, BRUNO, language)
    # The results are hidden from the coaches while the session is open; the lead's pages are the lead's.
    for path in (session_path, "/calibration/sessions", "/calibration/sessions/new"):
        assert anne.goto(path).status == 403 and anne.inner_text("h1") == says["forbidden"], path

    score_every_call(anne, workspace, ANNE, language, session_path)
    # Closing while Bruno has scored nothing is asked again, saying who has not finished (it closed at once)
    lead.goto(session_path)
    lead.click("#close-session")
    lead.wait_for_load_state()
    unfinished = "Tous les coachs n'ont pas fini : bruno.coach 0/4 notés" if language == "fr" else "Not every coach has finished: bruno.coach 0/4 scored"
    assert lead.inner_text("#page-error").startswith(unfinished), lead.inner_text("#page-error")
    assert lead.inner_text("#close-session") == ("Clôturer quand même" if language == "fr" else "Close anyway")
    assert "?done=closed" not in lead.url
    bruno.goto(f"{session_path}/calls/cal-1")
    assert bruno.locator("#blind-form input[type=radio]:checked").count() == 0  # Anne's verdicts are not shown to Bruno
    from playwright.sync_api import expect

    # Each verdict's radio is named by its item and its column (all three were « Récapitulatif » to a screen reader).
    columns = bruno.locator("table.blind thead th").all_inner_texts()[1:4]
    for radio, column in zip(bruno.locator(f"#blind-form input[name='status:{RECAP}']").all(), columns):
        expect(radio).to_have_accessible_name(re.compile(rf".+\w\s?:\s{re.escape(column)}$"))
    shot(bruno, f"blind-{language}")
    score_every_call(bruno, workspace, BRUNO, language, session_path)

    lead.goto(session_path)
    recap = lead.locator(f"tr[id='agreement-{RECAP}']")
    assert recap.locator("td.compared").inner_text() == "4" and recap.locator("td.unanimous").inner_text() == "3"
    assert recap.locator("td.coaches-kappa").inner_text() == says["half"]
    assert recap.locator(f"td.machine-kappa[data-coach='{ANNE}']").inner_text().startswith(says["one"])
    assert recap.locator(f"td.machine-kappa[data-coach='{BRUNO}']").inner_text().startswith(says["half"])
    # beside kappa, the calls alike (Anne gave the machine's verdict on all four)
    assert recap.locator(f"td.machine-kappa[data-coach='{ANNE}'] .agrees").inner_text() == ("(4 pareils sur 4)" if language == "fr" else "(4 alike of 4)")
    # the calls on which the coaches agree against the machine: none of the recap (Anne always with the machine), and on
    # every row the coaches' verdict is not the machine's
    rows = lead.locator("table.against-machine tbody tr").all()
    assert all(row.get_attribute("data-item") != RECAP for row in rows)
    for row in rows:
        coaches, machine = row.locator("td .status").all()[:2]
        assert coaches.get_attribute("class") != machine.get_attribute("class"), row.inner_text()
    [row] = lead.locator("table.session-disagreements tbody tr").all()
    assert (row.get_attribute("data-call"), row.get_attribute("data-item")) == ("cal-2", RECAP)
    shot(lead, f"results-{language}")
    row.locator("a").click()
    lead.wait_for_url(f"**/calls/cal-2?item={RECAP}")
    # The session's verdicts are the coaches' own: the call has no review, its verdict of record is still the machine's.
    assert lead.locator("ol.history").count() == 0

    lead.goto(session_path)
    lead.click("#close-session")
    lead.wait_for_url("**?done=closed")
    assert anne.goto(session_path).status == 200  # closed: its results open to the coaches
    assert anne.locator(f"tr[id='agreement-{RECAP}'] td.coaches-kappa").inner_text() == says["half"]
    # A closed session's call no longer says its verdicts stay hidden until the close, nor offers a form to fill in
    # (only saving was refused: a coach's review).
    anne.goto(f"{session_path}/calls/cal-1")
    assert anne.locator("#blind-form input[type=radio]:not([disabled])").count() == 0 and anne.locator("#blind-form input[type=radio]").count() > 0
    assert anne.locator("#blind-form input[type=text]:not([disabled])").count() == 0
    assert anne.locator("p.muted", has_text="clôture" if language == "fr" else "closes").count() == 0
    # and the coach finds them from their assignments (nothing led there once the session closed: a lead's review)
    bruno.goto("/assignments")
    bruno.click(f"ul.closed-sessions li a[href$='{session_path}']")
    bruno.wait_for_url(f"**{session_path}")
    assert bruno.locator(f"tr[id='agreement-{RECAP}'] td.coaches-kappa").inner_text() == says["half"]
    lead.goto("/calibration/sessions")
    shot(lead, f"list-{language}")
    for page in (lead, anne, bruno):
        page.context.close()


def test_an_agent_gets_403_on_every_page_and_form_of_it(browser, workspace):
    listed = "/calibration/sessions/1"  # an agent is refused before the session is looked for
    lead = signed_in(browser, workspace, LEAD, "fr")
    token = lead.locator("input[name=csrf]").first.input_value()  # a lead's form token, which the agent's session does not carry
    lead.context.close()
    agent = signed_in(browser, workspace, AGENT, "fr")
    for path in ("/assignments", "/calibration/sessions", "/calibration/sessions/new", listed, f"{listed}/calls/cal-1"):
        response = agent.goto(path)
        assert response.status == 403 and agent.inner_text("h1") == SAYS["fr"]["forbidden"], path
    agent_token = agent.locator("input[name=csrf]").first.input_value()
    for path, form in (("/calibration/sessions", {"name": "x", "coaches": "1", "mode": "random"}), (f"{listed}/close", {}),
                       (f"{listed}/calls/cal-1", {f"status:{RECAP}": "passed"})):
        for csrf in (agent_token, token):
            assert agent.request.post(path, form={**form, "csrf": csrf}).status == 403, path
    agent.context.close()
