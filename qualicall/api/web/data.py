"""What the coach pages read from and write to the store (`qualicall.store.repository`)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qualicall.api.web.calibration import ReviewedItem
from qualicall.api.web.priority import failed_items, review_priority
from qualicall.api.web.trends import Scored
from qualicall.store import repository as repo
from qualicall.store.models import InteractionRow, ResultDigest, ResultItemRow, ResultRow, ReviewRow

# The queue ranks at most this many of the newest matching contacts (a coach filters to narrow it).
QUEUE_SCAN = 5000
# The queue's signal filter: calls with a customer signal, or ending on a negative customer sentiment.
SIGNAL_FILTERS = ("complaint", "escalation_request", "churn_threat", "negative_end")
# A sentiment below this is negative (the spec's turnaround: a call "starting negative" starts below −0.3).
NEGATIVE_END = -0.3


def review_key(review: ReviewRow) -> str:
    return f"{review.criterion_id}.{review.item_id}"


def review_dict(review: ReviewRow) -> dict[str, Any]:
    return {
        "id": review.id,
        "interaction_id": review.interaction_id,
        "item": review_key(review),
        "status": review.status,
        "comment": review.comment,
        "reviewer": review.reviewer,
        "created_at": repo.as_utc(review.created_at).isoformat() if review.created_at else None,
        "result_id": review.result_id,
    }


def latest_by_item(reviews: list[ReviewRow]) -> dict[str, dict[str, Any]]:
    """The last verdict a coach gave on each item ("criterion.item" → review)."""
    latest: dict[str, dict[str, Any]] = {}
    for review in sorted(reviews, key=lambda r: r.id):
        if review.item_id and review.status:
            latest[review_key(review)] = review_dict(review)
    return latest


@dataclass
class QueueFilters:
    agent: str | None = None
    team: str | None = None
    queue: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    item_failed: str | None = None  # "criterion.item"
    reviewed: str | None = None  # "yes" | "no" | None
    signal: str | None = None  # one of SIGNAL_FILTERS
    search: str | None = None  # words of the transcripts (qualicall.store.search)

    def to_params(self) -> dict[str, str]:
        """The queue page's query parameters that give these filters (what a saved filter keeps)."""
        values = {"q": self.search, "agent": self.agent, "team": self.team, "queue": self.queue, "from": self.date_from, "to": self.date_to,
                  "min_score": self.min_score, "max_score": self.max_score, "item_failed": self.item_failed, "reviewed": self.reviewed,
                  "signal": self.signal}
        return {key: f"{value:g}" if isinstance(value, float) else value for key, value in values.items() if value not in (None, "")}

    def shows(self, ranking: dict[str, Any]) -> bool:
        """Whether a contact passes the signal filter (complaints-and-satisfaction.md), from its result's digest (`queue`)."""
        return self.signal is None or self.signal in ranking["signals"]

    def to_store(self) -> repo.InteractionFilter:
        since = until = None
        if self.date_from:
            since = datetime.combine(date.fromisoformat(self.date_from), time.min, tzinfo=timezone.utc)
        if self.date_to:
            until = datetime.combine(date.fromisoformat(self.date_to) + timedelta(days=1), time.min, tzinfo=timezone.utc)
        return repo.InteractionFilter(
            agent_id=self.agent or None,
            team=self.team or None,
            queue=self.queue or None,
            since=since,
            until=until,
            min_score=self.min_score,
            max_score=self.max_score,
            item_failed=[self.item_failed.split(".", 1)[-1]] if self.item_failed else [],
            search=self.search,
        )


def signals_present(result: dict[str, Any]) -> list[str]:
    """The queue's signal filters a result passes: its customer signals present, and a negative end."""
    present = [name for name in SIGNAL_FILTERS if (((result.get("signals") or {}).get(name)) or {}).get("present")]
    end = (result.get("sentiment") or {}).get("end")
    return present + (["negative_end"] if isinstance(end, (int, float)) and end < NEGATIVE_END else [])


# The digest's shape: a digest of an older shape is made again.
DIGEST_VERSION = 1


def result_digest(interaction: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """What the lists read of a result, in the result's own shape (scores, each criterion's score and items'
    statuses, indicators' values) and what the queue ranks and filters it by (`queue`): a few hundred bytes where
    the result, with its reasons and evidence, and the transcript weigh kilobytes."""
    priority = review_priority(interaction, result)
    return {
        "v": DIGEST_VERSION,
        **{name: result.get(name) for name in ("quality_score", "operational_score", "overall_score")},
        "criteria": {
            criterion_id: {"score": criterion.get("score"),
                           "items": {item_id: {"status": item.get("status")} for item_id, item in (criterion.get("items") or {}).items()}}
            for criterion_id, criterion in (result.get("criteria") or {}).items()
        },
        "indicators": {name: {"value": indicator.get("value")} for name, indicator in (result.get("indicators") or {}).items()},
        # The queue reads this part alone (a JSON path in the query): it carries its own copy of the version.
        "queue": {"v": DIGEST_VERSION, "score": result.get("overall_score") if result.get("overall_score") is not None else result.get("quality_score"),
                  "failed": failed_items(result), "priority": priority.value, "reasons": priority.reasons,
                  "asr_confidence": priority.asr_confidence, "role_confidence": priority.role_confidence,
                  "near": priority.near[0].item if priority.near else None, "signals": signals_present(result)},
    }


EMPTY_DIGEST = {"criteria": {}, "indicators": {}, "queue": {"score": None, "failed": [], "priority": 0.0, "reasons": [], "asr_confidence": None,
                                                             "role_confidence": None, "near": None, "signals": []}}


def digests(session: Session, found: list[tuple[int | None, dict[str, Any] | None]], part: str | None = None,
            chunk: int = 1000) -> list[dict[str, Any]]:
    """The digest (or its `part`) of each (result id, stored digest or part): the stored one, else made from the result
    and its contact and stored with it (a result version never changes, so neither does its digest); EMPTY_DIGEST for
    no result."""
    missing = [result_id for result_id, digest in found if result_id is not None and (digest or {}).get("v") != DIGEST_VERSION]
    made: dict[int, dict[str, Any]] = {}
    for start in range(0, len(missing), chunk):
        query = (select(ResultRow.id, InteractionRow.data, ResultRow.data)
                 .join(InteractionRow, InteractionRow.id == ResultRow.interaction_id).where(ResultRow.id.in_(missing[start : start + chunk])))
        batch = {result_id: result_digest(interaction or {}, result) for result_id, interaction, result in session.execute(query)}
        if batch:  # another request may have made the same ones meanwhile: theirs are the same
            dialect = sqlite_insert if session.bind.dialect.name == "sqlite" else postgresql_insert
            session.execute(dialect(ResultDigest).on_conflict_do_nothing(),
                            [{"result_id": result_id, "digest": digest} for result_id, digest in batch.items()])
        made |= batch
    return [(made[result_id][part] if part else made[result_id]) if result_id in made else digest if result_id is not None
            else (EMPTY_DIGEST[part] if part else EMPTY_DIGEST) for result_id, digest in found]


@dataclass
class QueueRow:
    id: str
    started_at: str | None
    agent: str | None
    team: str | None
    queue: str | None
    score: float | None
    failed: list[str]
    ranking: dict[str, Any]  # the digest's `queue`: priority, reasons, confidences, the item nearest its threshold, signals
    reviewers: list[str] = field(default_factory=list)


def review_queue(session: Session, filters: QueueFilters) -> list[QueueRow]:
    """Matching interactions, what most needs a human first; reviewed ones after the others. Read from the
    results' digests: no transcript or whole result is decoded."""
    found = repo.latest_columns(session, filters.to_store(), QUEUE_SCAN, InteractionRow.id, InteractionRow.started_at,
                                InteractionRow.contact_time, InteractionRow.agent_id, InteractionRow.team, InteractionRow.queue,
                                ResultRow.id.label("result_id"), ResultDigest.digest["queue"].label("ranking"))
    ids = [row.id for row in found]
    reviewers: dict[str, list[str]] = defaultdict(list)
    if ids:
        query = select(ReviewRow.interaction_id, ReviewRow.reviewer).where(ReviewRow.interaction_id.in_(ids)).distinct()
        for interaction_id, reviewer in session.execute(query):
            reviewers[interaction_id].append(reviewer)
    rows = []
    for row, ranking in zip(found, digests(session, [(row.result_id, row.ranking) for row in found], "queue")):
        reviewed = bool(reviewers.get(row.id))
        if filters.reviewed == "yes" and not reviewed or filters.reviewed == "no" and reviewed or not filters.shows(ranking):
            continue
        rows.append(
            QueueRow(
                id=row.id,
                started_at=row.started_at or repo.as_utc(row.contact_time).isoformat(),
                agent=row.agent_id,
                team=row.team,
                queue=row.queue,
                score=ranking["score"],
                failed=ranking["failed"],
                ranking=ranking,
                reviewers=sorted(reviewers.get(row.id, [])),
            )
        )
    rows.sort(key=lambda r: (bool(r.reviewers), -r.ranking["priority"], r.id))
    return rows


@dataclass
class _Offered:
    """The filters' values found in the results up to `through` (a result id)."""

    through: int = 0
    agents: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)


_offered: dict[str, _Offered] = {}  # per database
_offered_lock = threading.Lock()


def choices(session: Session, order: Callable[[str], Any]) -> dict[str, list[str]]:
    """Values offered in the queue's filters; items sorted by `order` (the grid's). Kept per database and brought
    up to date from the results stored since (result ids only grow): a look at 100 000 contacts' 1.5 million
    item rows on every queue page took seconds."""
    newest = session.scalar(select(func.max(ResultRow.id))) or 0
    with _offered_lock:
        offered = _offered.setdefault(session.bind.url.render_as_string(), _Offered())
        if newest > offered.through:
            contacts = select(InteractionRow.agent_id, InteractionRow.team, InteractionRow.queue).where(
                InteractionRow.latest_result_id > offered.through).distinct()
            for agent, team, queue in session.execute(contacts):
                offered.agents.update(filter(None, [agent]))
                offered.teams.update(filter(None, [team]))
                offered.queues.update(filter(None, [queue]))
            items = select(ResultItemRow.criterion_id, ResultItemRow.item_id).where(ResultItemRow.result_id > offered.through).distinct()
            offered.items.update(f"{criterion}.{item}" for criterion, item in session.execute(items))
            offered.through = newest
        return {"agents": sorted(offered.agents), "teams": sorted(offered.teams), "queues": sorted(offered.queues),
                "items": sorted(offered.items, key=order)}


@dataclass
class CallData:
    row: InteractionRow
    result: ResultRow  # the result of record (the coaches' verdicts where they gave one)
    machine: ResultRow  # the machine's, which reviews judge
    reviews: list[ReviewRow]


def load_call(session: Session, interaction_id: str) -> CallData | None:
    row = repo.get_interaction(session, interaction_id)
    if row is None:
        return None
    result = repo.latest_result(session, row)
    machine = repo.machine_result(session, row)
    if result is None or machine is None:
        return None
    reviews = list(session.scalars(select(ReviewRow).where(ReviewRow.interaction_id == interaction_id).order_by(ReviewRow.id)))
    return CallData(row, result, machine, reviews)


def auto_status(result: ResultRow, key: str) -> str | None:
    criterion_id, item_id = key.split(".", 1)
    item = ((result.data.get("criteria") or {}).get(criterion_id) or {}).get("items", {}).get(item_id)
    return item.get("status") if item else None


def calibration_pairs(session: Session, order: Callable[[str], Any]) -> list[ReviewedItem]:
    """Each (interaction, item) a coach judged: the automatic status of the result they reviewed, and their last verdict; items sorted by `order`."""
    query = (
        select(ReviewRow, ResultItemRow.status)
        .join(ResultItemRow, (ResultItemRow.result_id == ReviewRow.result_id) & (ResultItemRow.item_id == ReviewRow.item_id))
        .where(ReviewRow.status.is_not(None))
        .order_by(ReviewRow.id)
    )
    latest: dict[tuple[str, str], ReviewedItem] = {}
    for review, auto in session.execute(query):
        key = review_key(review)
        latest[(review.interaction_id, key)] = ReviewedItem(
            review.interaction_id, key, auto, review.status, review.reviewer, review.comment,
            repo.as_utc(review.created_at).isoformat() if review.created_at else None,
        )
    return sorted(latest.values(), key=lambda pair: order(pair.item))


@dataclass
class GroupRow:
    name: str
    calls: int
    quality: float | None
    overall: float | None


def groups(session: Session, column: Any) -> list[GroupRow]:
    query = (
        select(column, func.count(InteractionRow.id), func.avg(ResultRow.quality_score), func.avg(ResultRow.overall_score))
        .outerjoin(ResultRow, ResultRow.id == InteractionRow.latest_result_id)
        .where(column.is_not(None))
        .group_by(column)
        .order_by(column)
    )
    return [GroupRow(name, calls, quality, overall) for name, calls, quality, overall in session.execute(query)]


def scored_rows(session: Session, column: Any, value: str) -> list[Scored]:
    """Every interaction of an agent or team with the digest of its result of record (what the trends read)."""
    query = (
        select(InteractionRow.id, InteractionRow.started_at, InteractionRow.contact_time, InteractionRow.latest_result_id, ResultDigest.digest)
        .outerjoin(ResultDigest, ResultDigest.result_id == InteractionRow.latest_result_id)
        .where(InteractionRow.latest_result_id.is_not(None))
        .where(column == value)
        .order_by(InteractionRow.contact_time)
    )
    found = session.execute(query).all()
    return [
        Scored(interaction_id, started_at or repo.as_utc(contact_time).isoformat(), digest)
        for (interaction_id, started_at, contact_time, _, _), digest in zip(found, digests(session, [(row[3], row[4]) for row in found]))
    ]
