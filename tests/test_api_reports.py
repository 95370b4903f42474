"""GET /v1/reports on a real server: the hand-computed fixture's figures, and the same aggregation as `qualicall report`."""

from __future__ import annotations

import json
import uuid

from conftest import EXAMPLES
from reports_fixture import fixture_results

from qualicall.reports import aggregate


def fixture_interactions(team: str) -> list[dict]:
    """The ten contacts of reports_fixture as interactions to post (handled ones get the example call's turns)."""
    turns = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))["turns"]
    out = []
    for result in fixture_results():
        record = {key: result[key] for key in ("channel", "language", "agent_id", "queue", "started_at", "abandoned")}
        record |= {"id": f"{team}-{result['interaction_id']}", "team": team, "indicators": {k: v["value"] for k, v in result["indicators"].items()}}
        if not result["abandoned"]:
            record["turns"] = turns
        out.append(record)
    return out


def test_report_of_stored_contacts(sqlite_api):
    team = f"reports-{uuid.uuid4().hex[:8]}"  # other tests store contacts in the same server: filter on this team
    with sqlite_api.client("crm") as crm:
        posted = []
        for record in fixture_interactions(team):
            response = crm.post("/v1/interactions", json=record)
            assert response.status_code == 201, response.text
            posted.append(response.json())
        # a contact re-scored counts once, with its latest result
        again = crm.post("/v1/interactions", json=fixture_interactions(team)[0])
        assert again.headers["x-result-version"] == "2"
        posted[0] = again.json()
        total = crm.get("/v1/reports", params={"team": team}).json()["total"]
        weekly = crm.get("/v1/reports", params={"team": team, "by": ["agent", "queue"], "period": "week"})
        november = crm.get("/v1/reports", params={"team": team, "from": "2026-11-01T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"})
        as_csv = crm.get("/v1/reports", params={"team": team, "by": ["agent", "queue"], "period": "week", "format": "csv"})
    assert weekly.status_code == 200, weekly.text
    # the CSV of `qualicall report -f csv` (an integrator's review: the API had none), the same rows as its JSON
    import csv
    import io

    from qualicall.reports.render import write_csv

    expected = io.StringIO()
    write_csv(aggregate(posted, by=["agent", "queue"], period="week"), expected)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.replace("\r\n", "\n") == expected.getvalue().replace("\r\n", "\n")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == len(weekly.json()["groups"]) + 1 and sum(int(r["contacts"]) for r in rows[:-1]) == 10
    # figures worked out by hand in test_reports_aggregate (access figures do not depend on the transcript)
    assert (total["contacts"], total["handled"], total["abandoned"]) == (10, 6, 4)
    figures = {name: (entry["numerator"], entry["denominator"]) for name, entry in total["indicators"].items()}
    assert figures["service_level"] == (2, 6) and figures["abandon_rate"] == (2, 6) and figures["asa_s"] == (110, 4)
    assert figures["aht_s"] == (1750, 6) and figures["csat_avg"] == (14, 4) and figures["email_within_48h"] == (1, 2)
    assert figures["quality_avg"][1] == 6
    # the same aggregation as `qualicall report` over the results the API returned
    assert weekly.json() == aggregate(posted, by=["agent", "queue"], period="week").to_json()
    assert november.json()["total"]["contacts"] == 9  # contact 8 is on 1 December


def test_a_date_without_a_time_is_a_day_of_each_contacts_own_calendar(sqlite_api):
    """A November report holds the contacts of November as their own clocks read it, as its periods count them: 31
    October 23:30 in Chicago (1 November in UTC) is October's, 30 November 23:30 in Honolulu (1 December in UTC)
    November's. A time with its offset is still an instant."""
    team = f"days-{uuid.uuid4().hex[:8]}"
    turns = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))["turns"]
    moments = {"oct-chicago": "2026-10-31T23:30:00-05:00", "nov-paris": "2026-11-15T10:00:00+01:00",
               "nov-honolulu": "2026-11-30T23:30:00-10:00", "dec-tokyo": "2026-12-01T08:00:00+09:00", "nov-date": "2026-11-30"}
    with sqlite_api.client("crm") as crm:
        for name, started_at in moments.items():
            posted = crm.post("/v1/interactions", json={"id": f"{team}-{name}", "team": team, "language": "fr", "started_at": started_at, "turns": turns})
            assert posted.status_code == 201, posted.text
        november = {"team": team, "from": "2026-11-01", "to": "2026-12-01"}
        report = crm.get("/v1/reports", params=november | {"period": "month"})
        listed = crm.get("/v1/interactions", params=november)
        # A date in the other forms the door takes is a day too (it was an instant at UTC midnight).
        basic = crm.get("/v1/interactions", params={"team": team, "from": "20261101", "to": "2026-W49-2"})
        instants = crm.get("/v1/interactions", params={"team": team, "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"})
        bad = crm.get("/v1/reports", params={"from": "2026-13-01"})
    assert report.status_code == 200, report.text
    assert [(g["key"]["period"], g["contacts"]) for g in report.json()["groups"]] == [("2026-11", 3)]
    assert sorted(i["id"] for i in listed.json()["items"]) == [f"{team}-{name}" for name in ("nov-date", "nov-honolulu", "nov-paris")]
    assert basic.json()["items"] == listed.json()["items"]
    # In UTC: Chicago's 31 October is 1 November, Honolulu's and Tokyo's are 1 December and 30 November.
    assert sorted(i["id"] for i in instants.json()["items"]) == [f"{team}-{name}" for name in ("dec-tokyo", "nov-date", "nov-paris", "oct-chicago")]
    assert bad.status_code == 422 and bad.json()["detail"][0]["msg"].endswith("'2026-13-01' is not a date")


def test_a_contact_without_started_at_is_in_the_period_it_was_received(sqlite_api):
    """The list and the from/to filters place it by its reception; the report put it in `period: null` (an integrator's
    review)."""
    from datetime import datetime, timezone

    team = f"undated-{uuid.uuid4().hex[:8]}"
    turns = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))["turns"]
    with sqlite_api.client("crm") as crm:
        assert crm.post("/v1/interactions", json={"id": f"{team}-1", "team": team, "language": "fr", "turns": turns}).status_code == 201
        today = datetime.now(timezone.utc).date().isoformat()
        report = crm.get("/v1/reports", params={"team": team, "period": "day"})
    assert [(g["key"]["period"], g["contacts"]) for g in report.json()["groups"]] == [(today, 1)], report.text


def test_a_range_that_can_hold_no_contact_is_refused_naming_to_as_exclusive(sqlite_api):
    """`to` is exclusive: from=to=2026-11-30 answered an empty report, which a manager reads as a day without calls."""
    with sqlite_api.client("crm") as crm:
        one_day = crm.get("/v1/reports", params={"from": "2026-11-30", "to": "2026-11-30"})
        reversed_list = crm.get("/v1/interactions", params={"from": "2026-12-01", "to": "2026-11-01"})
        instants = crm.get("/v1/reports", params={"from": "2026-11-30T10:00:00Z", "to": "2026-11-30T10:00:00Z"})
        next_day = crm.get("/v1/reports", params={"from": "2026-11-30", "to": "2026-12-01"})
        last_day = crm.get("/v1/interactions", params={"from": "2099-12-31", "to": "2099-12-31"})  # (to=2100-01-01 is refused)
    assert one_day.status_code == 422
    assert one_day.json()["detail"][0]["loc"] == ["query", "to"]
    assert "for 2026-11-30 through 2026-11-30 give to=2026-12-01" in one_day.json()["detail"][0]["msg"]
    assert reversed_list.status_code == 422 and "`to` (2026-11-01) is before `from` (2026-12-01)" in reversed_list.json()["detail"][0]["msg"]
    assert instants.status_code == 422 and "`from` and `to` at 2026-11-30T10:00:00+00:00 keep no contact" in instants.json()["detail"][0]["msg"]
    assert next_day.status_code == 200, next_day.text
    assert last_day.status_code == 422 and "give no `to`" in last_day.json()["detail"][0]["msg"]


def test_report_needs_a_key_and_valid_groupings(sqlite_api):
    with sqlite_api.client(None) as anonymous:
        assert anonymous.get("/v1/reports").status_code == 401
    with sqlite_api.client("coach") as coach:
        assert coach.get("/v1/reports").status_code == 200
        bad = coach.get("/v1/reports", params={"by": "site"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "by", 0]
        assert coach.get("/v1/reports", params={"period": "year"}).status_code == 422


def test_written_complaints_from_the_crm(sqlite_api):
    """The CRM's register times travel in `indicators` through scoring into the stored result, and the report
    counts them; a time that is not one, or one before the reception, is refused with its reason, nothing stored."""
    team = f"complaints-{uuid.uuid4().hex[:8]}"
    turns = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))["turns"]
    letters = [  # received, acknowledged, answered: in time / late (72 h, 16 days) / never acknowledged nor answered
        ("2026-11-02T09:00:00+01:00", "2026-11-03T17:00:00+01:00", "2026-11-10T09:00:00+01:00"),
        ("2026-11-02T09:00:00+01:00", "2026-11-05T09:00:00+01:00", "2026-11-18T09:00:00+01:00"),
        ("2026-11-04T09:00:00Z", None, None),
    ]
    with sqlite_api.client("crm") as crm:
        for number, (received, acknowledged, answered) in enumerate(letters):
            times = {"received_at": received} | ({"acknowledged_at": acknowledged} if acknowledged else {}) | ({"answered_at": answered} if answered else {})
            record = {"id": f"{team}-{number}", "channel": "email", "team": team, "started_at": received, "turns": turns, "indicators": times}
            response = crm.post("/v1/interactions", json=record)
            assert response.status_code == 201, response.text
            assert response.json()["indicators"]["received_at"] == {"value": received, "score": None, "source": "input"}
        for times, reason in [({"received_at": "2 Nov"}, "received_at: expected an ISO 8601 date-time with a UTC offset"),
                              ({"received_at": "2026-11-02T09:00:00"}, "received_at: expected an ISO 8601 date-time with a UTC offset"),
                              ({"received_at": "2026-11-02T09:00:00+01:00", "answered_at": "2026-11-01T09:00:00+01:00"}, "answered_at (2026-11-01T09:00:00+01:00) is before received_at")]:
            refused = crm.post("/v1/interactions", json={"id": f"{team}-bad", "channel": "email", "team": team, "turns": turns, "indicators": times})
            assert refused.status_code == 422 and reason in refused.text, refused.text
        assert crm.get(f"/v1/interactions/{team}-bad").status_code == 404
        total = crm.get("/v1/reports", params={"team": team}).json()["total"]["indicators"]
    assert (total["complaint_ack_within_48h"]["numerator"], total["complaint_ack_within_48h"]["denominator"]) == (1, 3)
    assert (total["complaint_answer_within_15d"]["numerator"], total["complaint_answer_within_15d"]["denominator"]) == (1, 3)
    assert total["complaint_ack_within_48h"]["met"] is False and total["complaint_ack_within_48h"]["target"] == {"min": 95}
