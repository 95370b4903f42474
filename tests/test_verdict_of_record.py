"""The coach's verdict is the verdict of record (issue 16, point 1), in the store, on SQLite and PostgreSQL.

Expected scores are computed here by hand from the rubric YAML's weights, not with the code under test.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conftest import EXAMPLES, make_interaction
from verdicts_by_hand import SHORT_CALL, failed, scores_by_hand


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def store(request, tmp_path):
    from qualicall.store.db import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres").database(f"verdicts_{tmp_path.name[-8:].lower()}")
    store = Store(url)
    yield store
    store.close()


@pytest.fixture(scope="module")
def short_call():
    return make_interaction(SHORT_CALL, id="court-1", agent_id="A-1", team="T", indicators={"wait_time_s": 48, "handle_time_s": 210, "csat": 3},
                            started_at="2026-11-10T09:30:00+01:00")


def test_the_recomputation_gives_back_the_machines_scores_without_verdicts(scorer):
    """The scorer's arithmetic, applied from what a result records, on every example: no verdict, no change."""
    from qualicall.core.interaction import Interaction
    from qualicall.core.scores import with_verdicts

    examples = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    examples.append(json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8")))
    for example in examples:
        result = scorer.score(Interaction.model_validate(example)).to_json()
        again = with_verdicts(result, {}, 1)
        assert (again["quality_score"], again["overall_score"]) == (result["quality_score"], result["overall_score"])
        assert {c: v["score"] for c, v in again["criteria"].items()} == {c: v["score"] for c, v in result["criteria"].items()}


def test_an_override_is_the_verdict_of_record_everywhere_the_store_answers(store, scorer, short_call):
    from qualicall.core.interaction import Interaction
    from qualicall.api.web.data import group_trends
    from qualicall.reports.aggregate import aggregate
    from qualicall.store import repository as repo
    from qualicall.store.models import ResultItemRow

    machine = scorer.score(short_call)
    good = Interaction.model_validate(json.loads((EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines()[0]) | {"agent_id": "A-1", "team": "T"})
    with store.session() as session:
        repo.save_scored(session, short_call, machine)
        repo.save_scored(session, good, scorer.score(good))
    result = machine.to_json()
    key = failed(result)[0]
    criterion_id, item_id = key.split(".")
    expected = scores_by_hand(result, {key: "passed"})
    assert expected["quality"] != result["quality_score"]

    with store.session() as session:
        row = repo.get_interaction(session, "court-1")
        made = repo.add_reviews(session, row, [repo.ItemReview(item_id, "passed", "le client a coupé court")], repo.Reviewer("julie"))
        assert made[0].result_id == repo.result_versions(session, "court-1")[0].id  # the review judged the machine's result
    with store.session() as session:
        row = repo.get_interaction(session, "court-1")
        latest = repo.latest_result(session, row)
        data = latest.data
        assert (latest.version, data["source"], data["machine"]["version"]) == (2, "coach", 1)
        assert data["quality_score"] == pytest.approx(expected["quality"], abs=0.01) == latest.quality_score
        assert data["overall_score"] == pytest.approx(expected["overall"], abs=0.01) == latest.overall_score
        for cid, score in expected["criteria"].items():
            assert data["criteria"][cid]["score"] == (pytest.approx(score, abs=0.01) if score is not None else None)
        # The machine's verdict and figures beside the coach's.
        item = data["criteria"][criterion_id]["items"][item_id]
        assert (item["status"], item["machine_status"], item["reviewed_by"]) == ("passed", "failed", "julie")
        assert data["criteria"][criterion_id]["machine_score"] == result["criteria"][criterion_id]["score"]
        assert data["machine"]["quality_score"] == result["quality_score"]
        assert repo.machine_result(session, row).version == 1
        # Lists and filters read the verdict of record.
        statuses = {i.item_id: i.status for i in session.query(ResultItemRow).filter_by(result_id=latest.id)}
        assert statuses[item_id] == "passed"
        with_failure = repo.list_interactions(session, repo.InteractionFilter(item_failed=[item_id]))
        assert "court-1" not in [r.id for r, _ in with_failure.rows]
        above = repo.list_interactions(session, repo.InteractionFilter(min_score=round(expected["overall"], 2) - 0.01))
        assert "court-1" in [r.id for r, _ in above.rows]
        # Reports (GET /v1/reports aggregates these).
        latest_results = [r for part in repo.iter_latest_results(session, repo.InteractionFilter(team="T")) for r in part]
        report = aggregate(latest_results).to_json()["total"]
        good_quality = next(r for r in latest_results if r["interaction_id"] != "court-1")["quality_score"]
        assert report["indicators"]["quality_avg"]["value"] == pytest.approx((expected["quality"] + good_quality) / 2, abs=0.01)
        assert report["items"][key]["passed"] == 2
        # The agent's trends (summed in SQL over the results of record): court-1's week (W46) alone, the coach's verdict in it.
        trend = group_trends(session, "agent", "A-1", "week", order=lambda key: key)
        assert trend.periods == ["2026-W45", "2026-W46"]
        assert trend.series["quality"][1].value == pytest.approx(expected["quality"], abs=0.05)
        assert trend.series["overall"][1].value == pytest.approx(expected["overall"], abs=0.05)
        assert trend.series[criterion_id][1].value == pytest.approx(expected["criteria"][criterion_id], abs=0.05)
        assert {item: passed for item, passed, _ in trend.item_rates}[key] == 2

    # The same verdict from the same coach again, or a comment alone: no new version.
    with store.session() as session:
        row = repo.get_interaction(session, "court-1")
        repo.add_reviews(session, row, [repo.ItemReview(item_id, "passed")], repo.Reviewer("julie"))
        repo.add_reviews(session, row, [], repo.Reviewer("julie"), comment="appel à réécouter en équipe")
        assert repo.latest_result(session, row).version == 2
        other = next(k for k in result["criteria"][criterion_id]["items"] if k != item_id)
    # Calibration still compares the machine with the coach.
    from qualicall.api.web.data import calibration_pairs

    with store.session() as session:
        pairs = [p for p in calibration_pairs(session, order=lambda key: key) if p.interaction_id == "court-1"]
        assert [(p.item, p.auto, p.coach) for p in pairs] == [(key, "failed", "passed")]

    # The machine scores the contact again: the coach's verdict is applied on top of the new machine result.
    with store.session() as session:
        repo.save_scored(session, short_call, scorer.score(short_call))
    with store.session() as session:
        row = repo.get_interaction(session, "court-1")
        latest = repo.latest_result(session, row)
        assert (latest.version, latest.data["source"], latest.data["machine"]["version"]) == (4, "coach", 3)
        assert latest.quality_score == pytest.approx(expected["quality"], abs=0.01)
        # The coach goes back to the machine's verdict: the scores go back too.
        repo.add_reviews(session, row, [repo.ItemReview(item_id, "failed")], repo.Reviewer("marc"))
        latest = repo.latest_result(session, row)
        assert latest.version == 5 and latest.quality_score == result["quality_score"]
        assert latest.data["criteria"][criterion_id]["items"][other]["status"] == result["criteria"][criterion_id]["items"][other]["status"]


def test_reviews_made_before_become_verdicts_of_record_on_upgrade(tmp_path, scorer, short_call):
    """Migration 0004: a database reviewed under the previous version gets the coaches' result version."""
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from qualicall.store.db import Store, make_engine, upgrade
    from qualicall.store.models import InteractionRow, ResultItemRow, ResultRow, ReviewRow

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0003")
    result = scorer.score(short_call).to_json()
    key = failed(result)[0]
    criterion_id, item_id = key.split(".")
    with Session(engine) as session:  # what the previous version stored: the machine's result and a review of it
        session.add(InteractionRow(id="court-1", channel="voice", contact_time=datetime(2026, 11, 10, tzinfo=timezone.utc), data={}))
        session.flush()
        row = ResultRow(interaction_id="court-1", version=1, rubric_id="default-fr", rubric_version="2", quality_score=result["quality_score"],
                        operational_score=result["operational_score"], overall_score=result["overall_score"], data=result,
                        items=[ResultItemRow(item_id=i, criterion_id=c, status=it["status"]) for c, cr in result["criteria"].items() for i, it in cr["items"].items()])
        session.add(row)
        session.flush()
        session.get(InteractionRow, "court-1").latest_result_id = row.id
        # The columns of reviews at 0003 only (later versions add the author's ids).
        session.execute(insert(ReviewRow).values(interaction_id="court-1", result_id=row.id, criterion_id=criterion_id, item_id=item_id,
                                                 status="passed", reviewer="julie"))
        session.commit()
    engine.dispose()
    store = Store(url)  # upgrades to the head
    try:
        from qualicall.store import repository as repo

        with store.session() as session:
            latest = repo.latest_result(session, repo.get_interaction(session, "court-1"))
            assert (latest.version, latest.data["source"]) == (2, "coach")
            assert latest.quality_score == pytest.approx(scores_by_hand(result, {key: "passed"})["quality"], abs=0.01)
            assert {i.item_id: i.status for i in latest.items}[item_id] == "passed"
            # Migration 0009: the figures the trend pages sum, those of the coach's version among them.
            figures = {(f.kind, f.name): f.value for f in latest.figures}
            assert figures[("score", "quality")] == latest.quality_score and figures[("score", "overall")] == latest.overall_score
            assert figures[("criterion", criterion_id)] == latest.data["criteria"][criterion_id]["score"]
    finally:
        store.close()
