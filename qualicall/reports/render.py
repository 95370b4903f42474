"""A report as a terminal table or CSV rows (JSON is `Report.to_json()`, HTML is in `html.py`)."""

from __future__ import annotations

import csv
from typing import IO, Any

from qualicall.reports.aggregate import LABELS, SECTIONS, Report
from qualicall.reports.drivers import SURVEYS


def key_label(key: dict[str, str | None]) -> str:
    return " · ".join("—" if v is None else str(v) for v in key.values()) or "all"


# Sentiment runs from -1 to 1: one decimal would hide most of a shift.
DECIMALS = {"sentiment_end_avg": 2, "sentiment_shift_avg": 2}


def format_value(value: float | None, name: str = "") -> str:
    return "—" if value is None else f"{value:.{DECIMALS.get(name, 1)}f}"


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
    writer.writerows(table)


def print_table(report: Report, stream: IO[str]) -> None:
    """A rich table: a row per group, the aggregates in green (target met) or red."""
    from rich.console import Console
    from rich.table import Table

    doc = report.to_json()
    console = Console(file=stream, width=max(160, Console(file=stream).width))
    grouping = (f" by {', '.join(report.by)}" if report.by else "") + (f", per {report.period}" if report.period else "")
    for section, names in sections_with_data(doc).items():
        table = Table(title=f"{section}{grouping}", show_lines=False)
        table.add_column("group")
        table.add_column("contacts", justify="right")
        table.add_column("aband.", justify="right")
        for name in names:
            table.add_column(LABELS[name], justify="right")
        for group, style in [*((g, None) for g in doc["groups"]), (doc["total"], "bold")]:
            cells = [key_label(group["key"]) if group["key"] else "total", str(group["contacts"]), str(group["abandoned"])]
            for name in names:
                entry = group["indicators"][name]
                colour = {True: "green", False: "red"}.get(entry["met"])
                text = format_value(entry["value"], name)
                cells.append(f"[{colour}]{text}[/{colour}]" if colour else text)
            table.add_row(*cells, style=style)
        console.print(table)
    if "drivers" in doc:
        print_drivers(doc["drivers"], console)


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def too_few_text(entry: dict[str, Any]) -> str:
    sides = entry["sides"]
    return f"{entry['driver']} ({entry['with']['n']} {sides['with']} / {entry['without']['n']} {sides['without']})"


def print_drivers(drivers: dict[str, Any], console: Any) -> None:
    """Per survey, the ranked drivers (effect in green or red when significant) and those with too few contacts."""
    from rich.table import Table

    for survey in SURVEYS:
        found = drivers[survey]
        if not found["answers"]:
            console.print(f"{survey.upper()} drivers: {found['note']}")
            continue
        table = Table(title=f"What moves {survey.upper()}: mean with − without, in {found['effect_unit']}, 95 % CI ({found['answers']} answers)")
        for column in ("#", "driver", "with", "mean", "without", "mean", "effect", "95 % CI", "significant"):
            table.add_column(column, justify="left" if column in ("driver", "with", "without") else "right")
        for rank, entry in enumerate(found["ranked"], start=1):
            colour = ("green" if entry["effect"] > 0 else "red") if entry["significant"] else "dim"
            low, high = entry["ci95"]
            table.add_row(
                str(rank), f"{entry['driver']}" + (" (signal)" if entry["kind"] == "signal" else ""),
                f"{entry['sides']['with']} {entry['with']['n']}", format_mean(entry["with"]["mean"]),
                f"{entry['sides']['without']} {entry['without']['n']}", format_mean(entry["without"]["mean"]),
                f"[{colour}]{_signed(entry['effect'])}[/{colour}]", f"{_signed(low)} … {_signed(high)}", "yes" if entry["significant"] else "no",
            )
        console.print(table)
        if found["too_few"]:
            console.print(f"Not ranked (fewer than {drivers['min_contacts']} answers on a side): " + ", ".join(too_few_text(e) for e in found["too_few"]))


def format_mean(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
