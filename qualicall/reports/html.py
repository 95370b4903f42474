"""The HTML report: one self-contained file (inline CSS, charts as inline SVG) that a manager can mail,
in French or English (words.py): headings, labels, numbers, periods and dates, the charts' too."""

from __future__ import annotations

import html
import io
from datetime import datetime, timezone
from typing import Any

import polars as pl

from qualicall.core.locale import in_hours_if_long
from qualicall.reports.aggregate import Period, Report, aggregate_frame
from qualicall.reports.drivers import SURVEYS
from qualicall.reports.render import sections_with_data
from qualicall.reports.words import ReportWords
from qualicall.scorer.rubric import ReportSettings

MAX_LINES = 8  # groups drawn in a chart besides the total; more would be unreadable

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;max-width:1600px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}.wide{overflow-x:auto}
th,td{border:1px solid #d8dbe3;padding:.25rem .5rem;text-align:right}th{background:#f1f3f7}
td.name,th.name{text-align:left}td.ok{background:#d9f2dd;color:#135c24}td.ko{background:#f9dcdc;color:#8a1c1c}
small{color:#667}.charts svg{max-width:100%;height:auto}.meta{color:#556;font-size:.85rem}
h3{font-size:1rem;margin:1rem 0 .2rem}.note{color:#556;font-size:.85rem;max-width:75ch}
"""
# Drivers chart: raises satisfaction, lowers it (both significant after Holm's correction), no clear effect.
RAISES, LOWERS, UNCLEAR = "#2e8b57", "#c0392b", "#b0b4bd"


def _target_text(target: dict[str, float], words: ReportWords) -> str:
    if "min" in target and "max" in target:
        return f"{words.exact(target['min'])}–{words.exact(target['max'])}"
    signs = {"min": "≥", "above": ">", "max": "≤", "below": "<"}
    return ", ".join(f"{sign} {words.exact(target[bound])}" for bound, sign in signs.items() if bound in target)


def _cell(entry: dict[str, Any], name: str, words: ReportWords) -> str:
    css = {True: "ok", False: "ko"}.get(entry["met"], "")
    title = f"{words.exact(entry['numerator'])} / {words.exact(entry['denominator'])}"
    shown = words.value(entry["value"], name, entry.get("target"))
    return f'<td class="{css}" title="{html.escape(title)}">{shown}<br><small>{html.escape(title)}</small></td>'


def _in_hours_if_long(name: str, label: str, values: list[float | None]) -> tuple[str, list[float | None]]:
    """A row of means in seconds as hours where one is long (`in_hours_if_long`), its label saying so; else as it is."""
    hours = in_hours_if_long(name, values)
    if hours is None:
        return label, values
    return (label.replace("(s)", "(h)") if "(s)" in label else f"{label} (h)"), hours


def _mean_text(value: float | None, words: ReportWords) -> str:
    return words.number(value, ".3g" if value is None or abs(value) < 10 else ".1f")


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue: the SVG sits inside the HTML


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    # The charts' texts hold the data's own names (an agent's id may be "A$^$"): drawn as written, never read as TeX.
    matplotlib.rcParams["text.parse_math"] = False
    from matplotlib import pyplot as plt

    return plt


def _decimal_ticks(scale: Any, words: ReportWords) -> None:
    """The tick labels of an axis of numbers written as the language writes them (« −0,5 »)."""
    from matplotlib.ticker import FuncFormatter

    scale.set_major_formatter(FuncFormatter(lambda value, _: words.decimal(f"{value:g}").replace("-", "−")))


def _series(report: Report, name: str, words: ReportWords) -> dict[str, dict[str, float]]:
    """Per group (without the period) the aggregate's value per period."""
    lines: dict[str, dict[str, float]] = {}
    for group in report.groups:
        key = dict(group.key)
        period = key.pop("period", None)
        value = group.indicators(report.settings)[name]["value"]
        if period is not None and value is not None:
            lines.setdefault(words.group(key), {})[period] = value
    return lines


def _line_chart(title: str, name: str, report: Report, trend: Report, words: ReportWords) -> str:
    plt = _pyplot()
    total = _series(trend, name, words).get(words("all"), {})
    periods = sorted({p for line in _series(report, name, words).values() for p in line} | set(total))
    position = {p: i for i, p in enumerate(periods)}  # periods in order on the axis, named in the language
    figure, axis = plt.subplots(figsize=(7.5, 3.2))
    groups = list(_series(report, name, words).items()) if report.by else []
    for label, line in groups[:MAX_LINES]:
        xs = [p for p in periods if p in line]
        axis.plot([position[p] for p in xs], [line[p] for p in xs], marker="o", linewidth=1, alpha=0.7, label=label)
    if total:
        xs = [p for p in periods if p in total]
        axis.plot([position[p] for p in xs], [total[p] for p in xs], color="black", linewidth=2.5, marker="o", label=words("all"))
    target = report.settings.targets[name]
    for bound in (target.min, target.above, target.max, target.below):
        if bound is not None:
            axis.axhline(bound, color="#c0392b", linestyle="--", linewidth=1)
    axis.set_title(title + words("chart_target", target=_target_text(target.model_dump(exclude_none=True), words)))
    axis.set_ylim(0, 105)
    axis.set_xticks(range(len(periods)), [words.period(p) for p in periods])
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.grid(alpha=0.3)
    if groups or total:
        axis.legend(fontsize=7, loc="lower left", ncol=3)
    else:
        axis.text(0.5, 0.5, words("no_data"), ha="center", va="center", transform=axis.transAxes)
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _bars_chart(report: Report, words: ReportWords) -> str:
    plt = _pyplot()
    items = {name: entry["pass_rate"] for name, entry in report.total.items().items() if entry["pass_rate"] is not None}
    figure, axis = plt.subplots(figsize=(7.5, 0.3 * max(3, len(items)) + 1))
    names = list(items)[::-1]
    rates = [items[n] for n in names]
    colours = ["#2e8b57" if r >= 85 else "#d98c1f" if r >= 60 else "#c0392b" for r in rates]
    axis.barh(range(len(names)), rates, color=colours)
    from matplotlib.patches import Patch

    # What each colour means (orange said nothing to a reader without it).
    axis.legend(handles=[Patch(color="#2e8b57", label=f"≥ {words.percent(85)}"), Patch(color="#d98c1f", label=f"{words.percent(60)} – {words.percent(85)}"),
                         Patch(color="#c0392b", label=f"< {words.percent(60)}")], fontsize=7, loc="lower right")
    axis.set_yticks(range(len(names)), [words.label(n) for n in names])
    for y, rate in enumerate(rates):
        axis.text(rate + 1, y, words.percent(rate), va="center", fontsize=7)
    axis.set_xlim(0, 110)
    axis.set_title(words("chart_items"))
    axis.tick_params(axis="y", labelsize=8)
    axis.grid(axis="x", alpha=0.3)
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _effect(entry: dict[str, Any], survey: str, words: ReportWords) -> str:
    """A driver's effect, signed: « −1,31 » for CSAT, « +12 » for NPS."""
    return words.number(entry["effect"], "+.2f" if survey == "csat" else "+.0f")


def _drivers_chart(survey: str, found: dict[str, Any], words: ReportWords) -> str:
    """The ranked drivers as horizontal bars (largest effect on top) with their 95 % intervals, coloured by
    whether they significantly raise or lower satisfaction, each labelled with its effect and counts."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    ranked = found["ranked"][::-1]  # barh draws from the bottom
    effects = [e["effect"] for e in ranked]
    lows, highs = [e["ci95"][0] for e in ranked], [e["ci95"][1] for e in ranked]
    colours = [(RAISES if e["effect"] > 0 else LOWERS) if e["significant"] else UNCLEAR for e in ranked]
    figure, axis = plt.subplots(figsize=(7.5, 0.3 * len(ranked) + 1.4))
    axis.barh(range(len(ranked)), effects, color=colours, height=0.65)
    axis.set_yticks(range(len(ranked)), [words.driver(e, marked=True) for e in ranked])
    axis.errorbar(effects, range(len(ranked)), xerr=[[e - lo for e, lo in zip(effects, lows)], [hi - e for e, hi in zip(effects, highs)]],
                  fmt="none", ecolor="#1d2330", elinewidth=0.9, capsize=2.5)
    axis.axvline(0, color="#1d2330", linewidth=0.8)
    span = max(max(highs), 0) - min(min(lows), 0) or 1.0
    axis.set_xlim(min(min(lows), 0) - 0.05 * span, max(max(highs), 0) + 0.42 * span)  # room for the labels on the right
    _decimal_ticks(axis.xaxis, words)
    for y, entry in enumerate(ranked):
        label = f"{_effect(entry, survey, words)}  ({words.side(entry, 'with')} / {words.side(entry, 'without')})"
        axis.text(max(entry["ci95"][1], 0) + 0.02 * span, y, label, va="center", fontsize=7, color="#1d2330" if entry["significant"] else "#667")
    axis.set_title(words("drivers_chart_title", survey=survey.upper()), fontsize=10, pad=20)
    axis.set_xlabel(words("drivers_chart_axis", unit=words.unit(survey)), fontsize=8)
    axis.tick_params(axis="y", labelsize=8)
    axis.tick_params(axis="x", labelsize=8)
    axis.grid(axis="x", alpha=0.3)
    axis.legend(handles=[Patch(color=RAISES, label=words("raises")), Patch(color=LOWERS, label=words("lowers")), Patch(color=UNCLEAR, label=words("unclear"))],
                fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)  # between the title and the bars
    svg = _svg(figure)
    plt.close(figure)
    return svg


def _drivers_sentence(survey: str, found: dict[str, Any], words: ReportWords) -> str:
    """The chart in one line: the clear effects, largest first, and how many drivers show none."""
    clear = [e for e in found["ranked"] if e["significant"]]
    named = ", ".join(f"{html.escape(words.driver(e))} {_effect(e, survey, words)}" for e in clear) or words("none")
    return words("drivers_sentence", survey=survey.upper(), named=named, others=len(found["ranked"]) - len(clear))


def _drivers_section(drivers: dict[str, Any], words: ReportWords) -> str:
    """Per survey: the chart of the ranked drivers and the list of those with too few answers."""
    parts = [f"<h2>{html.escape(words('drivers_title'))}</h2><p class=note>{html.escape(words('drivers_intro'))}</p>"]
    minimum = drivers["min_contacts"]
    for survey in SURVEYS:
        found, name = drivers[survey], survey.upper()
        if not found["answers"]:
            parts.append(f"<p class=note>{html.escape(words('drivers_note', survey=name, note=words('no_answers', survey=name)))}.</p>")
            continue
        if found["ranked"]:
            parts.append(f"<p>{_drivers_sentence(survey, found, words)}</p><div class=charts>{_drivers_chart(survey, found, words)}</div>")
        else:
            parts.append(f"<p class=note>{html.escape(words('no_ranked', survey=name, min=minimum, answers=found['answers']))}</p>")
        if found["too_few"]:
            listed = ", ".join(words.too_few(e) for e in found["too_few"])
            parts.append(f"<p class=note>{html.escape(words('not_ranked', survey=name, min=minimum, listed=listed))}</p>")
    return "".join(parts)


def _summary_tables(doc: dict[str, Any], sections: dict[str, tuple[str, ...]], settings: ReportSettings, words: ReportWords) -> str:
    """A table per section (service and quality; complaints, signals and sentiment where the results have them)."""
    out = []
    for section, names in sections.items():
        head = (f"<tr><th class=name>{words('group')}</th><th>{words('contacts')}</th><th>{words('abandoned')}</th>"
                + "".join(f"<th>{html.escape(words.aggregate(n))}</th>" for n in names) + "</tr>")
        body = []
        for group in [*doc["groups"], doc["total"]]:
            name = html.escape(words.group(group["key"]))
            cells = "".join(_cell(group["indicators"][n], n, words) for n in names)
            body.append(f"<tr><td class=name>{name if group['key'] else f'<b>{name}</b>'}</td><td>{words.exact(group['contacts'])}</td><td>{words.exact(group['abandoned'])}</td>{cells}</tr>")
        targets = (f"<tr><td class=name><i>{words('target')}</i></td><td></td><td></td>"
                   + "".join(f"<td><i>{html.escape(_target_text(settings.targets[n].model_dump(exclude_none=True), words))}</i></td>" for n in names) + "</tr>")
        out.append(f"<h3>{html.escape(words.section(section))}</h3><div class=wide><table>{head}{''.join(body)}{targets}</table></div>")
    return "".join(out)


def _group_tables(report: Report, names: list[str], words: ReportWords) -> str:
    """A table per group (agent, team…): the aggregates `names` and criterion means down, the periods across."""
    if not report.by:
        return ""
    sections: dict[str, dict[str, Any]] = {}
    for group in report.groups:
        key = dict(group.key)
        period = key.pop("period", None) or "all"
        sections.setdefault(words.group(key), {})[period] = group
    out = []
    for label, by_period in sections.items():
        periods = sorted(by_period)
        queue = next(iter(by_period.values())).key.get("queue")
        rows = []
        for name in names:
            cells = "".join(_cell(by_period[p].indicators(report.settings)[name], name, words) for p in periods)
            target = _target_text(report.settings.target_for(name, queue).model_dump(exclude_none=True), words)
            rows.append(f"<tr><td class=name>{html.escape(words.aggregate(name))}</td><td><i>{html.escape(target)}</i></td>{cells}</tr>")
        criteria = sorted({c for g in by_period.values() for c in g.criteria()}, key=words.order)
        for criterion in criteria:
            cells = "".join(f"<td>{words.value(by_period[p].criteria().get(criterion, {}).get('mean'))}</td>" for p in periods)
            rows.append(f"<tr><td class=name>{html.escape(words('criterion', name=words.label(criterion)))}</td><td></td>{cells}</tr>")
        means = {p: g.means() for p, g in by_period.items()}
        for name in sorted({n for m in means.values() for n in m}, key=words.order):
            measure, values = _in_hours_if_long(name, words.label(name), [means[p].get(name, {}).get("mean") for p in periods])
            cells = "".join(f"<td>{_mean_text(value, words)}</td>" for value in values)
            rows.append(f"<tr><td class=name>{html.escape(words('mean', name=measure))}</td><td></td>{cells}</tr>")
        contacts = "".join(f"<td>{words.exact(by_period[p].counts.get('contacts', 0))}</td>" for p in periods)
        head = (f"<tr><th class=name>{words('indicator')}</th><th>{words('target')}</th>"
                + "".join(f"<th>{html.escape(words.period(p) if p != 'all' else words('all'))}</th>" for p in periods) + "</tr>")
        title = words("group_title", by=" · ".join(words(f"by_{name}") for name in report.by), group=label)
        out.append(f"<h3>{html.escape(title)}</h3><div class=wide><table>{head}<tr><td class=name>{words('contacts')}</td><td></td>{contacts}</tr>{''.join(rows)}</table></div>")
    return f"<h2>{words('per_group')}</h2>" + "".join(out)


def render_html(
    frame: pl.DataFrame, by: list[str], period: Period | None, settings: ReportSettings, title: str | None = None, words: ReportWords | None = None
) -> str:
    """The whole page for the contacts of `frame` (from `results_frame`), in the language of `words` (English by default).

    Summary: one row per group over the whole range (a table per section); charts:
    quality and service level per period (`period`, default week) for each group and
    for all contacts, item pass rates as bars; what moves satisfaction (drivers.py);
    then a table per group, periods across.
    """
    words = words or ReportWords("en")
    title = title or words("title")
    summary = aggregate_frame(frame, by, None, settings, drivers=True)
    doc = summary.to_json()
    sections = sections_with_data(doc)
    report = aggregate_frame(frame, by, period or "week", settings)
    trend = aggregate_frame(frame, [], period or "week", settings)
    meta = words(
        "meta", when=words.now(datetime.now(timezone.utc)), contacts=summary.total.counts.get("contacts", 0), grouped=words.grouped(by),
        period=words.period_name(period or "week"), service_level=words.number(settings.service_level_s, "g"),
        short_abandon=words.number(settings.short_abandon_s, "g"), email=words.number(settings.email_answer_s / 3600, "g"),
    )
    charts = (
        _line_chart(words("chart_quality"), "quality_avg", report, trend, words)
        + _line_chart(words("chart_service_level"), "service_level", report, trend, words)
        + _bars_chart(summary, words)
    )
    return (
        f"<!doctype html><html lang={words.language}><head><meta charset=utf-8><title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class=meta>{html.escape(meta)}</p>"
        f"<h2>{words('summary')}</h2>{_summary_tables(doc, sections, settings, words)}<h2>{words('trends')}</h2><div class=charts>{charts}</div>"
        f"{_drivers_section(doc['drivers'], words)}{_group_tables(report, [n for names in sections.values() for n in names], words)}</body></html>\n"
    )
