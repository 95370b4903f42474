"""The waveform under the call page's player and the playback speed (issue 16), in real headless Chromium on a
real `qualicall serve`: a stereo recording whose loud spans and turns were planted (agent on the left, a
second of overtalk at 3–4 s, a silence at 6–9 s), an evidence tick that moves the player, the speed control
and its shortcuts, remembered from one call to the next; a chat has no waveform and no error.

Screenshots at 1366×768 in French and English go to artifacts/web/waveform-*.png (git-ignored).
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from api_server import Server, wait_until

from conftest import ROOT
from verdicts_by_hand import SHORT_CALL

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "web"
COACH, PASSWORD = "lea.coach", "forme-d-onde-2026"
RATE = 16_000
LENGTH = 20.0
# SHORT_CALL's five turns, timed: the customer starts at 3 s while the agent speaks until 4 s (overtalk),
# then nobody speaks from 6 to 9 s (a silence over 2 s).
TIMES = [(0.5, 4.0), (3.0, 6.0), (9.0, 12.0), (12.5, 13.5), (14.0, 18.0)]
OVERTALK, SILENCE = (3.0, 4.0), (6.0, 9.0)
ERRORS: list[str] = []  # the pages' uncaught script errors

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)"),
    pytest.mark.slow,  # a server of its own and a browser
]


def stereo_call(path: Path) -> Path:
    """Agent on the left, customer on the right: a 200 Hz tone on a party's channel while it speaks."""
    time = np.arange(int(LENGTH * RATE)) / RATE
    channels = np.zeros((2, time.size))
    for (speaker, _), (start, end) in zip(SHORT_CALL, TIMES):
        channel = 0 if speaker == "agent" else 1
        channels[channel, (time >= start) & (time < end)] = 0.5
    samples = channels * np.sin(2 * np.pi * 200 * time)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples.T * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("waveform")
    server = Server(folder, env_extra={"QUALICALL_RECORDINGS_ROOT": str(folder)})
    server.make_keys()
    server.make_user(COACH, PASSWORD)
    server.start()
    recording = stereo_call(folder / "appel-stereo.wav")
    turns = [{"speaker": s, "text": text, "start": a, "end": b} for (s, text), (a, b) in zip(SHORT_CALL, TIMES)]
    base = {"language": "fr", "agent_id": "A-700", "team": "T-onde", "started_at": "2026-11-10T09:30:00+01:00", "turns": turns}
    results = {}
    with server.client("crm") as crm:
        # as the audio pipeline writes a file shorter than its header states (asr.truncated)
        cut_short = {"engine": "faster-whisper", "truncated": True, "audio_seconds": 95.4, "stated_seconds": 380.0}
        for interaction in ({**base, "id": "onde-stereo", "recording": recording.name}, {**base, "id": "onde-chat", "channel": "chat"},
                            {**base, "id": "onde-coupee", "recording": recording.name, "asr": cut_short}):
            response = crm.post("/v1/interactions", json=interaction)
            assert response.status_code == 201, response.text
            results[interaction["id"]] = response.json()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"server": server, "results": results, "folder": folder}
    server.stop()


@pytest.fixture(scope="module")
def page(workspace):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR", base_url=workspace["server"].url)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.on("pageerror", lambda error: ERRORS.append(str(error)))
        page.goto("/login")
        page.fill("#username", COACH)
        page.fill("#password", PASSWORD)
        page.click("form button[type=submit].primary")
        page.wait_for_url("**/queue**")
        yield page
        browser.close()


def evidence_times(result: dict, turns: list[tuple[float, float]]) -> dict[str, float]:
    """Each item's first evidence moment, as the scorer stored it (a span's time, else its turn's start)."""
    times = {}
    for criterion_id, criterion in result["criteria"].items():
        for item_id, item in criterion["items"].items():
            for span in item.get("evidence") or []:
                times[f"{criterion_id}.{item_id}"] = span["time"] if span.get("time") is not None else turns[span["turn"]][0]
                break
    return times


def fraction(page, selector: str) -> list[tuple[float, float]]:
    """Each element's x and width as fractions of the drawing's width."""
    return page.locator(selector).evaluate_all(
        "(els) => els.map((e) => [e.x.baseVal.value / e.ownerSVGElement.viewBox.baseVal.width,"
        " e.width.baseVal.value / e.ownerSVGElement.viewBox.baseVal.width])")


def test_two_lanes_with_the_planted_overtalk_and_silence(page, workspace):
    page.goto("/calls/onde-stereo")
    assert page.locator("#waveform g.lane.agent polygon.envelope").count() == 1
    assert page.locator("#waveform g.lane.customer polygon.envelope").count() == 1
    assert page.locator("#waveform g.lane.agent rect.speech").count() == 3 and page.locator("#waveform g.lane.customer rect.speech").count() == 2
    [(x, width)] = fraction(page, "#waveform rect.overtalk")
    assert x == pytest.approx(OVERTALK[0] / LENGTH, abs=0.002) and width == pytest.approx((OVERTALK[1] - OVERTALK[0]) / LENGTH, abs=0.002)
    [(x, width)] = fraction(page, "#waveform rect.silence")
    assert x == pytest.approx(SILENCE[0] / LENGTH, abs=0.002) and width == pytest.approx((SILENCE[1] - SILENCE[0]) / LENGTH, abs=0.002)
    # The agent's channel (left) is loud where the agent speaks: its outline rises above the lane's middle there.
    top = page.locator("#waveform g.lane.agent polygon").evaluate(
        "(p) => Array.from(p.points).slice(0, p.points.numberOfItems / 2).map((q) => [q.x, q.y])")
    width = page.evaluate("document.getElementById('waveform').viewBox.baseVal.width")
    loud = [x / width * LENGTH for x, y in top if y < 19]
    assert loud and all(any(a - 0.05 <= t <= b + 0.05 for a, b in (TIMES[0], TIMES[2], TIMES[4])) for t in loud)
    assert "Chevauchement" in page.inner_text(".waveform-legend")
    page.goto("/language/en?next=/calls/onde-stereo")
    assert "Overtalk (both speaking)" in page.inner_text(".waveform-legend")
    page.screenshot(path=str(ARTIFACTS / "waveform-en.png"))
    page.goto("/language/fr?next=/calls/onde-stereo")
    page.screenshot(path=str(ARTIFACTS / "waveform-fr.png"))


def test_an_evidence_tick_moves_the_player_by_click_and_by_keyboard(page, workspace):
    page.goto("/calls/onde-stereo")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    expected = evidence_times(workspace["results"]["onde-stereo"], TIMES)
    ticks = page.locator(".waveform .tick").evaluate_all("(ts) => ts.map((t) => t.dataset.item)")
    assert ticks and set(ticks) <= set(expected)
    later = sorted(ticks, key=lambda key: expected[key])
    key = later[-1]  # the latest: the player starts at 0
    assert expected[key] > 1
    page.click(f".waveform .tick[data-item='{key}']")
    wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {expected[key]}) < 0.25")
    assert page.get_attribute(f"tr[id='item-{key}'] .item-button", "aria-pressed") == "true"
    # The cursor follows (once the player says it has moved): at the tick's place.
    cursor = "parseFloat(document.getElementById('waveform-cursor').getAttribute('x1')) / document.getElementById('waveform').viewBox.baseVal.width"
    wait_until(page, f"Math.abs({cursor} - {expected[key] / LENGTH}) < 0.01")
    # By keyboard: a tick is a button in the tab order; Enter shows its item.
    first = later[0]
    page.focus(f".waveform .tick[data-item='{first}']")
    page.keyboard.press("Enter")
    wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {expected[first]}) < 0.25")
    # A click on the drawing seeks there: at 3/4 of the width, 15 s.
    box = page.locator("#waveform").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + 5)
    wait_until(page, f"Math.abs(document.getElementById('player').currentTime - {0.75 * LENGTH}) < 0.25")
    # The page's shortcuts still work: j selects an item, space plays and pauses.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    assert page.locator(".item-button[aria-pressed=true]").count() == 1
    page.keyboard.press(" ")
    wait_until(page, "!document.getElementById('player').paused")
    page.keyboard.press(" ")
    wait_until(page, "document.getElementById('player').paused")


def rate(page) -> float:
    return page.evaluate("document.getElementById('player').playbackRate")


def test_playback_speed_by_control_and_keys_is_remembered_across_calls(page, workspace):
    page.goto("/calls/onde-stereo")
    page.evaluate("localStorage.removeItem('qualicall.playback-rate')")
    page.reload()
    assert rate(page) == 1
    page.select_option("#speed", "1.5")
    assert rate(page) == 1.5
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press(">")
    assert rate(page) == 2 and page.input_value("#speed") == "2"
    page.keyboard.press(">")  # no faster than 2×
    assert rate(page) == 2
    page.keyboard.press("<")
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert rate(page) == 1 and page.input_value("#speed") == "1"
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert rate(page) == 0.75
    page.keyboard.press(">")
    page.keyboard.press(">")
    assert rate(page) == 1.25
    # Kept in this browser: the next call opened plays at 1.25×, and keeps it once its source has loaded.
    page.goto("/calls/onde-stereo")
    wait_until(page, "document.getElementById('player').readyState >= 1")
    assert rate(page) == 1.25 and page.input_value("#speed") == "1.25"
    page.keyboard.press("?")
    shortcuts = page.inner_text("#shortcuts-dialog")
    assert "< / >" in shortcuts and "Ralentir / accélérer la lecture" in shortcuts
    page.keyboard.press("Escape")


def test_a_chat_has_no_waveform_and_no_error(page, workspace):
    response = page.goto("/calls/onde-chat")
    assert response.status == 200
    assert page.inner_text("h1") == "Chat onde-chat"  # (every contact read « Appel »: a written channels lead's review)
    assert page.locator("#waveform").count() == 0 and page.locator("#speed").count() == 0 and page.locator("#player").count() == 0
    page.keyboard.press(">")  # the speed keys do nothing on a page without a player
    assert page.locator("#page-error").count() == 0
    assert not ERRORS


def test_a_recording_cut_short_is_said_above_the_scorecard(page, workspace):
    """Its closing was judged on a call without its end: the coach is told before reading the verdicts."""
    page.goto("/calls/onde-coupee")
    notice = page.inner_text("#truncated")
    assert notice.startswith("Enregistrement incomplet : le fichier contient 1 min 35 s sur les 6 min 20 s annoncées par son en-tête"), notice
    page.goto("/calls/onde-stereo")
    assert page.locator("#truncated").count() == 0
