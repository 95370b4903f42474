"""Operational indicators of one interaction, scored 0–100 against the rubric's targets."""

from __future__ import annotations

from typing import Any

from qualicall.scorer.result import IndicatorResult
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


def score_indicators(
    rubric: Rubric, given: dict[str, Any], measured: dict[str, Any] | None = None
) -> tuple[dict[str, IndicatorResult], float | None, list[str]]:
    """Indicator results, the operational score (weighted mean of those present) and the absent ones.

    An input value wins over a measured one: the telephony platform knows the
    wait time better than the recording does.
    """
    results: dict[str, IndicatorResult] = {}
    for name, value in (measured or {}).items():
        if value is not None:
            spec = rubric.indicators.get(name)
            results[name] = IndicatorResult(value=value, score=score_value(spec, value) if spec else None, source="measured")
    for name, value in given.items():
        if value is not None:
            spec = rubric.indicators.get(name)
            results[name] = IndicatorResult(value=value, score=score_value(spec, value) if spec else None, source="input")
    weighted = [(rubric.indicators[n].weight, r.score) for n, r in results.items() if n in rubric.indicators and r.score is not None]
    total = sum(w for w, _ in weighted)
    operational = round(sum(w * s for w, s in weighted) / total, 2) if total else None
    absent = [n for n, spec in rubric.indicators.items() if spec.kind != "nps" and n not in results]
    return results, operational, absent
