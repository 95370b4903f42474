"""Shared fixtures. Paths to ../shared are optional: tests using them skip when absent."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "data" / "dev"
REAL_DATA = SHARED / "data" / "real"
EXAMPLES = ROOT / "examples"


def skip_unless_installed(*modules: str, reason: str) -> None:
    """Skip the calling module where a package is missing, without importing it: every module is imported to
    collect the fast subset too, and torch alone (under whisper, resemblyzer) takes seconds."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        pytest.skip(f"{reason} ({', '.join(missing)} missing)", allow_module_level=True)


def run_cli(*args: str, input: str | None = None, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `qualicall` in a subprocess, from the code under test: the smoke test of each command (entry point,
    real pipes), and what a process of its own must show (start-up checks, a server's data folder). Every other CLI
    test calls the `cli` fixture: a process start reloads spaCy and the encoder. `env`: settings for the command, over
    this environment less its QUALICALL_DATABASE_URL (the data folder given decides the database, unless `env` says)."""
    if env is not None:
        env = {**{k: v for k, v in os.environ.items() if k != "QUALICALL_DATABASE_URL"}, **env}
    return subprocess.run(
        [sys.executable, "-m", "qualicall", *args], capture_output=True, text=True, input=input, timeout=timeout, cwd=ROOT, env=env
    )


@pytest.fixture(scope="session")
def cli():
    """`qualicall` in this process (typer's runner on the app `main()` runs, every command registered): models load
    once per session. Called as `cli(*args, input=None, env=None)`; returns what `run_cli` returns. An exception that
    escapes a command fails the test (on the command line it would be a traceback)."""
    from typer.testing import CliRunner

    from qualicall.cli import COMMAND_MODULES, app

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(app)
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
        done = runner.invoke(app, [str(arg) for arg in args], input=input, env=env)
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            raise done.exception
        return subprocess.CompletedProcess(["qualicall", *map(str, args)], done.exit_code, done.stdout, done.stderr)

    return invoke


@lru_cache(maxsize=1)
def default_scorer():
    """The process's one scorer with the default rubric of each language (what `scorer` gives fixtures)."""
    from qualicall.scorer.engine import Scorer

    return Scorer()


@pytest.fixture(scope="session")
def scorer():
    """One scorer for the whole session: spaCy and the sentence encoder load once."""
    return default_scorer()


@pytest.fixture(scope="session")
def dev_set() -> Path:
    if not (DEV_SET / "interactions.jsonl").exists():
        pytest.skip("../shared/data/dev is absent")
    return DEV_SET


def make_interaction(turns: list[tuple[str, str]], language: str = "fr", channel: str = "voice", seconds_per_turn: float = 5.0, **extra):
    """An interaction from (speaker, text) pairs, with regular turn times for voice."""
    from qualicall.core.interaction import Interaction

    out = []
    for i, (speaker, text) in enumerate(turns):
        turn = {"speaker": speaker, "text": text}
        if channel == "voice":
            turn.update(start=i * seconds_per_turn, end=i * seconds_per_turn + seconds_per_turn - 0.5)
        out.append(turn)
    return Interaction.model_validate({"id": extra.pop("id", "t-1"), "channel": channel, "language": language, "turns": out, **extra})


# --- How the suite is split ------------------------------------------------
# The session's servers: a test using one is `slow` by its fixtures (each server process loads the models).
SERVER_FIXTURES = {"postgres", "sqlite_api", "postgres_api", "api_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@lru_cache(maxsize=None)
def on_session_servers(module: str) -> bool:
    """Whether a test module (path from the root) asks for a session server: a function's parameter, or a string
    (`request.getfixturevalue("postgres")`). Read from its source: xdist's scheduler sees test ids, not fixtures."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    names = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) for arg in node.args.args}
    names |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return bool(SERVER_FIXTURES & names)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """`pytest -n 2`: a module's tests on one worker, so that its module fixtures (a batch run, synthesised calls)
    are made once; every module on the session's servers on one worker, so that each server starts once."""
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleAndServer(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "the session's servers" if on_session_servers(module) else module

    return ByModuleAndServer(config, log)


# --- API and store tests (issue 5) ------------------------------------------
@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server started for the session (tests/api_server.py); skips where it cannot start."""
    from api_server import Postgres, PostgresUnavailable

    try:
        server = Postgres().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: the server cannot start here: {exc}")
    yield server
    server.stop()


def _serve(tmp_path_factory, name: str, database_url: str | None, extra: dict[str, str] | None = None, timeout: float = 180):
    from api_server import Server

    # Small limits so that the tests can reach them: webhook retries after 0.2 s, uploads up to 2 MB;
    # webhooks may reach the tests' receivers on 127.0.0.1 (and only there: not localhost, ::1…).
    env = {"QUALICALL_WEBHOOK_BACKOFF_S": "0.2", "QUALICALL_MAX_UPLOAD_MB": "2", "QUALICALL_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", **(extra or {})}
    server = Server(tmp_path_factory.mktemp(name), database_url=database_url, env_extra=env)
    server.make_keys()
    return server.start(timeout)


@pytest.fixture(scope="session")
def sqlite_api(tmp_path_factory):
    """A real `qualicall serve` on loopback, on a SQLite file, with a key per role (server.keys[role])."""
    server = _serve(tmp_path_factory, "api-sqlite", None)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_api(tmp_path_factory, postgres):
    """The same on PostgreSQL."""
    server = _serve(tmp_path_factory, "api-postgresql", postgres.database("qualicall_api"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def api_server(request):
    """Each test using it runs on both databases."""
    return request.getfixturevalue(f"{request.param}_api")
