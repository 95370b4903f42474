"""The API's defences against a real `qualicall serve` on loopback (SQLite file): webhooks refused inside
the network and signed with a timestamp, no server path in errors, private files, security headers,
Swagger UI from the service itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import stat
import time

import pytest
from api_server import Receiver, Server, silent_wav, upload, wait_for

pytestmark = [
    pytest.mark.skipif(shutil.which("ffprobe") is None, reason="uploads are checked with ffprobe (Debian's ffmpeg)"),
    pytest.mark.slow,  # servers: the session's and one of its own
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory):
    """A server that runs no audio job (QUALICALL_AUDIO_WORKERS=0): what an upload leaves on disk stays to be looked at."""
    server = Server(tmp_path_factory.mktemp("idle") / "data", env_extra={"QUALICALL_AUDIO_WORKERS": "0", "QUALICALL_WARM_UP": "0"})
    server.data_dir.mkdir(mode=0o755)  # as an operator's folder may be: the service's own files must be private all the same
    server.make_keys()
    yield server.start()
    server.stop()


# --- finding 7: webhooks ----------------------------------------------------

@pytest.mark.parametrize("host", ["localhost", "[::1]", "0.0.0.0", "169.254.169.254", "10.0.0.8", "2130706433", "[::ffff:127.0.0.1]",
                                  # IPv4 inside IPv6, and site-local, which Python calls global (a security review)
                                  "[::7f00:1]", "[::a9fe:a9fe]", "[fec0::1]", "[2002:a9fe:a9fe::1]", "[64:ff9b::a9fe:a9fe]"])
def test_webhooks_to_addresses_inside_the_network_are_refused(sqlite_api, tmp_path, host):
    """The test server allows 127.0.0.1 only (QUALICALL_WEBHOOK_ALLOWED_HOSTS): every other loopback, private
    or link-local spelling is refused when the job is posted, and the receiver listening there is never called."""
    receiver = Receiver()
    port = receiver.url.split(":")[2].split("/")[0]
    with sqlite_api.client("crm") as crm:
        refused = upload(crm, silent_wav(tmp_path / "call.wav", 16000), callback_url=f"http://{host}:{port}/hook")
    time.sleep(1)
    receiver.server.shutdown()
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"] == ["body", "callback_url"] and "inside the network" in problem["msg"], problem
    assert receiver.calls == []


def test_a_public_host_reached_through_nat64_is_a_webhook_target():
    """An IPv6-only network reaches IPv4 hosts at 64:ff9b::/96 (DNS64): the IPv4 host carried decides, public 8.8.8.8
    allowed, the metadata address refused (above). A first version refused every such address (Python calls the
    prefix reserved; a fresh-eyes review)."""
    from qualicall.api.webhooks import TargetRefused, public_address

    assert public_address("https://[64:ff9b::808:808]/hook", ()) == "64:ff9b::808:808"
    with pytest.raises(TargetRefused, match="inside the network"):
        public_address("https://[64:ff9b::a00:8]/hook", ())  # 10.0.0.8


def test_a_failed_job_is_delivered_signed_with_a_timestamp_and_no_server_path(sqlite_api, tmp_path):
    """A recording without a sample fails in the worker at once: its error names no server folder, and its
    webhook's signature covers the delivery's timestamp (README, "Webhooks")."""
    receiver = Receiver()
    with sqlite_api.client("crm") as crm:
        accepted = upload(crm, silent_wav(tmp_path / "vide.wav", 0), {"id": "empty-audio"}, callback_url=receiver.url)
        assert accepted.status_code == 202, accepted.text
        job = wait_for(crm, accepted.json()["id"], ("succeeded", "failed"))
    deadline = time.monotonic() + 30
    while len(receiver.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    receiver.server.shutdown()
    assert job["status"] == "failed" and "empty" in job["error"], job
    assert str(sqlite_api.data_dir) not in job["error"] and "uploads/" not in job["error"], job["error"]
    assert len(receiver.calls) == 2, "the first delivery (answered 500) is retried"
    for headers, body in receiver.calls:
        timestamp = headers["x-qualicall-timestamp"]
        signed = timestamp.encode() + b"." + body
        expected = "sha256=" + hmac.new(sqlite_api.secrets["crm"].encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-qualicall-signature"], expected)
        assert abs(time.time() - int(timestamp)) < 120
        assert json.loads(body)["job"]["error"] == job["error"]


# --- finding 13: no server path, private files, headers, local docs ---------

def test_errors_name_no_server_path(idle_server, tmp_path):
    corrupt = tmp_path / "abimé.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 10)
    with idle_server.client("crm") as crm:
        refused = upload(crm, corrupt)
    assert refused.status_code == 422 and "not a readable audio file" in refused.text
    assert str(idle_server.data_dir) not in refused.text and "uploads/" not in refused.text, refused.text


def test_the_database_and_uploads_are_private(idle_server, tmp_path):
    with idle_server.client("crm") as crm:
        assert upload(crm, silent_wav(tmp_path / "call.wav", 16000)).status_code == 202
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    uploads = idle_server.data_dir / "uploads"
    files = [idle_server.data_dir / "qualicall.db", *idle_server.data_dir.glob("qualicall.db-wal"), *uploads.iterdir()]
    assert len(files) >= 3, files
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    assert mode(uploads) == 0o700


def test_a_database_made_by_the_command_line_is_private(cli, tmp_path):
    data = tmp_path / "nouveau"
    done = cli("apikey", "create", "--role", "crm", env={"QUALICALL_DATA_DIR": str(data), "QUALICALL_DATABASE_URL": None})
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700 and stat.S_IMODE((data / "qualicall.db").stat().st_mode) == 0o600


def test_security_headers_on_every_answer(idle_server):
    with idle_server.client("crm") as crm:
        for path in ("/v1/rubrics", "/healthz", "/docs", "/login", "/v1/interactions/none-such"):
            headers = crm.get(path).headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"] and "script-src 'self'" in headers["content-security-policy"], path
            assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", path
            # Transcripts and scores stay in no cache (the API's JSON carried no Cache-Control: a security review).
            assert "no-store" in headers["cache-control"], path
        assert "no-store" not in crm.get("/static/app.css").headers.get("cache-control", ""), "static files may be cached"


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (./install.sh --dev installs it)")
def test_swagger_ui_works_offline_under_the_csp(idle_server):
    """/docs and the HTML report in a browser that may reach nothing but the service: every operation shows, and nothing
    breaks the CSP."""
    from playwright.sync_api import sync_playwright

    outside, violations = [], []
    document = idle_server.client(None).get("/openapi.json").json()
    # (the job's callback is shown as an operation too, under Webhooks)
    operations = sum(len(methods) for part in ("paths", "webhooks") for methods in document.get(part, {}).values())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(base_url=idle_server.url)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(idle_server.url) else (outside.append(route.request.url), route.abort()))
        page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
        page.goto("/docs")
        page.wait_for_selector(".opblock", timeout=30000)
        shown = page.locator(".opblock").count()
        # The HTML report, self-contained with its styles inline, is drawn with them (it was drawn without: no border).
        page.set_extra_http_headers({"Authorization": f"Bearer {idle_server.keys['coach']}"})
        page.goto("/v1/reports?format=html&lang=en")
        border = page.locator("table").first.evaluate("table => getComputedStyle(table.querySelector('th, td')).borderBottomStyle")
        browser.close()
    assert outside == [], "the page asked for something outside the service"
    assert violations == []
    assert shown == operations > 5
    assert border != "none"


def test_the_access_log_keeps_no_query_value(tmp_path):
    """A coach's search words (« q=jean.dupont@example.com ») rested in the server's log in clear, where the store keeps
    them redacted (a security review)."""
    server = Server(tmp_path / "data", log_level="info", env_extra={"QUALICALL_WARM_UP": "0"})
    server.data_dir.mkdir()
    server.make_keys()
    server.start()
    try:
        with server.client("crm") as crm:
            assert crm.get("/v1/interactions", params={"agent_id": "jean.dupont-0612345678"}).status_code == 200
        with server.client(None) as anonymous:
            anonymous.get("/queue", params={"q": "jean.dupont@example.com", "agent": "A-007"})
            anonymous.get("/v1/interactions?marie.curie@example.com")  # a value without a name
            anonymous.get("/v1/reports?DUPONT")  # and one a name could be
    finally:
        server.stop()
    log = (server.data_dir / f"server-{server.port}.log").read_text(errors="replace")
    assert "GET /v1/interactions?agent_id=… HTTP/1.1" in log and "GET /queue?q=…&agent=… HTTP/1.1" in log
    assert "GET /v1/interactions?…=… HTTP/1.1" in log and "GET /v1/reports?…=… HTTP/1.1" in log and "DUPONT" not in log
    assert "dupont" not in log and "0612345678" not in log and "A-007" not in log and "curie" not in log
