"""Agent and team trends: scores, pass rates and indicators per period, and the calls behind them.

Computed from the results of record (pure functions): where a coach gave a
verdict, the coach's, in the item pass rates and in every score alike
(`qualicall.store.repository`, "The verdict of record").
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

PERIODS = ("day", "week", "month")


@dataclass
class Scored:
    """One interaction as the trend pages need it."""

    interaction_id: str
    started_at: str | None
    result: dict


def period_of(started_at: str | None, period: str) -> str | None:
    if not started_at:
        return None
    try:
        moment = datetime.fromisoformat(started_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    day: date = moment.date()
    if period == "day":
        return day.isoformat()
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def period_bounds(key: str) -> tuple[str, str]:
    """First and last day (ISO) of a period key, to filter the queue on the calls behind a point."""
    if "-W" in key:
        year, week = key.split("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        last = date.fromisocalendar(int(year), int(week), 7)
    elif len(key) == 7:
        year, month = map(int, key.split("-"))
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
    else:
        first = last = date.fromisoformat(key)
    return first.isoformat(), last.isoformat()


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass
class Point:
    period: str
    value: float | None
    calls: list[str]


@dataclass
class Trends:
    periods: list[str]
    series: dict[str, list[Point]]  # "quality", "overall", each criterion
    indicators: dict[str, list[Point]]
    item_rates: list[tuple[str, int, int]]  # (item, passed, applicable)
    calls: dict[str, list[str]]  # period -> interaction ids


def _indicator_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 100.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return None


def trends(rows: list[Scored], period: str = "week") -> Trends:
    by_period: dict[str, list[Scored]] = defaultdict(list)
    for row in rows:
        key = period_of(row.started_at, period)
        if key:
            by_period[key].append(row)
    periods = sorted(by_period)
    series: dict[str, list[Point]] = defaultdict(list)
    indicators: dict[str, list[Point]] = defaultdict(list)
    criteria = list(dict.fromkeys(c for row in rows for c in (row.result.get("criteria") or {})))
    names = list(dict.fromkeys(n for row in rows for n in (row.result.get("indicators") or {})))
    for key in periods:
        group = by_period[key]
        ids = [row.interaction_id for row in group]

        def point(values: list[float | None]) -> Point:
            return Point(key, _mean([v for v in values if v is not None]), ids)

        series["quality"].append(point([row.result.get("quality_score") for row in group]))
        series["overall"].append(point([row.result.get("overall_score") for row in group]))
        for criterion in criteria:
            series[criterion].append(point([((row.result.get("criteria") or {}).get(criterion) or {}).get("score") for row in group]))
        for name in names:
            values = [_indicator_number(((row.result.get("indicators") or {}).get(name) or {}).get("value")) for row in group]
            indicators[name].append(point(values))
    rates: dict[str, list[int]] = {}
    for row in rows:
        for criterion_id, criterion in (row.result.get("criteria") or {}).items():
            for item_id, item in (criterion.get("items") or {}).items():
                key = f"{criterion_id}.{item_id}"
                status = item.get("status")
                counts = rates.setdefault(key, [0, 0])
                if status != "not_applicable":
                    counts[1] += 1
                    counts[0] += status == "passed"
    return Trends(
        periods,
        dict(series),
        dict(indicators),
        [(key, passed, applicable) for key, (passed, applicable) in rates.items()],
        {key: [row.interaction_id for row in by_period[key]] for key in periods},
    )


@dataclass
class ChartLine:
    name: str
    points: str  # SVG polyline points
    dots: list[tuple[float, float, Point]]


@dataclass
class Chart:
    width: int
    height: int
    lines: list[ChartLine]
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (a readable top for an axis)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def line_chart(series: dict[str, list[Point]], periods: list[str], y_max: float | None = 100.0, width: int = 420, height: int = 170) -> Chart:
    """Geometry of a line chart drawn as inline SVG by the template (no charting library in the browser)."""
    left, right, top, bottom = 40, 34, 10, 24
    values = [p.value for points in series.values() for p in points if p.value is not None]
    top_value = y_max if y_max is not None else nice_ceiling(max(values) if values else 1.0)
    step = (width - left - right) / max(1, len(periods) - 1)

    def x(index: int) -> float:
        return round(left + (index * step if len(periods) > 1 else (width - left - right) / 2), 1)

    def y(value: float) -> float:
        return round(top + (height - top - bottom) * (1 - min(value, top_value) / top_value), 1)

    lines = []
    for name, points in series.items():
        dots = [(x(i), y(p.value), p) for i, p in enumerate(points) if p.value is not None]
        lines.append(ChartLine(name, " ".join(f"{dx},{dy}" for dx, dy, _ in dots), dots))
    ticks = [(y(top_value * f), f"{top_value * f:.0f}" if top_value >= 10 else f"{top_value * f:.2g}") for f in (0, 0.5, 1)]
    labels = [(x(i), key) for i, key in enumerate(periods)]
    return Chart(width, height, lines, ticks, labels)
