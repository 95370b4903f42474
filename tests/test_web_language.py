"""The coach pages speak one language: no English reason on a French page, no French one on an
English page (reasons rendered from their codes, measures, dates, trend periods, the rubric line).

A real `qualicall serve` on loopback with a real SQLite file, real headless Chromium (Debian's);
calls in French and English, voice and chat, a complaint, an abandoned contact, a coach's override."""

from __future__ import annotations

import json
import re
import shutil
import string
from urllib.parse import quote

import pytest
from api_server import Server, wait_until

from conftest import EXAMPLES, ROOT
from qualicall.scorer.reasons import TEMPLATES

COACH, PASSWORD = "camille.roux", "langue-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "web"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # a server of its own and a browser
]

# What the pages showed before they followed the coach's language (issue 16), written by hand.
ENGLISH_SEEN = ["easy to follow", "Flesch reading ease", "in turn ", "no company or service named", "words per sentence",
                "reads like", "similarity", "Rubric ", "week ", "turn "]
FRENCH_SEEN = ["facile à suivre", "lisibilité de Flesch", "au tour ", "rien de tel", "mots par phrase", "ressemble à",
               "similarité", "Grille ", "sem. ", "tour "]
WEEK_KEY = re.compile(r"\b\d{4}-W\d{2}\b")

COMPLAINT_FR = [
    ("agent", "Assurances Lumière, bonjour, Paul à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour. Mon remboursement de lunettes devait arriver il y a un mois et je n'ai toujours rien, c'est inadmissible."),
    ("agent", "Je suis sincèrement désolé pour ce retard. Je regarde votre dossier."),
    ("customer", "Je veux parler à votre responsable, sinon je résilie mon contrat et je pars à la concurrence."),
    ("agent", "Je m'occupe moi-même du virement aujourd'hui, vous le recevrez sous deux jours ouvrés, référence V 4 4 1 2."),
    ("customer", "Merci beaucoup, ça me rassure."),
    ("agent", "Avez-vous d'autres questions ? Bonne journée, au revoir."),
]
BLAME_EN = [
    ("agent", "Good morning, Clearline Broadband, Priya speaking, how can I help?"),
    ("customer", "Hello. My broadband has cut out every evening for a fortnight and honestly it's not acceptable."),
    ("agent", "That's the network team's doing, not ours, there's nothing we can do from here, mate."),
    ("customer", "So what happens now?"),
    ("agent", "Someone should be in touch at some point. We'll log it in the CRM under the NOC queue."),
    ("customer", "Right. Goodbye."),
    ("agent", "Thanks for calling, bye."),
]
CHAT_FR = [
    ("agent", "Bonjour, je suis Inès du service client Rentao. Comment puis-je vous aider ?"),
    ("customer", "Bonjour, je voudrais savoir quand arrive mon colis 4411."),
    ("agent", "Votre colis arrive demain avant midi. Autre chose ?"),
    ("customer", "Non merci."),
    ("client", "Le client a quitté la conversation."),
]


def contact(identifier: str, turns: list[tuple[str, str]], language: str, started_at: str, channel: str = "voice", **extra) -> dict:
    timed = [{"speaker": s, "text": text, "start": i * 6.0, "end": i * 6.0 + 5.5} for i, (s, text) in enumerate(turns)]
    if channel != "voice":
        timed = [{"speaker": t["speaker"], "text": t["text"]} for t in timed]
    return {"id": identifier, "channel": channel, "language": language, "agent_id": "A-042", "team": "sinistres",
            "started_at": started_at, "turns": timed, **extra}


def calls() -> list[dict]:
    found = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    found.append(json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8")))
    found += [
        contact("reclamation-fr", COMPLAINT_FR, "fr", "2026-11-12T09:30:00+01:00"),
        contact("blame-en", BLAME_EN, "en", "2026-11-19T15:10:00+00:00"),
        contact("chat-fr", [(s if s != "client" else "customer", t) for s, t in CHAT_FR], "fr", "2026-11-20T11:00:00+01:00", channel="chat"),
        {"id": "abandon-fr", "channel": "voice", "language": "fr", "agent_id": "A-042", "team": "sinistres",
         "started_at": "2026-11-20T12:00:00+01:00", "abandoned": True, "turns": []},
    ]
    for call in found:  # every call on one agent and team page, over several weeks
        call["agent_id"], call["team"] = "A-042", "sinistres"
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-language")
    server = Server(folder)
    server.make_keys()
    server.make_user(COACH, PASSWORD)
    server.start()
    stored = []
    with server.client("crm") as crm:
        for call in calls():
            answer = crm.post("/v1/interactions", json=call)
            assert answer.status_code == 201, answer.text
            stored.append(answer.json())
    with server.client("coach") as coach:  # a disagreement for the calibration page and the call's history
        first = stored[0]
        item = next(i for c in first["criteria"].values() for i, v in c["items"].items() if v["status"] == "passed")
        answer = coach.post(f"/v1/interactions/{quote(first['interaction_id'])}/reviews",
                            json={"items": [{"item_id": item, "status": "failed", "comment": "inaudible"}]})
        assert answer.status_code in (200, 201), answer.text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": stored}
    server.stop()


def fragments(language: str) -> set[str]:
    """The fixed words of one language's reason templates that the other language's templates do not share."""
    index = {"fr": 0, "en": 1}[language]
    others = [pair[1 - index] for pair in TEMPLATES.values()]
    found = set()
    for pair in TEMPLATES.values():
        for literal, *_ in string.Formatter().parse(pair[index]):
            for piece in re.split(r"[«»();:,]|\s-\s", literal or ""):
                piece = piece.strip()
                if len(piece) >= 8 and re.search(r"[a-zà-ÿ]{4}", piece) and not any(piece in other for other in others):
                    found.add(piece)
    return found


def page_text(page) -> str:
    """What the interface says on the page: its text, tooltips and labels, without what the speakers said
    (the transcript, and the « … » quotes of their words in reasons), which is in the call's language."""
    text = page.evaluate(
        "(() => { document.querySelectorAll('#transcript').forEach(e => e.remove());"
        " return document.body.innerText + '\\n' + [...document.querySelectorAll('[title], [aria-label]')]"
        ".map(e => (e.getAttribute('title') || '') + ' ' + (e.getAttribute('aria-label') || '')).join('\\n'); })()"
    )
    return re.sub(r"«[^«»]*»", "«»", text)


def pages(results: list[dict]) -> list[str]:
    ids = [r["interaction_id"] for r in results]
    return ["/queue", *(f"/calls/{quote(i, safe='')}" for i in ids), "/agents", "/agents/A-042", "/agents/A-042?period=month",
            "/agents/A-042?period=day", "/teams", "/teams/sinistres", "/calibration"]


@pytest.fixture(scope="module", params=["fr", "en"])
def browser_page(request, workspace):
    from playwright.sync_api import sync_playwright

    language = request.param
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale={"fr": "fr-FR", "en": "en-GB"}[language],
                                      base_url=workspace["server"].url)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/login")
        page.fill("#username", COACH)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/queue")
        yield language, page
        browser.close()


def test_the_templates_give_the_scan_enough_to_find() -> None:
    english, french = fragments("en"), fragments("fr")
    assert {"easy to follow", "reads like", "no company or service named in"} <= english
    assert {"facile à suivre", "ressemble à", "rien de tel dans"} <= french
    assert len(english) > 40 and len(french) > 40


def test_no_page_mixes_the_other_languages_reasons(browser_page, workspace) -> None:
    language, page = browser_page
    other = "en" if language == "fr" else "fr"
    forbidden = sorted(fragments(other) | set(ENGLISH_SEEN if language == "fr" else FRENCH_SEEN))
    own = fragments(language)
    seen_own: set[str] = set()
    problems = []
    for path in pages(workspace["results"]):
        page.goto(path)
        wait_until(page, "document.readyState === 'complete' && !!document.querySelector('main')")
        if path.startswith("/calls/reclamation") or path == "/agents/A-042":
            page.screenshot(path=str(ARTIFACTS / f"language-{language}-{path.strip('/').split('/')[0]}.png"), full_page=True)
        text = page_text(page)
        problems += [f"{path}: « {found} »" for found in forbidden if found in text]
        problems += [f"{path}: week key « {m} »" for m in WEEK_KEY.findall(text)]
        seen_own |= {found for found in own if found in text}
    assert not problems, f"{language} pages show words of the other language:\n" + "\n".join(problems[:30])
    # The pages did show reasons, in their own language: the scan read something.
    assert len(seen_own) >= 15, sorted(seen_own)


def test_a_french_call_page_writes_numbers_dates_and_the_rubric_as_french_does(browser_page, workspace) -> None:
    language, page = browser_page
    page.goto("/calls/reclamation-fr")
    wait_until(page, "!!document.querySelector('.scorecard .reason-text')")
    meta = page.locator(".call-head .meta").inner_text()
    reasons = "\n".join(page.locator(".scorecard .reason-text").all_inner_texts())
    if language == "fr":
        assert "12/11/2026 09:30" in meta and "Grille default-fr, version" in meta
        assert re.search(r"au tour \d+ \(\d+(,\d+)?\u202fs\)", reasons), reasons
        assert re.search(r"\d,\d", page.locator(".scorecard .measures").first.inner_text())
    else:
        assert "2026-11-12 09:30" in meta and "Rubric default-fr, version" in meta
        assert re.search(r"in turn \d+ \(\d+(\.\d+)? s\)", reasons), reasons
    page.goto("/agents/A-042")
    wait_until(page, "!!document.querySelector('main table')")
    periods = page.locator("main table").last.locator("tbody th").all_inner_texts()
    assert periods and all(p.startswith("sem. " if language == "fr" else "week ") for p in periods), periods
