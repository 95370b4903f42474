"""What the HTML report and the terminal tables of `qualicall report` say, in French or English.

`ReportWords(language, rubrics)` gives the headings, notes and units (`words("summary")`), the
aggregates' headings, the criteria and items by their rubric labels (qualicall.scorer.labels), and
numbers, periods and dates as the language writes them (qualicall.core.locale): « 45,0 », « 85 % »,
« sem. 45 (2026) », « 03/12/2026 21:30 » in French. The English report keeps the words, numbers and
period keys it always had. CSV and JSON are not worded: their keys are the public contract.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qualicall.core import locale
from qualicall.reports.aggregate import AGGREGATE_LABELS
from qualicall.scorer import labels
from qualicall.scorer.reasons import TERMS
from qualicall.scorer.rubric import Target

if TYPE_CHECKING:
    from qualicall.scorer.rubric import Rubric

# The language of a report nobody chose one for, when its results do not say either (see `report_language`).
DEFAULT_LANGUAGE = "fr"

# The value a text's `_one` form is chosen by.
PLURAL_OF = {"meta": "contacts", "drivers_sentence": "others"}

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("Rapport du centre de contacts", "Contact centre report"),
    "section_service": ("Service et qualité", "Service and quality"),
    "section_customers": ("Réclamations, signaux et sentiment", "Complaints, signals and sentiment"),
    "summary": ("Synthèse", "Summary"),
    "trends": ("Évolution", "Trends"),
    "per_group": ("Par groupe", "Per group"),
    "group": ("groupe", "group"),
    "contacts": ("contacts", "contacts"),
    "abandoned": ("abandonnés", "abandoned"),
    "abandoned_short": ("aband.", "aband."),
    "target": ("cible", "target"),
    "indicator": ("indicateur", "indicator"),
    "all": ("ensemble", "all"),
    "total": ("total", "total"),
    "criterion": ("critère : {name}", "criterion: {name}"),
    "mean": ("moyenne : {name}", "mean: {name}"),
    "group_title": ("{by} : {group}", "{by}: {group}"),
    "meta": (
        "Édité le {when} UTC · {contacts} contacts · {grouped}, par {period} · niveau de service : décrochés en "
        "{service_level} s au plus ÷ présentés (les abandons après {short_abandon} s comptent comme présentés) · e-mails "
        "ayant reçu une réponse sous {email} h. Cellules : la valeur, puis numérateur / dénominateur ; vert : cible atteinte, rouge : manquée.",
        "Generated {when} UTC · {contacts} contacts · {grouped}, per {period} · service level: answered within "
        "{service_level} s ÷ offered (abandons after {short_abandon} s count as offered) · e-mails answered within {email} h. "
        "Cells: value, then numerator / denominator; green: target met, red: missed.",
    ),
    "meta_one": (
        "Édité le {when} UTC · {contacts} contact · {grouped}, par {period} · niveau de service : décrochés en "
        "{service_level} s au plus ÷ présentés (les abandons après {short_abandon} s comptent comme présentés) · e-mails "
        "ayant reçu une réponse sous {email} h. Cellules : la valeur, puis numérateur / dénominateur ; vert : cible atteinte, rouge : manquée.",
        "Generated {when} UTC · {contacts} contact · {grouped}, per {period} · service level: answered within "
        "{service_level} s ÷ offered (abandons after {short_abandon} s count as offered) · e-mails answered within {email} h. "
        "Cells: value, then numerator / denominator; green: target met, red: missed.",
    ),
    "grouped_by": ("regroupés par {by}", "grouped by {by}"),
    "not_grouped": ("sans regroupement", "not grouped"),
    "table_title": ("{section}{grouping}", "{section}{grouping}"),
    "by_groups": (" par {by}", " by {by}"),
    "per_period": (", par {period}", ", per {period}"),
    # charts
    "chart_quality": ("Qualité moyenne dans le temps", "Quality average over time"),
    "chart_service_level": ("Niveau de service (%) dans le temps", "Service level % over time"),
    "chart_target": (" (cible {target})", " (target {target})"),
    "no_data": ("pas de données", "no data"),
    "chart_items": ("Taux de conformité par item de la grille (tous les contacts)", "Pass rate per grid item (all contacts)"),
    # what moves satisfaction
    "drivers_title": ("Ce qui fait la satisfaction", "What moves satisfaction"),
    "drivers_intro": (
        "Pour chaque item de la grille et chaque signal du client : la réponse moyenne à l'enquête des contacts où l'item est "
        "conforme (le signal présent) moins celle des contacts où il ne l'est pas (le signal absent), avec son intervalle de "
        "confiance à 95 % ; le plus grand écart en haut. Les barres colorées restent significatives après la correction de Holm pour le "
        "nombre de facteurs comparés ; les grises ne se distinguent pas d'une absence d'effet. Ce sont des écarts entre contacts, "
        "non des causes prouvées : un agent qui fait bien une chose en fait souvent bien d'autres.",
        "For each grid item and customer signal: the mean survey answer of the contacts where the item passed (the signal was "
        "present) minus that where it failed (was absent), with its 95 % confidence interval; largest difference on top. "
        "Coloured bars are clear after Holm's correction for the number of drivers compared; grey ones cannot be told from no "
        "effect. These are differences between contacts, not proven causes: an agent who does one thing well often does others well too.",
    ),
    "drivers_sentence": (
        "<b>{survey}</b>, effets significatifs, du plus fort au plus faible : {named}. Sans effet significatif : {others} autres facteurs.",
        "<b>{survey}</b>, clear effects, largest first: {named}. No clear effect: {others} other drivers.",
    ),
    "drivers_sentence_one": (
        "<b>{survey}</b>, effets significatifs, du plus fort au plus faible : {named}. Sans effet significatif : {others} autre facteur.",
        "<b>{survey}</b>, clear effects, largest first: {named}. No clear effect: {others} other driver.",
    ),
    "none": ("aucun", "none"),
    "no_answers": ("aucun contact traité ne porte de réponse {survey} : rien à comparer", "no handled contact carries a {survey} answer: nothing to compare"),
    "no_ranked": (
        "{survey} : aucun facteur n'a encore {min} réponses de chaque côté ({answers} réponses).",
        "{survey}: no driver has {min} answers on each side yet ({answers} answers).",
    ),
    "not_ranked": ("{survey}, non classés (moins de {min} réponses d'un côté) : {listed}.", "{survey}, not ranked (fewer than {min} answers on a side): {listed}."),
    "not_ranked_table": ("Non classés (moins de {min} réponses d'un côté) : {listed}", "Not ranked (fewer than {min} answers on a side): {listed}"),
    "drivers_chart_title": ("Ce qui fait bouger le {survey} : {survey} moyen avec − sans, IC à 95 %", "What moves {survey}: mean {survey} with − without, 95 % CI"),
    "drivers_chart_axis": (
        "écart en {unit} (item conforme / signal présent, moins non conforme / absent)",
        "difference in {unit} (item passed / signal present, minus failed / absent)",
    ),
    "drivers_table_title": (
        "Ce qui fait bouger le {survey} : moyenne avec − sans, en {unit}, IC à 95 % ({answers} réponses)",
        "What moves {survey}: mean with − without, in {unit}, 95 % CI ({answers} answers)",
    ),
    "drivers_note": ("Facteurs du {survey} : {note}", "{survey} drivers: {note}"),
    "unit_csat": ("points de CSAT (échelle 1–5)", "CSAT points (1–5 scale)"),
    "unit_nps": ("points de NPS (−100 à 100)", "NPS points (−100 to 100)"),
    "raises": ("le fait monter", "raises it"),
    "lowers": ("le fait baisser", "lowers it"),
    "unclear": ("pas d'effet significatif", "no clear effect"),
    "signal_suffix": (" (signal)", " (signal)"),
    "col_rank": ("#", "#"),
    "col_driver": ("facteur", "driver"),
    "col_with": ("avec", "with"),
    "col_without": ("sans", "without"),
    "col_mean": ("moyenne", "mean"),
    "col_effect": ("effet", "effect"),
    "col_ci": ("IC à 95 %", "95 % CI"),
    "col_significant": ("significatif", "significant"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    # the sides of a driver (drivers.py KINDS)
    "side_passed": ("conforme", "passed"),
    "side_failed": ("non conforme", "failed"),
    "side_present": ("avec", "present"),
    "side_absent": ("sans", "absent"),
    # groupings and periods
    "by_agent": ("agent", "agent"),
    "by_team": ("équipe", "team"),
    "by_queue": ("file", "queue"),
    "by_channel": ("canal", "channel"),
    "by_language": ("langue", "language"),
    "period_day": ("jour", "day"),
    "period_week": ("semaine", "week"),
    "period_month": ("mois", "month"),
}
# Sentiment runs from -1 to 1: one decimal would hide most of a shift.
DECIMALS = {"sentiment_end_avg": 2, "sentiment_shift_avg": 2}


def report_language(requested: Iterable[str | None], results_languages: Iterable[str | None]) -> str:
    """The language of a report: the first of `requested` that is French or English (`--lang`, `lang=`, the
    browser's, the rubric's), else the language most of the results are in (French on a tie), else French."""
    for language in requested:
        if language in locale.LANGUAGES:
            return language  # type: ignore[return-value]
    counts = Counter(language for language in results_languages if language in locale.LANGUAGES)
    if not counts:
        return DEFAULT_LANGUAGE
    return max(locale.LANGUAGES, key=lambda language: (counts[language], language == DEFAULT_LANGUAGE))


class ReportWords:
    """`words("key", name=…)` for the report's sentences; labels, numbers and periods in one language."""

    def __init__(self, language: str, rubrics: Sequence["Rubric"] = ()) -> None:
        self.language = language if language in locale.LANGUAGES else "en"
        self.french = self.language == "fr"
        self._index = labels.language_index(self.language)
        self.rubrics = list(rubrics)
        # Criteria and indicators in the grid's order: the per-group rows were by id (« Prise de congé » first).
        self.order = labels.grid_order(self.rubrics)

    def __call__(self, key: str, **values: object) -> str:
        """`key`'s text with `values`; its `_one` form where it has one and the value it counts (PLURAL_OF) is 1 (0 too, in
        French): « 1 contact », « 1 autre facteur »."""
        count = values.get(PLURAL_OF.get(key, ""))
        if isinstance(count, int) and f"{key}_one" in STRINGS and (count in (0, 1) if self.french else count == 1):
            key = f"{key}_one"
        text = STRINGS[key][self._index]
        # A count in a sentence grouped as the tables write it (« 1 785 contacts »).
        return text.format(**{name: self.exact(value) if isinstance(value, int) and not isinstance(value, bool) else value for name, value in values.items()}) if values else text

    def aggregate(self, name: str) -> str:
        return AGGREGATE_LABELS[name][self._index]

    def section(self, section_id: str) -> str:
        return self(f"section_{section_id}")

    def label(self, key: str) -> str:
        """A criterion, an item or an indicator by its rubric label (`greeting.salutation` → « Salutation »)."""
        return labels.label(key, self.language, self.rubrics)

    def driver(self, entry: dict[str, Any], marked: bool = False) -> str:
        """A driver of satisfaction: an item by its label, a signal by its name (`marked`: followed by « (signal) »)."""
        if entry["kind"] != "signal":
            return self.label(entry["driver"])
        found = TERMS["signal"].get(entry["driver"])
        name = found[self._index] if found else entry["driver"].replace("_", " ")
        return name[:1].upper() + name[1:] + (self("signal_suffix") if marked else "")

    def side(self, entry: dict[str, Any], side: str) -> str:
        """« conforme 1860 », "failed 627": one side of a driver with its count of answers."""
        return f"{self('side_' + entry['sides'][side])} {self.exact(entry[side]['n'])}"

    def too_few(self, entry: dict[str, Any]) -> str:
        return f"{self.driver(entry)} ({self.side(entry, 'with')} / {self.side(entry, 'without')})"

    def unit(self, survey: str) -> str:
        return self(f"unit_{survey}")

    def grouping(self, by: Sequence[str]) -> str:
        return ", ".join(self(f"by_{name}") for name in by)

    def grouped(self, by: Sequence[str]) -> str:
        """« regroupés par équipe, par agent », or « sans regroupement » (it said « regroupés par rien »)."""
        return self("grouped_by", by=self.grouping(by)) if by else self("not_grouped")

    def period_name(self, period: str) -> str:
        return self(f"period_{period}")

    def period(self, key: str | None) -> str:
        """A period key ("2026-W45") as a column heading: « sem. 45 (2026) » in French, the key itself in English; "—"
        for contacts without a date."""
        if key is None:
            return "—"
        return locale.period(key, "fr") if self.french else key

    def group(self, key: dict[str, str | None]) -> str:
        """A group's name: its key's values (« A · Q1 »), "—" for a missing one, « ensemble » for no key."""
        return " · ".join("—" if v is None else str(v) for v in key.values()) or self("all")

    def decimal(self, text: str) -> str:
        return locale.decimal(text, self.language)

    def number(self, value: float | None, spec: str = ".1f") -> str:
        """`format(value, spec)` with the language's decimal mark, and in French its minus sign (« −1,28 »); "—" for none."""
        if value is None:
            return "—"
        return self._signed(locale.formatted(value, spec, self.language) if spec.endswith("%") else locale.grouped(format(value, spec), self.language))

    def _signed(self, text: str) -> str:
        """French's minus sign (« −1,28 ») for the hyphen Python writes."""
        return "−" + text[1:] if self.french and text.startswith("-") else text

    def value(self, value: float | None, name: str = "", target: dict[str, float] | None = None) -> str:
        """An aggregate's value: one decimal, two for sentiment; more where fewer would put it on the other side of its
        `target` (a service level of 79.96 % read « 80,0 », in red, against « ≥ 80 »)."""
        digits = DECIMALS.get(name, 1)
        if value is not None and target:
            goal = Target.model_validate(target)
            while digits < DECIMALS.get(name, 1) + 3 and goal.met(round(value, digits)) != goal.met(value):
                digits += 1
        return self.number(value, f".{digits}f")

    def exact(self, value: float) -> str:
        """A number as it is, with no exponent, its thousands grouped (a numerator of 1 654 278 read « 1,65428e+06 »); an
        integer exactly, a float to its shortest repr."""
        if isinstance(value, int):
            text = str(value)
        else:
            text = repr(float(value) + 0.0)  # (+ 0.0: no « −0 »)
            if "e" in text:
                text = format(value, "f").rstrip("0").rstrip(".")
            elif text.endswith(".0"):
                text = text[:-2]
        return self._signed(locale.grouped(text, self.language))

    def percent(self, value: float, digits: int = 0) -> str:
        """A value already in percent (85.2) as « 85 % » (a narrow no-break space in French), "85 %"."""
        return self.number(value, f".{digits}f") + ("\u202f%" if self.french else " %")

    def now(self, moment: datetime) -> str:
        return locale.moment(moment.isoformat(), self.language)
