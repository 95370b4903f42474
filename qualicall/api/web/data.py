"""What the coach pages read from and write to the store (`qualicall.store.repository`)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Integer, and_, case, cast, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qualicall.api.web.calibration import ReviewedItem
from qualicall.api.web.priority import failed_items, review_priority
from qualicall.api.web.trends import Day, Trends, trends
from qualicall.store import repository as repo
from qualicall.store.models import InteractionRow, ResultDigest, ResultFigureRow, ResultItemRow, ResultRow, ReviewRow, TrendDay

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
        # Days of the contacts' own calendars, as each call's date is shown (a call at 23:30 on the 1st in New York
        # is the 1st's, though the 2nd in UTC).
        since = date.fromisoformat(self.date_from) if self.date_from else None
        until = date.fromisoformat(self.date_to) + timedelta(days=1) if self.date_to else None
        return repo.InteractionFilter(
            agent_id=self.agent or None,
            team=self.team or None,
            queue=self.queue or None,
            since=since,
            until=until,
            min_score=self.min_score,
            max_score=self.max_score,
            item_failed=[self.item_failed] if self.item_failed else [],
            search=self.search,
        )


def signals_present(result: dict[str, Any]) -> list[str]:
    """The queue's signal filters a result passes: its customer signals present, and a negative end."""
    present = [name for name in SIGNAL_FILTERS if (((result.get("signals") or {}).get(name)) or {}).get("present")]
    end = (result.get("sentiment") or {}).get("end")
    return present + (["negative_end"] if isinstance(end, (int, float)) and end < NEGATIVE_END else [])


# The digest's shape, or how its priority is made: a digest of an older version is made again (2: abandoned contacts and
# items a coach ruled on no longer raise a priority).
DIGEST_VERSION = 2


def result_digest(interaction: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """What the queue ranks and filters a result by (`queue`): a few hundred bytes where the result, with its reasons
    and evidence, and the transcript weigh kilobytes. (The trend pages read `result_figures` and `result_items`.)"""
    priority = review_priority(interaction, result)
    return {
        "v": DIGEST_VERSION,
        # The queue reads this part alone (a JSON path in the query): it carries its own copy of the version.
        "queue": {"v": DIGEST_VERSION, "score": result.get("overall_score") if result.get("overall_score") is not None else result.get("quality_score"),
                  "failed": failed_items(result), "priority": priority.value, "reasons": priority.reasons,
                  "asr_confidence": priority.asr_confidence, "role_confidence": priority.role_confidence,
                  "near": priority.near[0].item if priority.near else None, "signals": signals_present(result)},
    }


EMPTY_RANKING = {"score": None, "failed": [], "priority": 0.0, "reasons": [], "asr_confidence": None, "role_confidence": None, "near": None, "signals": []}


def rankings(session: Session, found: list[tuple[int | None, dict[str, Any] | None]], chunk: int = 1000) -> list[dict[str, Any]]:
    """The digest's `queue` part of each (result id, stored part): the stored one, else the digest made from the result
    and its contact and stored with it (a result version never changes, so neither does its digest); EMPTY_RANKING for
    no result."""
    missing = [result_id for result_id, ranking in found if result_id is not None and (ranking or {}).get("v") != DIGEST_VERSION]
    made: dict[int, dict[str, Any]] = {}
    for start in range(0, len(missing), chunk):
        query = (select(ResultRow.id, InteractionRow.data, ResultRow.data)
                 .join(InteractionRow, InteractionRow.id == ResultRow.interaction_id).where(ResultRow.id.in_(missing[start : start + chunk])))
        batch = {result_id: result_digest(interaction or {}, result) for result_id, interaction, result in session.execute(query)}
        if batch:
            # Replacing: a digest of an older version is made again and kept (kept as it was, every queue read made it
            # again: a fresh-eyes review); another request may have made the same ones meanwhile, the same.
            insert = (sqlite_insert if session.bind.dialect.name == "sqlite" else postgresql_insert)(ResultDigest)
            session.execute(insert.on_conflict_do_update(index_elements=[ResultDigest.result_id], set_={"digest": insert.excluded.digest}),
                            [{"result_id": result_id, "digest": digest} for result_id, digest in batch.items()])
        made |= batch
    return [made[result_id]["queue"] if result_id in made else ranking if result_id is not None else EMPTY_RANKING
            for result_id, ranking in found]


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
    for row, ranking in zip(found, rankings(session, [(row.result_id, row.ranking) for row in found])):
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


def _abandoned() -> Any:
    """Whether a result is an abandoned contact's (SQL). Its overall score is its wait's alone and its wait no answer's:
    indicators.md counts abandoned contacts in the aggregates only, and the team page's mean overall score and wait
    disagreed with `qualicall report`'s quality and ASA."""
    return func.coalesce(ResultRow.data["abandoned"].as_boolean(), False)


def groups(session: Session, column: Any) -> list[GroupRow]:
    answered = lambda score: case((_abandoned(), None), else_=score)  # noqa: E731
    query = (
        select(column, func.count(InteractionRow.id), func.avg(answered(ResultRow.quality_score)), func.avg(answered(ResultRow.overall_score)))
        .outerjoin(ResultRow, ResultRow.id == InteractionRow.latest_result_id)
        .where(column.is_not(None))
        .group_by(column)
        .order_by(column)
    )
    return [GroupRow(name, calls, quality, overall) for name, calls, quality, overall in session.execute(query)]


def group_trends(session: Session, scope: Literal["agent", "team"], name: str, period: str, order: Callable[[str], Any]) -> Trends | None:
    """The trends of an agent's or a team's contacts over their results of record; None when none is scored.
    Each day is summed in SQL (`result_figures`, `result_items`) and kept (`trend_days`) until its contacts change:
    a page sums again only the days that changed since it was last read. Criteria, items and indicators sorted by
    `order` (the grid's)."""
    column = InteractionRow.agent_id if scope == "agent" else InteractionRow.team
    day = repo.contact_day(session.bind.dialect.name)
    of_group = and_(column == name, InteractionRow.latest_result_id.is_not(None))
    found = {moment: (contacts, results) for moment, contacts, results in session.execute(
        select(day, func.count(), func.sum(InteractionRow.latest_result_id)).select_from(InteractionRow).where(of_group).group_by(day))}
    if not found:
        return None
    kept = {moment: (contacts, results, figures, items) for moment, contacts, results, figures, items in session.execute(
        select(TrendDay.day, TrendDay.contacts, TrendDay.results, TrendDay.figures, TrendDay.items).where(TrendDay.scope == scope, TrendDay.name == name))}
    stale = [moment for moment, seen in found.items() if kept.get(moment, ())[:2] != seen]
    if stale:
        summed = _sum_days(session, day, of_group if len(stale) == len(found) else and_(of_group, day.in_(stale)))
        rows = [{"scope": scope, "name": name, "day": moment, "contacts": found[moment][0], "results": found[moment][1],
                 "figures": summed[moment]["figures"], "items": summed[moment]["items"]} for moment in stale]
        insert = (sqlite_insert if session.bind.dialect.name == "sqlite" else postgresql_insert)(TrendDay)
        session.execute(insert.on_conflict_do_update(index_elements=["scope", "name", "day"], set_={
            field: insert.excluded[field] for field in ("contacts", "results", "figures", "items")}), rows)
        kept |= {row["day"]: (row["contacts"], row["results"], row["figures"], row["items"]) for row in rows}
    if gone := set(kept) - set(found):
        session.execute(delete(TrendDay).where(TrendDay.scope == scope, TrendDay.name == name, TrendDay.day.in_(sorted(gone))))
    days, names, yes_no, rates = [], defaultdict(set), set(), defaultdict(lambda: [0, 0])
    for moment, (contacts, _, figures, items) in kept.items():
        if moment in found:
            days.append(Day(moment, contacts, {(kind, series): (total, count) for kind, series, total, count, _ in figures}))
            for kind, series, _, count, given_yes_no in figures:
                if count:  # a series no result gives a number (a written complaint's received_at) draws no empty chart
                    names[kind].add(series)
                if given_yes_no:
                    yes_no.add(series)
            for criterion, item, passed, applicable in items:
                rates[f"{criterion}.{item}"][0] += passed
                rates[f"{criterion}.{item}"][1] += applicable
    return trends(days, period, sorted(names["criterion"], key=order), sorted(names["indicator"], key=order), yes_no,
                  [(key, passed, applicable) for key, (passed, applicable) in sorted(rates.items(), key=lambda rate: order(rate[0]))])


def _sum_days(session: Session, day: Any, contacts: Any) -> dict[str, dict[str, list[list[Any]]]]:
    """Per day of the `contacts` (a condition on InteractionRow), the sums of their results of record: for each
    series (kind, name) of `result_figures` its sum, how many values and whether one was a yes/no; for each item how
    many passed and how many applied."""
    summed: dict[str, dict[str, list[list[Any]]]] = defaultdict(lambda: {"figures": [], "items": []})
    figures = (select(day, ResultFigureRow.kind, ResultFigureRow.name, func.sum(ResultFigureRow.value), func.count(ResultFigureRow.value),
                      func.max(cast(ResultFigureRow.yes_no, Integer)))
               .select_from(InteractionRow).join(ResultFigureRow, ResultFigureRow.result_id == InteractionRow.latest_result_id)
               .join(ResultRow, ResultRow.id == InteractionRow.latest_result_id)
               .where(contacts, ~_abandoned()).group_by(day, ResultFigureRow.kind, ResultFigureRow.name))
    for moment, kind, name, total, count, yes_no in session.execute(figures):
        summed[moment]["figures"].append([kind, name, total or 0.0, count, bool(yes_no)])
    passed = func.sum(case((ResultItemRow.status == "passed", 1), else_=0))
    applicable = func.sum(case((ResultItemRow.status != "not_applicable", 1), else_=0))
    items = (select(day, ResultItemRow.criterion_id, ResultItemRow.item_id, passed, applicable)
             .select_from(InteractionRow).join(ResultItemRow, ResultItemRow.result_id == InteractionRow.latest_result_id)
             .where(contacts).group_by(day, ResultItemRow.criterion_id, ResultItemRow.item_id))
    for moment, criterion, item, passed_count, applicable_count in session.execute(items):
        summed[moment]["items"].append([criterion, item, passed_count, applicable_count])
    return summed


def shown_comments(reviews: list, agent: bool) -> list:
    """The coaches' comments on the whole call a viewer may read, oldest first: an agent never reads an internal note."""
    return [review for review in reviews if not review.item_id and review.comment and not (review.private and agent)]
