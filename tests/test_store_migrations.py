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
