"""A real `qualicall serve` on loopback for the API tests (SQLite file or PostgreSQL), with keys of each role."""

from __future__ import annotations

import json
import re
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux): the server's audio worker, an ffmpeg it runs, its scoring process."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]


def audio_workers(pid: int) -> list[int]:
    """The audio workers among `pid`'s children (`python -m qualicall.api.audio_worker`)."""
    found = []
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if b"qualicall.api.audio_worker" in command:
            found.append(child)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    data_dir: Path
    database_url: str | None = None
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    keys: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    log_level: str = "warning"  # "info" logs each request (uvicorn's access log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def max_upload_mb(self) -> int:
        return int(self.env_extra.get("QUALICALL_MAX_UPLOAD_MB", 200))

    @property
    def env(self) -> dict[str, str]:
        # One HTTP worker unless a test asks for more (tests/test_api_workers.py): each loads the models.
        env = {**os.environ, "QUALICALL_DATA_DIR": str(self.data_dir), "QUALICALL_REDACT": "off", "QUALICALL_WORKERS": "1", **self.env_extra}
        if self.database_url:
            env["QUALICALL_DATABASE_URL"] = self.database_url
        return env

    def make_keys(self) -> None:
        """One key per role, made through the store's Python API (what `qualicall apikey create` calls)."""
        from qualicall.store.db import Store
        from qualicall.security import Sealer
        from qualicall.store.repository import create_api_key, webhook_secret

        os.environ.pop("QUALICALL_DATABASE_URL", None)
        from qualicall.settings import Settings

        settings = Settings(data_dir=self.data_dir, database_url=self.database_url)
        sealer = Sealer.from_file(settings.sealing_key)
        store = Store(settings.url)
        with store.session() as session:
            for role in ("crm", "coach", "admin"):
                row, key = create_api_key(session, f"test-{role}", role, sealer)
                self.keys[role], self.secrets[role] = key, webhook_secret(row, sealer)
        store.close()

    def end_web_sessions(self) -> None:
        """Every workspace session ends (as after their time is up): the next form posted leads to the sign-in page."""
        from qualicall.settings import Settings
        from qualicall.store.db import Store
        from qualicall.store.models import WebSession

        store = Store(Settings(data_dir=self.data_dir, database_url=self.database_url).url)
        with store.session() as session:
            session.query(WebSession).delete()
        store.close()

    def make_user(self, name: str, password: str, role: str = "coach", agent_id: str | None = None) -> None:
        """A workspace user, made through the store's Python API (what `qualicall user create` calls)."""
        from qualicall.settings import Settings
        from qualicall.store.db import Store
        from qualicall.store.users import create_user

        store = Store(Settings(data_dir=self.data_dir, database_url=self.database_url).url)
        with store.session() as session:
            create_user(session, name, password, role, agent_id)
        store.close()

    def start(self, timeout: float = 180) -> "Server":  # a first start imports the models: slow on a busy machine
        log = open(self.data_dir / f"server-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qualicall", "serve", "--port", str(self.port), "--log-level", self.log_level],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()  # not left serving after the test run
        raise RuntimeError(f"server did not start within {timeout:g} s: {self.log_tail()}")

    def stored_text(self, tables: tuple[str, ...]) -> str:
        """What the database holds: the SQLite files as bytes (log and shared memory included), or every row of `tables`
        on PostgreSQL, as text to search for what must not be there."""
        import sqlalchemy

        if self.database_url is None:
            return "".join(path.read_bytes().decode("latin-1") for path in self.data_dir.glob("qualicall.db*"))
        engine = sqlalchemy.create_engine(self.database_url)
        with engine.connect() as connection:
            rows = [str(row) for table in tables for row in connection.execute(sqlalchemy.text(f"SELECT t::text FROM {table} t"))]
        engine.dispose()
        return "\n".join(rows)

    def log_tail(self) -> str:
        return b"".join((self.data_dir / f"server-{self.port}.log").read_bytes().splitlines(keepends=True)[-30:]).decode(errors="replace")

    def client(self, role: str | None = "crm", **kwargs) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def kill(self) -> None:
        """kill -9: no shutdown handler runs."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class PostgresUnavailable(RuntimeError):
    pass


@dataclass
class Postgres:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl) in a temporary folder, on a loopback port.
    The server refuses to run as root: then it runs as the `postgres` system user (the Debian package makes it)."""

    # Its own folder under the system temporary directory: pytest's are private to root.
    base: Path = field(default_factory=lambda: Path(__import__("tempfile").mkdtemp(prefix="qualicall-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _bin(self, name: str) -> str:
        import shutil

        found = shutil.which(name)
        if found:
            return found
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        raise PostgresUnavailable(f"{name} not found (install the Debian package postgresql)")

    def _as_server_user(self, *args: str) -> list[str]:
        if os.geteuid() != 0:
            return list(args)
        import pwd
        import shutil

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from None
        runner = shutil.which("runuser") or shutil.which("su")
        if runner is None:
            raise PostgresUnavailable("running as root without runuser/su to start the server as 'postgres'")
        if runner.endswith("runuser"):
            return [runner, "-u", "postgres", "--", *args]
        return [runner, "postgres", "-s", "/bin/sh", "-c", " ".join(args)]

    def start(self) -> "Postgres":
        data = self.base / "pgdata"
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            import shutil

            shutil.chown(self.base, "postgres")
            self.base.chmod(0o700)
        initdb = subprocess.run(
            self._as_server_user(self._bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"),
            capture_output=True, text=True, timeout=120,
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {initdb.stderr.strip()[-300:]}")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        start = subprocess.run(
            self._as_server_user(self._bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.base / "server.log"), "-w", "start"),
            capture_output=True, text=True, timeout=120,
        )
        if start.returncode != 0:
            log = (self.base / "server.log").read_text(errors="replace")[-300:] if (self.base / "server.log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {start.stderr.strip()[-300:]} {log}")
        return self

    def database(self, name: str) -> str:
        """A new empty database; its URL."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        import shutil

        subprocess.run(self._as_server_user(self._bin("pg_ctl"), "-D", str(self.base / "pgdata"), "-m", "immediate", "stop"),
                       capture_output=True, timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)


# --- audio jobs and webhooks -------------------------------------------------
class Receiver:
    """A webhook endpoint on loopback that fails its first call (500) and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(500 if len(receiver.calls) == 1 else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def silent_wav(path: Path, frames: int = 16000) -> Path:
    """A valid WAV of `frames` samples of silence at 16 kHz (0 frames: a readable file with no audio)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * frames)
    return path


def upload(client: httpx.Client, path: Path, metadata: dict | None = None, headers: dict | None = None, **fields) -> httpx.Response:
    data = {k: v for k, v in {"metadata": json.dumps(metadata) if metadata is not None else None, **fields}.items() if v is not None}
    with path.open("rb") as audio:
        return client.post("/v1/interactions", files={"audio": (path.name, audio, "audio/wav")}, data=data, headers=headers)


def wait_for(client: httpx.Client, job_id: str, states: tuple[str, ...], timeout: float = 300) -> dict:
    """The job once in one of `states`. The bound is for a job that never ends, not a speed target: a short call's
    decoding took over 120 s at load average 12 on 2 cores."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def sign_in(http: httpx.Client, **form: str) -> httpx.Response:
    """GET the form, then POST it back with its CSRF token and cookie, as a browser does. The cookies are Secure,
    which httpx's jar keeps for https only: they are copied by hand, as the browser tests show browsers send them."""
    page = http.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    http.cookies.set("qualicall_signin", page.cookies["qualicall_signin"])
    answer = http.post("/login", data={"next": "/queue", **form, "csrf": token})
    http.cookies.clear(domain="127.0.0.1")  # what the jar keeps but will not send
    if "qualicall_session" in answer.cookies:
        http.cookies.set("qualicall_session", answer.cookies["qualicall_session"])
    return answer


def wait_until(page, expression: str, timeout_s: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function re-evaluates its
    predicate with eval(), which the pages' Content-Security-Policy (script-src 'self') forbids."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if page.evaluate(expression):
                return
            problem = "still false"
        except Exception as exc:  # the element is not there yet (the page is still loading)
            problem = str(exc).splitlines()[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"{problem} after {timeout_s} s: {expression}")
        time.sleep(0.05)
