"""Operational indicators of one interaction, scored 0–100 against the rubric's targets."""

from __future__ import annotations

from typing import Any

from qualicall.core.interaction import Interaction
from qualicall.core.result import IndicatorResult
from qualicall.scorer.rubric import IndicatorSpec, Rubric


def score_value(spec: IndicatorSpec, value: Any) -> float | None:
    """0–100 for one value; None when the indicator is only aggregated (NPS) or not a number."""
    if spec.kind == "nps":
        return None
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return 100.0 if value else 0.0
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if spec.kind == "band":
        low, high = spec.band  # type: ignore[misc]
        distance = low - value if value < low else value - high if value > high else 0.0
        return round(max(0.0, 100.0 * (1 - distance / spec.limit)), 2)  # type: ignore[operator]
    target, limit = spec.target, spec.limit
    share = (value - target) / (limit - target)  # type: ignore[operator]
    return round(100.0 * min(1.0, max(0.0, 1.0 - share)), 2)


def measure_chat(interaction: Interaction) -> dict[str, float]:
    """`first_response_s` of a chat whose turns carry times: from the customer's first
    message (or the contact's start when the agent writes first) to the agent's first reply."""
    if interaction.channel != "chat" or not interaction.turns:
        return {}
    asked_at: float | None = None
    for turn in interaction.turns:
        if turn.start is None:
            return {}
        if turn.speaker == "customer" and asked_at is None:
            asked_at = turn.start
        elif turn.speaker == "agent":
            return {"first_response_s": round(max(0.0, turn.start - (asked_at or 0.0)), 3)}
    return {}


def _result(spec: IndicatorSpec | None, value: Any, source: str) -> IndicatorResult:
    if spec is None:
        return IndicatorResult(value=value, score=None, source=source)
    # The thresholds used go with the score, so that a coach reads "35 s (target 20 s)".
    used = {k: v for k, v in spec.model_dump(include={"target", "limit", "band"}).items() if v is not None}
    return IndicatorResult(value=value, score=score_value(spec, value), source=source, **used)


def score_indicators(
    rubric: Rubric, given: dict[str, Any], measured: dict[str, Any] | None = None, channel: str = "voice", queue: str | None = None
) -> tuple[dict[str, IndicatorResult], float | None, list[str]]:
    """Indicator results, the operational score (weighted mean of those present) and the absent ones.

    Each indicator is scored with the settings of the contact's channel (an
    e-mail's first response against 24 h → 48 h, a chat's against 60 s → 300 s)
    and queue (a queue's own handle-time band).
    An input value wins over a measured one: the telephony platform knows the
    wait time better than the recording does. Absent indicators are listed
    (only those expected on the channel), never counted as zero.
    """
    specs = {name: spec.for_contact(channel, queue) for name, spec in rubric.indicators.items()}
    results: dict[str, IndicatorResult] = {}
    for source, values in (("measured", measured or {}), ("input", given)):
        for name, value in values.items():
            if value is not None:
                results[name] = _result(specs.get(name), value, source)
    weighted = [(specs[n].weight, r.score) for n, r in results.items() if n in specs and r.score is not None]
    total = sum(w for w, _ in weighted)
    operational = round(sum(w * s for w, s in weighted) / total, 2) if total else None
    absent = [n for n, spec in specs.items() if spec.kind != "nps" and spec.applies_to(channel) and n not in results]
    return results, operational, absent
