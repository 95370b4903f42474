"""A hand-made set of ten results whose aggregates are worked out by hand in the tests (see FIXTURE_NOTES)."""

from __future__ import annotations

from typing import Any


def result(
    rid: str,
    agent: str,
    started_at: str,
    channel: str = "voice",
    team: str = "T1",
    queue: str = "Q1",
    language: str = "fr",
    abandoned: bool = False,
    quality: float | None = None,
    criteria: dict[str, float | None] | None = None,
    items: dict[str, str] | None = None,
    signals: dict[str, bool] | None = None,
    sentiment: tuple[float, float] | None = None,
    **indicators: Any,
) -> dict[str, Any]:
    """A result object of interaction-format.md with only what the reports read, plus the usual fields.
    `signals`: the customer signals the result carries (none: a result made before signals existed);
    `sentiment`: the customer's (start, end)."""
    by_criterion: dict[str, dict[str, Any]] = {}
    for name, score in (criteria or {"greeting": None, "closing": None}).items():
        by_criterion[name] = {"score": score, "weight": 1, "items": {}}
    for name, status in (items or {"greeting.salutation": "not_applicable", "closing.thanks": "not_applicable"}).items():
        criterion, item = name.split(".")
        by_criterion[criterion]["items"][item] = {"status": status, "reason": "", "evidence": []}
    extra: dict[str, Any] = {}
    if signals is not None:
        extra["signals"] = {name: {"present": present, "confidence": 0.9, "reason": "", "evidence": []} for name, present in signals.items()}
    if sentiment is not None:
        extra["sentiment"] = {"start": sentiment[0], "end": sentiment[1], "shift": round(sentiment[1] - sentiment[0], 3), "turns": []}
    return extra | {
        "interaction_id": rid,
        "rubric": {"id": "default-fr", "version": "1"},
        "language": language,
        "channel": channel,
        "criteria": by_criterion,
        "quality_score": quality,
        "indicators": {k: {"value": v, "score": None, "source": "input"} for k, v in indicators.items()},
        "operational_score": None,
        "overall_score": quality,
        "agent_id": agent,
        "team": team,
        "queue": queue,
        "started_at": started_at,
        "abandoned": abandoned,
    }


def fixture_results() -> list[dict[str, Any]]:
    return [
        result("1", "A", "2026-11-02T09:00:00+01:00", quality=90, criteria={"greeting": 100, "closing": 80},
               items={"greeting.salutation": "passed", "closing.thanks": "failed"},
               wait_time_s=10, handle_time_s=300, transfers=0, resolved_first_contact=True, csat=5, nps=10),
        result("2", "A", "2026-11-02T10:00:00+01:00", quality=70, criteria={"greeting": 50, "closing": 90},
               items={"greeting.salutation": "failed", "closing.thanks": "passed"},
               wait_time_s=30, handle_time_s=200, transfers=1, resolved_first_contact=False, csat=3, nps=6),
        result("3", "A", "2026-11-03T11:00:00+01:00", abandoned=True, wait_time_s=40),
        result("4", "A", "2026-11-03T12:00:00+01:00", abandoned=True, wait_time_s=4),
        result("5", "B", "2026-11-09T09:00:00+01:00", quality=80, criteria={"greeting": 75, "closing": None},
               items={"greeting.salutation": "passed", "closing.thanks": "not_applicable"},
               wait_time_s=20, handle_time_s=400, transfers=0, resolved_first_contact=True, csat=4, nps=8),
        result("6", "B", "2026-11-10T09:00:00+01:00", channel="chat", language="en", quality=60,
               criteria={"greeting": 60, "closing": 60}, items={"greeting.salutation": "failed", "closing.thanks": "failed"},
               wait_time_s=50, handle_time_s=600),
        result("7", "C", "2026-11-10T14:00:00+01:00", channel="email", team="T2", queue="Q2", quality=50,
               criteria={"greeting": 50, "closing": 50}, items={"greeting.salutation": "passed", "closing.thanks": "passed"},
               first_response_s=86400, handle_time_s=100, transfers=0, resolved_first_contact=True, csat=2),
        result("8", "C", "2026-12-01T14:00:00+01:00", channel="email", team="T2", queue="Q2", quality=40,
               criteria={"greeting": 40, "closing": 40}, items={"greeting.salutation": "failed", "closing.thanks": "passed"},
               first_response_s=180000, handle_time_s=150, transfers=0, resolved_first_contact=False),
        result("9", "B", "2026-11-09T10:00:00+01:00", abandoned=True, wait_time_s=5),
        result("10", "B", "2026-11-09T11:00:00+01:00", abandoned=True, wait_time_s=6, csat=1),
    ]


def complaint_results() -> list[dict[str, Any]]:
    """Signals, sentiment and written complaints (figures worked out in test_reports_aggregate)."""
    none = {"complaint": False, "escalation_request": False, "churn_threat": False, "repeat_contact": False}
    return [
        result("c1", "A", "2026-11-02T09:00:00+01:00", signals=none | {"complaint": True, "escalation_request": True, "repeat_contact": True},
               sentiment=(-0.6, 0.2), resolved_first_contact=False, csat=2),
        result("c2", "A", "2026-11-02T10:00:00+01:00", signals=none | {"complaint": True, "churn_threat": True},
               sentiment=(-0.5, -0.4), resolved_first_contact=True),
        result("c3", "A", "2026-11-02T11:00:00+01:00", signals=none | {"repeat_contact": True}, sentiment=(0.1, 0.3), resolved_first_contact=True),
        result("c4", "B", "2026-11-03T09:00:00+01:00", channel="chat", resolved_first_contact=True),  # made before signals
        result("c5", "B", "2026-11-03T10:00:00+01:00", signals={}, sentiment=(-0.4, -0.35), resolved_first_contact=False),
        result("c6", "B", "2026-11-03T11:00:00+01:00", signals={"complaint": True}, sentiment=(-0.3, -0.5)),
        result("c7", "C", "2026-11-02T09:30:00+01:00", channel="email", signals=none | {"complaint": True}, resolved_first_contact=False,
               received_at="2026-11-02T09:00:00+01:00", acknowledged_at="2026-11-03T18:00:00+01:00", answered_at="2026-11-20T10:00:00+01:00"),
        result("c8", "C", "2026-11-05T10:30:00+01:00", channel="email",
               received_at="2026-11-05T10:00:00+01:00", answered_at="2026-11-06T09:00:00Z"),
        result("c9", "C", "2026-11-10T12:30:00+01:00", channel="email",
               received_at="2026-11-10T12:00:00+01:00", acknowledged_at="2026-11-13T12:00:00+01:00"),
        result("c10", "A", "2026-11-04T09:00:00+01:00", abandoned=True, signals=none | {"complaint": True}, sentiment=(-0.9, 0.5), wait_time_s=40),
        result("c11", "C", "2026-11-11T12:30:00+01:00", channel="email", received_at="last Tuesday", acknowledged_at="2026-11-11T13:00:00+01:00"),
    ]
