"""`qualicall db upgrade`, `qualicall apikey create|list|revoke` on a fresh data folder: in process, but for the
first two commands, run as real command lines (the smoke tests of `db` and `apikey`)."""

from __future__ import annotations

import time

import pytest
from api_server import Receiver

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
    assert key.startswith("qc_") and "webhook signing secret: " in created.stderr
    secret = created.stderr.split("webhook signing secret: ")[1].split()[0]
    assert len(secret) == 43  # 32 random bytes, URL-safe base64
    # A copy of the database does not give the secret (a security review): it rests sealed with the data folder's key.
    database = (tmp_path / "qualicall.db").read_bytes()
    assert secret.encode() not in database and b"sealed:" in database
    assert (tmp_path / "sealing.key").stat().st_mode & 0o777 == 0o600
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


def test_webhook_secrets_left_in_clear_are_sealed_when_the_service_starts_and_one_sealed_elsewhere_is_never_sent(tmp_path, caplog):
    """Keys made before webhook secrets were sealed keep signing with the same secret, now sealed by the process that
    runs the jobs as it starts; a secret sealed with another data folder's key is left as it is and does not open."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from qualicall.api.app import create_app
    from qualicall.security import Sealed, Sealer
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import ApiKey, JobRow, WebhookDelivery
    from qualicall.store.repository import create_api_key, webhook_secret

    receiver = Receiver()
    settings = Settings(data_dir=tmp_path / "data", database_url=None, warm_up=False, redact=False, audio_workers=0,
                        webhook_allowed_hosts=["127.0.0.1"])
    settings.data_dir.mkdir()
    elsewhere = Sealer.from_file(tmp_path / "other-folder" / "sealing.key")
    store = Store(settings.url)
    with store.session() as session:
        session.add(ApiKey(name="older", role="crm", prefix="older01", key_hash="x", webhook_secret="an-older-clear-secret"))
        create_api_key(session, "elsewhere", "crm", elsewhere)
        other_id = session.scalar(select(ApiKey.id).where(ApiKey.name == "elsewhere"))
        # A callback of that key: no attempt could sign it, so it is given up at once, never sent (a fresh-eyes review:
        # it was tried 8 times). The receiver is allowed (loopback) and listens: it hears nothing.
        session.add(JobRow(id="j-1", status="succeeded", interaction_id="x", upload_path="", filename="x.wav", metadata_json={}, options={}))
        session.add(WebhookDelivery(id="d-1", job_id="j-1", url=receiver.url, body='{"event":"job.succeeded"}', api_key_id=other_id,
                                    status="pending"))
    with TestClient(create_app(settings, run_jobs=True), base_url="https://testserver") as client:
        assert client.get("/healthz").json()["runs_jobs"] is True
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with store.session() as session:
                if session.get(WebhookDelivery, "d-1").status != "pending":
                    break
            time.sleep(0.2)
    receiver.server.shutdown()
    # said at start, where an operator looks (a data folder restored without its key was silent: an upgrade review)
    assert any(r.levelname == "ERROR" and "of 1 active API key(s) do not open with" in r.getMessage() for r in caplog.records)
    with store.session() as session:
        delivery = session.get(WebhookDelivery, "d-1")
        assert (delivery.status, delivery.attempts) == ("failed", 1) and delivery.last_error.startswith("not signed: key ")
        assert "sealing.key" in delivery.last_error and str(settings.data_dir) not in delivery.last_error  # no server path
    assert receiver.calls == []
    with store.session() as session:
        older, other = (session.scalar(select(ApiKey).where(ApiKey.name == name)) for name in ("older", "elsewhere"))
        assert older.webhook_secret.startswith("sealed:") and "an-older-clear-secret" not in older.webhook_secret
        assert webhook_secret(older, Sealer.from_file(settings.sealing_key)) == "an-older-clear-secret"
        assert len(webhook_secret(other, elsewhere)) == 43
        with pytest.raises(Sealed):
            webhook_secret(other, Sealer.from_file(settings.sealing_key))
    store.close()


def test_apikey_create_away_from_the_service_is_refused(cli, tmp_path):
    from qualicall.security import Sealer

    """A fresh-eyes review: with another data folder than the service's (the database given by URL), `apikey create`
    made a sealing key of its own and printed a secret no callback would be signed with. Refused with its reason, no
    key made, no key file left; in the service's folder, made."""
    database = f"sqlite:///{tmp_path / 'service' / 'qualicall.db'}"
    service = {"QUALICALL_DATA_DIR": str(tmp_path / "service"), "QUALICALL_DATABASE_URL": database}
    elsewhere = {"QUALICALL_DATA_DIR": str(tmp_path / "laptop"), "QUALICALL_DATABASE_URL": database}
    assert cli("apikey", "create", "--role", "crm", env=service).returncode == 0
    refused = cli("apikey", "create", "--role", "crm", env=elsewhere)
    assert refused.returncode != 0 and "no sealing.key in " in refused.stderr and "the database has API keys" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "laptop" / "sealing.key").exists()
    # a folder with a key of its own (another deployment's): none of the database's secrets opens with it
    Sealer.from_file(tmp_path / "laptop" / "sealing.key")
    refused = cli("apikey", "create", "--role", "crm", env=elsewhere)
    assert refused.returncode != 0 and "opens none of the webhook secrets sealed in this database" in refused.stderr
    assert cli("apikey", "list", env=service).stdout.count("\tcrm\t") == 1
    assert cli("apikey", "create", "--role", "coach", env=service).returncode == 0


def test_a_folder_restored_without_its_sealing_key_gives_its_keys_new_secrets(cli, tmp_path):
    """An upgrade operator's review: a data folder restored without its sealing.key could neither sign a callback nor
    make a key, and nothing could issue a key a new secret. `apikey secret --all` gives every active key a new one,
    printed once and sealed with the folder's key; a key named by prefix gets its own; an unknown prefix changes nothing."""
    from sqlalchemy import select

    from qualicall.security import Sealer
    from qualicall.store.db import Store
    from qualicall.store.models import ApiKey
    from qualicall.store.repository import webhook_secret

    folder = {"QUALICALL_DATA_DIR": str(tmp_path), "QUALICALL_DATABASE_URL": None}
    made = [cli("apikey", "create", "--role", role, env=folder) for role in ("crm", "coach")]
    assert all(done.returncode == 0 for done in made)
    made_prefixes = [done.stdout.strip().split("_")[1] for done in made]
    (tmp_path / "sealing.key").unlink()  # the restore that forgot it
    assert cli("apikey", "create", "--role", "crm", env=folder).returncode != 0
    # nothing made where the service has not made its key yet (it does when it starts)
    early = cli("apikey", "secret", "--all", "--lost-key", env=folder)
    assert early.returncode != 0 and "no sealing.key in" in early.stderr and not (tmp_path / "sealing.key").exists()
    Sealer.from_file(tmp_path / "sealing.key")  # the service started: a new key
    unknown = cli("apikey", "secret", "nosuch", "--lost-key", env=folder)
    assert unknown.returncode != 0 and "no active key with prefix 'nosuch'" in unknown.stderr
    assert cli("apikey", "secret", env=folder).returncode != 0  # neither prefixes nor --all
    assert cli("apikey", "secret", "--all", sorted(made_prefixes)[0], env=folder).returncode != 0  # not both
    # Without --lost-key, a key that opens none of the sealed secrets is refused (another folder's: a fresh-eyes review
    # found every secret replaced by ones the service could not open).
    wrong = cli("apikey", "secret", "--all", env=folder)
    assert wrong.returncode != 0 and "opens none of the webhook secrets" in wrong.stderr and "--lost-key" in wrong.stderr
    renewed = cli("apikey", "secret", "--all", "--lost-key", env=folder)
    assert renewed.returncode == 0, renewed.stderr
    assert "2 new webhook secret(s), sealed with" in renewed.stderr
    printed = dict(line.split("\t") for line in renewed.stdout.splitlines())
    assert sorted(printed) == sorted(made_prefixes)
    sealer = Sealer.from_file(tmp_path / "sealing.key")
    store = Store(f"sqlite:///{tmp_path / 'qualicall.db'}")
    with store.session() as session:
        rows = {row.prefix: row for row in session.scalars(select(ApiKey))}
        assert set(printed) == set(rows) and all(webhook_secret(rows[p], sealer) == secret for p, secret in printed.items())
    store.close()
    assert cli("apikey", "create", "--role", "admin", env=folder).returncode == 0  # the folder makes keys again
    assert cli("apikey", "revoke", made_prefixes[1], env=folder).returncode == 0
    revoked = cli("apikey", "secret", made_prefixes[1], env=folder)
    assert revoked.returncode != 0 and "no active key with prefix" in revoked.stderr
    one = made_prefixes[0]  # (the other revoked above)
    again = cli("apikey", "secret", one, env=folder)
    assert again.returncode == 0 and again.stdout.split("\t")[0] == one and again.stdout.strip().split("\t")[1] != printed[one]
