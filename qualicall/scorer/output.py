"""Writing results: JSON, JSONL, CSV, and a readable terminal scorecard."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import IO, Any

from qualicall.core.result import Result

FORMATS = ("json", "jsonl", "csv", "table")


def _fmt(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}"


def csv_row(result: Result) -> dict[str, Any]:
    row: dict[str, Any] = {
        "interaction_id": result.interaction_id,
        "agent_id": result.agent_id,
        "team": result.team,
        "queue": result.queue,
        "started_at": result.started_at,
        "language": result.language,
        "channel": result.channel,
        "rubric": f"{result.rubric.id}@{result.rubric.version}",
        "quality_score": result.quality_score,
        "operational_score": result.operational_score,
        "overall_score": result.overall_score,
    }
    for criterion_id, criterion in result.criteria.items():
        row[f"{criterion_id}.score"] = criterion.score
        for item_id, item in criterion.items.items():
            row[f"{criterion_id}.{item_id}"] = item.status
    for name, indicator in result.indicators.items():
        row[f"indicator.{name}"] = indicator.value
    return row


class ResultWriter:
    """Streams results to a file in one format; `json` writes one object, or JSONL for several."""

    def __init__(self, stream: IO[str], fmt: str) -> None:
        self.stream = stream
        self.fmt = fmt
        self._buffered: list[Result] = []
        self._csv: csv.DictWriter | None = None

    def write(self, result: Result) -> None:
        if self.fmt == "jsonl":
            self.stream.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            row = csv_row(result)
            if self._csv is None:
                self._csv = csv.DictWriter(self.stream, fieldnames=list(row), extrasaction="ignore")
                self._csv.writeheader()
            self._csv.writerow(row)
        elif self.fmt == "table":
            self.stream.write(scorecard(result) + "\n")
        else:
            self._buffered.append(result)
        self.stream.flush()

    def close(self) -> None:
        if self.fmt == "json":
            if len(self._buffered) == 1:
                self.stream.write(json.dumps(self._buffered[0].to_json(), ensure_ascii=False, indent=2) + "\n")
            else:
                for result in self._buffered:
                    self.stream.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        self.stream.flush()


STATUS_MARK = {"passed": "[green]✔ passed[/]", "failed": "[red]✘ failed[/]", "not_applicable": "[dim]– n/a[/]"}


def scorecard(result: Result, width: int = 110) -> str:
    """A terminal scorecard: scores, each item's verdict, reason and evidence."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)
    who = " · ".join(x for x in (result.agent_id, result.team, result.queue) if x)
    console.print(f"[bold]{result.interaction_id}[/]  {result.channel}, {result.language}  rubric {result.rubric.id} v{result.rubric.version}" + (f"  ({who})" if who else ""))
    summary = f"quality {_fmt(result.quality_score)}   operational {_fmt(result.operational_score)}   overall {_fmt(result.overall_score)}"
    note = result.combination.get("note") if result.combination else None
    console.print(summary + (f"   [dim]({note})[/]" if note else ""))
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column("item", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("why / evidence", ratio=1)
    for criterion_id, criterion in result.criteria.items():
        table.add_row(f"[bold]{criterion_id}[/]", f"[bold]{_fmt(criterion.score)}[/]", f"weight {criterion.weight:g}")
        for item_id, item in criterion.items.items():
            evidence = "; ".join(
                f"turn {e.turn}" + (f" @{e.time:g}s" if e.time is not None else "") + f" «{e.text}»" for e in item.evidence[:2]
            )
            table.add_row(f"  {item_id}", STATUS_MARK[item.status], item.reason + (f"\n[dim]{evidence}[/]" if evidence and evidence not in item.reason else ""))
    console.print(table)
    if result.indicators:
        parts = [f"{name}={ind.value} ({_fmt(ind.score)}, {ind.source})" for name, ind in result.indicators.items()]
        console.print("indicators: " + ", ".join(parts))
    return buffer.getvalue()


def write_results(results: Iterable[Result], stream: IO[str], fmt: str) -> int:
    writer = ResultWriter(stream, fmt)
    count = 0
    for result in results:
        writer.write(result)
        count += 1
    writer.close()
    return count
