"""What a reader is shown for a grid's criteria and items, the indicators and the verdicts, in French or English.

One place for the coach pages (qualicall.api.web.i18n), the reports (qualicall.reports.words) and the
terminal scorecard (qualicall.scorer.output). Criteria and items are labelled by the rubrics themselves
(`label: {fr: …, en: …}` in the YAML, the single source of their names); the indicators, which no rubric
defines, and the verdicts are labelled here. Pairs are (French, English), in `locale.LANGUAGES` order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qualicall.core import locale

if TYPE_CHECKING:
    from qualicall.scorer.rubric import Rubric

INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "wait_time_s": ("Attente (s)", "Wait (s)"),
    "ivr_time_s": ("Serveur vocal (s)", "IVR (s)"),
    "handle_time_s": ("Durée de traitement (s)", "Handle time (s)"),
    "hold_time_s": ("Mise en attente (s)", "Hold (s)"),
    "transfers": ("Transferts", "Transfers"),
    "resolved_first_contact": ("Résolu au 1er contact", "First-contact resolution"),
    "csat": ("Satisfaction (1–5)", "CSAT (1–5)"),
    # The answer to the survey's question, not the NPS it makes (−100 to 100): a trend of its mean read 6,2 beside an
    # NPS of −20 (a manager's review).
    "nps": ("Note de recommandation (0–10)", "Likelihood to recommend (0–10)"),
    "first_response_s": ("1re réponse (s)", "First response (s)"),
    "silence_ratio": ("Part de silence", "Silence ratio"),
    "longest_silence_s": ("Plus long silence (s)", "Longest silence (s)"),
    "overtalk_count": ("Chevauchements", "Overtalk"),
    "agent_talk_ratio": ("Part de parole agent", "Agent talk ratio"),
    "agent_speech_rate_wpm": ("Débit agent (mots/min)", "Agent speech rate (wpm)"),
    # the scores of a result, averaged by the reports like indicators
    "operational_score": ("Score opérationnel", "Operational score"),
    "overall_score": ("Score global", "Overall score"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "passed": ("conforme", "passed"),
    "failed": ("non conforme", "failed"),
    "not_applicable": ("sans objet", "not applicable"),
}


def grid_order(rubrics: Sequence["Rubric"]) -> Callable[[str], tuple[int, str]]:
    """A sort key putting criteria, items and indicators in the grid's order (the rubrics'), others after, by name."""
    positions = {key: index for index, key in enumerate(dict.fromkeys(k for rubric in rubrics for k in (*rubric.keys(), *rubric.indicators)))}
    return lambda key: (positions.get(key, len(positions)), key)


def label_rubrics(configured: str | None) -> list["Rubric"]:
    """The rubrics whose labels are shown: the deployment's own (`configured`: its `rubric` setting, a
    `--rubric` option) first, then every rubric known by id.

    One that does not load is left out: its criteria and items are then shown by id, and the
    commands that score with it report the rubric's problem.
    """
    from qualicall.scorer.rubric import RubricError, list_rubrics, load_rubric

    found = []
    for name in ([configured] if configured else []) + [str(path) for _, path in list_rubrics()]:
        try:
            found.append(load_rubric(name))
        except (RubricError, OSError):
            continue
    return found


def language_index(language: str) -> int:
    return locale.LANGUAGES.index(language if language in locale.LANGUAGES else "en")


def label(key: str, language: str, rubrics: Sequence["Rubric"], fallback: str | None = None) -> str:
    """A criterion (`greeting`), an item (`greeting.salutation`) or an indicator (`handle_time_s`) in
    `language`: from the first rubric that labels it, else the indicators' table, else `fallback`,
    else the id's last part in words."""
    for rubric in rubrics:
        found = rubric.label(key, language)
        if found:
            return found
    if key in INDICATOR_LABELS:
        return INDICATOR_LABELS[key][language_index(language)]
    return fallback or key.rsplit(".", 1)[-1].replace("_", " ")


def status(value: str | None, language: str) -> str:
    """A verdict in words (« non conforme », "failed"); "—" for none."""
    return STATUS_LABELS[value][language_index(language)] if value in STATUS_LABELS else "—"
