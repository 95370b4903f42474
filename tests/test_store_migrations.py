"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and are idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from qualicall.store.db import Store, current_revision, upgrade
from qualicall.store.models import Base
from qualicall.store.search import outside_the_models


def schema_drift(store: Store) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as connection:
        # The search index's own tables (SQLite FTS5), column and index (PostgreSQL's stored tsvector, GIN-indexed) are not models.
        context = MigrationContext.configure(connection, opts={"include_object": lambda _o, name, type_, *_: not outside_the_models(name, type_)})
        return compare_metadata(context, Base.metadata)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres").database(f"migrations_{tmp_path.name[-8:].lower()}")


def test_migrations_match_the_models_and_rerun_cleanly(database_url):
    store = Store(database_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
        assert schema_drift(store) == []
        head = current_revision(store.engine)
        upgrade(store.engine)  # what every start does: nothing left to do
        assert current_revision(store.engine) == head
    finally:
        store.close()


def test_bad_database_url_is_one_line(tmp_path):
    from qualicall.store.db import StoreError

    with pytest.raises(StoreError, match="invalid database URL"):
        Store("not a url")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store("postgresql://nobody@127.0.0.1:1/none")


def test_only_serve_and_db_upgrade_upgrade_a_schema(tmp_path):
    """An upgrade operator's review: every command upgraded the schema silently — a `db purge --dry-run` (« changes
    nothing »), a `user list` — under an older server still running, which could not open it then; and a database a newer
    qualicall had upgraded was refused by Alembic's traceback of a hundred lines."""
    import sqlite3

    from conftest import run_cli

    env = {"QUALICALL_DATA_DIR": str(tmp_path)}
    database = tmp_path / "qualicall.db"
    old = Store(f"sqlite:///{database}", migrate=False)
    upgrade(old.engine, "0010")  # a database of three days ago
    old.close()
    for command in (("db", "purge", "--older-than", "30", "--dry-run"), ("user", "list"),
                    ("user", "create", "julie", "--password", "mot-de-passe")):
        refused = run_cli(*command, env=env)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "is at schema 0010, this version needs 0015" in refused.stderr and "qualicall db upgrade" in refused.stderr
        assert sqlite3.connect(database).execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0010"
    done = run_cli("db", "upgrade", env=env)
    assert done.returncode == 0 and "database at revision 0015" in done.stdout, done.stderr
    assert run_cli("user", "create", "julie", "--password", "mot-de-passe", env=env).returncode == 0
    assert run_cli("user", "list", env=env).stdout.startswith("julie\t")
    # a new database gets its schema from any command
    fresh = run_cli("user", "list", env={"QUALICALL_DATA_DIR": str(tmp_path / "new")})
    assert fresh.returncode == 0, fresh.stderr
    # rolled back: a newer qualicall's schema
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    for command in (("db", "upgrade"), ("user", "list")):
        refused = run_cli(*command, env=env)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
        assert "is at schema 0099, written by a newer qualicall" in refused.stderr and "restore a backup" in refused.stderr
