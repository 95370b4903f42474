"""What the pages show, built from an interaction, its result and its reviews (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from qualicall.api.web.i18n import Translator
from qualicall.api.web.priority import Margin, item_margins


def score_class(score: float | None) -> str:
    """The colour band of a score on the pages."""
    if score is None:
        return ""
    return "low" if score < 60 else "mid" if score < 80 else "high"


def clock(seconds: float | None) -> str:
    """12.5 → "0:12", 3725 → "1:02:05"."""
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class TurnView:
    index: int
    speaker: str
    role: str  # css class: agent | customer | other
    text: str
    start: float | None
    end: float | None
    clock: str


def transcript(interaction: dict) -> list[TurnView]:
    views = []
    for index, turn in enumerate(interaction.get("turns") or []):
        speaker = str(turn.get("speaker") or "")
        role = speaker if speaker in ("agent", "customer") else "other"
        start = turn.get("start")
        views.append(TurnView(index, speaker, role, str(turn.get("text") or ""), start, turn.get("end"), clock(start)))
    return views


@dataclass
class ItemView:
    key: str  # "criterion.item"
    label: str
    auto: str  # the machine's verdict
    coach: str | None  # the coach's verdict, if one was given
    effective: str  # the verdict of record
    reason: str
    evidence: list[dict[str, Any]]
    time: float | None  # where the audio should go when the item is clicked
    measures: list[tuple[str, Any, Margin | None]]
    reviewer: str | None = None
    comment: str | None = None

    @property
    def overridden(self) -> bool:
        return self.coach is not None and self.coach != self.auto


@dataclass
class CriterionView:
    id: str
    label: str
    score: float | None  # of record
    weight: float
    items: list[ItemView] = field(default_factory=list)
    machine_score: float | None = None  # the machine's, where a coach's verdict changed the score

    @property
    def changed(self) -> bool:
        return self.machine_score is not None and self.machine_score != self.score


def _evidence_time(evidence: list[dict[str, Any]], turns: list[dict]) -> float | None:
    for span in evidence:
        if span.get("time") is not None:
            return float(span["time"])
        turn = span.get("turn")
        if isinstance(turn, int) and 0 <= turn < len(turns) and turns[turn].get("start") is not None:
            return float(turns[turn]["start"])
    return None


def scorecard(interaction: dict, result: dict, latest: dict[str, dict], t: Translator) -> list[CriterionView]:
    """The criteria with their items, from the result of record (whose reviewed items carry the machine's
    verdict as `machine_status`); `latest` maps "criterion.item" to the last review of it, for its comment."""
    turns = interaction.get("turns") or []
    margins = {(m.item, m.measure): m for m in item_margins(result)}
    criteria = []
    for criterion_id, criterion in (result.get("criteria") or {}).items():
        view = CriterionView(criterion_id, t.label(criterion_id), criterion.get("score"), criterion.get("weight") or 0,
                             machine_score=criterion.get("machine_score"))
        for item_id, item in (criterion.get("items") or {}).items():
            key = f"{criterion_id}.{item_id}"
            review = latest.get(key)
            reviewed = "machine_status" in item
            evidence = list(item.get("evidence") or [])
            measures = [(name, value, margins.get((key, name))) for name, value in (item.get("measures") or {}).items()]
            view.items.append(
                ItemView(
                    key=key,
                    label=t.label(key, item.get("label")),
                    auto=item["machine_status"] if reviewed else item.get("status"),
                    coach=item.get("status") if reviewed else None,
                    effective=item.get("status"),
                    reason=t.reason(item),
                    evidence=evidence,
                    time=_evidence_time(evidence, turns),
                    measures=measures,
                    reviewer=item.get("reviewed_by"),
                    comment=review.get("comment") if review else None,
                )
            )
        criteria.append(view)
    return criteria


@dataclass
class IndicatorView:
    id: str
    label: str
    value: Any
    score: float | None
    source: str
    target: str


@lru_cache(maxsize=16)
def _rubric_indicators(rubric_id: str) -> dict[str, Any]:
    """The rubric's indicator targets, for display; {} when the rubric is not found here."""
    from qualicall.scorer.rubric import RubricError, load_rubric

    try:
        return dict(load_rubric(rubric_id).indicators)
    except (RubricError, OSError):
        return {}


def _target_text(spec: Any, t: Translator) -> str:
    if spec is None:
        return "—"
    if spec.kind == "band" and spec.band:
        return f"{t.number(spec.band[0], 2).rstrip('0').rstrip(',.')}–{t.number(spec.band[1], 2).rstrip('0').rstrip(',.')}"
    if spec.kind == "boolean":
        return "✓"
    if spec.target is None:
        return "—"
    fmt = lambda v: t.number(v, 2).rstrip("0").rstrip(",.")  # noqa: E731
    return f"{fmt(spec.target)} → {fmt(spec.limit)}"


def indicators(result: dict, t: Translator) -> list[IndicatorView]:
    specs = _rubric_indicators(str((result.get("rubric") or {}).get("id") or ""))
    rows = []
    for name, indicator in (result.get("indicators") or {}).items():
        value = indicator.get("value")
        if isinstance(value, bool):
            shown = "✓" if value else "✗"
        elif isinstance(value, float):
            shown = t.number(value, 2)
        else:
            shown = str(value)
        source = t("source_measured") if indicator.get("source") == "measured" else t("source_input")
        rows.append(IndicatorView(name, t.label(name), shown, indicator.get("score"), source, _target_text(specs.get(name), t)))
    return rows


def combination_text(result: dict, t: Translator) -> str:
    """How the overall score was made, in words: "Qualité 70 % + Opérationnel 30 %"."""
    combination = result.get("combination") or {}
    used = combination.get("used") or []
    weights = combination.get("weights") or {}
    if used == ["quality"] or (result.get("operational_score") is None and result.get("quality_score") is not None):
        return t("combination_quality_only")
    total = sum(float(weights.get(part) or 0) for part in used) or 1.0
    names = {"quality": t("quality_score"), "operational": t("operational_score")}
    parts = " + ".join(f"{names.get(p, p)} {t.percent(float(weights.get(p) or 0) / total)}" for p in used)
    return t("combined_as", parts=parts)


@dataclass
class SignalView:
    key: str  # "signal.complaint": an entry of the page's evidence data, like an item's
    name: str
    label: str
    confidence: float
    reason: str
    evidence: list[dict[str, Any]]
    time: float | None


SIGNAL_ORDER = ("complaint", "escalation_request", "churn_threat", "repeat_contact")


def signals(interaction: dict, result: dict, t: Translator) -> list[SignalView]:
    """The customer signals present in a result (complaints-and-satisfaction.md), with their evidence."""
    turns = interaction.get("turns") or []
    found = result.get("signals") or {}
    views = []
    for name in SIGNAL_ORDER:
        signal = found.get(name) if isinstance(found, dict) else None
        if not isinstance(signal, dict) or not signal.get("present"):
            continue
        evidence = list(signal.get("evidence") or [])
        views.append(SignalView(f"signal.{name}", name, t("signal_" + name), float(signal.get("confidence") or 0.0),
                                t.reason(signal), evidence, _evidence_time(evidence, turns)))
    return views


@dataclass
class CurvePoint:
    x: float
    y: float
    turn: int
    time: float | None
    label: str
    score: float


@dataclass
class SentimentCurve:
    """The customer's sentiment per turn as an inline SVG: x along the call (time, or turn order untimed), y the score."""

    width: int
    height: int
    path: str
    points: list[CurvePoint]
    zero: float  # y of the neutral line


def sentiment_curve(result: dict, width: int = 600, height: int = 80, pad: int = 6) -> SentimentCurve | None:
    turns = [t for t in ((result.get("sentiment") or {}).get("turns") or []) if isinstance(t, dict) and t.get("score") is not None]
    if not turns:
        return None
    timed = all(t.get("time") is not None for t in turns)
    positions = [float(t["time"]) if timed else float(i) for i, t in enumerate(turns)]
    low, high = min(positions), max(positions)
    span = (high - low) or 1.0

    def y(score: float) -> float:
        return round(pad + (1 - (score + 1) / 2) * (height - 2 * pad), 1)

    points = [
        CurvePoint(round(pad + (p - low) / span * (width - 2 * pad), 1) if len(turns) > 1 else width / 2, y(float(t["score"])),
                   int(t.get("turn", 0)), t.get("time"), str(t.get("label") or ""), float(t["score"]))
        for p, t in zip(positions, turns)
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    return SentimentCurve(width, height, path, points, y(0.0))
