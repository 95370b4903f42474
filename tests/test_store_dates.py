"""Day filters in the store (`from`/`to` as dates: each contact's own calendar day), on SQLite and PostgreSQL, for
contacts stored by this version and for those stored before it in ISO 8601's basic form (migration 0012)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from conftest import make_interaction


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres").database(f"dates_{tmp_path.name[-8:].lower()}")


def on_days(store, since: date, until: date) -> set[str]:
    from qualicall.store.repository import InteractionFilter, list_interactions

    with store.session() as session:
        return {row.id for row, _ in list_interactions(session, InteractionFilter(since=since, until=until)).rows}


def test_a_day_is_each_contacts_own_even_stored_before_in_basic_form(database_url, scorer):
    import sqlalchemy as sa

    from qualicall.store.db import Store, upgrade
    from qualicall.store.repository import save_scored

    store = Store(database_url, migrate=False)
    try:
        upgrade(store.engine, "0011")
        # Stored by the version before, as the door took them: 23:30 in Chicago on 1 November is 05:30 UTC on the 2nd.
        interactions = sa.table("interactions", *(sa.column(name) for name in ("id", "channel", "started_at", "contact_time", "created_at",
                                                                               "updated_at")), sa.column("data", sa.JSON))
        now = datetime(2026, 11, 20, tzinfo=timezone.utc)
        before = {"basic-chicago": ("20261101T233000-0500", datetime(2026, 11, 2, 4, 30, tzinfo=timezone.utc)),
                  "week-date": ("2026-W45-1", datetime(2026, 11, 2, tzinfo=timezone.utc))}
        with store.engine.begin() as connection:
            connection.execute(interactions.insert(), [
                {"id": key, "channel": "voice", "started_at": started_at, "contact_time": moment, "created_at": now, "updated_at": now,
                 "data": {"id": key, "started_at": started_at, "turns": []}} for key, (started_at, moment) in before.items()])
        upgrade(store.engine)
        # Offsets the door takes beyond the world's time zones (up to ±23:59) stay on their own day too.
        with store.session() as session:
            for key, started_at in {"far-west": "2026-11-01T23:00:00-20:00", "far-east": "2026-11-02T01:00:00+20:00"}.items():
                interaction = make_interaction([("agent", "Bonjour."), ("customer", "Merci.")], id=key, started_at=started_at)
                save_scored(session, interaction, scorer.score(interaction))
        assert on_days(store, date(2026, 11, 1), date(2026, 11, 2)) == {"basic-chicago", "far-west"}
        assert on_days(store, date(2026, 11, 2), date(2026, 11, 3)) == {"week-date", "far-east"}
        with store.engine.connect() as connection:
            rewritten = dict(connection.execute(sa.select(interactions.c.id, interactions.c.started_at).where(interactions.c.id.in_(before))).all())
        assert rewritten == {"basic-chicago": "2026-11-01T23:30:00-05:00", "week-date": "2026-11-02"}
    finally:
        store.close()
