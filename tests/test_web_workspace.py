"""The coaches' workspace end to end: a real `qualicall serve` on loopback, a real SQLite file,
real headless Chromium (Debian's, driven by Playwright through its executable path).

Screenshots of every page at 1366×768 go to artifacts/web/ (git-ignored), with the page-load
figure of a 40-minute call in artifacts/web/page-load.txt.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import wave
from pathlib import Path
from urllib.parse import quote

import pytest
from api_server import Server, wait_until

from conftest import EXAMPLES, ROOT

ARTIFACTS = ROOT / "artifacts" / "web"
VIEWPORT = {"width": 1366, "height": 768}
COACH, PASSWORD = "julie.martin", "calibrage-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # a server of its own and a browser
]

AUDIO_TURNS = [
    ("agent", "Service client Énergie Plus, bonjour. Je m'appelle Julie. Que puis-je faire pour vous ?"),
    ("customer", "Bonjour, ma facture de mars est deux fois plus élevée que d'habitude."),
    ("agent", "Si je comprends bien, votre facture de mars a doublé par rapport aux mois précédents. C'est bien cela ?"),
    ("customer", "Oui, c'est ça."),
    ("agent", "Je vérifie votre compte. Vous avez consommé davantage en février, la facture est donc juste. Merci de votre appel."),
]


def synthesise_call(folder: Path) -> tuple[Path, list[dict]]:
    """A short two-voice French call made with espeak-ng: one WAV, and turns timed on it exactly."""
    pause = 0.4
    frames, turns, rate, clock = [], [], None, 0.0
    for index, (speaker, text) in enumerate(AUDIO_TURNS):
        part = folder / f"turn-{index}.wav"
        voice = "fr+f3" if speaker == "agent" else "fr+m3"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "190", "-w", str(part), text], check=True, capture_output=True)
        with wave.open(str(part)) as stream:
            rate = stream.getframerate()
            params = stream.getparams()
            data = stream.readframes(stream.getnframes())
        seconds = len(data) / (rate * params.sampwidth)
        turns.append({"speaker": speaker, "text": text, "start": round(clock, 2), "end": round(clock + seconds, 2)})
        frames.append(data + b"\x00" * int(pause * rate) * params.sampwidth)
        clock += seconds + pause
    path = folder / "appel-court.wav"
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(b"".join(frames))
    return path, turns


LONG_AGENT = [
    "Je regarde votre dossier, un instant s'il vous plaît.",
    "Votre contrat comprend la maintenance annuelle de la chaudière et le dépannage sous quarante-huit heures.",
    "Je vous propose un rendez-vous jeudi matin entre huit heures et midi, cela vous convient-il ?",
    "Le technicien vous appellera une demi-heure avant son arrivée.",
    "Je note votre demande et je vous envoie la confirmation par courriel.",
]
LONG_CUSTOMER = [
    "D'accord, je patiente.",
    "Et si la pièce doit être commandée, combien de temps faut-il compter ?",
    "Jeudi matin, c'est parfait pour moi.",
    "Est-ce que je dois être présent pendant toute l'intervention ?",
    "Très bien, merci pour ces précisions.",
]


def long_call() -> dict:
    """A 40-minute call: 480 turns of 5 s."""
    turns = [{"speaker": "agent", "text": "Service dépannage Chaleur Plus, bonjour, Marc à votre écoute. En quoi puis-je vous aider ?", "start": 0.0, "end": 4.5}]
    for index in range(1, 479):
        speaker = "customer" if index % 2 else "agent"
        lines = LONG_CUSTOMER if speaker == "customer" else LONG_AGENT
        turns.append({"speaker": speaker, "text": lines[(index // 2) % len(lines)], "start": index * 5.0, "end": index * 5.0 + 4.5})
    turns.append({"speaker": "agent", "text": "Je récapitule : rendez-vous jeudi matin. Avez-vous d'autres questions ? Merci de votre appel, bonne journée.", "start": 2395.0, "end": 2399.5})
    return {"id": "appel-long-40min", "channel": "voice", "language": "fr", "agent_id": "A-007", "team": "résiliation",
            "queue": "particuliers", "started_at": "2026-11-17T14:00:00+01:00", "turns": turns,
            "indicators": {"wait_time_s": 95, "handle_time_s": 2460, "transfers": 1, "csat": 2}}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    # The call's recording is referenced inside the recordings root, as a CRM on the same storage would.
    server = Server(folder, env_extra={"QUALICALL_RECORDINGS_ROOT": str(folder)})
    server.make_keys()
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.users import create_user

    store = Store(Settings(data_dir=folder).url)
    with store.session() as session:
        create_user(session, COACH, PASSWORD, "coach")
    store.close()
    server.start()

    recording, turns = synthesise_call(folder)
    examples = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    earlier = dict(examples[0], id="exemple-fr-001-s44", started_at="2026-10-27T10:00:00+01:00")
    audio_call = {"id": "appel-court-audio", "channel": "voice", "language": "fr", "agent_id": "A-007", "team": "résiliation",
                  "queue": "particuliers", "started_at": "2026-11-10T09:30:00+01:00", "recording": recording.name, "turns": turns,
                  "indicators": {"wait_time_s": 48, "handle_time_s": 210, "transfers": 0, "csat": 3}}
    results = {}
    with server.client("crm") as crm:
        for interaction in [*examples, earlier, audio_call, long_call()]:
            response = crm.post("/v1/interactions", json=interaction)
            assert response.status_code == 201, response.text
            results[interaction["id"]] = response.json()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": results, "audio_turns": turns}
    server.stop()


@pytest.fixture(scope="module")
def page(workspace):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR", base_url=workspace["server"].url)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


@pytest.fixture()
def coach_page(page):
    """The module's page signed in as the coach, whether or not the login test ran before (each test runs alone too)."""
    page.goto("/queue")
    if "/login" in page.url:
        page.fill("#username", COACH)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/queue")
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def failed_keys(result: dict) -> list[str]:
    return [f"{c}.{i}" for c, crit in result["criteria"].items() for i, item in crit["items"].items() if item["status"] == "failed"]


def test_login_then_queue_sorted_and_filtered(page, workspace):
    page.goto("/queue")
    assert page.url.endswith("/login?next=%2Fqueue")
    page.fill("#username", COACH)
    page.fill("#password", "wrong password")
    page.click("button[type=submit].primary")
    assert "incorrects" in page.inner_text("[role=alert]")
    assert page.input_value("#username") == COACH
    shot(page, "login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/queue")
    cookie = next(c for c in page.context.cookies() if c["name"] == "qualicall_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    ids = page.locator("table.queue tbody tr td:first-child a").all_inner_texts()
    assert sorted(ids) == sorted(workspace["results"])
    results = workspace["results"]
    score = lambda i: results[i]["overall_score"]  # noqa: E731
    # What most needs a human first: the lowest-scored call leads; the best-scored call is not before it.
    assert ids[0] == min(results, key=score)
    assert ids.index(max(results, key=score)) > ids.index(min(results, key=score))
    shot(page, "queue")

    page.select_option("#f-agent", "A-007")
    page.click(".filters button[type=submit]")
    agent_ids = page.locator("table.queue tbody tr td:first-child a").all_inner_texts()
    assert sorted(agent_ids) == sorted(i for i, r in results.items() if r.get("agent_id") == "A-007")
    failed = failed_keys(results["appel-court-audio"])
    assert failed, "the short call is built to fail closing items"
    page.goto(f"/queue?item_failed={quote(failed[0])}")
    with_failure = set(page.locator("table.queue tbody tr td:first-child a").all_inner_texts())
    assert with_failure == {i for i, r in results.items() if failed[0] in failed_keys(r)}
    page.goto("/queue?min_score=95")
    assert set(page.locator("table.queue tbody tr td:first-child a").all_inner_texts()) == {i for i, r in results.items() if r["overall_score"] >= 95}


def test_call_page_evidence_audio_and_keyboard(coach_page, workspace):
    page = coach_page
    result = workspace["results"]["appel-court-audio"]
    page.goto("/calls/appel-court-audio")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    # Every failed item is on screen at 1366×768 without scrolling.
    failed = failed_keys(result)
    for key in failed:
        box = page.locator(f"tr[id='item-{key}']").bounding_box()
        assert box and box["y"] + box["height"] <= VIEWPORT["height"], f"{key} is below the fold"
    # The summary above the scorecard counts them and offers one button per failed item, in the scorecard's order.
    summary = page.locator(".failed-summary")
    assert summary.locator("strong").inner_text() == f"{len(failed)} item{'s' if len(failed) > 1 else ''} non conforme{'s' if len(failed) > 1 else ''}"
    assert summary.locator("button.chip.failed").evaluate_all("buttons => buttons.map(b => b.dataset.item)") == failed
    shot(page, "call")

    # Click an item: its evidence is highlighted in the transcript and the audio goes to its time.
    evidence = result["criteria"]["closing"]["items"]["thanks"]["evidence"][0]
    page.click("tr[id='item-closing.thanks'] .item-button")
    mark = page.locator("mark.evidence")
    assert mark.count() == 1 and mark.inner_text() == evidence["text"]
    assert page.locator(f"#turn-{evidence['turn']} mark.evidence").count() == 1
    position = page.evaluate("document.getElementById('player').currentTime")
    assert position == pytest.approx(evidence["time"], abs=0.05)
    assert page.get_attribute(f"#turn-{evidence['turn']}", "class").split().count("current") == 1
    assert mark.bounding_box()["y"] < VIEWPORT["height"]
    shot(page, "call-evidence")

    # Keyboard: Tab reaches the item buttons, Enter shows another item's evidence.
    greeting = result["criteria"]["greeting"]["items"]["salutation"]["evidence"][0]
    page.focus("tr[id='item-greeting.organization'] .item-button")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.item") == "greeting.organization"
    page.focus("tr[id='item-greeting.salutation'] .item-button")
    page.keyboard.press("Enter")
    assert page.inner_text("mark.evidence") == greeting["text"]
    assert page.get_attribute("tr[id='item-greeting.salutation'] .item-button", "aria-pressed") == "true"

    # Click a turn: the player seeks to it and the turn is the current one; playing moves the highlight.
    turn = workspace["audio_turns"][2]
    page.click("#turn-2 .text")
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(turn["start"], abs=0.05)
    assert "current" in page.get_attribute("#turn-2", "class")
    page.evaluate("document.getElementById('player').currentTime = %f" % (workspace["audio_turns"][3]["start"] + 0.2))
    wait_until(page, "document.getElementById('turn-3').classList.contains('current')")
    assert "current" not in page.get_attribute("#turn-2", "class")


def calibration_figures(page) -> dict[str, str]:
    page.goto("/calibration")
    if page.locator("#cal-all").count() == 0:
        return {}
    cells = page.locator("#cal-all td").all_inner_texts()
    return {"reviews": cells[0], "accuracy": cells[1], "kappa": cells[2]}


def test_override_then_calibration_changes(coach_page, workspace):
    page = coach_page
    assert calibration_figures(page) == {}
    shot(page, "calibration-empty")
    key = failed_keys(workspace["results"]["appel-court-audio"])[-1]
    page.goto("/calls/appel-court-audio")
    page.click(f"tr[id='item-{key}'] .override-button")
    dialog = page.locator("#override-dialog")
    assert dialog.is_visible()
    assert page.inner_text("#override-auto") == "non conforme"
    page.check("#override-dialog input[value=passed]")
    page.click("#override-dialog button[type=submit]")  # a changed status needs a comment: not sent
    assert page.get_attribute("#override-comment", "aria-invalid") == "true" and dialog.is_visible()
    page.fill("#override-comment", "Le client a raccroché avant la formule de congé : rien à reprocher.")
    shot(page, "override-dialog")
    page.click("#override-dialog button[type=submit]")
    page.wait_for_url("**done=saved**")
    row = page.locator(f"tr[id='item-{key}']")
    assert row.locator("td:nth-child(2) .status").inner_text() == "non conforme"  # auto, kept
    assert row.locator("td:nth-child(3) .status").inner_text() == "conforme"  # coach
    assert "overridden" in row.get_attribute("class")
    assert COACH in page.inner_text("ol.history") and "raccroché" in page.inner_text("ol.history")
    shot(page, "call-after-override")

    figures = calibration_figures(page)
    assert figures["reviews"] == "1" and figures["accuracy"] == "0\u202f%"  # French: a narrow no-break space
    assert page.locator("table.disagreements tbody tr").count() == 1
    assert "appel-court-audio" in page.inner_text("table.disagreements")

    # The coach checked the rest of the call: the other items' automatic verdicts are confirmed.
    page.goto("/calls/appel-court-audio")
    page.click("form.confirm button")
    page.wait_for_url("**done=confirmed**")
    figures = calibration_figures(page)
    items = sum(len(c["items"]) for c in workspace["results"]["appel-court-audio"]["criteria"].values())
    assert figures["reviews"] == str(items)
    assert figures["accuracy"] == f"{round(100 * (items - 1) / items)}\u202f%"
    shot(page, "calibration")

    # The same reviews through the HTTP API (one store behind both).
    with workspace["server"].client("coach") as api:
        body = api.get("/v1/interactions/appel-court-audio").json()
    reviewed = [r for r in body["reviews"] if r.get("item_id") == key.split(".")[1]]
    assert reviewed and reviewed[0]["status"] == "passed" and reviewed[0]["reviewer"] == COACH
    page.goto("/queue?reviewed=yes")
    assert page.locator("table.queue tbody tr").count() == 1 and COACH in page.inner_text("table.queue tbody tr")


def test_agent_and_team_trends(coach_page, workspace):
    page = coach_page
    page.goto("/agents")
    assert "A-007" in page.inner_text("table")
    page.goto("/agents/A-007")
    agent_calls = [i for i, r in workspace["results"].items() if r.get("agent_id") == "A-007"]
    assert page.locator("figure.chart").count() >= 3
    dots = page.locator("figure.chart").first.locator("g.series.s0 a")
    assert dots.count() == 4  # weeks 44, 45, 46 and 47
    shot(page, "agent")
    # The calls behind a point: the week of the short call.
    page.locator("figure.chart").first.locator("g.series.s0 a").nth(2).focus()  # by keyboard: the overall line's dot may lie on top
    page.keyboard.press("Enter")
    page.wait_for_url("**/queue?**")
    assert page.locator("table.queue tbody tr td:first-child a").all_inner_texts() == ["appel-court-audio"]
    page.goto("/agents/A-007?period=month")
    assert page.locator("figure.chart").first.locator("g.series.s0 a").count() == 2
    assert sum(int(x) for x in page.locator("table.rates td:nth-child(3)").first.inner_text().split()[-1].split("/")[1:]) <= len(agent_calls)
    page.goto("/teams/" + quote("résiliation"))
    assert page.locator("figure.chart").count() >= 3
    shot(page, "team")


def test_english_interface(coach_page, workspace):
    page = coach_page
    page.goto("/calls/appel-court-audio")
    page.click("header a.lang")
    page.wait_for_url("**/calls/appel-court-audio")
    assert page.get_attribute("html", "lang") == "en"
    assert "Review queue" in page.inner_text("header nav") and "Overall score" in page.inner_text(".call-head")
    assert "failed item" in page.inner_text(".failed-summary")
    shot(page, "call-en")
    page.click("header a.lang")
    assert page.get_attribute("html", "lang") == "fr"


def test_long_call_page_load(coach_page, workspace):
    page = coach_page
    """A 40-minute call (480 turns): page load measured in the browser (navigation start → load event)."""
    timings = []
    for _ in range(3):
        page.goto("/calls/appel-long-40min", wait_until="load")
        timings.append(page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()"))
    assert page.locator("ol.transcript li").count() == 480
    page.click("tr[id='item-closing.farewell'] .item-button")
    assert page.locator("#turn-479 mark.evidence").count() == 1
    assert page.locator("#turn-479").bounding_box()["y"] < VIEWPORT["height"]
    shot(page, "call-40min")
    median = statistics.median(timings)
    (ARTIFACTS / "page-load.txt").write_text(
        f"interaction page, 40-minute call (480 turns), loopback: median {median:.0f} ms of {', '.join(f'{t:.0f}' for t in timings)} ms\n", encoding="utf-8"
    )
    print(f"\n40-minute call page load: median {median:.0f} ms ({', '.join(f'{t:.0f}' for t in timings)} ms)")
    assert median < 1000


def test_sign_in_rules_without_a_browser(workspace):
    """Keys by role, CSRF, forged cookies, local redirects only, unknown calls."""
    import httpx

    server = workspace["server"]
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as http:
        assert http.get("/calls/appel-court-audio").headers["location"] == "/login?next=%2Fcalls%2Fappel-court-audio"
        http.cookies.set("qualicall_session", "eyJ1IjoieCIsInIiOiJhZG1pbiJ9.forged")
        assert http.get("/queue").status_code == 303
        http.cookies.clear()
        form = http.get("/login")
        # The sign-in form's CSRF token and its (Secure) cookie, which httpx's jar sends over https only.
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        http.cookies.set("qualicall_signin", form.cookies["qualicall_signin"])
        crm = http.post("/login", data={"api_key": server.keys["crm"], "next": "/queue", "csrf": csrf})
        assert crm.status_code == 403 and "rôle coach" in crm.text
        signed = http.post("/login", data={"api_key": server.keys["coach"], "next": "//evil.example/x", "csrf": csrf})
        assert signed.status_code == 303 and signed.headers["location"] == "/queue"
        http.cookies.set("qualicall_session", signed.cookies["qualicall_session"])
        assert http.get("/queue").status_code == 200
        assert http.get("/calls/no-such-call").status_code == 404
        stale = http.post("/calls/appel-court-audio/reviews", data={"item": "closing.recap", "status": "passed", "comment": "x", "csrf": "wrong"})
        assert stale.status_code == 403
        audio = http.get("/calls/appel-court-audio/audio", headers={"Range": "bytes=0-99"})
        assert audio.status_code == 206 and len(audio.content) == 100
