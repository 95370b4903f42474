"""Satisfaction drivers (complaints-and-satisfaction.md): which grid items and customer signals go with
higher or lower satisfaction.

For each driver — a grid item (passed vs failed) or a customer signal (present vs absent) — and each
survey, the surveyed contacts on each side: their number, mean and standard deviation; the difference of
the means (`effect` = with − without) with its 95 % confidence interval and p-value (Welch's t, unequal
variances); ranked by the size of the difference. CSAT is compared on its 1–5 scale; NPS by counting each
answer +100 (promoter, 9–10), 0 (passive) or −100 (detractor, 0–6), whose mean is the NPS, so that the
difference is in NPS points. A driver with fewer than `min_contacts` surveyed contacts on either side is
listed apart, not ranked: its mean would move with a handful of answers; one with none on either side (a
signal the results do not carry) is left out.

`significant` is judged after Holm's correction for the number of drivers ranked: with twenty drivers and
no real effect, one would show a 95 % interval that excludes 0 by chance. The intervals are the usual
95 % ones.

The figures come from integer counters (number, sum and sum of squares per side, CSAT in thousandths) that
reports add when they merge, so the drivers of merged parts are those of the whole.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

# survey: (counter of its answers, scale of the summed values, unit of the output, what an effect is in)
SURVEYS = {
    "csat": ("surveys", 1000, 1.0, "CSAT points (1–5 scale)"),
    "nps": ("nps_answers", 1, 100.0, "NPS points (−100 to 100)"),
}
SIDES = ("with", "without")  # passed / present, failed / absent
KINDS = {"item": ("passed", "failed"), "signal": ("present", "absent")}
ALPHA = 0.05


def counter(survey: str, column: str, side: str, stat: str) -> str:
    """The name of a driver counter: `driver:csat:item:closing.recap:with:n` (stat n, sum or sumsq)."""
    return f"driver:{survey}:{column}:{side}:{stat}"


@dataclass(frozen=True)
class Side:
    n: int
    mean: float | None
    variance: float | None

    @classmethod
    def of(cls, n: int, total: int, squares: int, scale: int, unit: float) -> "Side":
        factor = unit / scale
        mean = total / n * factor if n else None
        # n·Σx² − (Σx)² is exact in integers: no cancellation error in the variance.
        variance = (n * squares - total * total) / (n * (n - 1)) * factor * factor if n > 1 else None
        return cls(n, mean, variance)

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "mean": _round(self.mean), "sd": _round(math.sqrt(self.variance) if self.variance is not None else None)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def welch(with_: Side, without: Side) -> tuple[float, float, float, float]:
    """Difference of the means, the bounds of its 95 % confidence interval, and the two-sided p-value."""
    from scipy.special import stdtr, stdtrit  # Student's t CDF and quantile (scipy.stats costs 1 s and 60 MiB to import)

    assert with_.mean is not None and without.mean is not None and with_.variance is not None and without.variance is not None
    effect = with_.mean - without.mean
    a, b = with_.variance / with_.n, without.variance / without.n
    se = math.sqrt(a + b)
    if se == 0:  # every answer the same on both sides
        return effect, effect, effect, 1.0 if effect == 0 else 0.0
    freedom = (a + b) ** 2 / (a * a / (with_.n - 1) + b * b / (without.n - 1))
    half = float(stdtrit(freedom, 1 - ALPHA / 2)) * se
    return effect, effect - half, effect + half, float(2 * stdtr(freedom, -abs(effect) / se))


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: the family-wise error stays at most ALPHA over all the drivers."""
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(sorted(range(len(p_values)), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _p(value: float) -> float:
    return float(f"{value:.3g}")


def drivers_json(counts: dict[str, int], min_contacts: int) -> dict[str, Any]:
    """The drivers of the contacts whose counters `counts` holds (a report's total), per survey."""
    sums: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(dict)
    for key, value in counts.items():
        if key.startswith("driver:"):
            survey, rest = key[len("driver:") :].split(":", 1)
            column, side, stat = rest.rsplit(":", 2)
            sums[survey, column][side, stat] = value
    out: dict[str, Any] = {"min_contacts": min_contacts}
    for survey, (answers, scale, unit, effect_unit) in SURVEYS.items():
        answered = counts.get(answers, 0)
        if not answered:
            out[survey] = {"answers": 0, "note": f"no handled contact carries a {survey.upper()} answer: nothing to compare"}
            continue
        ranked, too_few = [], []
        for (name, column), stats in sorted(sums.items()):
            if name != survey:
                continue
            kind, driver = column.split(":", 1)
            sides = {side: Side.of(stats[side, "n"], stats[side, "sum"], stats[side, "sumsq"], scale, unit) for side in SIDES}
            if not any(s.n for s in sides.values()):  # not in these results (signals of results made before them)
                continue
            entry: dict[str, Any] = {"driver": driver, "kind": kind, "sides": dict(zip(SIDES, KINDS[kind]))}
            entry |= {side: sides[side].to_json() for side in SIDES}
            if min(s.n for s in sides.values()) < min_contacts:
                too_few.append(entry)
                continue
            effect, low, high, p = welch(sides["with"], sides["without"])
            ranked.append(entry | {"effect": _round(effect), "ci95": [_round(low), _round(high)], "p": p})
        for entry, adjusted in zip(ranked, holm([e["p"] for e in ranked])):
            entry |= {"p": _p(entry["p"]), "p_holm": _p(adjusted), "significant": adjusted < ALPHA}
        ranked.sort(key=lambda e: (-abs(e["effect"]), e["kind"], e["driver"]))
        out[survey] = {"answers": answered, "effect_unit": effect_unit, "ranked": ranked, "too_few": too_few}
    return out
