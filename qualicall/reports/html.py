"""The HTML report: one self-contained file (inline CSS, charts as inline SVG) that a manager can mail."""

from __future__ import annotations

import html
import io
from datetime import datetime, timezone
from typing import Any

import polars as pl

from qualicall.reports.aggregate import LABELS, Period, Report, aggregate_frame
from qualicall.reports.drivers import SURVEYS
from qualicall.reports.render import format_value, key_label, sections_with_data, too_few_text
from qualicall.scorer.rubric import ReportSettings

MAX_LINES = 8  # groups drawn in a chart besides the total; more would be unreadable

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #d8dbe3;padding:.25rem .5rem;text-align:right}th{background:#f1f3f7}
td.name,th.name{text-align:left}td.ok{background:#d9f2dd;color:#135c24}td.ko{background:#f9dcdc;color:#8a1c1c}
small{color:#667}.charts svg{max-width:100%;height:auto}.meta{color:#556;font-size:.85rem}
h3{font-size:1rem;margin:1rem 0 .2rem}.note{color:#556;font-size:.85rem;max-width:75ch}
"""
# Drivers chart: raises satisfaction, lowers it (both significant after Holm's correction), no clear effect.
RAISES, LOWERS, UNCLEAR = "#2e8b57", "#c0392b", "#b0b4bd"


def _target_text(target: dict[str, float]) -> str:
    low, high = target.get("min"), target.get("max")
    if low is not None and high is not None:
        return f"{low:g}–{high:g}"
    return f"≥ {low:g}" if low is not None else f"≤ {high:g}" if high is not None else ""


def _cell(entry: dict[str, Any], name: str) -> str:
    css = {True: "ok", False: "ko"}.get(entry["met"], "")
    numerator = entry["numerator"]
    shown = f"{numerator:g}" if isinstance(numerator, float) else str(numerator)
    title = f"{shown} / {entry['denominator']}"
    return f'<td class="{css}" title="{html.escape(title)}">{format_value(entry["value"], name)}<br><small>{html.escape(title)}</small></td>'


def _mean_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue: the SVG sits inside the HTML


def _series(report: Report, name: str) -> dict[str, dict[str, float]]:
    """Per group (without the period) the aggregate's value per period."""
    lines: dict[str, dict[str, float]] = {}
    for group in report.groups:
        key = dict(group.key)
        period = key.pop("period", None)
        value = group.indicators(report.settings)[name]["value"]
        if period is not None and value is not None:
            lines.setdefault(key_label(key), {})[period] = value
    return lines


def _line_chart(title: str, name: str, report: Report, trend: Report) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    total = _series(trend, name).get("all", {})
    periods = sorted({p for line in _series(report, name).values() for p in line} | set(total))
    figure, axis = plt.subplots(figsize=(7.5, 3.2))
    groups = list(_series(report, name).items()) if report.by else []
    for label, line in groups[:MAX_LINES]:
        xs = [p for p in periods if p in line]
        axis.plot(xs, [line[p] for p in xs], marker="o", linewidth=1, alpha=0.7, label=label)
    if total:
        xs = [p for p in periods if p in total]
        axis.plot(xs, [total[p] for p in xs], color="black", linewidth=2.5, marker="o", label="all")
    target = report.settings.targets[name]
    for bound in (target.min, target.max):
        if bound is not None:
            axis.axhline(bound, color="#c0392b", linestyle="--", linewidth=1)
    axis.set_title(title + (f" (target {_target_text(target.model_dump(exclude_none=True))})"))
    axis.set_ylim(0, 105)
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.grid(alpha=0.3)
    if groups or total:
        axis.legend(fontsize=7, loc="lower left", ncol=3)
    else:
        axis.text(0.5, 0.5, "no data", ha="center", va="center", transform=axis.transAxes)
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _bars_chart(report: Report) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    items = {name: entry["pass_rate"] for name, entry in report.total.items().items() if entry["pass_rate"] is not None}
    figure, axis = plt.subplots(figsize=(7.5, 0.3 * max(3, len(items)) + 1))
    names = list(items)[::-1]
    rates = [items[n] for n in names]
    colours = ["#2e8b57" if r >= 85 else "#d98c1f" if r >= 60 else "#c0392b" for r in rates]
    axis.barh(names, rates, color=colours)
    for y, rate in enumerate(rates):
        axis.text(rate + 1, y, f"{rate:.0f} %", va="center", fontsize=7)
    axis.set_xlim(0, 110)
    axis.set_title("Pass rate per grid item (all contacts)")
    axis.tick_params(axis="y", labelsize=8)
    axis.grid(axis="x", alpha=0.3)
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _drivers_chart(survey: str, found: dict[str, Any]) -> str:
    """The ranked drivers as horizontal bars (largest effect on top) with their 95 % intervals, coloured by
    whether they significantly raise or lower satisfaction, each labelled with its effect and counts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch

    ranked = found["ranked"][::-1]  # barh draws from the bottom
    effects = [e["effect"] for e in ranked]
    lows, highs = [e["ci95"][0] for e in ranked], [e["ci95"][1] for e in ranked]
    colours = [(RAISES if e["effect"] > 0 else LOWERS) if e["significant"] else UNCLEAR for e in ranked]
    names = [e["driver"] + (" (signal)" if e["kind"] == "signal" else "") for e in ranked]
    figure, axis = plt.subplots(figsize=(7.5, 0.3 * len(ranked) + 1.4))
    axis.barh(names, effects, color=colours, height=0.65)
    axis.errorbar(effects, range(len(ranked)), xerr=[[e - lo for e, lo in zip(effects, lows)], [hi - e for e, hi in zip(effects, highs)]],
                  fmt="none", ecolor="#1d2330", elinewidth=0.9, capsize=2.5)
    axis.axvline(0, color="#1d2330", linewidth=0.8)
    span = max(max(highs), 0) - min(min(lows), 0) or 1.0
    axis.set_xlim(min(min(lows), 0) - 0.05 * span, max(max(highs), 0) + 0.42 * span)  # room for the labels on the right
    decimals = 2 if survey == "csat" else 0
    for y, entry in enumerate(ranked):
        label = f"{entry['effect']:+.{decimals}f}  ({entry['sides']['with']} {entry['with']['n']} / {entry['sides']['without']} {entry['without']['n']})"
        axis.text(max(entry["ci95"][1], 0) + 0.02 * span, y, label, va="center", fontsize=7, color="#1d2330" if entry["significant"] else "#667")
    axis.set_title(f"What moves {survey.upper()}: mean {survey.upper()} with − without, 95 % CI", fontsize=10, pad=20)
    axis.set_xlabel(f"difference in {found['effect_unit']} (item passed / signal present, minus failed / absent)", fontsize=8)
    axis.tick_params(axis="y", labelsize=8)
    axis.tick_params(axis="x", labelsize=8)
    axis.grid(axis="x", alpha=0.3)
    axis.legend(handles=[Patch(color=RAISES, label="raises it"), Patch(color=LOWERS, label="lowers it"), Patch(color=UNCLEAR, label="no clear effect")],
                fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)  # between the title and the bars
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _drivers_sentence(survey: str, found: dict[str, Any]) -> str:
    """The chart in one line: the clear effects, largest first, and how many drivers show none."""
    clear = [e for e in found["ranked"] if e["significant"]]
    decimals = 2 if survey == "csat" else 0
    named = ", ".join(f"{html.escape(e['driver'])} {e['effect']:+.{decimals}f}" for e in clear) or "none"
    return f"<b>{survey.upper()}</b>, clear effects, largest first: {named}. No clear effect: {len(found['ranked']) - len(clear)} other drivers."


def _drivers_section(drivers: dict[str, Any]) -> str:
    """Per survey: the chart of the ranked drivers and the list of those with too few answers."""
    parts = [
        "<h2>What moves satisfaction</h2><p class=note>For each grid item and customer signal: the mean survey answer of the "
        "contacts where the item passed (the signal was present) minus that where it failed (was absent), with its 95 % "
        "confidence interval; largest difference on top. Coloured bars are clear after Holm's correction for the number of "
        "drivers compared; grey ones cannot be told from no effect. These are differences between contacts, not proven causes: "
        "an agent who does one thing well often does others well too.</p>"
    ]
    for survey in SURVEYS:
        found = drivers[survey]
        if not found["answers"]:
            parts.append(f"<p class=note>{html.escape(survey.upper())}: {html.escape(found['note'])}.</p>")
            continue
        if found["ranked"]:
            parts.append(f"<p>{_drivers_sentence(survey, found)}</p><div class=charts>{_drivers_chart(survey, found)}</div>")
        else:
            parts.append(f"<p class=note>{html.escape(survey.upper())}: no driver has {drivers['min_contacts']} answers on each side yet ({found['answers']} answers).</p>")
        if found["too_few"]:
            listed = ", ".join(too_few_text(e) for e in found["too_few"])
            parts.append(f"<p class=note>{html.escape(survey.upper())}, not ranked (fewer than {drivers['min_contacts']} answers on a side): {html.escape(listed)}.</p>")
    return "".join(parts)


def _summary_tables(doc: dict[str, Any], sections: dict[str, tuple[str, ...]], settings: ReportSettings) -> str:
    """A table per section (service and quality; complaints, signals and sentiment where the results have them)."""
    out = []
    for section, names in sections.items():
        head = "<tr><th class=name>group</th><th>contacts</th><th>abandoned</th>" + "".join(f"<th>{html.escape(LABELS[n])}</th>" for n in names) + "</tr>"
        body = []
        for group in [*doc["groups"], doc["total"]]:
            name = key_label(group["key"]) if group["key"] else "<b>all</b>"
            cells = "".join(_cell(group["indicators"][n], n) for n in names)
            body.append(f"<tr><td class=name>{name if not group['key'] else html.escape(name)}</td><td>{group['contacts']}</td><td>{group['abandoned']}</td>{cells}</tr>")
        targets = "<tr><td class=name><i>target</i></td><td></td><td></td>" + "".join(f"<td><i>{html.escape(_target_text(settings.targets[n].model_dump(exclude_none=True)))}</i></td>" for n in names) + "</tr>"
        out.append(f"<h3>{html.escape(section)}</h3><table>{head}{''.join(body)}{targets}</table>")
    return "".join(out)


def _group_tables(report: Report, names: list[str]) -> str:
    """A table per group (agent, team…): the aggregates `names` and criterion means down, the periods across."""
    if not report.by:
        return ""
    sections: dict[str, dict[str, Any]] = {}
    for group in report.groups:
        key = dict(group.key)
        period = key.pop("period", None) or "all"
        sections.setdefault(key_label(key), {})[period] = group
    out = []
    for label, by_period in sections.items():
        periods = sorted(by_period)
        queue = next(iter(by_period.values())).key.get("queue")
        rows = []
        for name in names:
            cells = "".join(_cell(by_period[p].indicators(report.settings)[name], name) for p in periods)
            target = _target_text(report.settings.target_for(name, queue).model_dump(exclude_none=True))
            rows.append(f"<tr><td class=name>{html.escape(LABELS[name])}</td><td><i>{html.escape(target)}</i></td>{cells}</tr>")
        criteria = sorted({c for g in by_period.values() for c in g.criteria()})
        for criterion in criteria:
            cells = "".join(f"<td>{format_value(by_period[p].criteria().get(criterion, {}).get('mean'))}</td>" for p in periods)
            rows.append(f"<tr><td class=name>criterion: {html.escape(criterion)}</td><td></td>{cells}</tr>")
        means = {p: g.means() for p, g in by_period.items()}
        for name in sorted({n for m in means.values() for n in m}):
            cells = "".join(f"<td>{_mean_text(means[p].get(name, {}).get('mean'))}</td>" for p in periods)
            rows.append(f"<tr><td class=name>mean: {html.escape(name)}</td><td></td>{cells}</tr>")
        contacts = "".join(f"<td>{by_period[p].counts.get('contacts', 0)}</td>" for p in periods)
        head = "<tr><th class=name>indicator</th><th>target</th>" + "".join(f"<th>{html.escape(p)}</th>" for p in periods) + "</tr>"
        out.append(f"<h3>{html.escape(' · '.join(report.by))}: {html.escape(label)}</h3><table>{head}<tr><td class=name>contacts</td><td></td>{contacts}</tr>{''.join(rows)}</table>")
    return "<h2>Per group</h2>" + "".join(out)


def render_html(frame: pl.DataFrame, by: list[str], period: Period | None, settings: ReportSettings, title: str = "Contact centre report") -> str:
    """The whole page for the contacts of `frame` (from `results_frame`).

    Summary: one row per group over the whole range (a table per section); charts:
    quality and service level per period (`period`, default week) for each group and
    for all contacts, item pass rates as bars; what moves satisfaction (drivers.py);
    then a table per group, periods across.
    """
    summary = aggregate_frame(frame, by, None, settings, drivers=True)
    doc = summary.to_json()
    sections = sections_with_data(doc)
    report = aggregate_frame(frame, by, period or "week", settings)
    trend = aggregate_frame(frame, [], period or "week", settings)
    meta = (
        f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {summary.total.counts.get('contacts', 0)} contacts"
        f" · grouped by {', '.join(by) or 'nothing'}, per {period or 'week'}"
        f" · service level: answered within {settings.service_level_s:g} s ÷ offered (abandons after {settings.short_abandon_s:g} s count as offered)"
        f" · e-mails answered within {settings.email_answer_s / 3600:g} h. Cells: value, then numerator / denominator;"
        " green: target met, red: missed."
    )
    charts = (
        _line_chart("Quality average over time", "quality_avg", report, trend)
        + _line_chart("Service level % over time", "service_level", report, trend)
        + _bars_chart(summary)
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class=meta>{html.escape(meta)}</p>"
        f"<h2>Summary</h2>{_summary_tables(doc, sections, settings)}<h2>Trends</h2><div class=charts>{charts}</div>"
        f"{_drivers_section(doc['drivers'])}{_group_tables(report, [n for names in sections.values() for n in names])}</body></html>\n"
    )
