"""What most needs a human: the review queue's order (pure functions).

A coach's time goes first to the calls where the machine is most likely to be
wrong or the agent most likely to need help:
- a low overall (or quality) score;
- a transcript the speech recogniser was unsure of (low ASR confidence);
- a speaker attribution it was unsure of (low role confidence: on a mono
  call, "who is the agent" was guessed);
- items whose measure sits near its threshold (a readability of 59 against
  a minimum of 60 is a coin toss), unless a coach has ruled on the item.
An abandoned contact has no conversation to review: its overall score is its
wait's alone, and does not rank it (a coach's review: four of the first eight
calls of a month's queue were abandoned ones, every item « sans objet »).
Each part is 0–1; the priority is their weighted sum, with the reasons that
made it, so that the queue can say *why* a call is near the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qualicall.core.scores import recorded_verdicts

WEIGHTS = {"low_score": 0.45, "asr_confidence": 0.2, "role_confidence": 0.2, "near_threshold": 0.15}
# The score part is 0 at or above GOOD_SCORE and 1 at or below GOOD_SCORE − SCORE_SPAN: a 95 and a 99
# need no human, a 40 and a 20 both do.
GOOD_SCORE, SCORE_SPAN = 90.0, 50.0
# A measure within this relative distance of its threshold is "near" it.
NEAR = 0.15
# A part below this does not make it into the reasons shown to the coach.
REASON_FLOOR = 0.25

# Measures whose threshold is not named min_<measure> / max_<measure> in the rubric.
THRESHOLD_ALIASES = {"flesch": "min_score", "mean_sentence_words": "max_sentence_words", "longest_sentence_words": "max_run_words"}


@dataclass
class Margin:
    """How far one item's measure is from its threshold (0 = on it)."""

    item: str
    measure: str
    value: float
    threshold: float
    bound: str  # "min" | "max"
    relative: float


@dataclass
class Priority:
    value: float
    parts: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    asr_confidence: float | None = None
    role_confidence: float | None = None
    near: list[Margin] = field(default_factory=list)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def item_margins(result: dict) -> list[Margin]:
    """Every (item, measure) of a result that has a threshold in the rubric, with its distance."""
    thresholds = ((result.get("rubric") or {}).get("thresholds") or {}).get("items") or {}
    margins: list[Margin] = []
    for criterion_id, criterion in (result.get("criteria") or {}).items():
        for item_id, item in (criterion.get("items") or {}).items():
            key = f"{criterion_id}.{item_id}"
            limits = thresholds.get(key) or {}
            if item.get("status") == "not_applicable":
                continue
            for measure, raw in (item.get("measures") or {}).items():
                value = _number(raw)
                if value is None:
                    continue
                names = [THRESHOLD_ALIASES.get(measure)] + [f"min_{measure}", f"max_{measure}"]
                for name in filter(None, names):
                    threshold = _number(limits.get(name))
                    if threshold is None:
                        continue
                    if threshold == 0 and value == 0:
                        break  # none counted where none is allowed (familiar words): as far from failing as can be, no coin toss
                    scale = abs(threshold) or 1.0
                    margins.append(Margin(key, measure, value, threshold, name[:3], abs(value - threshold) / scale))
                    break
    return margins


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def asr_confidence(interaction: dict) -> float | None:
    """The recogniser's confidence in this transcript, 0–1 (None for typed chats).

    Taken from the interaction's `asr_confidence` if the audio pipeline set
    it, else the mean of the turns' `confidence`, else of the words' `probability`.
    """
    value = _number(interaction.get("asr_confidence"))
    if value is not None:
        return value
    turns = interaction.get("turns") or []
    value = _mean(c for t in turns if (c := _number(t.get("confidence"))) is not None)
    if value is not None:
        return value
    return _mean(p for t in turns for w in (t.get("words") or []) if (p := _number(w.get("probability"))) is not None)


def role_confidence(interaction: dict, result: dict | None = None) -> float | None:
    """Confidence that the agent/customer attribution is right (mono calls), 0–1."""
    for source in (interaction, result or {}):
        value = _number(source.get("role_confidence"))
        if value is None and isinstance(source.get("roles"), dict):
            value = _number(source["roles"].get("confidence"))
        if value is not None:
            return value
    return None


def role_review(interaction: dict, result: dict | None = None) -> bool:
    """Whether the speaker attribution was flagged for a coach's check (audio pipeline: a low-confidence decision)."""
    return any(isinstance(source.get("roles"), dict) and source["roles"].get("review") is True for source in (interaction, result or {}))


def review_priority(interaction: dict, result: dict | None) -> Priority:
    """How much this interaction needs a human, 0–1, and why."""
    parts: dict[str, float] = {}
    score = None
    if result and not result.get("abandoned"):
        score = _number(result.get("overall_score"))
        if score is None:
            score = _number(result.get("quality_score"))
    if score is not None:
        parts["low_score"] = max(0.0, min(1.0, (GOOD_SCORE - score) / SCORE_SPAN))
    asr = asr_confidence(interaction)
    if asr is not None:
        parts["asr_confidence"] = max(0.0, min(1.0, 1.0 - asr))
    role = role_confidence(interaction, result)
    if role is not None:
        # A decision the pipeline flagged for review (roles.review) counts in full: its reason is always shown.
        parts["role_confidence"] = 1.0 if role_review(interaction, result) else max(0.0, min(1.0, 1.0 - role))
    ruled = recorded_verdicts(result or {})
    near = sorted((m for m in item_margins(result or {}) if m.relative <= NEAR and m.item not in ruled), key=lambda m: m.relative)
    if near:
        parts["near_threshold"] = 1.0 - near[0].relative / NEAR
    value = sum(WEIGHTS[name] * part for name, part in parts.items())
    reasons = [name for name, part in sorted(parts.items(), key=lambda kv: -WEIGHTS[kv[0]] * kv[1]) if part >= REASON_FLOOR]
    return Priority(round(value, 4), parts, reasons, asr, role, near)


def failed_items(result: dict | None) -> list[str]:
    """The "criterion.item" keys of the failed items of a result."""
    return [
        f"{criterion_id}.{item_id}"
        for criterion_id, criterion in ((result or {}).get("criteria") or {}).items()
        for item_id, item in (criterion.get("items") or {}).items()
        if item.get("status") == "failed"
    ]
