"""`qualicall db upgrade`, `qualicall apikey create|list|revoke` on a fresh data folder."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def qualicall(data_dir, *args):
    env = {**os.environ, "QUALICALL_DATA_DIR": str(data_dir)}
    env.pop("QUALICALL_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "qualicall", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def test_apikey_lifecycle(tmp_path):
    upgraded = qualicall(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and "revision" in upgraded.stdout and (tmp_path / "qualicall.db").exists()
    created = qualicall(tmp_path, "apikey", "create", "--role", "coach", "--name", "Claire")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("qc_") and "webhook signing secret" in created.stderr
    prefix = key.split("_")[1]
    listed = qualicall(tmp_path, "apikey", "list").stdout
    assert f"{prefix}\tcoach\tClaire\tactive" in listed and key not in listed

    from qualicall.store.db import Store
    from qualicall.store.repository import authenticate

    store = Store(f"sqlite:///{tmp_path / 'qualicall.db'}")
    with store.session() as session:
        assert authenticate(session, key).role == "coach"
        assert authenticate(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert qualicall(tmp_path, "apikey", "revoke", prefix).returncode == 0
    with store.session() as session:
        assert authenticate(session, key) is None
    store.close()


def test_cli_errors_are_one_line(tmp_path):
    bad_role = qualicall(tmp_path, "apikey", "create", "--role", "boss")
    assert bad_role.returncode == 2 and bad_role.stderr.strip().startswith("qualicall: error: unknown role 'boss'")
    env_url = qualicall(tmp_path, "apikey", "revoke", "nope")
    assert env_url.returncode != 0 and len(env_url.stderr.strip().splitlines()) == 1
    unreachable = subprocess.run(
        [sys.executable, "-m", "qualicall", "db", "upgrade"], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "QUALICALL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert unreachable.returncode == 2 and "cannot open the database" in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1
