"""The coach workspace's and the API's defences, against a real `qualicall serve` on loopback (SQLite file):
revocable sessions, the sign-in throttle, the sign-in form's CSRF token, security headers, local Swagger UI
assets, no server path in errors, private files, capped review comments.

Client addresses: `qualicall serve` trusts X-Forwarded-For from loopback (uvicorn's default, for a reverse
proxy on the same host), so each test signs in from an address of its own (documentation range 203.0.113.0/24).
"""

from __future__ import annotations

import re
import shutil
import stat

import httpx
import pytest
from api_server import Server, sign_in

COACH, PASSWORD = "claire.dubois", "calibrage-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PER_USER, PER_ADDRESS = 3, 6

pytestmark = pytest.mark.slow  # a server of its own


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {"QUALICALL_SIGNIN_FAILURES_PER_USER": str(PER_USER), "QUALICALL_SIGNIN_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
           "QUALICALL_WARM_UP": "0"}
    server = Server(tmp_path_factory.mktemp("websec"), env_extra=env)
    server.make_keys()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cli(cli, server):
    """conftest's `qualicall` in process, on the server's database; every command here must succeed."""
    env = {"QUALICALL_DATA_DIR": str(server.data_dir), "QUALICALL_DATABASE_URL": None}

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        done = cli(*args, env=env)
        assert done.returncode == 0, done.stderr
        return done

    return invoke


def browser_client(server: Server, address: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=30, headers={"X-Forwarded-For": address})


def signed_in(http: httpx.Client) -> bool:
    answer = http.get("/queue")
    assert answer.status_code in (200, 303), answer.text
    return answer.status_code == 200


def csrf_of(http: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', http.get("/queue").text).group(1)


def make_user(server: Server, name: str) -> None:
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.users import create_user

    store = Store(Settings(data_dir=server.data_dir).url)
    with store.session() as session:
        create_user(session, name, PASSWORD, "coach")
    store.close()


# --- finding 5: sessions end when they should ------------------------------

def test_a_session_cookie_stops_working_at_logout(server):
    make_user(server, "logout.user")
    with browser_client(server, "203.0.113.10") as http:
        assert sign_in(http, username="logout.user", password=PASSWORD).status_code == 303
        cookie = http.cookies["qualicall_session"]
        assert signed_in(http)
        assert http.post("/logout", data={"csrf": csrf_of(http)}).status_code == 303
    with browser_client(server, "203.0.113.10") as replay:
        replay.cookies.set("qualicall_session", cookie)
        assert not signed_in(replay), "a cookie kept from before the logout still opens the pages"


@pytest.mark.parametrize("command", [("user", "passwd", "{name}", "--password", "nouveau-mot-2026"), ("user", "disable", "{name}"),
                                     ("user", "delete", "{name}")], ids=["passwd", "disable", "delete"])
def test_a_session_ends_when_its_user_changes_password_or_is_disabled_or_deleted(server, cli, command):
    name = f"revoked.{command[1]}"
    make_user(server, name)
    with browser_client(server, "203.0.113.11") as http:
        assert sign_in(http, username=name, password=PASSWORD).status_code == 303
        other = browser_client(server, "203.0.113.12")
        assert sign_in(other, username=name, password=PASSWORD).status_code == 303, "a second browser"
        assert signed_in(http) and signed_in(other)
        cli(*(part.format(name=name) for part in command))
        assert not signed_in(http) and not signed_in(other)
        other.close()
        refused = sign_in(http, username=name, password=PASSWORD)
        assert refused.status_code == 401 and "qualicall_session" not in refused.cookies
    listed = cli("user", "list").stdout
    if command[1] == "delete":
        assert name not in listed
    elif command[1] == "disable":
        assert f"{name}\tcoach\tdisabled" in listed


def test_a_session_opened_with_a_key_ends_when_the_key_is_revoked(server, cli):
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.security import Sealer
    from qualicall.store.repository import create_api_key

    settings = Settings(data_dir=server.data_dir)
    store = Store(settings.url)
    with store.session() as session:
        row, key = create_api_key(session, "coach-to-revoke", "coach", Sealer.from_file(settings.sealing_key))
        prefix = row.prefix
    store.close()
    with browser_client(server, "203.0.113.13") as http:
        assert sign_in(http, api_key=key).status_code == 303 and signed_in(http)
        cli("apikey", "revoke", prefix)
        assert not signed_in(http)


# --- finding 6: the sign-in throttle ---------------------------------------

def test_sign_in_is_throttled_per_address_even_with_the_right_password(server):
    make_user(server, "address.user")
    with browser_client(server, "203.0.113.20") as http:
        for attempt in range(PER_ADDRESS):  # a different user name each time: only the address limit applies
            assert sign_in(http, username=f"guess-{attempt}", password="x").status_code == 401
        refused = sign_in(http, username="address.user", password=PASSWORD)
        assert refused.status_code == 429 and "qualicall_session" not in refused.cookies
        assert "depuis cette adresse" in refused.text and 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert sign_in(http, api_key=server.keys["coach"]).status_code == 429, "keys too are tried from the address"
    with browser_client(server, "203.0.113.21") as elsewhere:
        assert sign_in(elsewhere, username="address.user", password=PASSWORD).status_code == 303


def test_wrong_passwords_sent_at_once_get_no_more_checks_than_the_limit(server):
    """20 wrong passwords for one user at once, each from its own address: the throttle's count was read before the
    password's check (scrypt, 16 MiB) and written after, so parallel attempts all passed it (19 of 30 checked against a
    limit of 5: a security review). One server worker: exactly the limit is checked, the rest refused."""
    from concurrent.futures import ThreadPoolExecutor

    make_user(server, "parallel.user")

    def attempt(index: int) -> int:
        with browser_client(server, f"198.51.100.{index + 1}") as http:
            return sign_in(http, username="parallel.user", password="wrong").status_code

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(attempt, range(20)))
    assert sorted(answers) == [401] * PER_USER + [429] * (20 - PER_USER), answers


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)")
def test_sign_in_is_throttled_per_user_with_a_message_on_the_page(server):
    from playwright.sync_api import sync_playwright

    make_user(server, COACH)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="fr-FR", base_url=server.url, extra_http_headers={"X-Forwarded-For": "203.0.113.30"})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/login")
        for _ in range(PER_USER):
            page.fill("#username", COACH)
            page.fill("#password", "mauvais mot de passe")
            page.click("button[type=submit].primary")
            assert "incorrects" in page.inner_text("[role=alert]")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit].primary")
        message = page.inner_text("[role=alert]")
        assert "Trop d'échecs de connexion" in message and re.search(r"réessayez dans 1[45] min", message), message
        assert not any(c["name"] == "qualicall_session" for c in context.cookies())
        browser.close()
    # The account is throttled, not the other addresses' users, and not for ever: a key still signs in from elsewhere.
    with browser_client(server, "203.0.113.31") as other:
        assert sign_in(other, username=COACH, password=PASSWORD).status_code == 429, "the user name's limit holds from any address"
        assert sign_in(other, api_key=server.keys["coach"]).status_code == 303


# --- finding 13: the sign-in form's CSRF token -----------------------------

def test_the_sign_in_form_needs_its_csrf_token(server):
    make_user(server, "csrf.user")
    with browser_client(server, "203.0.113.40") as http:
        bare = http.post("/login", data={"username": "csrf.user", "password": PASSWORD})
        assert bare.status_code == 403 and "qualicall_session" not in bare.cookies and "expiré" in bare.text
        page = http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        without_cookie = http.post("/login", data={"username": "csrf.user", "password": PASSWORD, "csrf": token})
        assert without_cookie.status_code == 403, "another site's form carries a token but not the browser's cookie"
        cookie = page.cookies["qualicall_signin"]
        assert "httponly" in page.headers["set-cookie"].lower() and "samesite=strict" in page.headers["set-cookie"].lower()
        http.cookies.set("qualicall_signin", cookie)
        assert http.post("/login", data={"username": "csrf.user", "password": PASSWORD, "csrf": "other"}).status_code == 403
        assert http.post("/login", data={"username": "csrf.user", "password": PASSWORD, "csrf": token}).status_code == 303


# --- finding 13: review comments capped as in the API -----------------------

def test_a_review_comment_is_capped_on_the_call_page_as_in_the_api(server):
    import json

    from conftest import EXAMPLES

    from qualicall.api.schemas import COMMENT_MAX_CHARS

    call = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
    with server.client("crm") as crm:
        scored = crm.post("/v1/interactions", json=call)
        assert scored.status_code == 201, scored.text
    result = scored.json()
    criterion, items = next(iter(result["criteria"].items()))
    item, verdict = next(iter(items["items"].items()))
    other = "failed" if verdict["status"] != "failed" else "passed"
    with browser_client(server, "203.0.113.50") as http:
        assert sign_in(http, api_key=server.keys["coach"]).status_code == 303
        page = http.get(f"/calls/{call['id']}")
        assert f'maxlength="{COMMENT_MAX_CHARS}"' in page.text
        csrf = csrf_of(http)
        form = {"item": f"{criterion}.{item}", "status": other, "csrf": csrf}
        too_long = http.post(f"/calls/{call['id']}/reviews", data={**form, "comment": "x" * (COMMENT_MAX_CHARS + 1)})
        assert too_long.status_code == 422 and str(COMMENT_MAX_CHARS) in too_long.text
        assert http.post(f"/calls/{call['id']}/reviews", data={**form, "comment": "x" * COMMENT_MAX_CHARS}).status_code == 303
    with server.client("coach") as coach:
        reviews = coach.get(f"/v1/interactions/{call['id']}").json()["reviews"]
    assert [len(review["comment"]) for review in reviews] == [COMMENT_MAX_CHARS], "the refused review left nothing behind"
