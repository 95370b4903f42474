"""Writing results: JSON, JSONL, CSV, and a readable terminal scorecard (in French or English)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

from qualicall.core import locale
from qualicall.core.result import Result
from qualicall.scorer import labels
from qualicall.scorer.reasons import TERMS, place_text, reason_text

if TYPE_CHECKING:
    from qualicall.scorer.rubric import Rubric

FORMATS = ("json", "jsonl", "csv", "table")


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
    """Streams results to a file in one format; `json` writes one object, or JSONL for several.
    `table` is worded in `language` (default: each result's), labels from `rubrics` (`scorecard`)."""

    def __init__(self, stream: IO[str], fmt: str, language: str | None = None, rubrics: Sequence["Rubric"] = ()) -> None:
        self.stream = stream
        self.fmt = fmt
        self.language = language
        self.rubrics = rubrics
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
            self._csv.writerow({name: locale.spreadsheet_text(value) for name, value in row.items()})
        elif self.fmt == "table":
            self.stream.write(scorecard(result, language=self.language, rubrics=self.rubrics) + "\n")
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


STATUS_MARK = {"passed": ("green", "✔"), "failed": ("red", "✘"), "not_applicable": ("dim", "–")}
# The scorecard's own words, (French, English); criteria, items, indicators and verdicts are in qualicall.scorer.labels.
WORDS: dict[str, tuple[str, str]] = {
    "rubric": ("grille {id} v{version}", "rubric {id} v{version}"),
    "scores": ("qualité {quality}   opérationnel {operational}   global {overall}", "quality {quality}   operational {operational}   overall {overall}"),
    "item": ("item", "item"),
    "verdict": ("verdict", "verdict"),
    "why": ("motif / preuves", "why / evidence"),
    "weight": ("poids {weight}", "weight {weight}"),
    "indicators": ("indicateurs : ", "indicators: "),
    "indicator": ("{label} {value} (score {score}, {source})", "{label} {value} ({score}, {source})"),
    "input": ("fourni", "input"),
    "measured": ("mesuré", "measured"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    # how the overall score was made (`combination.used`), for the note after the scores
    "only_quality": ("pas de données opérationnelles : le score global est le score qualité", "no operational data: the overall score is the quality score"),
    "only_operational": ("aucune conversation à juger : le score global est le score opérationnel", "no conversation to judge: the overall score is the operational score"),
    "nothing": ("rien à noter", "nothing to score"),
}
NOTES = {("quality",): "only_quality", ("operational",): "only_operational", (): "nothing"}


def scorecard(result: Result, width: int = 110, language: str | None = None, rubrics: Sequence["Rubric"] = ()) -> str:
    """A terminal scorecard: scores, each item's verdict, reason and evidence, in `language` (default: the
    result's), criteria and items by their labels in `rubrics` (the result's own rubric asked first)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    language = language or result.language
    language = language if language in locale.LANGUAGES else "en"
    index = locale.LANGUAGES.index(language)
    rubrics = [r for r in rubrics if r.id == result.rubric.id] + [r for r in rubrics if r.id != result.rubric.id]

    def say(key: str, **values: object) -> str:
        return WORDS[key][index].format(**values)

    def number(value: float | None) -> str:
        return locale.number(value, 1, language)

    def value_text(value: Any) -> str:
        """An indicator's value: a number as the language writes it, yes or no, a date as given."""
        if isinstance(value, bool):
            return say("yes" if value else "no")
        return locale.formatted(value, "g", language) if isinstance(value, (int, float)) else str(value)

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, highlight=False)
    who = " · ".join(x for x in (result.agent_id, result.team, result.queue) if x)
    channel = TERMS["channel"].get(result.channel, (result.channel, result.channel))[index]
    rubric = say("rubric", id=result.rubric.id, version=result.rubric.version)
    console.print(escape(f"{result.interaction_id}  {channel}, {result.language}  {rubric}") + (escape(f"  ({who})") if who else ""), style="bold")
    summary = say("scores", quality=number(result.quality_score), operational=number(result.operational_score), overall=number(result.overall_score))
    note = NOTES.get(tuple(result.combination.get("used") or ())) if result.combination.get("note") else None
    console.print(summary + (f"   [dim]({say(note)})[/]" if note else ""))
    table = Table(show_lines=False, expand=True, pad_edge=False)
    table.add_column(say("item"), no_wrap=True)
    table.add_column(say("verdict"), no_wrap=True)
    table.add_column(say("why"), ratio=1)
    for criterion_id, criterion in result.criteria.items():
        weight = locale.formatted(criterion.weight, "g", language)
        table.add_row(f"[bold]{escape(labels.label(criterion_id, language, rubrics))}[/]", f"[bold]{number(criterion.score)}[/]", say("weight", weight=weight))
        for item_id, item in criterion.items.items():
            evidence = "; ".join(f"« {e.text} » — {place_text({'turn': e.turn, 'time': e.time}, language)}" for e in item.evidence[:2])
            reason = reason_text(item.model_dump(), language)
            colour, mark = STATUS_MARK[item.status]
            table.add_row(
                f"  {escape(labels.label(f'{criterion_id}.{item_id}', language, rubrics))}",
                f"[{colour}]{mark} {labels.status(item.status, language)}[/]",
                escape(reason) + (f"\n[dim]{escape(evidence)}[/]" if evidence else ""),
            )
    console.print(table)
    if result.indicators:
        parts = [
            say("indicator", label=labels.label(name, language, rubrics), value=value_text(indicator.value), score=number(indicator.score), source=say(indicator.source))
            for name, indicator in result.indicators.items()
        ]
        console.print(escape(say("indicators") + ", ".join(parts)))
    return buffer.getvalue()


def write_results(results: Iterable[Result], stream: IO[str], fmt: str) -> int:
    writer = ResultWriter(stream, fmt)
    count = 0
    for result in results:
        writer.write(result)
        count += 1
    writer.close()
    return count
