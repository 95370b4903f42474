"""`qualicall report`: aggregates result files by agent / team / queue / channel / language and period."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from qualicall.batch import FAILURES_SUFFIX
from qualicall.core.locale import LANGUAGES

REPORT_FORMATS = ("table", "csv", "json", "html")
PERIODS = ("day", "week", "month")
# Bad records named one by one on stderr; the rest are counted.
SKIPS_SHOWN = 10


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    results: Annotated[list[Path], typer.Argument(help="result .jsonl / .json files (qualicall score / batch output)")],
    by: Annotated[Optional[list[str]], typer.Option("--by", "-b", help="agent | team | queue | channel | language, and day | week | month (repeat or comma-separate)")] = None,
    period: Annotated[Optional[str], typer.Option("--period", "-p", help="day | week | month")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | csv | json | html")] = "table",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="write here instead of stdout")] = None,
    rubric: Annotated[Optional[str], typer.Option(help="take the report settings and targets from this rubric (id or YAML file)")] = None,
    service_level_s: Annotated[Optional[float], typer.Option(help="service level threshold in seconds (default 20)")] = None,
    short_abandon_s: Annotated[Optional[float], typer.Option(help="abandons after at most this wait are not offered (default 5)")] = None,
    title: Annotated[Optional[str], typer.Option(help="title of the HTML report (default: « Rapport du centre de contacts », \"Contact centre report\")")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="language of the table and the HTML report: fr | en (default: the --rubric's, else the one most results are in, else fr)")] = None,
    drivers: Annotated[bool, typer.Option("--drivers", help="and what moves satisfaction: CSAT and NPS with each grid item passed vs failed, each signal present vs absent (with csv: these rows instead of the groups')")] = False,
    since: Annotated[Optional[str], typer.Option("--from", help="contacts of this day or later (2026-11-01: each contact's own calendar day, as periods count)")] = None,
    until: Annotated[Optional[str], typer.Option("--to", help="contacts before this day (exclusive: --from 2026-11-01 --to 2026-12-01 is November)")] = None,
) -> None:
    """Aggregate results: service level, abandons, ASA, AHT, FCR, CSAT, NPS, transfers, quality, e-mail delay;
    complaints, signals and customer sentiment; with --drivers, the satisfaction drivers (the HTML report always has them)."""
    from qualicall.cli import fail, open_output, user_errors

    if fmt not in REPORT_FORMATS:
        fail(f"unknown format {fmt!r} (use {', '.join(REPORT_FORMATS)})")
    if lang is not None and lang not in LANGUAGES:
        fail(f"unknown language {lang!r} (use {', '.join(LANGUAGES)})")
    groups = [name.strip() for value in by or [] for name in value.split(",") if name.strip()]
    # `--by agent,week` reads as `--by agent --period week`
    periods = [name for name in groups if name in PERIODS]
    groups = [name for name in groups if name not in PERIODS]
    if len(set(periods) | ({period} if period else set())) > 1:
        fail(f"one period at a time (got {', '.join(dict.fromkeys([*periods, *([period] if period else [])]))})")
    period = period or (periods[0] if periods else None)
    days = _days(since, until)
    with user_errors():
        from qualicall.reports.aggregate import aggregate_frame
        from qualicall.reports.frame import ResultsError, read_results, results_frame
        from qualicall.scorer.rubric import ReportSettings, load_rubric

        chosen = load_rubric(rubric) if rubric else None
        settings = chosen.reports if chosen else ReportSettings()
        changes = {k: v for k, v in {"service_level_s": service_level_s, "short_abandon_s": short_abandon_s}.items() if v is not None}
        if any(v < 0 for v in changes.values()):
            fail("thresholds must be positive")
        settings = settings.model_copy(update=changes)
        missing = [str(p) for p in results if not p.exists()]
        if missing:
            fail(f"{missing[0]}: no such file")
        for path in [p for p in results if p.name.endswith(FAILURES_SUFFIX)]:
            # `out/*.jsonl` takes the batch's failures file too: its lines were counted as contacts
            typer.echo(f"qualicall: {path}: a batch's failures file, not results: left out", err=True)
        results = [p for p in results if not p.name.endswith(FAILURES_SUFFIX)]
        bad_records: list[str] = []

        def skip(message: str) -> None:
            bad_records.append(message)
            # (an interactions file given by mistake printed one line per record: 358 of them)
            if len(bad_records) <= SKIPS_SHOWN:
                typer.echo(f"qualicall: skipped: {message}", err=True)

        try:
            repeated: list[list[str]] = []
            frame = results_frame(read_results(results, on_bad_record=skip), on_repeated=repeated.append)
            if repeated:
                # the last in the order the files were given: a shell sorts night-10 before night-9
                contacts = list(dict.fromkeys(repeated[0]))
                named = ", ".join(contacts[:3]) + (", …" if len(contacts) > 3 else "")
                typer.echo(f"qualicall: {len(repeated[0])} result(s) of contacts given again (scored again, or a file given twice:"
                           f" {named}): the last of each, in the order the files are given, counted", err=True)
            if days is not None:
                frame = _within(frame, *days)
            report_ = aggregate_frame(frame, groups, period, settings, drivers and fmt != "html")  # type: ignore[arg-type]
        except (ResultsError, ValueError) as exc:
            fail(str(exc))
        if fmt in ("table", "html"):  # CSV and JSON keep their language-neutral keys
            from qualicall.reports.words import ReportWords, report_language
            from qualicall.scorer.labels import label_rubrics

            language = report_language([lang, chosen.language if chosen else None], frame["language"])
            words = ReportWords(language, label_rubrics(rubric))
        with open_output(out) as stream:
            if fmt == "json":
                json.dump(report_.to_json(), stream, ensure_ascii=False, indent=1)
                stream.write("\n")
            elif fmt == "csv":
                from qualicall.reports.render import write_csv

                write_csv(report_, stream, drivers)
            elif fmt == "table":
                from qualicall.reports.render import print_table

                print_table(report_, stream, words)
            else:
                from qualicall.reports.html import render_html

                stream.write(render_html(frame, groups, period, settings, title, words))  # type: ignore[arg-type]
    if out is not None:
        contacts = report_.total.counts["contacts"]
        typer.echo(f"qualicall: report of {contacts} contact{'' if contacts == 1 else 's'} written to {out}", err=True)
    if bad_records:  # the report is written without them; the exit status says some were left out
        unshown = f" (the first {SKIPS_SHOWN} named above)" if len(bad_records) > SKIPS_SHOWN else ""
        typer.echo(f"qualicall: {len(bad_records)} bad record(s) skipped{unshown}", err=True)
        raise typer.Exit(1)


def _days(since: str | None, until: str | None) -> tuple[str | None, str | None] | None:
    """`--from` and `--to` as ISO days, checked (one line naming the option otherwise); None when neither is given. A
    month's file held the last days of the month before and the first of the next: a manager filtered it by hand."""
    from datetime import date

    from qualicall.cli import fail
    from qualicall.core.interaction import empty_range

    if since is None and until is None:
        return None
    parsed = {}
    for option, value in (("--from", since), ("--to", until)):
        if value is not None:
            try:
                parsed[option] = date.fromisoformat(value.strip())
            except ValueError:
                fail(f"{option} {value!r}: expected a day, 2026-11-01")
    if problem := empty_range(parsed.get("--from"), parsed.get("--to"), lambda name, value: f"--{name}" + (f" {value}" if value else "")):
        fail(problem)
    return tuple(day.isoformat() if day else None for day in (parsed.get("--from"), parsed.get("--to")))  # type: ignore[return-value]


def _within(frame, since: str | None, until: str | None):  # type: ignore[no-untyped-def]
    """The frame's contacts whose own day (the date their `started_at` writes) lies in [since, until); those without a
    `started_at` have no day and are left out, which is said."""
    import polars as pl

    day = pl.col("started_at").str.slice(0, 10)
    undated = frame.filter(pl.col("started_at").is_null()).height
    if undated:
        typer.echo(f"qualicall: {undated} result(s) without started_at left out of --from/--to", err=True)
    keep = pl.col("started_at").is_not_null()
    if since:
        keep &= day >= since
    if until:
        keep &= day < until
    return frame.filter(keep)
