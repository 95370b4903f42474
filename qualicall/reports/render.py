"""A report as a terminal table or CSV rows (JSON is `Report.to_json()`, HTML is in `html.py`)."""

from __future__ import annotations

import csv
from typing import IO, Any

from qualicall.reports.aggregate import AGGREGATES, LABELS, Report


def key_label(key: dict[str, str | None]) -> str:
    return " · ".join("—" if v is None else str(v) for v in key.values()) or "all"


def format_value(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


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


def write_csv(report: Report, stream: IO[str]) -> None:
    table = rows(report)
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
    title = "Report" + (f" by {', '.join(report.by)}" if report.by else "") + (f", per {report.period}" if report.period else "")
    table = Table(title=title, show_lines=False)
    table.add_column("group")
    table.add_column("contacts", justify="right")
    table.add_column("aband.", justify="right")
    for name in AGGREGATES:
        table.add_column(LABELS[name], justify="right")
    for group, style in [*((g, None) for g in doc["groups"]), (doc["total"], "bold")]:
        cells = [key_label(group["key"]) if group["key"] else "total", str(group["contacts"]), str(group["abandoned"])]
        for name in AGGREGATES:
            entry = group["indicators"][name]
            colour = {True: "green", False: "red"}.get(entry["met"])
            text = format_value(entry["value"])
            cells.append(f"[{colour}]{text}[/{colour}]" if colour else text)
        table.add_row(*cells, style=style)
    Console(file=stream, width=max(160, Console(file=stream).width)).print(table)
