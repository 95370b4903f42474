"""Aggregated indicators of `indicators.md` and `complaints-and-satisfaction.md`, grouped by agent / team /
queue / channel / language and period, and the satisfaction drivers of all contacts (`drivers.py`).

Every aggregate is kept as integer counts and sums (times and scores in
thousandths), so that reports of parts of the data merge exactly into the
report of the whole: `aggregate(a).merge(aggregate(b)) == aggregate(a + b)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from qualicall.reports.drivers import SIDES, counter, drivers_json
from qualicall.reports.frame import GROUP_FIELDS, SIGNALS, results_frame
from qualicall.scorer.rubric import ReportSettings

Period = Literal["day", "week", "month"]
PERIOD_FORMATS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}
SCALE = 1000  # sums of times and scores are kept in thousandths, as integers

# name: (numerator counter, denominator counter, kind). "rate" → percent; "mean" → sum ÷ SCALE ÷ count.
AGGREGATES: dict[str, tuple[str, str, str]] = {
    "service_level": ("answered_in_time", "offered", "rate"),
    "abandon_rate": ("abandoned_offered", "offered", "rate"),
    "asa_s": ("wait_sum", "answered_waits", "mean"),
    "aht_s": ("handle_sum", "handle_count", "mean"),
    "fcr_rate": ("resolved", "outcome_known", "rate"),
    "csat_avg": ("csat_sum", "surveys", "mean"),
    "csat_top2": ("csat_top2", "surveys", "rate"),
    "nps": ("nps_net", "nps_answers", "rate"),
    "transfer_rate": ("transferred", "transfers_known", "rate"),
    "quality_avg": ("quality_sum", "quality_count", "mean"),
    "email_within_48h": ("emails_in_time", "emails", "rate"),
    # complaints-and-satisfaction.md; a signal's rate counts only the contacts whose result carries the signal.
    "complaint_rate": ("signal:complaint:present", "signal:complaint:known", "rate"),
    "complaint_fcr_rate": ("complaints_resolved", "complaints_outcome_known", "rate"),
    "complaint_ack_within_48h": ("written_acknowledged_in_time", "written_complaints", "rate"),
    "complaint_answer_within_15d": ("written_answered_in_time", "written_complaints", "rate"),
    "escalation_rate": ("signal:escalation_request:present", "signal:escalation_request:known", "rate"),
    "churn_threat_rate": ("signal:churn_threat:present", "signal:churn_threat:known", "rate"),
    "repeat_contact_rate": ("signal:repeat_contact:present", "signal:repeat_contact:known", "rate"),
    "sentiment_end_avg": ("sentiment_end_sum", "sentiment_end_count", "mean"),
    "sentiment_shift_avg": ("sentiment_shift_sum", "sentiment_shift_count", "mean"),
    "turnaround_rate": ("turned_around", "negative_starts", "rate"),
}
# The two tables of a report: how the service performed, and what the customers said and felt (titles in words.py).
SECTIONS: dict[str, tuple[str, ...]] = {
    "service": ("service_level", "abandon_rate", "asa_s", "aht_s", "fcr_rate", "csat_avg", "csat_top2", "nps",
                "transfer_rate", "quality_avg", "email_within_48h"),
    "customers": ("complaint_rate", "complaint_fcr_rate", "complaint_ack_within_48h", "complaint_answer_within_15d",
                  "escalation_rate", "churn_threat_rate", "repeat_contact_rate", "sentiment_end_avg",
                  "sentiment_shift_avg", "turnaround_rate"),
}
# Each aggregate's column heading, (French, English); the JSON's `labels` are the English ones, as they always were.
AGGREGATE_LABELS: dict[str, tuple[str, str]] = {
    "service_level": ("Niveau de service %", "Service level %"),
    "abandon_rate": ("Taux d'abandon %", "Abandon rate %"),
    "asa_s": ("Attente moy. (s)", "ASA (s)"),
    "aht_s": ("DMT (s)", "AHT (s)"),
    "fcr_rate": ("Résolution au 1er contact %", "FCR %"),
    "csat_avg": ("CSAT moy.", "CSAT avg"),
    "csat_top2": ("CSAT 4–5 %", "CSAT top-2 %"),
    "nps": ("NPS", "NPS"),
    "transfer_rate": ("Taux de transfert %", "Transfer rate %"),
    "quality_avg": ("Qualité moy.", "Quality avg"),
    "email_within_48h": ("E-mails ≤ 48 h %", "E-mail ≤ 48 h %"),
    "complaint_rate": ("Taux de réclamation %", "Complaint rate %"),
    "complaint_fcr_rate": ("Réclamations résolues au 1er contact %", "Complaint FCR %"),
    "complaint_ack_within_48h": ("Récl. écrites : accusé de réception ≤ 48 h %", "Written compl. ack ≤ 48 h %"),
    "complaint_answer_within_15d": ("Récl. écrites : réponse ≤ 15 j %", "Written compl. answer ≤ 15 d %"),
    "escalation_rate": ("Taux d'escalade %", "Escalation rate %"),
    "churn_threat_rate": ("Menaces de départ %", "Churn threat rate %"),
    "repeat_contact_rate": ("Contacts répétés %", "Repeat contact rate %"),
    "sentiment_end_avg": ("Sentiment en fin de contact", "Sentiment at end"),
    "sentiment_shift_avg": ("Évolution du sentiment", "Sentiment shift"),
    "turnaround_rate": ("Retournements %", "Turnaround %"),
}
LABELS = {name: english for name, (_, english) in AGGREGATE_LABELS.items()}


def _milli(column: str) -> pl.Expr:
    # 128 bits: a value may be up to 2^53 (frame.py), in thousandths near 2^63, and a sum adds millions of them.
    return (pl.col(column) * SCALE).round().cast(pl.Int128)


def _count(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).sum().cast(pl.Int64)


def _csat() -> pl.Expr:
    # Survey answers outside their scale (a CRM's 0–10 CSAT, a typo) are left out rather than skew the means.
    return pl.when(pl.col("csat").is_between(1, 5)).then(pl.col("csat"))


def _nps() -> pl.Expr:
    return pl.when(pl.col("nps").is_between(0, 10)).then(pl.col("nps"))


def _driver_counters(columns: list[str]) -> list[pl.Expr]:
    """Per survey, grid item and signal, and side (passed or present / failed or absent): the number of
    handled surveyed contacts, the sum of their answers and of their squares, as integers (drivers.py)."""
    handled = ~pl.col("abandoned")
    csat, nps = _csat(), _nps()
    surveys = {
        "csat": (csat.is_not_null(), (csat * SCALE).round().cast(pl.Int64)),
        "nps": (nps.is_not_null(), pl.when(nps >= 9).then(1).when(nps <= 6).then(-1).otherwise(0).cast(pl.Int64)),
    }
    exprs = []
    for survey, (answered, value) in surveys.items():
        for column in columns:
            if not column.startswith(("item:", "signal:")):
                continue
            flag = pl.col(column).cast(pl.Int8)  # 1 passed / present, 0 failed / absent
            for side, code in zip(SIDES, (1, 0)):
                chosen = handled & answered & (flag == code)
                exprs += [
                    _count(chosen).alias(counter(survey, column, side, "n")),
                    value.filter(chosen).sum().alias(counter(survey, column, side, "sum")),
                    (value * value).filter(chosen).sum().alias(counter(survey, column, side, "sumsq")),
                ]
    return exprs


def _sum_and_count(column: str, handled: pl.Expr, sum_name: str, count_name: str) -> list[pl.Expr]:
    """The sum (in thousandths) and the number of the handled contacts' values of a column."""
    known = handled & pl.col(column).is_not_null()
    return [_milli(column).filter(known).sum().alias(sum_name), _count(known).alias(count_name)]


def _counters(settings: ReportSettings, columns: list[str]) -> list[pl.Expr]:
    """The integer counters every aggregate is computed from, as polars expressions."""
    handled = ~pl.col("abandoned")
    wait = pl.col("wait_time_s")
    # Access indicators: queued contacts (voice, chat) with a known wait; short abandons are not offered.
    queued = pl.col("channel").is_in(["voice", "chat"]) & wait.is_not_null()
    offered = queued & (handled | (wait > settings.short_abandon_s))
    csat, nps = _csat(), _nps()
    resolved = pl.col("resolved_first_contact")
    # E-mails received: those answered (with their delay) and those closed without an answer (abandoned),
    # which count as not answered in time; e-mails are the only contacts whose access figure this is.
    is_email = pl.col("channel") == "email"
    answered_email = handled & is_email & pl.col("first_response_s").is_not_null()
    email_received = answered_email | (is_email & ~handled)
    exprs = [
        pl.len().cast(pl.Int64).alias("contacts"),
        _count(~handled).alias("abandoned"),
        _count(offered).alias("offered"),
        _count(offered & handled & (wait <= settings.service_level_s)).alias("answered_in_time"),
        _count(offered & ~handled).alias("abandoned_offered"),
        _milli("wait_time_s").filter(queued & handled).sum().alias("wait_sum"),
        _count(queued & handled).alias("answered_waits"),
        *_sum_and_count("handle_time_s", handled, "handle_sum", "handle_count"),
        _count(handled & resolved).alias("resolved"),
        _count(handled & resolved.is_not_null()).alias("outcome_known"),
        (csat * SCALE).round().cast(pl.Int64).filter(handled & csat.is_not_null()).sum().alias("csat_sum"),
        _count(handled & csat.is_not_null()).alias("surveys"),
        _count(handled & (csat >= 4)).alias("csat_top2"),
        (_count(handled & (nps >= 9)) - _count(handled & (nps <= 6))).alias("nps_net"),
        _count(handled & (nps >= 9)).alias("nps_promoters"),
        _count(handled & (nps <= 6)).alias("nps_detractors"),
        _count(handled & nps.is_not_null()).alias("nps_answers"),
        _count(handled & (pl.col("transfers") >= 1)).alias("transferred"),
        _count(handled & pl.col("transfers").is_not_null()).alias("transfers_known"),
        *_sum_and_count("quality_score", handled, "quality_sum", "quality_count"),
        _count(answered_email & (pl.col("first_response_s") <= settings.email_answer_s)).alias("emails_in_time"),
        _count(email_received).alias("emails"),
    ]
    for name in SIGNALS:
        signal = pl.col(f"signal:{name}")
        exprs += [_count(handled & signal).alias(f"signal:{name}:present"), _count(handled & signal.is_not_null()).alias(f"signal:{name}:known")]
    complaint = pl.col("signal:complaint")
    written = pl.col("written_complaint")
    start, end = pl.col("sentiment_start"), pl.col("sentiment_end")
    # A negative start is one below the threshold; the call is turned around when its end is not below it.
    negative_start = handled & (start < settings.negative_sentiment) & end.is_not_null()
    exprs += [
        _count(handled & complaint & resolved).alias("complaints_resolved"),
        _count(handled & complaint & resolved.is_not_null()).alias("complaints_outcome_known"),
        # Written complaints are counted whether or not a conversation was scored: the CRM's register is the source.
        _count(written).alias("written_complaints"),
        _count(written & (pl.col("complaint_ack_s") <= settings.complaint_ack_s)).alias("written_acknowledged_in_time"),
        _count(written & (pl.col("complaint_answer_s") <= settings.complaint_answer_s)).alias("written_answered_in_time"),
        _count(negative_start).alias("negative_starts"),
        _count(negative_start & (end >= settings.negative_sentiment)).alias("turned_around"),
    ]
    for name in ("sentiment_end", "sentiment_shift"):
        exprs += _sum_and_count(name, handled, f"{name}_sum", f"{name}_count")
    for column in columns:
        if column.startswith(("criterion:", "mean:", "score:")):
            exprs += _sum_and_count(column, handled, f"{column}:sum", f"{column}:count")
        elif column.startswith("item:"):
            exprs += [
                _count(handled & (pl.col(column) == 1)).alias(f"{column}:passed"),
                _count(handled & pl.col(column).is_not_null()).alias(f"{column}:applicable"),
            ]
    return exprs


def _ratio(numerator: int, denominator: int, kind: str) -> float | None:
    if denominator == 0:
        return None
    return round((100.0 if kind == "rate" else 1.0 / SCALE) * numerator / denominator, 2)


@dataclass
class Group:
    """The counters of one group (its key names the grouping fields and the period)."""

    key: dict[str, str | None]
    counts: dict[str, int]

    def indicators(self, settings: ReportSettings) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name, (num, den, kind) in AGGREGATES.items():
            numerator, denominator = self.counts.get(num, 0), self.counts.get(den, 0)
            value = _ratio(numerator, denominator, kind)
            target = settings.target_for(name, self.key.get("queue"))
            out[name] = {
                "value": value,
                # Sums of times and scores are given back in their unit (seconds, points).
                "numerator": numerator / SCALE if kind == "mean" else numerator,
                "denominator": denominator,
                "target": target.model_dump(exclude_none=True),
                "met": target.met(value),
            }
        out["nps"] |= {"promoters": self.counts.get("nps_promoters", 0), "detractors": self.counts.get("nps_detractors", 0)}
        return out

    def criteria(self) -> dict[str, dict[str, Any]]:
        names = [k[len("criterion:") : -len(":sum")] for k in self.counts if k.startswith("criterion:") and k.endswith(":sum")]
        return {
            name: {
                "mean": _ratio(self.counts[f"criterion:{name}:sum"], self.counts[f"criterion:{name}:count"], "mean"),
                "sum": self.counts[f"criterion:{name}:sum"] / SCALE,
                "count": self.counts[f"criterion:{name}:count"],
            }
            for name in names
        }

    def items(self) -> dict[str, dict[str, Any]]:
        names = [k[len("item:") : -len(":passed")] for k in self.counts if k.startswith("item:") and k.endswith(":passed")]
        return {
            name: {
                "pass_rate": _ratio(self.counts[f"item:{name}:passed"], self.counts[f"item:{name}:applicable"], "rate"),
                "passed": self.counts[f"item:{name}:passed"],
                "applicable": self.counts[f"item:{name}:applicable"],
            }
            for name in names
        }

    def means(self) -> dict[str, dict[str, Any]]:
        """Per indicator (any numeric one, measured ones included) and for the operational and overall
        scores: the mean value over the handled contacts that have it, and the mean of its 0–100 score."""
        out: dict[str, dict[str, Any]] = {}
        for key in self.counts:
            if not (key.startswith("mean:") and key.endswith(":sum")):
                continue
            name = key[len("mean:") : -len(":sum")]
            total, count = self.counts[key], self.counts[f"mean:{name}:count"]
            # Three decimals: ratios (silence_ratio 0.083) would lose their figure at two.
            entry: dict[str, Any] = {"mean": round(total / SCALE / count, 3) if count else None, "sum": total / SCALE, "count": count}
            if f"score:{name}:sum" in self.counts:
                score_sum, scored = self.counts[f"score:{name}:sum"], self.counts[f"score:{name}:count"]
                entry |= {"score_mean": _ratio(score_sum, scored, "mean"), "score_sum": score_sum / SCALE, "scored": scored}
            out[name] = entry
        return dict(sorted(out.items()))

    def to_json(self, settings: ReportSettings) -> dict[str, Any]:
        contacts, abandoned = self.counts.get("contacts", 0), self.counts.get("abandoned", 0)
        return {
            "key": self.key,
            "contacts": contacts,
            "handled": contacts - abandoned,
            "abandoned": abandoned,
            "indicators": self.indicators(settings),
            "criteria": self.criteria(),
            "items": self.items(),
            "means": self.means(),
        }


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in {**a, **b}}


def _sort_key(key: dict[str, str | None]) -> tuple:
    return tuple((v is None, v or "") for v in key.values())


@dataclass
class Report:
    """Aggregates per group and for everything (`total`); `to_json()` is the served / written form."""

    by: list[str]
    period: Period | None
    settings: ReportSettings
    groups: list[Group] = field(default_factory=list)
    total: Group = field(default_factory=lambda: Group({}, {}))
    # With the satisfaction drivers of all contacts (their counters are in `total`).
    drivers: bool = False

    def merge(self, other: "Report") -> "Report":
        """The report of both parts' contacts (same grouping and settings): counters are added."""
        if (self.by, self.period, self.drivers) != (other.by, other.period, other.drivers) or self.settings != other.settings:
            raise ValueError("only reports with the same grouping, period, drivers and settings merge")
        merged: dict[tuple, Group] = {}
        for group in (*self.groups, *other.groups):
            frozen = tuple(group.key.items())
            known = merged.get(frozen)
            merged[frozen] = Group(group.key, _add(known.counts, group.counts) if known else dict(group.counts))
        groups = sorted(merged.values(), key=lambda g: _sort_key(g.key))
        return Report(self.by, self.period, self.settings, groups, Group({}, _add(self.total.counts, other.total.counts)), self.drivers)

    def to_json(self) -> dict[str, Any]:
        doc = {
            "by": self.by,
            "period": self.period,
            "settings": self.settings.model_dump(mode="json"),
            "labels": LABELS,
            "groups": [g.to_json(self.settings) for g in self.groups],
            "total": self.total.to_json(self.settings),
        }
        if self.drivers:
            doc["drivers"] = drivers_json(self.total.counts, self.settings.drivers_min_contacts)
        return doc


def _with_period(frame: pl.DataFrame, period: Period | None) -> pl.DataFrame:
    if period is None:
        return frame
    # The contact's own calendar date (as written with its UTC offset), not the UTC one.
    day = pl.col("started_at").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    return frame.with_columns(period=day.dt.strftime(PERIOD_FORMATS[period]))


def aggregate_frame(frame: pl.DataFrame, by: list[str], period: Period | None, settings: ReportSettings, drivers: bool = False) -> Report:
    """`aggregate` on a table made by `results_frame` (or several concatenated)."""
    unknown = [name for name in by if name not in GROUP_FIELDS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r} (use {', '.join(GROUP_FIELDS)})")
    if period is not None and period not in PERIOD_FORMATS:
        raise ValueError(f"unknown period {period!r} (use {', '.join(PERIOD_FORMATS)})")
    frame = _with_period(frame, period)
    keys = [*by, "period"] if period else list(by)
    exprs = _counters(settings, frame.columns)
    groups: list[Group] = []
    if keys and frame.height:
        table = frame.group_by(keys).agg(exprs).sort(keys, nulls_last=True)
        for row in table.iter_rows(named=True):
            key = {k: row.pop(k) for k in keys}
            groups.append(Group(key, row))
    # The drivers' counters (a few hundred) are summed over all contacts only, not per group.
    total = Group({}, frame.select([*exprs, *(_driver_counters(frame.columns) if drivers else [])]).row(0, named=True))
    return Report(list(by), period, settings, groups, total, drivers)


def aggregate(
    results: Iterable[dict[str, Any]],
    by: list[str] | None = None,
    period: Period | None = None,
    settings: ReportSettings | None = None,
    drivers: bool = False,
) -> Report:
    """Aggregate scored results (the result JSON objects of `qualicall score` / `batch` / the API).

    `by`: any of "agent", "team", "queue", "channel", "language" (in that order
    of grouping; empty: only the total). `period`: "day", "week" (ISO) or
    "month", taken from each contact's `started_at` local date; None: no period.
    `settings`: service-level threshold, short abandons, e-mail delay and
    targets (default: those of indicators.md; a rubric's are `rubric.reports`).

    Returns a `Report`: `report.to_json()` gives, per group and for the total,
    each aggregate with its value, numerator, denominator, target and whether it
    is met, the criterion means and the item pass rates; with `drivers`, the
    satisfaction drivers of all contacts (`drivers.py`). Abandoned contacts count
    in the access figures only: service level and abandon rate (voice, chat), e-mails
    answered within 48 h (an e-mail closed without an answer is received, not answered). `report.merge(other)` adds reports
    of disjoint parts exactly.
    """
    settings = settings or ReportSettings()
    return aggregate_frame(results_frame(results), list(by or []), period, settings, drivers)


def aggregate_parts(
    parts: Iterable[Iterable[dict[str, Any]]],
    by: list[str] | None = None,
    period: Period | None = None,
    settings: ReportSettings | None = None,
    drivers: bool = False,
) -> Report:
    """`aggregate` over results that come in parts (pages of a database, files of a batch): each part is
    aggregated on its own and the reports are merged, so memory holds one part's table at a time."""
    settings = settings or ReportSettings()
    report = aggregate_frame(results_frame([]), list(by or []), period, settings, drivers)
    for part in parts:
        report = report.merge(aggregate(part, by, period, settings, drivers))
    return report
