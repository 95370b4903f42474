"""Agents' accounts and disputes in the store (issue 16), on SQLite and PostgreSQL: who may dispute what, the
coach's resolution as the verdict of record, what calibration counts. Expected scores are computed by hand
from the rubric YAML's weights (tests/verdicts_by_hand.py), not with the code under test."""

from __future__ import annotations

import pytest

from conftest import make_interaction
from verdicts_by_hand import SHORT_CALL, failed, scores_by_hand


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def store(request, tmp_path):
    from qualicall.store.db import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres").database(f"disputes_{tmp_path.name[-8:].lower()}")
    store = Store(url)
    yield store
    store.close()


@pytest.fixture(scope="module")
def scored(scorer):
    """Two agents' calls, scored for real: A-7's fails its closing items."""
    calls = [make_interaction(SHORT_CALL, id="court-7", agent_id="A-7", team="T", started_at="2026-11-10T09:30:00+01:00"),
             make_interaction(SHORT_CALL, id="court-8", agent_id="A-8", team="T", started_at="2026-11-11T09:30:00+01:00")]
    return [(call, scorer.score(call)) for call in calls]


def stored(store, scored):
    from qualicall.store.repository import save_scored

    with store.session() as session:
        for interaction, result in scored:
            save_scored(session, interaction, result)


def test_agent_accounts_need_an_agent_id_and_sessions_carry_it(store):
    from qualicall.core.errors import InputError
    from qualicall.store.signins import find_session, open_session
    from qualicall.store.users import create_user

    with store.session() as session:
        with pytest.raises(InputError, match="agent id"):
            create_user(session, "sans-id", "mot-de-passe", "agent")
        with pytest.raises(InputError, match="only an agent"):
            create_user(session, "coach-id", "mot-de-passe", "coach", "A-7")
        with pytest.raises(InputError, match="agent id"):
            create_user(session, "slash", "mot-de-passe", "agent", "A/7")
        agent = create_user(session, "lea", "mot-de-passe", "agent", "A-7")
        token = open_session(session, 3600, user=agent)
    with store.session() as session:
        signed = find_session(session, token)
    assert (signed.role, signed.agent_id, signed.is_agent) == ("agent", "A-7", True)


def test_a_dispute_is_refused_on_another_agents_call_an_unchanged_status_or_without_a_comment(store, scored):
    from qualicall.core.errors import ConflictError, InputError, NotFoundError
    from qualicall.store.disputes import SameStatus, UnknownItem, open_dispute
    from qualicall.store.repository import get_interaction

    stored(store, scored)
    item = failed(scored[0][1].to_json())[0]
    with store.session() as session:
        mine, theirs = get_interaction(session, "court-7"), get_interaction(session, "court-8")
        with pytest.raises(NotFoundError):
            open_dispute(session, theirs, item, "passed", "c'est faux", agent_id="A-7", author="lea")
        with pytest.raises(SameStatus):
            open_dispute(session, mine, item, "failed", "c'est faux", agent_id="A-7", author="lea")
        with pytest.raises(UnknownItem):
            open_dispute(session, mine, "closing.nothing", "passed", "c'est faux", agent_id="A-7", author="lea")
        with pytest.raises(InputError, match="comment is required"):
            open_dispute(session, mine, item, "passed", "   ", agent_id="A-7", author="lea")
        open_dispute(session, mine, item, "passed", "j'ai récapitulé", agent_id="A-7", author="lea")
    with store.session() as session, pytest.raises(ConflictError, match="disputed already"):
        open_dispute(session, get_interaction(session, "court-7"), item, "not_applicable", "encore", agent_id="A-7", author="lea")


def test_an_upheld_dispute_is_the_verdict_of_record_and_a_rejected_one_confirms_the_machine(store, scored):
    from qualicall.core.errors import ConflictError
    from qualicall.store.disputes import counts_by_item, list_disputes, open_dispute, resolve_dispute
    from qualicall.store.repository import Reviewer, get_interaction, latest_result, machine_result

    stored(store, scored)
    machine = scored[0][1].to_json()
    upheld_item, rejected_item = failed(machine)[:2]
    with store.session() as session:
        row = get_interaction(session, "court-7")
        first = open_dispute(session, row, upheld_item, "passed", "j'ai récapitulé", agent_id="A-7", author="lea").id
        second = open_dispute(session, row, rejected_item, "not_applicable", "pas le cas", agent_id="A-7", author="lea").id
    with store.session() as session:
        assert [d.id for d in list_disputes(session, "open")] == [first, second]  # the first waiting first

    coach = Reviewer("julie", user_id=42)
    with store.session() as session:
        resolve_dispute(session, first, "upheld", "d'accord, le récapitulatif y est", coach)
        resolve_dispute(session, second, "rejected", "il fallait conclure", coach)
    with store.session() as session, pytest.raises(ConflictError, match="upheld already"):
        resolve_dispute(session, first, "rejected", "non", coach)
    # (an agent's-eye review: disputed again at once after the rejection, as often as wished)
    from qualicall.store.disputes import AnsweredAlready

    with store.session() as session, pytest.raises(AnsweredAlready, match="rejected by julie"):
        open_dispute(session, get_interaction(session, "court-7"), rejected_item, "passed", "encore", agent_id="A-7", author="lea")

    with store.session() as session:
        row = get_interaction(session, "court-7")
        latest, base = latest_result(session, row).data, machine_result(session, row).data
        done = {d.id: d for d in list_disputes(session)}
        counts = counts_by_item(session)
        assert [d.id for d in list_disputes(session, "open")] == []
        assert [d.id for d in list_disputes(session, "upheld", agent_id="A-7")] == [first]
        assert list_disputes(session, agent_id="A-8") == []
    by_hand = scores_by_hand(machine, {upheld_item: "passed"})
    assert latest["quality_score"] == pytest.approx(by_hand["quality"], abs=0.05)
    assert latest["overall_score"] == pytest.approx(by_hand["overall"], abs=0.05)
    criterion, item = upheld_item.split(".")
    assert latest["criteria"][criterion]["items"][item]["status"] == "passed"
    assert base["criteria"][criterion]["items"][item]["status"] == "failed"  # the machine's kept beside it
    criterion, item = rejected_item.split(".")
    assert latest["criteria"][criterion]["items"][item]["status"] == "failed"
    assert (done[first].resolution, done[first].resolved_by, done[first].resolved_by_user_id) == ("upheld", "julie", 42)
    assert done[second].resolution_comment == "il fallait conclure" and done[second].review_id is not None
    assert {k: dict(v) for k, v in counts.items()} == {upheld_item: {"upheld": 1}, rejected_item: {"rejected": 1}}


def test_a_resolution_needs_a_comment_and_a_known_dispute(store, scored):
    from qualicall.core.errors import InputError, NotFoundError
    from qualicall.store.disputes import open_dispute, resolve_dispute
    from qualicall.store.repository import Reviewer, get_interaction

    stored(store, scored)
    item = failed(scored[0][1].to_json())[0]
    with store.session() as session:
        dispute = open_dispute(session, get_interaction(session, "court-7"), item, "passed", "récapitulé", agent_id="A-7", author="lea").id
    with store.session() as session, pytest.raises(InputError, match="comment is required"):
        resolve_dispute(session, dispute, "upheld", "", Reviewer("julie"))
    with store.session() as session, pytest.raises(InputError, match="resolution"):
        resolve_dispute(session, dispute, "maybe", "hmm", Reviewer("julie"))
    with store.session() as session, pytest.raises(NotFoundError):
        resolve_dispute(session, dispute + 100, "upheld", "oui", Reviewer("julie"))


def test_qualicall_user_create_makes_agent_accounts(cli, tmp_path):
    env = {"QUALICALL_DATA_DIR": str(tmp_path), "QUALICALL_DATABASE_URL": None}
    made = cli("user", "create", "lea", "--password", "mot-de-passe", "--role", "agent", "--agent-id", "A-7", env=env)
    assert made.returncode == 0, made.stderr
    # no contact of A-7 stored yet: an account that sees nothing (a typo?) is said so
    assert "warning: no contact of agent id 'A-7' is stored yet" in made.stderr
    refused = cli("user", "create", "marc", "--password", "mot-de-passe", "--role", "agent", env=env)
    assert refused.returncode == 2 and "needs the agent id" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert cli("user", "list", env=env).stdout.splitlines() == ["lea\tagent\tactive\tA-7"]


# The agent asked for « passed » on the missing question about other needs; the call scored again with the question
# asked and a farewell (a CRM re-post of a corrected transcript): the item passes now.
ASKED_AND_CLOSED = [
    *SHORT_CALL[:-1],
    ("agent", "Je vérifie votre compte. Vous avez consommé davantage en février, la facture est donc juste. "
              "Puis-je faire autre chose pour vous ?"),
    ("customer", "Non merci."),
    ("agent", "Merci de votre appel, bonne journée, au revoir."),
]


def test_a_dispute_is_settled_when_the_verdict_of_record_becomes_what_the_agent_asked(store, scored, scorer):
    """Found by an agent's-eye review: a coach's override giving what was asked left the dispute open, its « reject »
    button then putting back the disputed verdict; so did a new scoring of the call, where rejecting made a passing
    item fail (the agent lost points for having disputed)."""
    from qualicall.store.disputes import dispute_json, list_disputes, open_dispute, resolve_dispute
    from qualicall.store.repository import ItemReview, Reviewer, add_reviews, get_interaction, latest_result, save_scored

    stored(store, scored)
    with store.session() as session:
        row = get_interaction(session, "court-7")
        by_override = open_dispute(session, row, "closing.recap", "passed", "j'ai récapitulé", agent_id="A-7", author="lea").id
        by_rescoring = open_dispute(session, row, "closing.other_needs", "passed", "je l'ai demandé", agent_id="A-7", author="lea").id
        left_open = open_dispute(session, row, "closing.farewell", "not_applicable", "pas d'au revoir au téléphone", agent_id="A-7",
                                 author="lea").id
    with store.session() as session:
        add_reviews(session, get_interaction(session, "court-7"), [ItemReview("recap", "passed", "le récapitulatif y est")],
                    Reviewer("julie", user_id=42))
    with store.session() as session:
        settled = dispute_json(session.get(type(list_disputes(session)[0]), by_override))
    assert (settled["state"], settled["resolved_by"], settled["resolution_comment"], settled["rescored"]) == (
        "upheld", "julie", "le récapitulatif y est", False)
    assert settled["review_id"] is not None

    interaction = make_interaction(ASKED_AND_CLOSED, id="court-7", agent_id="A-7", team="T", started_at="2026-11-10T09:30:00+01:00")
    with store.session() as session:
        save_scored(session, interaction, scorer.score(interaction))
    with store.session() as session:
        states = {d.id: dispute_json(d) for d in list_disputes(session)}
        latest = latest_result(session, get_interaction(session, "court-7")).data["criteria"]["closing"]["items"]
    assert (states[by_rescoring]["state"], states[by_rescoring]["rescored"], states[by_rescoring]["review_id"]) == ("upheld", True, None)
    # the farewell passes now: the agent asked for « not applicable », so that dispute waits for a coach; rejecting it
    # keeps the verdict of record as it is now (passed), not the « failed » disputed
    assert states[left_open]["state"] == "open" and latest["farewell"]["status"] == "passed"
    with store.session() as session:
        resolve_dispute(session, left_open, "rejected", "la formule de congé est attendue", Reviewer("julie", user_id=42))
    with store.session() as session:
        latest = latest_result(session, get_interaction(session, "court-7")).data["criteria"]["closing"]["items"]
    assert {item: latest[item]["status"] for item in ("recap", "other_needs", "farewell")} == {
        "recap": "passed", "other_needs": "passed", "farewell": "passed"}


def test_a_rejection_and_an_override_at_once_neither_deadlock_nor_undo_each_other(store, scored, monkeypatch):
    """A fresh-eyes review: resolving a dispute locked the dispute, then the contact; an override locks the contact, then
    settles the dispute. On PostgreSQL the two deadlocked (a 500); on SQLite the rejection, read before the override's
    commit, wrote back the verdict it had read. The rejection is held between its locks and its review while the override
    comes: it must wait, and come after."""
    import threading
    import time

    import qualicall.store.disputes as disputes
    from qualicall.store.disputes import dispute_json, list_disputes, open_dispute, resolve_dispute
    from qualicall.store.repository import ItemReview, Reviewer, add_reviews, get_interaction, latest_result

    stored(store, scored)
    with store.session() as session:
        dispute = open_dispute(session, get_interaction(session, "court-7"), "closing.other_needs", "passed", "demandé",
                               agent_id="A-7", author="lea").id
    both_started = threading.Barrier(2)
    reviews = disputes.add_reviews

    def held(*args, **kwargs):  # the rejection, once it holds what it locks, waits for the override to start
        both_started.wait(timeout=30)
        time.sleep(0.3)
        return reviews(*args, **kwargs)

    monkeypatch.setattr(disputes, "add_reviews", held)
    errors: list[BaseException] = []

    def reject() -> None:
        try:
            with store.session() as session:
                resolve_dispute(session, dispute, "rejected", "il ne l'a pas demandé", Reviewer("anne", user_id=2))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def override() -> None:
        try:
            both_started.wait(timeout=30)
            with store.session() as session:
                add_reviews(session, get_interaction(session, "court-7"), [ItemReview("other_needs", "passed", "« autre chose »")],
                            Reviewer("bruno", user_id=3))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reject), threading.Thread(target=override)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with store.session() as session:
        (found,) = [dispute_json(d) for d in list_disputes(session) if d.id == dispute]
        item = latest_result(session, get_interaction(session, "court-7")).data["criteria"]["closing"]["items"]["other_needs"]
    # the rejection first (it held the contact), then Bruno's override, which stands
    assert (found["state"], found["resolved_by"]) == ("rejected", "anne")
    assert (item["status"], item["reviewed_by"]) == ("passed", "bruno")
