"""`qualicall db upgrade`, `qualicall apikey create|list|revoke` on a fresh data folder: in process, but for the
first two commands, run as real command lines (the smoke tests of `db` and `apikey`)."""

from __future__ import annotations

from conftest import run_cli


def qualicall(data_dir, *args):
    return run_cli(*args, env={"QUALICALL_DATA_DIR": str(data_dir)}, timeout=120)


def on_folder(data_dir) -> dict[str, str | None]:
    """The environment `qualicall` above gives its process, for the in-process `cli`."""
    return {"QUALICALL_DATA_DIR": str(data_dir), "QUALICALL_DATABASE_URL": None}


def test_apikey_lifecycle(cli, tmp_path):
    upgraded = qualicall(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and "revision" in upgraded.stdout and (tmp_path / "qualicall.db").exists()
    created = qualicall(tmp_path, "apikey", "create", "--role", "coach", "--name", "Claire")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("qc_") and "webhook signing secret" in created.stderr
    prefix = key.split("_")[1]
    listed = cli("apikey", "list", env=on_folder(tmp_path)).stdout
    assert f"{prefix}\tcoach\tClaire\tactive" in listed and key not in listed

    from qualicall.store.db import Store
    from qualicall.store.repository import authenticate

    store = Store(f"sqlite:///{tmp_path / 'qualicall.db'}")
    with store.session() as session:
        assert authenticate(session, key).role == "coach"
        assert authenticate(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert cli("apikey", "revoke", prefix, env=on_folder(tmp_path)).returncode == 0
    with store.session() as session:
        assert authenticate(session, key) is None
    store.close()


def test_cli_errors_are_one_line(cli, tmp_path):
    bad_role = cli("apikey", "create", "--role", "boss", env=on_folder(tmp_path))
    assert bad_role.returncode == 2 and bad_role.stderr.strip().startswith("qualicall: error: unknown role 'boss'")
    env_url = cli("apikey", "revoke", "nope", env=on_folder(tmp_path))
    assert env_url.returncode == 2 and env_url.stderr.strip() == "qualicall: error: no key with prefix 'nope'"
    unreachable = cli("db", "upgrade", env={"QUALICALL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert unreachable.returncode == 2 and "cannot open the database" in unreachable.stderr
    assert len(unreachable.stderr.strip().splitlines()) == 1
