"""Aggregates against figures worked out by hand from indicators.md on a ten-contact fixture.

Fixture (reports_fixture.py), default settings (answered within 20 s; abandons
after more than 5 s are offered; e-mails within 48 h):
  1 A voice  wait 10  handle 300 transf 0 FCR yes csat 5 nps 10 quality 90
  2 A voice  wait 30  handle 200 transf 1 FCR no  csat 3 nps 6  quality 70
  3 A voice  abandoned after 40 s                  (offered)
  4 A voice  abandoned after 4 s                   (short abandon: not offered)
  5 B voice  wait 20  handle 400 transf 0 FCR yes csat 4 nps 8  quality 80
  6 B chat   wait 50  handle 600 (no transfers, outcome or survey) quality 60
  7 C email  answered in 24 h, handle 100, transf 0, FCR yes, csat 2, quality 50
  8 C email  answered in 50 h, handle 150, transf 0, FCR no, quality 40 (December)
  9 B voice  abandoned after 5 s                   (not offered: "after 5 s")
 10 B voice  abandoned after 6 s, with a csat of 1 (offered; the survey is ignored)
Abandoned contacts count only in the access figures (service level, abandon rate; e-mails within 48 h).
"""

from __future__ import annotations

import random

import pytest
from reports_fixture import complaint_results, fixture_results, result

from qualicall.reports import aggregate
from qualicall.scorer.rubric import ReportSettings


# The fixture's results were made before signals and sentiment existed, and carry no written complaint:
# those figures are unknown (null), never 0.
NO_CUSTOMER_FIGURES = dict.fromkeys((
    "complaint_rate", "complaint_fcr_rate", "complaint_ack_within_48h", "complaint_answer_within_15d", "escalation_rate",
    "churn_threat_rate", "repeat_contact_rate", "sentiment_end_avg", "sentiment_shift_avg", "turnaround_rate"))


def values(group: dict) -> dict[str, float | None]:
    return {name: entry["value"] for name, entry in group["indicators"].items()}


def parts(group: dict, name: str) -> tuple:
    entry = group["indicators"][name]
    return entry["numerator"], entry["denominator"]


def test_total_every_aggregate_by_hand():
    total = aggregate(fixture_results()).to_json()["total"]
    assert (total["contacts"], total["handled"], total["abandoned"]) == (10, 6, 4)
    # offered: answered 1, 2, 5, 6 + abandons after > 5 s: 3, 10 = 6; within 20 s: 1, 5
    assert parts(total, "service_level") == (2, 6)
    assert parts(total, "abandon_rate") == (2, 6)
    assert parts(total, "asa_s") == (110, 4)  # 10 + 30 + 20 + 50
    assert parts(total, "aht_s") == (1750, 6)  # 300 + 200 + 400 + 600 + 100 + 150
    assert parts(total, "fcr_rate") == (3, 5)  # 1, 5, 7 of 1, 2, 5, 7, 8
    assert parts(total, "csat_avg") == (14, 4)  # 5 + 3 + 4 + 2; the abandoned one's 1 is not counted
    assert parts(total, "csat_top2") == (2, 4)
    assert parts(total, "nps") == (0, 3)  # 1 promoter (10), 1 detractor (6), 1 passive (8)
    assert (total["indicators"]["nps"]["promoters"], total["indicators"]["nps"]["detractors"]) == (1, 1)
    assert parts(total, "transfer_rate") == (1, 5)  # 6 has no transfer count
    assert parts(total, "quality_avg") == (390, 6)
    assert parts(total, "email_within_48h") == (1, 2)
    assert values(total) == {
        "service_level": 33.33, "abandon_rate": 33.33, "asa_s": 27.5, "aht_s": 291.67, "fcr_rate": 60.0,
        "csat_avg": 3.5, "csat_top2": 50.0, "nps": 0.0, "transfer_rate": 20.0, "quality_avg": 65.0, "email_within_48h": 50.0,
        **NO_CUSTOMER_FIGURES,
    }


def test_criteria_means_and_item_pass_rates_by_hand():
    total = aggregate(fixture_results()).to_json()["total"]
    assert total["criteria"]["greeting"] == {"mean": 62.5, "sum": 375.0, "count": 6}  # 100 50 75 60 50 40
    assert total["criteria"]["closing"] == {"mean": 64.0, "sum": 320.0, "count": 5}  # 80 90 — 60 50 40
    assert total["items"]["greeting.salutation"] == {"pass_rate": 50.0, "passed": 3, "applicable": 6}
    assert total["items"]["closing.thanks"] == {"pass_rate": 60.0, "passed": 3, "applicable": 5}


def test_targets_met_or_missed():
    indicators = aggregate(fixture_results()).to_json()["total"]["indicators"]
    assert indicators["service_level"]["met"] is False  # 33 % < 80 %
    assert indicators["aht_s"]["met"] is True  # 291.67 s inside 120–600 s
    assert indicators["aht_s"]["target"] == {"min": 120, "max": 600}
    assert indicators["quality_avg"]["met"] is False


def test_by_agent_by_hand():
    groups = {g["key"]["agent"]: g for g in aggregate(fixture_results(), by=["agent"]).to_json()["groups"]}
    assert list(groups) == ["A", "B", "C"]
    a, b, c = groups["A"], groups["B"], groups["C"]
    assert values(a) == {
        "service_level": 33.33, "abandon_rate": 33.33, "asa_s": 20.0, "aht_s": 250.0, "fcr_rate": 50.0, "csat_avg": 4.0,
        "csat_top2": 50.0, "nps": 0.0, "transfer_rate": 50.0, "quality_avg": 80.0, "email_within_48h": None,
        **NO_CUSTOMER_FIGURES,
    }
    assert values(b) == {
        "service_level": 33.33, "abandon_rate": 33.33, "asa_s": 35.0, "aht_s": 500.0, "fcr_rate": 100.0, "csat_avg": 4.0,
        "csat_top2": 100.0, "nps": 0.0, "transfer_rate": 0.0, "quality_avg": 70.0, "email_within_48h": None,
        **NO_CUSTOMER_FIGURES,
    }
    assert parts(b, "service_level") == (1, 3)  # 5, 6 answered (20 s is within), 10 abandoned after 6 s
    # C only answers e-mails: no access figures at all, rather than zeros
    assert values(c) == {
        "service_level": None, "abandon_rate": None, "asa_s": None, "aht_s": 125.0, "fcr_rate": 50.0, "csat_avg": 2.0,
        "csat_top2": 0.0, "nps": None, "transfer_rate": 0.0, "quality_avg": 45.0, "email_within_48h": 50.0,
        **NO_CUSTOMER_FIGURES,
    }
    assert c["indicators"]["service_level"]["met"] is None


def test_by_period_uses_the_local_date():
    weeks = {g["key"]["period"]: g["contacts"] for g in aggregate(fixture_results(), period="week").to_json()["groups"]}
    assert weeks == {"2026-W45": 4, "2026-W46": 5, "2026-W49": 1}  # 1 December 2026 is in ISO week 49
    months = {g["key"]["period"]: g["contacts"] for g in aggregate(fixture_results(), period="month").to_json()["groups"]}
    assert months == {"2026-11": 9, "2026-12": 1}
    # Sunday 23:30 in New York is Monday in UTC: it belongs to the Sunday, in week 45
    late = [result("x", "A", "2026-11-08T23:30:00-05:00", wait_time_s=3, handle_time_s=100)]
    days = aggregate(late, period="day").to_json()["groups"]
    assert [g["key"]["period"] for g in days] == ["2026-11-08"]
    assert [g["key"]["period"] for g in aggregate(late, period="week").to_json()["groups"]] == ["2026-W45"]


def test_grouped_by_several_fields_and_period():
    report = aggregate(fixture_results(), by=["team", "channel"], period="month").to_json()
    keys = [tuple(g["key"].values()) for g in report["groups"]]
    assert keys == [("T1", "chat", "2026-11"), ("T1", "voice", "2026-11"), ("T2", "email", "2026-11"), ("T2", "email", "2026-12")]
    voice = report["groups"][1]
    assert parts(voice, "service_level") == (2, 5)  # 1, 2, 5 answered, 3, 10 abandoned after > 5 s
    assert parts(voice, "asa_s") == (60, 3)


def test_settings_change_thresholds():
    settings = ReportSettings(service_level_s=30, short_abandon_s=0, email_answer_s=60 * 3600)
    total = aggregate(fixture_results(), settings=settings).to_json()["total"]
    assert parts(total, "service_level") == (3, 8)  # 10, 30, 20 within 30 s; every abandon offered
    assert parts(total, "abandon_rate") == (4, 8)
    assert parts(total, "email_within_48h") == (2, 2)
    assert ReportSettings(targets={"service_level": {"min": 90}}).targets["abandon_rate"].max == 5  # others keep defaults
    with pytest.raises(ValueError, match="unknown aggregate"):
        ReportSettings(targets={"service_levl": {"min": 90}})


def test_a_queue_has_its_own_targets():
    settings = ReportSettings(by_queue={"Q2": {"aht_s": {"min": 60, "max": 120}}})
    groups = {g["key"]["queue"]: g["indicators"]["aht_s"] for g in aggregate(fixture_results(), by=["queue"], settings=settings).to_json()["groups"]}
    assert (groups["Q2"]["value"], groups["Q2"]["target"], groups["Q2"]["met"]) == (125.0, {"min": 60, "max": 120}, False)
    assert (groups["Q1"]["target"], groups["Q1"]["met"]) == ({"min": 120, "max": 600}, True)  # 375 s, the default band
    with pytest.raises(ValueError, match="unknown aggregate in by_queue.Q2"):
        ReportSettings(by_queue={"Q2": {"aht": {"max": 120}}})


def test_no_surveys():
    rows = [r for r in fixture_results() if not r["abandoned"]]
    for row in rows:
        row["indicators"].pop("csat", None)
        row["indicators"].pop("nps", None)
    total = aggregate(rows).to_json()["total"]
    for name in ("csat_avg", "csat_top2", "nps"):
        assert total["indicators"][name]["value"] is None
        assert total["indicators"][name]["denominator"] == 0
        assert total["indicators"][name]["met"] is None
    assert total["indicators"]["quality_avg"]["value"] == 65.0


def test_all_abandoned():
    rows = [r for r in fixture_results() if r["abandoned"]]
    total = aggregate(rows).to_json()["total"]
    assert (total["contacts"], total["handled"], total["abandoned"]) == (4, 0, 4)
    assert parts(total, "service_level") == (0, 2)  # 40 s and 6 s abandons are offered, 4 s and 5 s are not
    assert total["indicators"]["abandon_rate"]["value"] == 100.0
    for name in ("asa_s", "aht_s", "fcr_rate", "csat_avg", "csat_top2", "nps", "transfer_rate", "quality_avg", "email_within_48h"):
        assert total["indicators"][name]["value"] is None, name
    assert total["items"]["greeting.salutation"]["pass_rate"] is None


def test_one_agent_only():
    rows = [r for r in fixture_results() if r["agent_id"] == "A"]
    report = aggregate(rows, by=["agent"]).to_json()
    assert len(report["groups"]) == 1
    only = report["groups"][0]
    assert only["key"] == {"agent": "A"}
    assert {k: v for k, v in only.items() if k != "key"} == {k: v for k, v in report["total"].items() if k != "key"}


def test_mixed_channels():
    by_channel = {g["key"]["channel"]: g for g in aggregate(fixture_results(), by=["channel"]).to_json()["groups"]}
    assert parts(by_channel["chat"], "service_level") == (0, 1)  # chats queue too: 50 s is late
    assert parts(by_channel["email"], "service_level") == (0, 0)  # e-mails are not in access figures
    assert parts(by_channel["email"], "email_within_48h") == (1, 2)
    assert parts(by_channel["voice"], "email_within_48h") == (0, 0)


def test_unanswered_emails_and_surveys_off_their_scale():
    rows = fixture_results()
    # an e-mail closed without an answer: received, not answered in time, and in no other figure
    rows.append(result("11", "C", "2026-11-12T09:00:00+01:00", channel="email", team="T2", queue="Q2", abandoned=True, csat=5))
    # an answered e-mail whose delay is unknown is in neither side of the e-mail figure
    rows.append(result("12", "C", "2026-11-12T10:00:00+01:00", channel="email", team="T2", queue="Q2", quality=50, handle_time_s=100))
    # survey answers outside 1–5 and 0–10 are not counted
    rows.append(result("13", "A", "2026-11-12T11:00:00+01:00", quality=80, wait_time_s=10, handle_time_s=200, csat=9, nps=11))
    total = aggregate(rows).to_json()["total"]
    assert parts(total, "email_within_48h") == (1, 3)  # 7 in 24 h; 8 in 50 h; 11 never answered
    assert parts(total, "csat_avg") == (14, 4) and parts(total, "nps") == (0, 3)  # as without 11 and 13
    assert parts(total, "service_level") == (3, 7) and parts(total, "quality_avg") == (520, 8)  # 13 answered in 10 s


def test_means_of_every_indicator_measured_ones_included():
    rows = []
    for rid, abandoned, silence, hold, operational in [("m1", False, (0.10, 100.0), (40, 92.31), 90), ("m2", False, (0.30, 40.0), None, 60),
                                                       ("m3", True, (0.9, 0.0), (300, 0.0), 0), ("m4", False, None, (20, 100.0), None)]:
        row = result(rid, "A", "2026-11-02T09:00:00+01:00", abandoned=abandoned, quality=None if abandoned else 80)
        for name, pair in (("silence_ratio", silence), ("hold_time_s", hold)):
            if pair:
                row["indicators"][name] = {"value": pair[0], "score": pair[1], "source": "measured"}
        row["indicators"]["nps"] = {"value": 9, "score": None, "source": "input"}
        row["operational_score"] = operational
        rows.append(row)
    means = aggregate(rows).to_json()["total"]["means"]
    # handled contacts only (m3 is abandoned): silence m1, m2; hold m1, m4; operational m1, m2
    assert means["silence_ratio"] == {"mean": 0.2, "sum": 0.4, "count": 2, "score_mean": 70.0, "score_sum": 140.0, "scored": 2}
    assert means["hold_time_s"] == {"mean": 30.0, "sum": 60.0, "count": 2, "score_mean": 96.16, "score_sum": 192.31, "scored": 2}
    assert means["operational_score"] == {"mean": 75.0, "sum": 150.0, "count": 2}
    assert "nps" not in means and means["overall_score"]["count"] == 3


def test_empty_and_unknown_grouping():
    total = aggregate([]).to_json()["total"]
    assert total["contacts"] == 0 and all(v is None for v in values(total).values())
    with pytest.raises(ValueError, match="unknown grouping"):
        aggregate(fixture_results(), by=["site"])
    with pytest.raises(ValueError, match="unknown period"):
        aggregate(fixture_results(), period="year")


def test_complaints_signals_and_sentiment_by_hand():
    """complaint_results (reports_fixture.py), default settings (48 h, 15 days, negative start below -0.3):
      c1 A  complaint escalation repeat   FCR no   sentiment -0.6 -> 0.2  (turned around)
      c2 A  complaint churn               FCR yes  sentiment -0.5 -> -0.4 (negative start, still below -0.3)
      c3 A  repeat                        FCR yes  sentiment  0.1 -> 0.3
      c4 B  a result made before signals: no `signals`, no `sentiment` (unknown, not "absent")
      c5 B  `signals` empty (not computed) sentiment -0.4 -> -0.35 (negative start, still below)
      c6 B  only `complaint` known (true), outcome unknown, sentiment -0.3 -> -0.5 (-0.3 is not below -0.3)
      c7 C  e-mail, complaint, FCR no; written: received 2 Nov 9:00, acknowledged after 33 h, answered after 18 days
      c8 C  e-mail, written: received 5 Nov 10:00 +01:00, answered 6 Nov 09:00 UTC (24 h: acknowledges too), no signals
      c9 C  e-mail, written: received 10 Nov, acknowledged after 72 h, never answered
      c10 A abandoned, with a complaint and a sentiment: in none of these figures
      c11 C e-mail whose received_at is not a time: not a written complaint
    """
    total = aggregate(complaint_results()).to_json()["total"]
    assert parts(total, "complaint_rate") == (4, 5)  # c1 c2 c6 c7 of c1 c2 c3 c6 c7
    assert parts(total, "complaint_fcr_rate") == (1, 3)  # c2 of c1 c2 c7 (c6's outcome unknown)
    assert parts(total, "escalation_rate") == (1, 4)  # c1 of c1 c2 c3 c7
    assert parts(total, "churn_threat_rate") == (1, 4)  # c2
    assert parts(total, "repeat_contact_rate") == (2, 4)  # c1 c3
    assert parts(total, "complaint_ack_within_48h") == (2, 3)  # c7 (33 h), c8 (answered in 24 h) of c7 c8 c9
    assert parts(total, "complaint_answer_within_15d") == (1, 3)  # c8
    assert parts(total, "sentiment_end_avg") == (-0.75, 5)  # 0.2 - 0.4 + 0.3 - 0.35 - 0.5
    assert parts(total, "sentiment_shift_avg") == (0.95, 5)  # 0.8 + 0.1 + 0.2 + 0.05 - 0.2
    assert parts(total, "turnaround_rate") == (1, 3)  # c1 of c1 c2 c5
    assert {name: total["indicators"][name]["value"] for name in (
        "complaint_rate", "complaint_fcr_rate", "complaint_ack_within_48h", "complaint_answer_within_15d", "escalation_rate",
        "churn_threat_rate", "repeat_contact_rate", "sentiment_end_avg", "sentiment_shift_avg", "turnaround_rate")} == {
        "complaint_rate": 80.0, "complaint_fcr_rate": 33.33, "complaint_ack_within_48h": 66.67, "complaint_answer_within_15d": 33.33,
        "escalation_rate": 25.0, "churn_threat_rate": 25.0, "repeat_contact_rate": 50.0, "sentiment_end_avg": -0.15,
        "sentiment_shift_avg": 0.19, "turnaround_rate": 33.33}
    # the spec's targets: "tracked" ones are neither met nor missed
    met = {name: (total["indicators"][name]["target"], total["indicators"][name]["met"]) for name in (
        "complaint_rate", "complaint_fcr_rate", "complaint_ack_within_48h", "complaint_answer_within_15d", "sentiment_shift_avg")}
    assert met == {"complaint_rate": ({}, None), "complaint_fcr_rate": ({"min": 70}, False), "complaint_ack_within_48h": ({"min": 95}, False),
                   "complaint_answer_within_15d": ({"min": 90}, False), "sentiment_shift_avg": ({"above": 0}, True)}
    # per agent: B's contacts carry only c6's complaint
    groups = {g["key"]["agent"]: g for g in aggregate(complaint_results(), by=["agent"]).to_json()["groups"]}
    assert parts(groups["B"], "complaint_rate") == (1, 1) and parts(groups["B"], "escalation_rate") == (0, 0)
    assert groups["B"]["indicators"]["escalation_rate"]["value"] is None
    assert parts(groups["C"], "complaint_ack_within_48h") == (2, 3) and parts(groups["A"], "complaint_ack_within_48h") == (0, 0)


def test_complaint_and_sentiment_settings():
    settings = ReportSettings(complaint_ack_s=80 * 3600, complaint_answer_s=20 * 86400, negative_sentiment=-0.25)
    total = aggregate(complaint_results(), settings=settings).to_json()["total"]
    assert parts(total, "complaint_ack_within_48h") == (3, 3)  # c9's 72 h are within 80 h
    assert parts(total, "complaint_answer_within_15d") == (2, 3)  # c7's 18 days are within 20
    assert parts(total, "turnaround_rate") == (1, 4)  # c6 (-0.3) now starts negative; only c1 ends at -0.25 or above


def _random_results(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        abandoned = rng.random() < 0.1
        channel = rng.choice(["voice", "voice", "chat", "email"])
        extra = {}
        if channel == "email":
            extra["first_response_s"] = rng.uniform(3600, 80 * 3600)
        else:
            extra["wait_time_s"] = round(rng.expovariate(1 / 25), 3)
        if not abandoned:
            extra |= {"handle_time_s": rng.uniform(60, 900), "transfers": rng.choice([0, 0, 0, 1, 2])}
            if rng.random() < 0.8:
                extra["resolved_first_contact"] = rng.random() < 0.7
            if rng.random() < 0.4:
                extra |= {"csat": rng.randint(1, 5), "nps": rng.randint(0, 10)}
            if channel == "voice" and rng.random() < 0.7:  # what the audio pipeline measures
                extra |= {"silence_ratio": round(rng.random() * 0.5, 3), "hold_time_s": round(rng.uniform(0, 200), 2)}
        status = lambda: rng.choice(["passed", "failed", "not_applicable"])  # noqa: E731
        signals = rng.choice([None, {}, {name: rng.random() < 0.3 for name in ("complaint", "escalation_request", "churn_threat", "repeat_contact")},
                              {"complaint": rng.random() < 0.5}])
        sentiment = rng.choice([None, (round(rng.uniform(-1, 1), 3), round(rng.uniform(-1, 1), 3))])
        if channel == "email" and rng.random() < 0.5:  # a written complaint: the CRM's times, some missing
            received = rng.randint(0, 5 * 86400)
            moment = lambda seconds: f"2026-11-{1 + seconds // 86400:02d}T{seconds % 86400 // 3600:02d}:{seconds % 3600 // 60:02d}:00+01:00"  # noqa: E731
            extra["received_at"] = moment(received)
            for name in ("acknowledged_at", "answered_at"):
                if rng.random() < 0.8:
                    extra[name] = moment(received + rng.randint(0, 20 * 86400))
        rows.append(result(
            str(n), rng.choice("ABCDEFG"), f"2026-{rng.randint(10, 12)}-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:00:00+01:00",
            channel=channel, team=rng.choice(["T1", "T2", "T3"]), language=rng.choice(["fr", "en"]), abandoned=abandoned,
            quality=None if abandoned else round(rng.uniform(0, 100), 2),
            criteria=None if abandoned else {"greeting": round(rng.uniform(0, 100), 2), "closing": rng.choice([None, 33.33, 66.67])},
            items=None if abandoned else {"greeting.salutation": status(), "closing.thanks": status()},
            signals=signals, sentiment=sentiment, **extra,
        ))
    return rows


@pytest.mark.parametrize("by,period,drivers", [([], None, True), (["agent"], "week", False), (["team", "channel", "language"], "day", True), (["queue"], "month", False)])
def test_halves_merge_to_the_whole(by, period, drivers):
    rows = _random_results(1500, seed=len(by))
    settings = ReportSettings(drivers_min_contacts=10)  # some drivers ranked, some not
    whole = aggregate(rows, by=by, period=period, settings=settings, drivers=drivers).to_json()
    total = whole["total"]["indicators"]
    # every aggregate has data to merge: signals, sentiment and written complaints included
    assert all(total[name]["denominator"] > 0 for name in total), [name for name in total if not total[name]["denominator"]]
    if drivers:
        assert whole["drivers"]["csat"]["ranked"] and whole["drivers"]["nps"]["ranked"] and whole["drivers"]["csat"]["too_few"] == []
    for cut in (1, 700, 1499):
        merged = aggregate(rows[:cut], by=by, period=period, settings=settings, drivers=drivers)
        merged = merged.merge(aggregate(rows[cut:], by=by, period=period, settings=settings, drivers=drivers))
        assert merged.to_json() == whole
    # in three parts, merged in another order
    thirds = [aggregate(rows[i::3], by=by, period=period, settings=settings, drivers=drivers) for i in range(3)]
    assert thirds[2].merge(thirds[0]).merge(thirds[1]).to_json() == whole


def test_merge_refuses_different_groupings():
    with pytest.raises(ValueError, match="same grouping"):
        aggregate(fixture_results(), by=["agent"]).merge(aggregate(fixture_results(), by=["team"]))
    with pytest.raises(ValueError, match="drivers"):
        aggregate(fixture_results(), drivers=True).merge(aggregate(fixture_results()))


def test_every_aggregate_in_one_section_with_a_label_and_a_target():
    from qualicall.reports.aggregate import AGGREGATES, LABELS, SECTIONS
    from qualicall.scorer.rubric import DEFAULT_TARGETS

    listed = [name for names in SECTIONS.values() for name in names]
    assert sorted(listed) == sorted(AGGREGATES) and len(listed) == len(set(listed))
    assert set(LABELS) == set(AGGREGATES) == set(DEFAULT_TARGETS)


def test_nps_of_exactly_30_misses_its_target_of_more_than_30():
    # indicators.md: NPS "> 30". Ten answers: 4 promoters, 5 passives, 1 detractor: 40 % − 10 % = 30.
    answers = [10] * 4 + [7] * 5 + [0]
    rows = [result(str(i), "A", "2026-11-02T09:00:00+01:00", quality=80, wait_time_s=10, nps=nps) for i, nps in enumerate(answers)]
    nps = aggregate(rows).to_json()["total"]["indicators"]["nps"]
    assert (nps["value"], nps["numerator"], nps["denominator"], nps["target"], nps["met"]) == (30.0, 3, 10, {"above": 30}, False)
    one_more = aggregate([*rows, result("p", "A", "2026-11-02T10:00:00+01:00", quality=80, wait_time_s=10, nps=9)]).to_json()
    assert one_more["total"]["indicators"]["nps"]["met"] is True  # 5/11 − 1/11 = 36.4


def test_a_target_takes_min_or_above_and_max_or_below_not_both():
    assert ReportSettings(targets={"aht_s": {"above": 60, "below": 900}}).targets["aht_s"].met(900) is False
    with pytest.raises(ValueError, match="min or above, not both"):
        ReportSettings(targets={"nps": {"min": 30, "above": 30}})
