"""A real `qualicall serve` on loopback for the API tests (SQLite file or PostgreSQL), with keys of each role."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "QUALICALL_DATA_DIR": str(self.data_dir), "QUALICALL_REDACT": "off", **self.env_extra}
        if self.database_url:
            env["QUALICALL_DATABASE_URL"] = self.database_url
        return env

    def make_keys(self) -> None:
        """One key per role, made through the store's Python API (what `qualicall apikey create` calls)."""
        from qualicall.store.db import Store
        from qualicall.store.repository import create_api_key

        os.environ.pop("QUALICALL_DATABASE_URL", None)
        from qualicall.settings import Settings

        settings = Settings(data_dir=self.data_dir, database_url=self.database_url)
        store = Store(settings.url)
        with store.session() as session:
            for role in ("crm", "coach", "admin"):
                row, key = create_api_key(session, f"test-{role}", role)
                self.keys[role], self.secrets[role] = key, row.webhook_secret
        store.close()

    def start(self, timeout: float = 90) -> "Server":
        log = open(self.data_dir / f"server-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qualicall", "serve", "--port", str(self.port), "--log-level", "warning"],
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
        raise RuntimeError(f"server did not start: {self.log_tail()}")

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
