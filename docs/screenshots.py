"""Screenshots of every page of the coach workspace, at 1366×768, in French and in English.

    python docs/screenshots.py [--out docs/screenshots] [--contacts 300]

A real `qualicall serve` on a throw-away data folder, filled through the HTTP API as a CRM would: a generated
month (`examples/generate_month.py`, synthetic people), the bundled examples, and one short call with its
recording (two espeak-ng voices, when espeak-ng is installed); one coach's review through the API. Three accounts:
a lead (admin), a coach and an agent. Each account signs in, then every page its navigation links to is opened,
and from each list page its first link to a call, an agent or a team; one screenshot per page, role and language
(`LANG-ROLE-PAGE.png`, plus the sign-in page refusing a wrong password and a transcript search), and an index of
what was shot (`index.txt`): each page's address, status, title and the time until the network was idle.
Pages are looked at by a person: this script does not judge them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "screenshots-2026"
ACCOUNTS = {"lead": ("admin", None), "coach": ("coach", None), "agent": ("agent", "A-101")}
# One page per kind of address: /calls/<any id> is one page, whatever the id.
KINDS = [
    (r"^/calls/[^/]+/print$", "call-print"), (r"^/calls/[^/]+$", "call"), (r"^/agents/[^/]+$", "agent"),
    (r"^/teams/[^/]+$", "team"), (r"^/calibration/sessions/new$", "calibration-session-new"),
    (r"^/calibration/sessions/[^/]+/calls/[^/]+$", "calibration-blind-call"), (r"^/calibration/sessions/\d+$", "calibration-session"),
]
AUDIO_TURNS = [
    ("agent", "Bonjour, service client Atlas, Camille à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour, ma facture de mars est deux fois plus élevée que d'habitude."),
    ("agent", "Si je comprends bien, votre facture de mars a doublé. Je regarde cela tout de suite."),
    ("customer", "Oui, c'est ça."),
    ("agent", "Je vous ai envoyé le détail par courriel. Avez-vous d'autres questions ? Merci de votre appel, bonne journée."),
]


def run(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "qualicall", *args], env=env, check=True, capture_output=True, text=True).stdout


def audio_call(folder: Path) -> dict | None:
    """A short stereo-less call spoken by espeak-ng, with turns timed on it."""
    if shutil.which("espeak-ng") is None:
        return None
    frames, turns, clock, params = [], [], 0.0, None
    for index, (speaker, text) in enumerate(AUDIO_TURNS):
        part = folder / f"turn-{index}.wav"
        subprocess.run(["espeak-ng", "-v", "fr+f3" if speaker == "agent" else "fr+m3", "-s", "175", "-w", str(part), text], check=True, capture_output=True)
        with wave.open(str(part)) as stream:
            params = stream.getparams()
            data = stream.readframes(stream.getnframes())
        seconds = len(data) / (params.framerate * params.sampwidth)
        turns.append({"speaker": speaker, "text": text, "start": round(clock, 2), "end": round(clock + seconds, 2)})
        frames.append(data + b"\x00" * int(0.5 * params.framerate) * params.sampwidth)
        clock += seconds + 0.5
    with wave.open(str(folder / "appel-atlas.wav"), "wb") as out:
        out.setparams(params)
        out.writeframes(b"".join(frames))
    return {"id": "appel-atlas-audio", "channel": "voice", "language": "fr", "agent_id": "A-101", "team": "facturation",
            "queue": "particuliers", "started_at": "2026-11-20T10:15:00+01:00", "recording": "appel-atlas.wav", "turns": turns,
            "indicators": {"wait_time_s": 35, "handle_time_s": round(clock), "transfers": 0, "csat": 4}}


def fill(url: str, env: dict[str, str], folder: Path, contacts: int) -> str:
    """Posts the contacts through the API; a coach's review of the first call; the id of the call with audio."""
    month = folder / "month.jsonl"
    subprocess.run([sys.executable, str(ROOT / "examples" / "generate_month.py"), "--interactions", str(month)], check=True, capture_output=True)
    records = [json.loads(line) for line in month.read_text(encoding="utf-8").splitlines() if line.strip()]
    calls = [r for r in records if r.get("turns")][:contacts]
    examples = [json.loads(line) for line in (ROOT / "examples" / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    audio = audio_call(folder)
    crm_key = run("apikey", "create", "--role", "crm", "--name", "crm", env=env).strip().split()[-1]
    coach_key = run("apikey", "create", "--role", "coach", "--name", "coach", env=env).strip().split()[-1]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {crm_key}"}, timeout=120) as crm:
        for record in [*examples, *calls, *([audio] if audio else [])]:
            response = crm.post("/v1/interactions", json=record)
            if response.status_code != 201:
                raise SystemExit(f"{record['id']}: {response.status_code} {response.text[:200]}")
    first = examples[0]["id"]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {coach_key}"}, timeout=60) as coach:
        result = coach.get(f"/v1/interactions/{first}").json()["result"]
        failed = [f"{c}.{i}" for c, criterion in result["criteria"].items() for i, item in criterion["items"].items() if item["status"] == "failed"]
        if failed:
            coach.post(f"/v1/interactions/{first}/reviews", json={"items": [{"item_id": failed[0], "status": "passed", "comment": "Reformulation faite en d'autres mots."}]})
    calibration_session(env)
    return audio["id"] if audio else first


def calibration_session(env: dict[str, str]) -> None:
    """A calibration session of the lead and the coach, drawn as the lead's form draws it (one call per agent and week
    of November, seed 2026, at most six calls), and both coaches' verdicts on its first call: its pages then have
    something to show."""
    from datetime import datetime, timezone

    os.environ.update({k: v for k, v in env.items() if k.startswith("QUALICALL_")})
    from sqlalchemy import select

    from qualicall.settings import Settings
    from qualicall.store import calibration_sessions as sessions
    from qualicall.store.db import Store
    from qualicall.store.models import User
    from qualicall.store.repository import Reviewer

    store = Store(Settings().url)
    with store.session() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        since, until = datetime(2026, 11, 1, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc)
        calls = sessions.sample_calls(session, since, until, 1, 2026)[:6]
        sample = {"kind": "random", "per_agent_week": 1, "from": "2026-11-01", "to": "2026-11-30", "seed": 2026}
        made = sessions.create_session(session, "Calibrage de novembre", [users["lead"].id, users["coach"].id], calls, sample,
                                       Reviewer("lead", user_id=users["lead"].id))
        first = made.calls[0]
        machine = sessions.machine_items(session, first)
        for coach in made.coaches:
            # The coach disagrees with the machine on one item, the lead on none.
            flipped = {key: ("passed" if status == "failed" else "failed") for key, status in list(machine.items())[:1]} if coach.username == "coach" else {}
            verdicts = {key: (flipped.get(key, status), None) for key, status in machine.items()}
            sessions.save_verdicts(session, made, coach, first.interaction_id, verdicts)
        session.commit()
    store.close()


def save(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The page as a PNG of 256 colours (a third of the size; pages are flat colours and text)."""
    import io

    from PIL import Image

    Image.open(io.BytesIO(page.screenshot())).quantize(256).save(path, optimize=True)


def kind_of(path: str) -> str:
    for pattern, kind in KINDS:
        if re.match(pattern, path):
            return kind
    return path.strip("/").replace("/", "-").replace(".", "-") or "home"


def shoot(url: str, out: Path, audio_id: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for language in ("fr", "en"):
            for account in ACCOUNTS:
                context = browser.new_context(viewport=VIEWPORT, locale=f"{language}-{language.upper()}", base_url=url)
                page = context.new_page()
                page.set_default_timeout(30000)
                page.goto(f"/language/{language}")
                page.goto("/login")
                save(page, out / f"{language}-{account}-login.png")
                page.fill("#username", account)
                page.fill("#password", "not-the-password")
                page.click("button[type=submit].primary")
                page.wait_for_load_state("networkidle")
                save(page, out / f"{language}-{account}-login-refused.png")
                page.fill("#username", account)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit].primary")
                page.wait_for_load_state("networkidle")
                seen: set[str] = {"login"}
                queue = [page.url.replace(url, "")]
                if account != "agent":
                    queue += [f"/calls/{audio_id}", "/queue?q=facture"]
                while queue:
                    path = queue.pop(0)
                    kind = kind_of(path.split("?")[0]) + ("-search" if "q=" in path else "")
                    if kind in seen or path.startswith(("/logout", "/static", "/language")) or path.split("?")[0].endswith(".csv"):
                        continue
                    seen.add(kind)
                    started = time.perf_counter()
                    response = page.goto(path)
                    page.wait_for_load_state("networkidle")
                    took = time.perf_counter() - started
                    status = response.status if response else 0
                    save(page, out / f"{language}-{account}-{kind}.png")
                    lines.append(f"{language}-{account}-{kind}.png\t{path}\t{status}\t{took:.2f} s\t{page.title()}")
                    links = page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
                    queue += [link for link in links if link not in queue]
                context.close()
        browser.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--contacts", type=int, default=300, help="calls of the generated month posted (plus the examples)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="qualicall-screenshots-") as tmp:
        folder = Path(tmp)
        port = 8700 + os.getpid() % 200
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QUALICALL_DATA_DIR": str(folder), "QUALICALL_RECORDINGS_ROOT": str(folder),
               "QUALICALL_WORKERS": "1", "QUALICALL_CACHE_DIR": os.environ.get("QUALICALL_CACHE_DIR", str(Path.home() / ".cache" / "qualicall"))}
        run("db", "upgrade", env=env)
        for name, (role, agent_id) in ACCOUNTS.items():
            run("user", "create", name, "--password", PASSWORD, "--role", role, *(["--agent-id", agent_id] if agent_id else []), env=env)
        server = subprocess.Popen([sys.executable, "-m", "qualicall", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit(f"screenshots: the server at {url} did not answer /healthz within 120 s")
            audio_id = fill(url, env, folder, args.contacts)
            lines = shoot(url, args.out, audio_id)
        finally:
            server.terminate()
            server.wait(30)
    (args.out / "index.txt").write_text("file\tpath\tstatus\tuntil idle\ttitle\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
