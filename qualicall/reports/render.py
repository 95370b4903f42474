"""A report as a terminal table (in French or English: words.py) or CSV rows (JSON is `Report.to_json()`, HTML is in `html.py`)."""

from __future__ import annotations

import csv
from typing import IO, Any

from qualicall.core.locale import spreadsheet_text
from qualicall.reports.aggregate import SECTIONS, Report
from qualicall.reports.drivers import SURVEYS
from qualicall.reports.words import ReportWords


def rows(report: Report) -> list[dict[str, Any]]:
    """Flat rows, one per group then the total: keys, counts, each aggregate with its numerator and denominator."""
    doc = report.to_json()
    key_names = [*report.by, *(["period"] if report.period else [])]
    total_key = {name: "(total)" for name in key_names} or {"group": "(total)"}
    out = []
    for group in [*doc["groups"], {**doc["total"], "key": total_key}]:
        row: dict[str, Any] = dict(group["key"])
        row |= {"contacts": group["contacts"], "handled": group["handled"], "abandoned": group["abandoned"]}
        for name, entry in group["indicators"].items():
            row |= {name: entry["value"], f"{name}.numerator": entry["numerator"], f"{name}.denominator": entry["denominator"]}
        row |= {f"criterion.{cid}": c["mean"] for cid, c in group["criteria"].items()}
        row |= {f"item.{iid}": i["pass_rate"] for iid, i in group["items"].items()}
        row |= {f"mean.{name}": m["mean"] for name, m in group["means"].items()}
        out.append(row)
    return out


def sections_with_data(doc: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The service section, and the others where some aggregate has a denominator in the total: results made
    before signals and sentiment existed leave the customer section out rather than fill it with dashes."""
    indicators = doc["total"]["indicators"]
    first = next(iter(SECTIONS))
    return {title: names for title, names in SECTIONS.items() if title == first or any(indicators[n]["denominator"] for n in names)}


def driver_rows(drivers: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per survey and driver: the ranked ones in their order, then those with too few contacts."""
    out = []
    for survey in SURVEYS:
        found = drivers.get(survey, {})
        for rank, entry in [*enumerate(found.get("ranked", []), start=1), *((None, e) for e in found.get("too_few", []))]:
            row: dict[str, Any] = {"survey": survey, "rank": rank, "driver": entry["driver"], "kind": entry["kind"]}
            for side in ("with", "without"):
                row |= {f"{side}": entry["sides"][side], f"{side}.n": entry[side]["n"], f"{side}.mean": entry[side]["mean"], f"{side}.sd": entry[side]["sd"]}
            ci = entry.get("ci95") or [None, None]
            row |= {"effect": entry.get("effect"), "ci95.low": ci[0], "ci95.high": ci[1], "p": entry.get("p"),
                    "p_holm": entry.get("p_holm"), "significant": entry.get("significant")}
            out.append(row)
    return out


def write_csv(report: Report, stream: IO[str], drivers: bool = False) -> None:
    """The groups' rows; with `drivers`, the satisfaction drivers' rows instead (another shape of table)."""
    table = driver_rows(report.to_json()["drivers"]) if drivers else rows(report)
    fields: dict[str, None] = {}
    for row in table:
        fields |= dict.fromkeys(row)
    writer = csv.DictWriter(stream, fieldnames=list(fields))
    writer.writeheader()
    writer.writerows({name: spreadsheet_text(value) for name, value in row.items()} for row in table)


def print_table(report: Report, stream: IO[str], words: ReportWords | None = None) -> None:
    """A rich table: a row per group, the aggregates in green (target met) or red; in the language of `words` (English by default)."""
    from rich.console import Console
    from rich.table import Table

    words = words or ReportWords("en")
    doc = report.to_json()
    console = Console(file=stream, width=max(160, Console(file=stream).width))
    grouping = (words("by_groups", by=words.grouping(report.by)) if report.by else "") + (
        words("per_period", period=words.period_name(report.period)) if report.period else "")
    for section, names in sections_with_data(doc).items():
        table = Table(title=words("table_title", section=words.section(section), grouping=grouping), show_lines=False)
        table.add_column(words("group"))
        table.add_column(words("contacts"), justify="right")
        table.add_column(words("abandoned_short"), justify="right")
        for name in names:
            table.add_column(words.aggregate(name), justify="right")
        for group, style in [*((g, None) for g in doc["groups"]), (doc["total"], "bold")]:
            key = dict(group["key"])
            if "period" in key:
                key["period"] = words.period(key["period"])
            cells = [words.group(key) if key else words("total"), words.exact(group["contacts"]), words.exact(group["abandoned"])]
            for name in names:
                entry = group["indicators"][name]
                colour = {True: "green", False: "red"}.get(entry["met"])
                text = words.value(entry["value"], name, entry["target"])
                cells.append(f"[{colour}]{text}[/{colour}]" if colour else text)
            table.add_row(*cells, style=style)
        console.print(table)
    if "drivers" in doc:
        print_drivers(doc["drivers"], console, words)


def print_drivers(drivers: dict[str, Any], console: Any, words: ReportWords) -> None:
    """Per survey, the ranked drivers (effect in green or red when significant) and those with too few contacts."""
    from rich.table import Table

    for survey in SURVEYS:
        found, name = drivers[survey], survey.upper()
        if not found["answers"]:
            console.print(words("drivers_note", survey=name, note=words("no_answers", survey=name)))
            continue
        table = Table(title=words("drivers_table_title", survey=name, unit=words.unit(survey), answers=found["answers"]))
        columns = [("col_rank", "right"), ("col_driver", "left"), ("col_with", "left"), ("col_mean", "right"), ("col_without", "left"),
                   ("col_mean", "right"), ("col_effect", "right"), ("col_ci", "right"), ("col_significant", "right")]
        for column, justify in columns:
            table.add_column(words(column), justify=justify)  # type: ignore[arg-type]
        for rank, entry in enumerate(found["ranked"], start=1):
            colour = ("green" if entry["effect"] > 0 else "red") if entry["significant"] else "dim"
            low, high = entry["ci95"]
            table.add_row(
                str(rank), words.driver(entry, marked=True),
                words.side(entry, "with"), words.number(entry["with"]["mean"], ".2f"),
                words.side(entry, "without"), words.number(entry["without"]["mean"], ".2f"),
                f"[{colour}]{words.number(entry['effect'], '+.2f')}[/{colour}]",
                f"{words.number(low, '+.2f')} … {words.number(high, '+.2f')}", words("yes" if entry["significant"] else "no"),
            )
        console.print(table)
        if found["too_few"]:
            console.print(words("not_ranked_table", min=drivers["min_contacts"], listed=", ".join(words.too_few(e) for e in found["too_few"])))
