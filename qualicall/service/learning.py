"""`qualicall rubric learn --from-reviews`: the store's coach overrides taught to a rubric's banks (qualicall.scorer.learning).

The overrides are the verdicts of record: each item's latest coach verdict on a contact (a review made
in the workspace or through the API, or an agent's dispute upheld, which is such a review), compared
with the machine result that review judged. Only the overrides of results scored with the rubric
being taught count: a sentence judged by another grid says nothing about this one's banks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualicall.core.errors import InputError
from qualicall.scorer.learning import Lessons, Override, bumped_version, learned_rubric_text, lessons_from
from qualicall.scorer.rubric import Rubric, load_rubric, rubric_path
from qualicall.store.models import InteractionRow, ResultRow, ReviewRow


def overrides_by_rubric(session: Session) -> dict[tuple[str, str], list[Override]]:
    """Every item's latest coach verdict that differs from the machine's, by the (id, version) of the rubric that scored it."""
    latest: dict[tuple[str, str], ReviewRow] = {}
    for review in session.scalars(select(ReviewRow).where(ReviewRow.status.is_not(None), ReviewRow.item_id.is_not(None)).order_by(ReviewRow.id)):
        latest[review.interaction_id, f"{review.criterion_id}.{review.item_id}"] = review
    found: dict[tuple[str, str], list[Override]] = {}
    for (_, item), review in latest.items():
        result = session.get(ResultRow, review.result_id) if review.result_id is not None else None
        criterion_id, _, item_id = item.partition(".")
        machine = ((result.data.get("criteria") or {}).get(criterion_id, {}).get("items") or {}).get(item_id) if result else None
        if machine is None or machine.get("status") == review.status:
            continue
        row = session.get(InteractionRow, review.interaction_id)
        transcript = "\n".join(turn.get("text") or "" for turn in ((row.data or {}).get("turns") or [])) if row is not None else ""
        found.setdefault((result.rubric_id, result.rubric_version), []).append(
            Override(item, review.status, machine, review.comment, transcript, review.interaction_id))
    return found


@dataclass
class Learned:
    rubric: Rubric  # the rubric taught
    text: str  # the new version's YAML
    version: str
    lessons: Lessons
    overrides: int  # overrides read on this rubric


def learn_from_reviews(session: Session, rubric_ref: str | None) -> Learned:
    """The rubric (id or file; default: the one the overrides were made on) with the overrides' sentences in its banks.
    Refuses (InputError, one line) when there is nothing to learn or the overrides were made on another rubric."""
    by_rubric = overrides_by_rubric(session)
    if not by_rubric:
        raise InputError("nothing to learn: no coach verdict in the store differs from the machine's")
    made_on = ", ".join(f"{rubric_id} v{version} ({len(found)})" for (rubric_id, version), found in sorted(by_rubric.items()))
    if rubric_ref is None:
        if len(by_rubric) > 1:
            raise InputError(f"the overrides were made on several rubrics: {made_on}; choose one with --rubric")
        rubric_ref = next(iter(by_rubric))[0]
    rubric = load_rubric(rubric_ref)
    overrides = by_rubric.get((rubric.id, rubric.version))
    if not overrides:
        raise InputError(f"rubric {rubric.id} v{rubric.version} is not the one the reviews were made on: overrides on {made_on}")
    lessons = lessons_from(rubric, overrides)
    if not lessons.added():
        why = f"; {len(lessons.skipped)} sentence(s) already in the banks" if lessons.skipped else ""
        raise InputError(f"nothing to learn: none of the {len(overrides)} override(s) on {rubric.id} v{rubric.version} points at a sentence a bank does not hold{why}")
    text = learned_rubric_text(rubric_path(rubric_ref).read_text(encoding="utf-8"), rubric, lessons)
    return Learned(rubric, text, bumped_version(rubric.version), lessons, len(overrides))


def summary(learned: Learned) -> list[str]:
    """What was added, per bank, one sentence a line; then what was left out."""
    lines = [f"{learned.rubric.id} v{learned.rubric.version} → v{learned.version}: {learned.lessons.added()} example(s) from {learned.overrides} override(s)"]
    for bank, lesson in learned.lessons.banks.items():
        lines.append(f"bank {bank}: +{len(lesson.positive)} positive, +{len(lesson.negative)} negative")
        lines += [f"  + « {sentence} »" for sentence in lesson.positive]
        lines += [f"  - « {sentence} »" for sentence in lesson.negative]
    lines += [f"left out: {line}" for line in learned.lessons.skipped]
    return lines


def write_learned(learned: Learned, out: Path) -> None:
    """Write the new version whole or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(learned.text, encoding="utf-8")
    partial.replace(out)
