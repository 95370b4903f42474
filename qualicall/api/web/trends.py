"""Agent and team trends: scores, pass rates and indicators per period, and how many calls are behind them.

Made from what the store sums per day (`qualicall.api.web.data.trend_days`) over the results of record: where
a coach gave a verdict, the coach's, in the item pass rates and in every score alike (`qualicall.store.repository`,
"The verdict of record").
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from qualicall.core.locale import in_hours_if_long

PERIODS = ("day", "week", "month")


def period_of(day: str, period: str) -> str:
    """The key of the period a day (ISO) falls in: the day itself, its ISO week ("2026-W45") or its month ("2026-11")."""
    if period == "day":
        return day
    moment = date.fromisoformat(day)
    if period == "month":
        return f"{moment.year}-{moment.month:02d}"
    year, week, _ = moment.isocalendar()
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


@dataclass
class Day:
    """One day of an agent's or a team's contacts as the store sums it: how many contacts, and for each series
    ((kind, name) of `result_figures`) the sum of its values and how many there are."""

    day: str
    contacts: int
    sums: dict[tuple[str, str], tuple[float, int]]


@dataclass
class Point:
    period: str
    value: float | None
    calls: int  # the contacts of the period (those without this value too)
    counted: int  # those whose value the mean is taken over (a coach's review: « 49 appels » under a mean of 48)


@dataclass
class Trends:
    contacts: int
    periods: list[str]
    series: dict[str, list[Point]]  # "quality", "overall", each criterion
    indicators: dict[str, list[Point]]
    yes_no: set[str]  # indicators given as true/false: their means are percentages
    item_rates: list[tuple[str, int, int]]  # (item, passed, applicable)


def trends(days: list[Day], period: str, criteria: list[str], indicators: list[str], yes_no: set[str],
           item_rates: list[tuple[str, int, int]]) -> Trends:
    """Each series' mean per period (to one decimal), from the days' sums."""
    by_period: dict[str, list[Day]] = defaultdict(list)
    for day in days:
        by_period[period_of(day.day, period)].append(day)
    periods = sorted(by_period)

    def points(kind: str, name: str) -> list[Point]:
        found = []
        for key in periods:
            sums = [day.sums.get((kind, name), (0.0, 0)) for day in by_period[key]]
            total, count = sum(s for s, _ in sums), sum(n for _, n in sums)
            found.append(Point(key, round(total / count, 1) if count else None, sum(day.contacts for day in by_period[key]), count))
        return found

    series = {"quality": points("score", "quality"), "overall": points("score", "overall")} | {c: points("criterion", c) for c in criteria}
    return Trends(sum(day.contacts for day in days), periods, series, {name: points("indicator", name) for name in indicators}, yes_no, item_rates)


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


def indicator_chart(name: str, points: list[Point], periods: list[str], yes_no: bool) -> tuple[Chart, str | None]:
    """One indicator's chart and the unit its caption names: a true/false one in percent (%); a mean in seconds in
    hours (h) where it is long (an e-mail's first response: « 53,3 », not « 192 000 »); else none."""
    if yes_no:
        return line_chart({name: points}, periods, y_max=100.0, height=140), "%"
    hours = in_hours_if_long(name, [p.value for p in points])
    if hours is None:
        return line_chart({name: points}, periods, y_max=None, height=140), None
    in_hours = [replace(p, value=round(h, 1) if h is not None else None) for p, h in zip(points, hours)]
    return line_chart({name: in_hours}, periods, y_max=None, height=140), "h"
