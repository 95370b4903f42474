"""Agents' disputes of their evaluations, and the coaches' resolutions.

An agent disputes one item of one of their contacts: its verdict of record (the machine's, or a coach's
where one gave it), the verdict they ask for instead, and why. A coach resolves it:
- upheld: the item gets the status the agent asked for, as the coach's review (the verdict of record:
  scores, queue, trends and reports move);
- rejected: the coach confirms the item's verdict of record as it is now (the disputed status, unless the call was
  scored again or reviewed since), as the coach's review too.
A dispute is upheld without a coach's answer when the item's verdict of record becomes the status asked for by other
means: a coach's override, or the machine scoring the call again (`qualicall.store.repository`).
Either way the review is what calibration compares with the machine's verdict, and the dispute keeps
the resolution, its comment, who and when, for the agent to read. One open dispute per item of a contact.

Comments arrive here already redacted (the service's redactor, as transcripts are): this module stores
what it is given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qualicall.core.errors import ConflictError, InputError, NotFoundError
from qualicall.core.interaction import text_problem
from qualicall.store.models import DisputeRow, InteractionRow, ReviewRow, utcnow
from qualicall.store.repository import ItemReview, Reviewer, add_reviews, as_utc, item_statuses, latest_result

STATUSES = ("passed", "failed", "not_applicable")
RESOLUTIONS = ("upheld", "rejected")
STATES = ("open", *RESOLUTIONS)


class UnknownItem(InputError):
    """No such item in the contact's result."""


class SameStatus(InputError):
    """The status asked for is the item's already (or not a status)."""


class AnsweredAlready(ConflictError):
    """The item's last dispute was rejected and its verdict of record has not changed since: the coach answered."""


def _comment(comment: str | None, what: str) -> str:
    text = (comment or "").strip()
    if not text:
        raise InputError(f"{what}: a comment is required")
    if (problem := text_problem(text)) is not None:
        raise InputError(f"{what}: {problem}")
    return text


def open_dispute(session: Session, row: InteractionRow, item: str, requested_status: str, comment: str, *,
                 agent_id: str, author: str, author_user_id: int | None = None) -> DisputeRow:
    """An agent's dispute of `item` ("criterion.item") of their contact `row`. InputError for another agent's
    contact, an unknown item, a status that is not another one than the item's of record, or no comment;
    ConflictError when the item has an open dispute of this agent already. Another agent's dispute (of a call moved
    from them since) neither blocks nor answers this one: an agent's review found a dispute the new agent could not see
    refusing theirs."""
    if row.agent_id != agent_id:
        raise NotFoundError(f"no contact {row.id!r} of agent {agent_id!r}")
    result = latest_result(session, row)
    criterion_id, _, item_id = item.partition(".")
    current = (((result.data.get("criteria") or {}).get(criterion_id) or {}).get("items") or {}).get(item_id) if result else None
    if current is None:
        raise UnknownItem(f"unknown item {item!r}")
    if requested_status not in STATUSES:
        raise SameStatus(f"status: one of {', '.join(STATUSES)}")
    if requested_status == current["status"]:
        raise SameStatus(f"the item is {requested_status} already: ask for another status")
    text = _comment(comment, "dispute")
    if session.bind.dialect.name != "sqlite":  # two tabs of one agent must not open two disputes of one item
        session.refresh(row, with_for_update=True)
    this_item = (DisputeRow.interaction_id == row.id, DisputeRow.criterion_id == criterion_id, DisputeRow.item_id == item_id,
                 DisputeRow.agent_id == agent_id)
    already = session.scalar(select(DisputeRow.id).where(*this_item, DisputeRow.resolution.is_(None)))
    if already is not None:
        raise ConflictError(f"the item {item!r} of {row.id!r} is disputed already (dispute {already}, open)")
    # One answer per question: disputing again what a coach has just rejected only asks the coach again; a new scoring or
    # review that changes the verdict opens it again.
    last = session.scalars(select(DisputeRow).where(*this_item).order_by(DisputeRow.id.desc()).limit(1)).first()
    if last is not None and last.resolution == "rejected" and last.review_id is not None:
        confirmed = session.get(ReviewRow, last.review_id)
        if confirmed is not None and confirmed.status == current["status"]:
            raise AnsweredAlready(f"the item {item!r} of {row.id!r} was disputed and the dispute rejected by {last.resolved_by} (dispute {last.id}):"
                                  " its verdict has not changed since")
    dispute = DisputeRow(interaction_id=row.id, result_id=result.id, criterion_id=criterion_id, item_id=item_id,
                         disputed_status=current["status"], requested_status=requested_status, comment=text,
                         agent_id=agent_id, author=author, author_user_id=author_user_id)
    session.add(dispute)
    session.flush()
    return dispute


def resolve_dispute(session: Session, dispute_id: int, resolution: str, comment: str, reviewer: Reviewer) -> DisputeRow:
    """A coach's resolution of an open dispute (see the module's docstring). NotFoundError for an unknown
    dispute, ConflictError for one resolved already, InputError for no comment or an unknown resolution."""
    dispute = session.get(DisputeRow, dispute_id)
    if dispute is None:
        raise NotFoundError(f"no dispute {dispute_id}")
    # The contact first, then the dispute, as a coach's override takes them (add_reviews, then the settling of its
    # disputes): the other order deadlocked on PostgreSQL, and on SQLite a stale rejection undid an override made meanwhile.
    row = session.get(InteractionRow, dispute.interaction_id)
    if session.bind.dialect.name != "sqlite":
        session.refresh(row, with_for_update=True)
        session.refresh(dispute, with_for_update=True)
    else:
        # SQLite: take the writers' lock now (an empty write), and read the dispute again under it
        session.execute(update(DisputeRow).where(DisputeRow.id == dispute_id).values(id=DisputeRow.id))
        session.refresh(row)
        session.refresh(dispute)
    if dispute.resolution is not None:
        raise ConflictError(f"dispute {dispute_id} was {dispute.resolution} already by {dispute.resolved_by}")
    if resolution not in RESOLUTIONS:
        raise InputError(f"resolution: one of {', '.join(RESOLUTIONS)}")
    text = _comment(comment, "resolution")
    key = f"{dispute.criterion_id}.{dispute.item_id}"
    status = dispute.requested_status if resolution == "upheld" else item_statuses(latest_result(session, row)).get(key, dispute.disputed_status)
    (review,) = add_reviews(session, row, [ItemReview(dispute.item_id, status, text)], reviewer)
    dispute.resolution, dispute.resolution_comment, dispute.review_id = resolution, text, review.id
    dispute.resolved_by, dispute.resolved_by_user_id, dispute.resolved_by_key_id = reviewer.name, reviewer.user_id, reviewer.api_key_id
    dispute.resolved_at = utcnow()
    session.flush()
    return dispute


def disputes_of(session: Session, interaction_id: str) -> list[DisputeRow]:
    """A contact's disputes, oldest first."""
    return list(session.scalars(select(DisputeRow).where(DisputeRow.interaction_id == interaction_id).order_by(DisputeRow.id)))


def list_disputes(session: Session, state: str | None = None, agent_id: str | None = None, limit: int = 500) -> list[DisputeRow]:
    """Disputes in `state` (open, upheld, rejected; None: all), of one agent or all: open ones oldest first
    (the first waiting is the first to answer), the others newest first."""
    query = select(DisputeRow)
    if state == "open":
        query = query.where(DisputeRow.resolution.is_(None)).order_by(DisputeRow.created_at, DisputeRow.id)
    else:
        if state is not None:
            if state not in RESOLUTIONS:
                raise InputError(f"state: one of {', '.join(STATES)}")
            query = query.where(DisputeRow.resolution == state)
        query = query.order_by(DisputeRow.created_at.desc(), DisputeRow.id.desc())
    if agent_id is not None:
        query = query.where(DisputeRow.agent_id == agent_id)
    return list(session.scalars(query.limit(limit)))


def count_open(session: Session) -> int:
    return session.scalar(select(func.count(DisputeRow.id)).where(DisputeRow.resolution.is_(None))) or 0


def counts_by_item(session: Session) -> dict[str, Counter]:
    """Per item ("criterion.item"): how many disputes are open, upheld, rejected (what calibration shows)."""
    query = select(DisputeRow.criterion_id, DisputeRow.item_id, DisputeRow.resolution, func.count(DisputeRow.id)).group_by(
        DisputeRow.criterion_id, DisputeRow.item_id, DisputeRow.resolution)
    counts: dict[str, Counter] = defaultdict(Counter)
    for criterion_id, item_id, resolution, n in session.execute(query):
        counts[f"{criterion_id}.{item_id}"][resolution or "open"] += n
    return dict(counts)


def state_of(dispute: DisputeRow) -> str:
    return dispute.resolution or "open"


def dispute_json(dispute: DisputeRow) -> dict[str, Any]:
    """A dispute as the API and the pages give it."""
    return {
        "id": dispute.id,
        "interaction_id": dispute.interaction_id,
        "item": f"{dispute.criterion_id}.{dispute.item_id}",
        "criterion_id": dispute.criterion_id,
        "item_id": dispute.item_id,
        "agent_id": dispute.agent_id,
        "author": dispute.author,
        "disputed_status": dispute.disputed_status,
        "requested_status": dispute.requested_status,
        "comment": dispute.comment,
        "created_at": as_utc(dispute.created_at).isoformat(),
        "state": state_of(dispute),
        "resolution_comment": dispute.resolution_comment,
        "resolved_by": dispute.resolved_by,
        "resolved_at": as_utc(dispute.resolved_at).isoformat() if dispute.resolved_at else None,
        "review_id": dispute.review_id,
        # upheld by the machine's new scoring of the call, not by a coach (no review)
        "rescored": dispute.resolution == "upheld" and dispute.review_id is None,
    }
