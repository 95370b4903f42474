"""Results (JSON objects of `interaction-format.md`) into one flat polars table, one row per contact.

Only what the aggregates read is kept: the grouping keys, the local date, the
operational values, the quality score, criterion scores, item verdicts
(1 passed, 0 failed, null not applicable), and for the means every numeric
indicator's value (`mean:NAME`) and score (`score:NAME`), and the operational
and overall scores. From complaints-and-satisfaction.md: each customer signal
(`signal:ID`: true, false, or null where the result does not carry it — results
made before signals existed are unknown, never "absent"), the customer's
sentiment at the start and end and its shift, and for a written complaint (a
contact whose CRM `indicators` give `received_at`) the delays to its
acknowledgement and answer in seconds.

One row per contact: a contact whose result is given more than once (scored again by a later batch, the same file
given twice) counts once, with the last of its results read — as `GET /v1/reports` counts each stored contact's
latest result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from qualicall.core.errors import InputError
from qualicall.core.interaction import MAX_SAFE_INTEGER, contract_form

# Grouping names accepted by `--by`, and the result field each one reads.
GROUP_FIELDS = {"agent": "agent_id", "team": "team", "queue": "queue", "channel": "channel", "language": "language"}
NUMBER_INDICATORS = ("wait_time_s", "handle_time_s", "transfers", "csat", "nps", "first_response_s")
STATUS_CODES = {"passed": 1, "failed": 0}
SIGNALS = ("complaint", "escalation_request", "churn_threat", "repeat_contact")
SENTIMENT_FIELDS = ("start", "end", "shift")


class ResultsError(InputError):
    """A results file or record that cannot be read; the message is one line."""


def _number(value: Any) -> float | None:
    """A number the aggregates can sum exactly in thousandths (frame rows come from stored results and from
    files: neither NaN, ±inf nor a magnitude beyond 2^53, which the door refuses), else None: left out."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return float(value) if abs(value) <= MAX_SAFE_INTEGER else None  # False for NaN too


def _indicator(result: dict[str, Any], name: str) -> Any:
    entry = (result.get("indicators") or {}).get(name)
    return entry.get("value") if isinstance(entry, dict) else None


def _signal(result: dict[str, Any], name: str) -> bool | None:
    entry = (result.get("signals") or {}).get(name)
    present = entry.get("present") if isinstance(entry, dict) else None
    return present if isinstance(present, bool) else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _complaint_delays(result: dict[str, Any]) -> tuple[bool, float | None, float | None]:
    """Whether the contact is a written complaint (its CRM gives `received_at`), and the seconds from
    reception to acknowledgement (an answer acknowledges too) and to answer; a delay that cannot be told
    (no time, times with and without a UTC offset, a time before the reception) is None."""
    received = _time(_indicator(result, "received_at"))
    if received is None:
        return False, None, None

    def delay(name: str) -> float | None:
        moment = _time(_indicator(result, name))
        try:
            seconds = (moment - received).total_seconds() if moment is not None else None
        except TypeError:  # one time with an offset, the other without
            return None
        return seconds if seconds is not None and seconds >= 0 else None

    answered = delay("answered_at")
    acknowledged = min((d for d in (delay("acknowledged_at"), answered) if d is not None), default=None)
    return True, acknowledged, answered


def _column(columns: dict[str, list[Any]], name: str, row: int) -> list[Any]:
    """The values of a column, made on first sight with nulls for the rows before (not with setdefault:
    its default list would be built at every row, which made the table quadratic in the results)."""
    values = columns.get(name)
    if values is None:
        values = columns[name] = [None] * row
    return values


def _contract_form(started_at: str) -> str:
    """A result's `started_at` with its local date in its first ten characters (periods read them there), as the door
    now writes it; results of before written in another ISO 8601 form (« 20261102T093000+0100 ») are read so too."""
    if started_at[4:5] == "-" and started_at[7:8] == "-":
        return started_at
    try:
        return contract_form(started_at)
    except ValueError:
        return started_at  # (no period, as before)


def results_frame(results: Iterable[dict[str, Any]], on_repeated: Callable[[list[str]], None] | None = None) -> pl.DataFrame:
    """One row per contact with the columns the aggregates use (see the module docstring); `on_repeated` is given the
    contacts whose earlier results were left out for a later one (an id once per result left out)."""
    columns: dict[str, list[Any]] = {
        name: []
        for name in (
            *GROUP_FIELDS, "started_at", "abandoned", *NUMBER_INDICATORS, "resolved_first_contact", "quality_score",
            *(f"signal:{name}" for name in SIGNALS), *(f"sentiment_{name}" for name in SENTIMENT_FIELDS),
            "written_complaint", "complaint_ack_s", "complaint_answer_s",
        )
    }
    scores: dict[str, list[float | None]] = {}
    statuses: dict[str, list[int | None]] = {}
    # Every numeric per-contact indicator (input or measured: silence_ratio, hold_time_s…) and its 0–100 score,
    # for the per-group means; NPS and booleans have their own aggregates.
    means: dict[str, list[float | None]] = {}
    ids: list[str | None] = []
    for row, result in enumerate(results):
        if not isinstance(result, dict):
            raise ResultsError(f"result {row + 1}: expected a JSON object, got {type(result).__name__}")
        ids.append(result.get("interaction_id") if isinstance(result.get("interaction_id"), str) else None)
        for name, field in GROUP_FIELDS.items():
            value = result.get(field)
            columns[name].append(None if value is None else str(value))
        started_at = result.get("started_at")
        columns["started_at"].append(_contract_form(started_at) if isinstance(started_at, str) else None)
        columns["abandoned"].append(result.get("abandoned") is True)
        for name in NUMBER_INDICATORS:
            columns[name].append(_number(_indicator(result, name)))
        resolved = _indicator(result, "resolved_first_contact")
        columns["resolved_first_contact"].append(resolved if isinstance(resolved, bool) else None)
        columns["quality_score"].append(_number(result.get("quality_score")))
        for name in SIGNALS:
            columns[f"signal:{name}"].append(_signal(result, name))
        sentiment = result.get("sentiment") if isinstance(result.get("sentiment"), dict) else {}
        for name in SENTIMENT_FIELDS:
            columns[f"sentiment_{name}"].append(_number(sentiment.get(name)))
        for name, value in zip(("written_complaint", "complaint_ack_s", "complaint_answer_s"), _complaint_delays(result)):
            columns[name].append(value)
        # Criteria and items seen for the first time get a column padded with nulls before this row.
        for criterion_id, criterion in (result.get("criteria") or {}).items():
            _column(scores, criterion_id, row).append(_number(criterion.get("score")))
            for item_id, item in (criterion.get("items") or {}).items():
                _column(statuses, f"{criterion_id}.{item_id}", row).append(STATUS_CODES.get(item.get("status")))
        for name in ("operational_score", "overall_score"):
            _column(means, f"mean:{name}", row).append(_number(result.get(name)))
        for name, entry in (result.get("indicators") or {}).items():
            value = _number(entry.get("value")) if isinstance(entry, dict) and name != "nps" else None
            if value is not None:
                _column(means, f"mean:{name}", row).append(value)
                _column(means, f"score:{name}", row).append(_number(entry.get("score")))
        for values in (*scores.values(), *statuses.values(), *means.values()):
            if len(values) == row:
                values.append(None)
    schema = {name: pl.String for name in (*GROUP_FIELDS, "started_at")}
    schema |= {"abandoned": pl.Boolean, "resolved_first_contact": pl.Boolean, "quality_score": pl.Float64, "written_complaint": pl.Boolean}
    schema |= {name: pl.Float64 for name in (*NUMBER_INDICATORS, *(f"sentiment_{n}" for n in SENTIMENT_FIELDS), "complaint_ack_s", "complaint_answer_s")}
    schema |= {f"signal:{name}": pl.Boolean for name in SIGNALS}
    frame = pl.DataFrame(columns, schema=schema)
    extra = [pl.Series(f"criterion:{cid}", values, dtype=pl.Float64) for cid, values in scores.items()]
    extra += [pl.Series(f"item:{iid}", values, dtype=pl.Int8) for iid, values in statuses.items()]
    extra += [pl.Series(name, values, dtype=pl.Float64) for name, values in means.items()]
    frame = frame.with_columns(extra) if extra else frame
    last = {contact: row for row, contact in enumerate(ids) if contact is not None}
    keep = [contact is None or last[contact] == row for row, contact in enumerate(ids)]
    if not all(keep):
        frame = frame.filter(pl.Series(keep, dtype=pl.Boolean))
        if on_repeated is not None:
            on_repeated([contact for row, contact in enumerate(ids) if not keep[row]])
    return frame


def read_results(paths: Iterable[Path], on_bad_record: Callable[[str], None] | None = None) -> Iterator[dict[str, Any]]:
    """Each result of each file: JSONL (`qualicall score` / `batch` output), or a JSON object or array.

    A bad record (a line that is not JSON, or not an object) raises `ResultsError`,
    or, with `on_bad_record`, is passed to it as a one-line message and skipped.
    A file that cannot be read at all always raises.
    """
    for path in paths:
        if path.is_dir():
            raise ResultsError(f"{path}: is a folder (give result .jsonl files)")
        try:
            with path.open(encoding="utf-8-sig") as stream:  # (a byte-order mark, as Windows tools write it, skipped)
                first = stream.read(1)
                if first in ("[", "{") and path.suffix.lower() == ".json" or first == "[":
                    text = first + stream.read()
                    try:
                        data = _loads(text)
                    except json.JSONDecodeError as exc:
                        if exc.msg != "Extra data":  # several objects, one a line: JSONL after all
                            raise ResultsError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
                        yield from _parse_lines(path, text.splitlines(), on_bad_record)
                        continue
                    except ValueError as exc:
                        raise ResultsError(f"{path}: invalid JSON: {exc}") from None
                    records = data if isinstance(data, list) else [data]
                    yield from _objects(((f"{path}[{n}]" if isinstance(data, list) else str(path), r) for n, r in enumerate(records)), on_bad_record)
                else:
                    yield from _parse_lines(path, _lines(first, stream), on_bad_record)
        except OSError as exc:
            raise ResultsError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ResultsError(f"{path}: not UTF-8 text") from None


def _lines(first: str, stream: Any) -> Iterator[str]:
    yield first + stream.readline()
    yield from stream


def _bad(message: str, on_bad_record: Callable[[str], None] | None) -> None:
    if on_bad_record is None:
        raise ResultsError(message)
    on_bad_record(message)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} out of range")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str) -> Any:
    """JSON with finite numbers only (1e999 would be infinity, which no aggregate can take)."""
    return json.loads(text, parse_float=_finite, parse_constant=_no_constant)


def _shape_problem(record: dict[str, Any]) -> str | None:
    """Where a result's criteria, items, indicators, signals or sentiment are not the objects the aggregates
    read, or None."""
    def not_object(where: str, value: Any, optional: bool = True) -> str | None:
        if isinstance(value, dict) or (optional and value is None):
            return None
        return f"{where}: expected an object, got {'null' if value is None else type(value).__name__}"

    if "criteria" not in record and ("turns" in record or ("id" in record and "interaction_id" not in record)):
        # (one with no turns, a recording's or an abandoned call's, counted as a handled contact)
        return "an interaction, not a result: score it first (qualicall score)"
    if {"source", "reason"} <= set(record) and "interaction_id" not in record:
        # (a batch's failures file caught by a glob was counted as six more contacts)
        return "a batch's failure (source, reason), not a result: leave the .failures.jsonl file out"
    problems = [not_object(name, record.get(name)) for name in ("criteria", "indicators", "signals", "sentiment")]
    for signal_id, signal in (record.get("signals") if isinstance(record.get("signals"), dict) else {}).items():
        problems.append(not_object(f"signals.{signal_id}", signal, optional=False))
    for criterion_id, criterion in (record.get("criteria") if isinstance(record.get("criteria"), dict) else {}).items():
        problems.append(not_object(f"criteria.{criterion_id}", criterion, optional=False))
        items = criterion.get("items") if isinstance(criterion, dict) else None
        problems.append(not_object(f"criteria.{criterion_id}.items", items))
        for item_id, item in (items if isinstance(items, dict) else {}).items():
            problems.append(not_object(f"criteria.{criterion_id}.items.{item_id}", item, optional=False))
    if (problem := next((problem for problem in problems if problem), None)) is not None:
        return problem
    return None if "interaction_id" in record else "not a result (no interaction_id)"


def _objects(records: Iterable[tuple[str, Any]], on_bad_record: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    for where, record in records:
        if not isinstance(record, dict):
            _bad(f"{where}: expected a JSON object, got {type(record).__name__}", on_bad_record)
        elif (problem := _shape_problem(record)) is not None:
            _bad(f"{where}: {problem}", on_bad_record)
        else:
            yield record


def _parse_lines(path: Path, lines: Iterable[str], on_bad_record: Callable[[str], None] | None) -> Iterator[dict[str, Any]]:
    def parsed() -> Iterator[tuple[str, Any]]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{number}", _loads(line)
            except json.JSONDecodeError as exc:
                _bad(f"{path}:{number}: invalid JSON: {exc.msg}", on_bad_record)
            except ValueError as exc:
                _bad(f"{path}:{number}: invalid JSON: {exc}", on_bad_record)

    yield from _objects(parsed(), on_bad_record)
