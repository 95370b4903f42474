"""Calibration sessions in the store (issue 16), on SQLite and PostgreSQL: the seeded sample per agent and ISO week,
who may take part, each coach's blind verdicts kept apart from the call's verdict of record, progress, closing.
The session's agreement figures (kappa) are checked on hand-made verdicts in tests/test_web_calibration.py."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import make_interaction
from verdicts_by_hand import SHORT_CALL, failed


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def store(request, tmp_path):
    from qualicall.store.db import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres").database(f"sessions_{tmp_path.name[-8:].lower()}")
    store = Store(url)
    yield store
    store.close()


@pytest.fixture(scope="module")
def scored(scorer):
    """One real scoring of the short call (it fails closing items), given to every contact stored below."""
    return scorer.score(make_interaction(SHORT_CALL, id="gabarit"))


# Two agents, two ISO weeks (W45: 2–8 Nov 2026, W46: 9–15 Nov), three calls each; one call the night of Sunday to
# Monday, on the Monday of W46 by its own clock (00:30 +01:00) though on the Sunday of W45 in UTC; one call before the
# range, one without an agent.
CONTACTS = [
    *[(f"{agent}-w45-{n}", agent, f"2026-11-0{3 + n}T10:00:00+01:00") for agent in ("A-1", "A-2") for n in range(3)],
    *[(f"{agent}-w46-{n}", agent, f"2026-11-1{1 + n}T10:00:00+01:00") for agent in ("A-1", "A-2") for n in range(2)],
    ("A-1-w46-minuit", "A-1", "2026-11-09T00:30:00+01:00"),
    ("A-2-w46-minuit", "A-2", "2026-11-09T00:30:00+01:00"),
    ("A-1-avant", "A-1", "2026-10-20T10:00:00+01:00"),
    ("sans-agent", None, "2026-11-04T10:00:00+01:00"),
]


def stored(store, scored) -> None:
    from qualicall.store.repository import save_scored

    with store.session() as session:
        for interaction_id, agent, started_at in CONTACTS:
            interaction = make_interaction(SHORT_CALL, id=interaction_id, agent_id=agent, team="T", started_at=started_at)
            save_scored(session, interaction, scored.model_copy(update={"interaction_id": interaction_id}))


def utc(day: str):
    from datetime import datetime, timezone

    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


def test_a_seeded_sample_draws_n_calls_per_agent_and_week_and_the_same_again(store, scored):
    from qualicall.core.errors import InputError
    from qualicall.store.calibration_sessions import sample_calls

    stored(store, scored)
    with store.session() as session:
        first = sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 2, seed=4242)
        again = sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 2, seed=4242)
        other = sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 2, seed=7)
        everything = sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 5, seed=4242)
        with pytest.raises(InputError, match="from 1 to"):
            sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 0, seed=1)
        with pytest.raises(InputError, match="empty"):
            sample_calls(session, utc("2026-11-16"), utc("2026-11-01"), 2, seed=1)
    assert first == again  # reproducible
    assert first != other  # another seed, another draw (4 groups of 3 calls, 2 drawn in each)
    # Two per agent and week; the midnight call counts in W46 (its own Monday), not in W45 (the UTC Sunday).
    groups = Counter((call.split("-w")[0], call.split("-")[2]) for call in first)
    assert groups == {("A-1", "w45"): 2, ("A-1", "w46"): 2, ("A-2", "w45"): 2, ("A-2", "w46"): 2}
    # More than a group holds: the whole group; neither the call before the range nor the one without an agent.
    assert sorted(everything) == sorted(c for c, agent, _ in CONTACTS if agent and "avant" not in c)



def test_abandoned_contacts_are_not_drawn(store, scored):
    """A coach's review: an abandoned call (no conversation) was drawn, each coach gave its 17 items « sans objet », and
    the session's unanimous items were padded with them."""
    from qualicall.store.calibration_sessions import sample_calls
    from qualicall.store.repository import save_scored

    with store.session() as session:
        for interaction_id, abandoned in (("A-3-repondu", False), ("A-3-abandon-1", True), ("A-3-abandon-2", True)):
            interaction = make_interaction(SHORT_CALL, id=interaction_id, agent_id="A-3", started_at="2026-11-04T10:00:00+01:00",
                                           abandoned=abandoned)
            save_scored(session, interaction, scored.model_copy(update={"interaction_id": interaction_id}))
        assert sample_calls(session, utc("2026-11-01"), utc("2026-11-16"), 3, seed=4242) == ["A-3-repondu"]

def test_a_session_keeps_each_coachs_blind_verdicts_apart_from_the_verdict_of_record(store, scored):
    from qualicall.core.errors import InputError
    from qualicall.store import calibration_sessions as sessions
    from qualicall.store.repository import Reviewer, get_interaction, latest_result, machine_result
    from qualicall.store.users import create_user

    stored(store, scored)
    lead = Reviewer("lead", user_id=None)
    calls = ["A-1-w45-0", "A-2-w45-0"]
    with store.session() as session:
        julie, marc = create_user(session, "julie", "mot-de-passe").id, create_user(session, "marc", "mot-de-passe", "admin").id
        agent = create_user(session, "lea", "mot-de-passe", "agent", "A-1").id
        with pytest.raises(sessions.CoachesNeeded):
            sessions.create_session(session, "S", [julie], calls, {}, lead)
        with pytest.raises(sessions.CoachesNeeded):
            sessions.create_session(session, "S", [julie, agent], calls, {}, lead)
        with pytest.raises(sessions.NoCalls):
            sessions.create_session(session, "S", [julie, marc], [], {}, lead)
        with pytest.raises(sessions.TooManyCalls):
            sessions.create_session(session, "S", [julie, marc], [f"c-{n}" for n in range(sessions.MAX_CALLS + 1)], {}, lead)
        with pytest.raises(InputError, match="name"):
            sessions.create_session(session, "  ", [julie, marc], calls, {}, lead)
        made = sessions.create_session(session, "Novembre", [julie, marc], calls, {"kind": "random", "seed": 4242}, lead)
        session_id = made.id
        assert [c.username for c in made.coaches] == ["julie", "marc"]

    item_keys = [f"{c}.{i}" for c, crit in scored.to_json()["criteria"].items() for i in crit["items"]]
    closing = failed(scored.to_json())[0]
    with store.session() as session:
        found = sessions.get_session(session, session_id)
        coach = sessions.coach_in(found, julie)
        assert sessions.coach_in(found, agent) is None
        partial = {key: ("passed", None) for key in item_keys[:-1]}
        with pytest.raises(sessions.MissingVerdicts):
            sessions.save_verdicts(session, found, coach, "A-1-w45-0", partial)
        with pytest.raises(sessions.MissingVerdicts):
            sessions.save_verdicts(session, found, coach, "A-1-w45-0", {**partial, item_keys[-1]: ("maybe", None)})
        with pytest.raises(sessions.MissingVerdicts):
            sessions.save_verdicts(session, found, coach, "A-1-w45-0", {**partial, item_keys[-1]: ("passed", None), "closing.nothing": ("passed", None)})
    with store.session() as session:
        found = sessions.get_session(session, session_id)
        verdicts = {key: ("passed", None) for key in item_keys}
        sessions.save_verdicts(session, found, sessions.coach_in(found, julie), "A-1-w45-0", verdicts)
        # Scored again while the session is open: the new verdicts replace hers.
        sessions.save_verdicts(session, found, sessions.coach_in(found, julie), "A-1-w45-0", {**verdicts, closing: ("failed", "pas de récapitulatif")})
        sessions.save_verdicts(session, found, sessions.coach_in(found, marc), "A-1-w45-0", verdicts)

    with store.session() as session:
        row = get_interaction(session, "A-1-w45-0")
        assert latest_result(session, row).id == machine_result(session, row).id  # no coach version: not the verdict of record
        assert not row.reviews
        given = sessions.session_verdicts(session, session_id)
        [progress] = sessions.assignments(session, julie)
        assert (progress.done, progress.next_call) == ({"A-1-w45-0"}, "A-2-w45-0")
        assert sessions.assignments(session, agent) == []
    assert len(given) == 2 * len(item_keys)
    mine = {v.item: v for v in given if v.coach == "julie"}
    assert (mine[closing].status, mine[closing].comment, mine[closing].machine) == ("failed", "pas de récapitulatif", "failed")
    assert {v.machine for v in given if v.item == closing} == {"failed"}  # the machine's, as scored

    with store.session() as session:
        sessions.close_session(session, session_id)
    with store.session() as session:
        found = sessions.get_session(session, session_id)
        assert sessions.assignments(session, julie) == []  # closed: no longer assigned
        with pytest.raises(sessions.SessionClosed):
            sessions.save_verdicts(session, found, sessions.coach_in(found, marc), "A-2-w45-0", verdicts)
