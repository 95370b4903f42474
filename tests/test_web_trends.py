"""Agent and team trends summed per period in SQL (`qualicall.api.web.data.group_trends`), on SQLite and PostgreSQL,
over a small planted store whose every expected figure is worked out by hand in the comments."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from qualicall.api.web.trends import Point, indicator_chart, line_chart, period_bounds, period_of


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.slow)])
def store(request, tmp_path):
    from qualicall.store.db import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres").database(f"trends_{tmp_path.name[-8:].lower()}")
    store = Store(url)
    yield store
    store.close()


def result(greeting: dict[str, str], closing: dict[str, str], quality: float | None, operational: float | None, overall: float | None,
           indicators: dict[str, object]) -> dict:
    """A machine result of two criteria of weight 1 (items of weight 1: the rubric records no item weight), scores as given."""

    def criterion(items: dict[str, str]) -> dict:
        applicable = [s for s in items.values() if s != "not_applicable"]
        score = 100.0 * applicable.count("passed") / len(applicable) if applicable else None
        return {"score": score, "weight": 1.0, "items": {i: {"status": s, "reason": "planted"} for i, s in items.items()}}

    return {"rubric": {"id": "planted", "version": "1"}, "language": "fr", "channel": "voice",
            "criteria": {"greeting": criterion(greeting), "closing": criterion(closing)},
            "quality_score": quality, "operational_score": operational, "overall_score": overall,
            "combination": {"weights": {"quality": 70.0, "operational": 30.0}},
            "indicators": {name: {"value": value, "score": None, "source": "input"} for name, value in indicators.items()}}


# id: (agent, team, started_at, result). Weeks: 2026-11-02 is the Monday of ISO week 45, 2026-11-09 of week 46.
PLANTED = {
    # W45. quality 75 (greeting 50, closing 100); overall 0.7 × 75 + 0.3 × 55 = 69.
    "a": ("A-1", "T", "2026-11-02T09:00:00+01:00",
          result({"hello": "passed", "name": "failed"}, {"thanks": "passed", "farewell": "passed"}, 75.0, 55.0, 69.0,
                 {"wait_time_s": 10, "resolved_first_contact": True})),
    # W45, late in the evening (still 4 November where it was made, 22:30 UTC). The machine failed `thanks`: closing 0,
    # quality 50; a coach passes it below: closing 100, quality (100 + 100) / 2 = 100, overall 0.7 × 100 + 0.3 × 70 = 91.
    "b": ("A-1", "T", "2026-11-04T23:30:00+01:00",
          result({"hello": "passed", "name": "passed"}, {"thanks": "failed", "farewell": "not_applicable"}, 50.0, 70.0, 56.0,
                 {"wait_time_s": 30, "resolved_first_contact": False})),
    # Monday 9 November 00:30 where it was made (W46), Sunday 8 November 23:30 UTC (W45): the page goes by the first.
    # quality 25 (greeting 0, closing 50); no operational score: overall = quality.
    "c": ("A-1", "T", "2026-11-09T00:30:00+01:00",
          result({"hello": "failed", "name": "failed"}, {"thanks": "passed", "farewell": "failed"}, 25.0, None, 25.0,
                 {"wait_time_s": 20, "csat": 4})),
    # No started_at: its UTC contact time, set below to Monday 30 November 23:30 UTC (W49). Greeting not applicable.
    "d": ("A-1", "T", None,
          result({"hello": "not_applicable", "name": "not_applicable"}, {"thanks": "passed", "farewell": "passed"}, 100.0, None, 100.0, {})),
    # Another agent of the same team, W45.
    "e": ("B-9", "T", "2026-11-03T10:00:00+01:00",
          result({"hello": "passed", "name": "passed"}, {"thanks": "failed", "farewell": "failed"}, 50.0, None, 50.0, {"wait_time_s": 40})),
    # Abandoned after 90 s (W45): counted among the team's contacts, never in its scores nor its waits (the scorer gives
    # it an overall score of its wait alone).
    "g": ("B-9", "T", "2026-11-03T11:00:00+01:00",
          result({"hello": "not_applicable", "name": "not_applicable"}, {"thanks": "not_applicable", "farewell": "not_applicable"}, None, 0.0, 0.0,
                 {"wait_time_s": 90}) | {"abandoned": True}),
    # A written complaint's times: no number, so no chart.
    "h": ("B-9", "T", "2026-11-03T12:00:00+01:00",
          result({"hello": "passed", "name": "passed"}, {"thanks": "passed", "farewell": "passed"}, 100.0, None, 100.0,
                 {"received_at": "2026-11-03T12:00:00+01:00"})),
    # Another team.
    "f": ("Z-1", "U", "2026-11-02T10:00:00+01:00",
          result({"hello": "failed", "name": "failed"}, {"thanks": "failed", "farewell": "failed"}, 0.0, None, 0.0, {})),
}
GRID = ["greeting", "greeting.hello", "greeting.name", "closing", "closing.thanks", "closing.farewell",
        "wait_time_s", "resolved_first_contact", "csat"]


def order(key: str) -> tuple[int, str]:
    return (GRID.index(key), key) if key in GRID else (len(GRID), key)


@pytest.fixture
def planted(store):
    from conftest import make_interaction
    from qualicall.core.result import Result
    from qualicall.store import repository as repo

    with store.session() as session:
        for interaction_id, (agent, team, started_at, payload) in PLANTED.items():
            contact = make_interaction([("agent", "Bonjour.")], id=interaction_id, agent_id=agent, team=team,
                                       **({"started_at": started_at} if started_at else {}))
            repo.save_scored(session, contact, Result.model_validate({"interaction_id": interaction_id, **payload}))
        repo.get_interaction(session, "d").contact_time = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
    with store.session() as session:
        repo.add_reviews(session, repo.get_interaction(session, "b"), [repo.ItemReview("thanks", "passed", "remercié en fin d'appel")],
                         repo.Reviewer("julie"))
    return store


def values(points: list[Point]) -> list[float | None]:
    return [point.value for point in points]


def test_an_agents_weeks_from_the_results_of_record(planted):
    from qualicall.api.web.data import group_trends

    with planted.session() as session:
        found = group_trends(session, "agent", "A-1", "week", order)
    assert found.contacts == 4
    assert found.periods == ["2026-W45", "2026-W46", "2026-W49"]
    assert [point.calls for point in found.series["quality"]] == [2, 1, 1]
    assert list(found.series) == ["quality", "overall", "greeting", "closing"]
    assert values(found.series["quality"]) == [87.5, 25.0, 100.0]  # (75 + 100) / 2 with b's coach verdict
    assert values(found.series["overall"]) == [80.0, 25.0, 100.0]  # (69 + 91) / 2
    assert values(found.series["greeting"]) == [75.0, 0.0, None]  # (50 + 100) / 2; d's greeting has no score
    assert values(found.series["closing"]) == [100.0, 50.0, 100.0]  # (100 + 100 by the coach) / 2
    assert list(found.indicators) == ["wait_time_s", "resolved_first_contact", "csat"]
    assert values(found.indicators["wait_time_s"]) == [20.0, 20.0, None]
    assert values(found.indicators["resolved_first_contact"]) == [50.0, None, None]  # true and false: 50 %
    assert values(found.indicators["csat"]) == [None, 4.0, None]
    assert found.yes_no == {"resolved_first_contact"}
    # thanks: a, b (by the coach), c, d passed of 4; farewell: a, d passed of 3 (b's not applicable); greeting's not
    # applicable on d.
    assert found.item_rates == [("greeting.hello", 2, 3), ("greeting.name", 1, 3), ("closing.thanks", 4, 4), ("closing.farewell", 2, 3)]


def test_a_teams_days_and_months(planted):
    from qualicall.api.web.data import group_trends

    with planted.session() as session:
        days = group_trends(session, "team", "T", "day", order)
        months = group_trends(session, "team", "T", "month", order)
        assert group_trends(session, "team", "nobody", "week", order) is None
    assert days.contacts == months.contacts == 7
    assert days.periods == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-09", "2026-11-30"]
    assert values(days.series["quality"]) == [75.0, 75.0, 100.0, 25.0, 100.0]  # the 3rd: (e 50 + h 100) / 2, g abandoned
    assert months.periods == ["2026-11"] and [p.calls for p in months.series["quality"]] == [7]
    # The month's point says how many contacts its mean is taken over: 6 of the 7 (g abandoned), 4 waits (10, 30, 20,
    # 40 s; not g's, nor d's or h's, which have none) — a coach's review read « 49 appels » under a mean of 48.
    assert [p.counted for p in months.series["quality"]] == [6] and [p.counted for p in months.indicators["wait_time_s"]] == [4]
    assert values(months.series["quality"]) == [75.0]  # (75 + 100 + 25 + 100 + 50 + 100) / 6
    assert values(months.series["overall"]) == [72.5]  # (69 + 91 + 25 + 100 + 50 + 100) / 6: not g's 0 of its wait
    assert values(months.series["greeting"]) == [70.0]  # (50 + 100 + 0 + 100 + 100) / 5
    assert values(months.indicators["wait_time_s"]) == [25.0]  # (10 + 30 + 20 + 40) / 4: not g's 90 s before hanging up
    assert "received_at" not in months.indicators  # no number in any result: no empty chart
    assert months.item_rates == [("greeting.hello", 4, 5), ("greeting.name", 3, 5), ("closing.thanks", 5, 6), ("closing.farewell", 3, 5)]


def test_the_teams_list_leaves_abandoned_contacts_out_of_its_means(planted):
    from qualicall.api.web.data import groups
    from qualicall.store.models import InteractionRow

    with planted.session() as session:
        found = {row.name: row for row in groups(session, InteractionRow.team)}
    assert found["T"].calls == 7
    assert found["T"].quality == pytest.approx(75.0)  # (75 + 100 + 25 + 100 + 50 + 100) / 6 (b by its coach)
    assert found["T"].overall == pytest.approx(72.5)  # (69 + 91 + 25 + 100 + 50 + 100) / 6, not 435 / 7 with g's 0


def test_kept_days_are_summed_again_when_their_contacts_change(planted):
    """The days kept in trend_days: read back as summed; summed again after an override, a contact that moves to
    another day, a new contact; a day left empty is dropped."""
    from sqlalchemy import select, update

    from conftest import make_interaction
    from qualicall.api.web.data import group_trends
    from qualicall.core.result import Result
    from qualicall.store import repository as repo
    from qualicall.store.models import TrendDay

    def weeks():
        with planted.session() as session:
            found = group_trends(session, "agent", "A-1", "week", order)
            kept = sorted(session.scalars(select(TrendDay.day).where(TrendDay.scope == "agent", TrendDay.name == "A-1")))
        return found, kept

    first, kept = weeks()
    assert kept == ["2026-11-02", "2026-11-04", "2026-11-09", "2026-11-30"]
    again, _ = weeks()
    assert again == first
    with planted.session() as session:  # what a page reads of an unchanged day is what is kept: not summed again
        session.execute(update(TrendDay).where(TrendDay.day == "2026-11-30").values(figures=[["score", "quality", 40.0, 1, False]]))
    assert values(weeks()[0].series["quality"]) == [87.5, 25.0, 40.0]
    with planted.session() as session:  # c's hello passed by a coach: greeting 50, quality (50 + 50) / 2 = 50
        repo.add_reviews(session, repo.get_interaction(session, "c"), [repo.ItemReview("hello", "passed", "salué")], repo.Reviewer("julie"))
    found, _ = weeks()
    assert values(found.series["quality"]) == [87.5, 50.0, 40.0]  # the 30th unchanged: still as kept
    assert values(found.series["greeting"]) == [75.0, 50.0, None]
    with planted.session() as session:  # a made again on Tuesday 10 November: W45 is b alone, W46 a and c
        agent, team, _, payload = PLANTED["a"]
        repo.save_scored(session, make_interaction([("agent", "Bonjour.")], id="a", agent_id=agent, team=team, started_at="2026-11-10T09:00:00+01:00"),
                         Result.model_validate({"interaction_id": "a", **payload}))
        # and a new contact on the 30th, quality 0 (everything failed)
        contact = make_interaction([("agent", "Bonjour.")], id="g", agent_id="A-1", team="T", started_at="2026-11-30T08:00:00+01:00")
        repo.save_scored(session, contact, Result.model_validate({"interaction_id": "g", **PLANTED["f"][3]}))
    found, kept = weeks()
    assert kept == ["2026-11-04", "2026-11-09", "2026-11-10", "2026-11-30"]
    assert [p.calls for p in found.series["quality"]] == [1, 2, 2]
    assert values(found.series["quality"]) == [100.0, 62.5, 50.0]  # (75 + 50) / 2; the 30th summed again: (100 + 0) / 2
    assert found.item_rates[0] == ("greeting.hello", 3, 4)  # a, b, c (by the coach) passed; g failed; d not applicable


def test_periods_and_chart_geometry():
    assert period_of("2026-11-02", "month") == "2026-11" and period_of("2026-11-08", "week") == "2026-W45"
    assert period_of("2027-01-01", "week") == "2026-W53" and period_of("2026-11-09", "day") == "2026-11-09"
    assert period_bounds("2026-W45") == ("2026-11-02", "2026-11-08")
    assert period_bounds("2026-02") == ("2026-02-01", "2026-02-28")
    chart = line_chart({"q": [Point("p1", 50.0, 1, 1), Point("p2", 100.0, 1, 1)]}, ["p1", "p2"], width=100, height=100)
    [(x1, y1, _), (x2, y2, _)] = chart.lines[0].dots
    assert x1 < x2 and y2 < y1 and y2 == 10  # 100 at the top margin


def test_an_indicator_in_seconds_reads_in_hours_where_it_is_long():
    """A manager's review: an e-mail's first response, a mean of 192,000 s, read « 192 000 » on the agent page's chart.
    At 7,200 s (two hours) or more a chart in seconds is in hours, to one decimal; shorter ones, yes/no ones and
    counts keep their unit."""
    periods = ["2026-W45", "2026-W46"]
    chart, unit = indicator_chart("first_response_s", [Point("2026-W45", 192000.0, 3, 2), Point("2026-W46", None, 1, 0)], periods, False)
    assert unit == "h" and [p.value for _, _, p in chart.lines[0].dots] == [53.3]  # 192,000 / 3,600 = 53.33…
    assert [(p.calls, p.counted) for _, _, p in chart.lines[0].dots] == [(3, 2)]  # the hours keep the counts
    chart, unit = indicator_chart("first_response_s", [Point("2026-W45", 7199.0, 2, 2), Point("2026-W46", 60.0, 1, 1)], periods, False)
    assert unit is None and [p.value for _, _, p in chart.lines[0].dots] == [7199.0, 60.0]
    chart, unit = indicator_chart("wait_time_s", [Point("2026-W45", 7200.0, 1, 1), Point("2026-W46", 30.0, 1, 1)], periods, False)
    assert unit == "h" and [p.value for _, _, p in chart.lines[0].dots] == [2.0, 0.0]  # 30 s is 0.008 h
    chart, unit = indicator_chart("resolved_first_contact", [Point("2026-W45", 50.0, 2, 2)], periods[:1], True)
    assert unit == "%" and chart.y_ticks[-1][1] == "100"
    chart, unit = indicator_chart("transfers", [Point("2026-W45", 9000.0, 2, 2)], periods[:1], False)
    assert unit is None and [p.value for _, _, p in chart.lines[0].dots] == [9000.0]


def test_a_digest_of_an_older_version_is_made_again_and_kept(planted):
    """A fresh-eyes review: the queue made a digest of an older version again on every read, and its insert, which
    did nothing where the row was there, never kept it. The abandoned contact g: its version-1 digest ranked it by its
    wait's overall score (0: priority 0.45, « low score »); made again, it ranks nothing and is kept so."""
    from sqlalchemy import select

    from qualicall.api.web.data import DIGEST_VERSION, rankings
    from qualicall.store.models import InteractionRow, ResultDigest

    stale = {"v": 1, "score": 0.0, "failed": [], "priority": 0.45, "reasons": ["low_score"], "asr_confidence": None,
             "role_confidence": None, "near": None, "signals": []}
    with planted.session() as session:
        result_id = session.scalar(select(InteractionRow.latest_result_id).where(InteractionRow.id == "g"))
        session.merge(ResultDigest(result_id=result_id, digest={"v": 1, "queue": stale}))
    for _ in range(2):
        with planted.session() as session:
            [ranking] = rankings(session, [(result_id, session.get(ResultDigest, result_id).digest["queue"])])
            assert ranking["v"] == DIGEST_VERSION == 2 and ranking["priority"] == 0.0 and ranking["reasons"] == []
    with planted.session() as session:
        assert session.get(ResultDigest, result_id).digest["queue"]["v"] == 2
