"""The coach workspace's customer signals (complaints-and-satisfaction.md): the queue's signal filter,
the customer's sentiment curve under the player, a signal's evidence clickable to its moment.

A real `qualicall serve` on loopback with a real SQLite file, real headless Chromium (Debian's)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest
from api_server import Server, wait_until

from conftest import ROOT

COACH, PASSWORD = "claire.dupont", "signaux-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "web"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # a server of its own and a browser
]

# Written for this test: in no bank of the default rubrics.
COMPLAINT = [
    ("agent", "Assurances Lumière, bonjour, Paul à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour. Mon remboursement de lunettes devait arriver il y a un mois et je n'ai toujours rien, c'est inadmissible."),
    ("agent", "Je suis sincèrement désolé pour ce retard. Je regarde votre dossier."),
    ("customer", "Je veux parler à votre responsable, j'en ai assez d'attendre."),
    ("agent", "Je m'occupe moi-même du virement aujourd'hui, vous le recevrez sous deux jours ouvrés, référence V 4 4 1 2."),
    ("customer", "Merci beaucoup, ça me rassure vraiment."),
    ("agent", "Avez-vous d'autres questions ? Bonne journée, au revoir."),
]
CALM = [
    ("agent", "Assurances Lumière, bonjour, Paul à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour, je voudrais une attestation d'assurance habitation pour ma propriétaire."),
    ("agent", "Bien sûr, je vous l'envoie par courriel tout de suite. Avez-vous d'autres questions ?"),
    ("customer", "Non, c'est tout, merci beaucoup, c'est parfait."),
    ("agent", "Merci de votre appel, bonne journée, au revoir."),
]
SECONDS = 6.0


def silent_recording(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path


def call(identifier: str, turns: list[tuple[str, str]], recording: Path | None = None) -> dict:
    timed = [{"speaker": s, "text": text, "start": i * SECONDS, "end": i * SECONDS + SECONDS - 0.5} for i, (s, text) in enumerate(turns)]
    record = {"id": identifier, "channel": "voice", "language": "fr", "agent_id": "A-042", "team": "sinistres",
              "started_at": "2026-11-20T10:00:00+01:00", "turns": timed}
    return {**record, "recording": recording.name} if recording else record


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-signals")
    # The complaint's recording is referenced inside the recordings root.
    server = Server(folder, env_extra={"QUALICALL_RECORDINGS_ROOT": str(folder)})
    server.make_keys()
    server.make_user(COACH, PASSWORD)
    server.start()
    recording = silent_recording(folder / "reclamation.wav", len(COMPLAINT) * SECONDS)
    results = {}
    with server.client("crm") as crm:
        for interaction in (call("reclamation-lunettes", COMPLAINT, recording), call("attestation", CALM)):
            response = crm.post("/v1/interactions", json=interaction)
            assert response.status_code == 201, response.text
            results[interaction["id"]] = response.json()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": results}
    server.stop()


@pytest.fixture(scope="module")
def page(workspace):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR", base_url=workspace["server"].url)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/login")
        page.fill("#username", COACH)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/queue")
        yield page
        browser.close()


def listed(page) -> set[str]:
    return set(page.locator("table.queue tbody tr td:first-child a").all_inner_texts())


def test_the_queue_filters_calls_by_customer_signal(page, workspace) -> None:
    results = workspace["results"]
    assert results["reclamation-lunettes"]["signals"]["complaint"]["present"]
    assert not results["attestation"]["signals"]["complaint"]["present"]
    page.goto("/queue")
    assert listed(page) == set(results)
    page.select_option("#f-signal", "complaint")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**signal=complaint**")  # the filtered page, not the one being left (read empty once under load)
    page.wait_for_load_state()
    assert listed(page) == {"reclamation-lunettes"}
    page.goto("/queue?signal=escalation_request")
    assert listed(page) == {i for i, r in results.items() if r["signals"]["escalation_request"]["present"]} == {"reclamation-lunettes"}
    page.goto("/queue?signal=churn_threat")
    assert listed(page) == {i for i, r in results.items() if r["signals"]["churn_threat"]["present"]}
    page.goto("/queue?signal=negative_end")
    assert listed(page) == {i for i, r in results.items() if r["sentiment"]["end"] < -0.3}
    page.goto("/queue?signal=nonsense")  # an unknown value filters nothing out
    assert listed(page) == set(results)


def test_the_call_page_draws_the_customers_sentiment_and_links_signals_to_their_moment(page, workspace) -> None:
    result = workspace["results"]["reclamation-lunettes"]
    page.goto("/calls/reclamation-lunettes")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    points = page.locator(".sentiment svg circle")
    turns = result["sentiment"]["turns"]
    assert points.count() == len(turns) == 3
    # Higher on the curve is happier: the thanks at the end sit above the complaint at the start.
    first, last = (float(points.nth(i).get_attribute("cy")) for i in (0, len(turns) - 1))
    assert turns[0]["score"] < turns[-1]["score"] and first > last
    assert page.locator(".sentiment svg").bounding_box()["y"] > page.locator("#player").bounding_box()["y"]
    page.locator(".sentiment").screenshot(path=str(ARTIFACTS / "sentiment-curve.png"))

    # A point of the curve takes the player to its turn.
    points.nth(1).click()
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(turns[1]["time"], abs=0.05)

    # A signal shows its evidence in the transcript and takes the player to it.
    evidence = result["signals"]["escalation_request"]["evidence"][0]
    page.click(".signals [data-item='signal.escalation_request']")
    mark = page.locator("mark.evidence")
    assert mark.count() >= 1 and page.locator(f"#turn-{evidence['turn']} mark.evidence").first.inner_text() == evidence["text"]
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(evidence["time"], abs=0.05)
    page.screenshot(path=str(ARTIFACTS / "call-signals.png"))
