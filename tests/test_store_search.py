"""Transcript search in the store (qualicall.store.search), on SQLite and PostgreSQL: the index follows a contact
scored again, and the contacts stored before migration 0007 are found after it. What each search must find is
written by hand from the turns below."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from conftest import make_interaction


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres").database(f"search_{tmp_path.name[-8:].lower()}")


def found(store, words: str, **filters) -> set[str]:
    from qualicall.store.repository import InteractionFilter, list_interactions

    with store.session() as session:
        return {row.id for row, _ in list_interactions(session, InteractionFilter(search=words, **filters)).rows}


def test_a_contact_scored_again_is_searched_in_its_new_text(database_url, scorer):
    from qualicall.store.db import Store
    from qualicall.store.repository import save_scored

    first = make_interaction([("agent", "Bonjour, que puis-je faire pour vous ?"), ("customer", "Je dépose une RÉCLAMATION pour mon œuvre abîmée.")],
                             id="c-1", agent_id="A-1")
    other = make_interaction([("agent", "Good morning, how can I help?"), ("customer", "I'd like a refund, please.")], language="en",
                             id="c-2", agent_id="A-2")
    store = Store(database_url)
    try:
        with store.session() as session:
            for interaction in (first, other):
                save_scored(session, interaction, scorer.score(interaction))
        assert found(store, "reclamation") == found(store, "Réclamation") == found(store, "oeuvre abime") == {"c-1"}
        assert found(store, "refund") == {"c-2"} and found(store, "refunds") == set()
        assert found(store, "reclamation", agent_id="A-2") == set()
        assert found(store, "   ") == {"c-1", "c-2"}  # no word: no search
        assert found(store, "مرحبا") == found(store, "Ωμέγα") == set()  # words the index cannot hold find nothing (they found every contact)
        assert found(store, "😀 !?") == {"c-1", "c-2"}  # no word at all: no search
        again = make_interaction([("agent", "Bonjour."), ("customer", "Je voudrais un remboursement.")], id="c-1", agent_id="A-1")
        with store.session() as session:
            save_scored(session, again, scorer.score(again))
        assert found(store, "reclamation") == set() and found(store, "rembours") == {"c-1"}
    finally:
        store.close()


def test_contacts_stored_before_the_migration_are_indexed_by_it(database_url):
    import sqlalchemy as sa

    from qualicall.store.db import Store, upgrade

    store = Store(database_url, migrate=False)
    try:
        upgrade(store.engine, "0006")
        interactions = sa.table("interactions", *(sa.column(name) for name in ("id", "channel", "contact_time", "created_at", "updated_at")),
                                sa.column("data", sa.JSON))
        now = datetime(2026, 11, 20, tzinfo=timezone.utc)
        rows = [("avant-1", "Résiliation demandée : je pars chez un concurrent."), ("avant-2", "Merci, c'est parfait.")]
        with store.engine.begin() as connection:
            connection.execute(interactions.insert(), [
                {"id": identifier, "channel": "chat", "contact_time": now, "created_at": now, "updated_at": now,
                 "data": {"id": identifier, "channel": "chat", "turns": [{"speaker": "customer", "text": text}]}}
                for identifier, text in rows])
        upgrade(store.engine)
        assert found(store, "resiliation concurrent") == {"avant-1"}
        assert found(store, "PARFAIT") == {"avant-2"}
    finally:
        store.close()


def test_an_item_a_stored_result_holds_is_known_to_the_lists_filter(tmp_path, scorer):
    """(A fresh-eyes review: after a rubric renamed an item, `item_failed` with the stored name was refused, 422.)"""
    from qualicall.store.db import Store
    from qualicall.store.repository import item_scored, save_scored

    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        interaction = make_interaction([("agent", "Bonjour."), ("customer", "Ma facture est fausse.")], id="r-1")
        result = scorer.score(interaction)
        data = result.to_json()
        data["criteria"]["closing"]["items"]["resume_final"] = data["criteria"]["closing"]["items"].pop("recap")
        from qualicall.core.result import Result

        with store.session() as session:
            save_scored(session, interaction, Result.model_validate(data))
        with store.session() as session:
            assert item_scored(session, "resume_final") and item_scored(session, "closing.resume_final")
            assert not item_scored(session, "greeting.resume_final") and not item_scored(session, "nosuch")
    finally:
        store.close()
