"""The store's Python API: what the HTTP API, the coach interface and the reports call.

Every function takes an open `Session` (from `Store.session()`, committed on
success) and leaves committing to the caller, so that several calls make one
transaction.

Interactions and results
    save_scored(session, interaction, result, ...)   store a scored contact; a known id gets a new result version
    get_interaction(session, id)                      the row, or None
    latest_result(session, row) / result_versions(session, id)   the latest is the result of record (see below)
    machine_result(session, row)                      the machine's scoring the latest result rests on
    list_interactions(session, InteractionFilter(...), cursor=None, limit=50) -> Page   (search: words of the transcripts)
    iter_latest_results(session, InteractionFilter(...))  the latest result JSONs, in chunks (reports)
Reviews (coach overrides)
    add_reviews(session, row, reviews, Reviewer(name, api_key_id=…|user_id=…)) -> list[ReviewRow]

The verdict of record. Once a coach has given a verdict on an item, the interaction's latest result is
a version of its own, `source: "coach"`: the latest machine result with each item's latest coach
verdict in place of the machine's and every score recomputed (`qualicall.core.scores.with_verdicts`),
the machine's figures kept beside them. It is written when a review changes the verdicts and again
when the machine re-scores the contact, so that everything reading the latest result (lists and
filters, pages, trends, reports) reads the coaches' verdicts. Reviews point at the machine result
they judged, which is what calibration compares them with.

An agent's open dispute of an item (`qualicall.store.disputes`) is settled whenever the item's verdict of record becomes
the status the agent asked for — by a coach's override (upheld, by that coach, with their comment) or by the machine
scoring the contact again (upheld, `review_id` null): left open, it showed a question already answered, and its
« reject » put back the verdict the agent had disputed.
API keys
    create_api_key(session, name, role, sealer) -> (ApiKey, key)   the key is shown once; only its hash is stored,
                                                                    its webhook secret sealed (webhook_secret opens it)
    authenticate(session, key) -> ApiKey | None
Jobs and webhooks: see `qualicall.store.jobs`.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session

from qualicall.core.errors import InputError
from qualicall.core.interaction import Interaction, contact_moment, text_problem
from qualicall.core.result import Result
from qualicall.core.scores import Verdict, recorded_verdicts, with_verdicts
from qualicall.security import Sealed, Sealer, api_key_matches, hash_token, new_api_key
from qualicall.store.models import (
    ApiKey,
    DisputeRow,
    InteractionRow,
    ResultDigest,
    ResultFigureRow,
    ResultItemRow,
    ResultRow,
    ReviewRow,
    utcnow,
)
from qualicall.store.search import index_interaction, matching, query_words

ROLES = ("crm", "coach", "admin")
Role = Literal["crm", "coach", "admin"]
KEY_PREFIX = "qc"


# --- times -----------------------------------------------------------------

def as_utc(moment: datetime) -> datetime:
    """Aware UTC; naive datetimes (as SQLite returns them) are taken as UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def contact_time(started_at: str | None, default: datetime) -> datetime:
    """When the contact happened: `started_at` (checked at the door: ISO 8601, 1970–2099), else `default`."""
    return contact_moment(started_at) if started_at else as_utc(default)


# --- interactions and results ----------------------------------------------

def save_scored(
    session: Session,
    interaction: Interaction,
    result: Result,
    *,
    api_key_id: int | None = None,
) -> ResultRow:
    """Store an interaction and its result. A known interaction id is updated and gets a new result version
    (older versions are kept). Returns the new result row (its `.version`, `.id`)."""
    now = utcnow()
    data = interaction.model_dump(mode="json", exclude_none=True)
    row = session.get(InteractionRow, interaction.id, with_for_update=session.bind.dialect.name != "sqlite")
    if row is None:
        row = InteractionRow(id=interaction.id, created_at=now)
        session.add(row)
    row.channel = interaction.channel
    row.language = result.language or interaction.language
    row.agent_id = interaction.agent_id
    row.team = interaction.team
    row.queue = interaction.queue
    row.started_at = interaction.started_at
    row.contact_time = contact_time(interaction.started_at, row.created_at or now)
    row.recording = interaction.recording
    row.data = data
    row.api_key_id = api_key_id if api_key_id is not None else row.api_key_id
    row.updated_at = now
    session.flush()
    index_interaction(session, row)
    return add_result(session, row, result)


def add_result(session: Session, row: InteractionRow, result: Result) -> ResultRow:
    """Add the machine's result version to a stored interaction and make it the latest; the coaches' verdicts
    on its items, if any, are then applied on top of it (a `source: coach` version becomes the latest).
    Returns the machine's version."""
    machine = _add_version(session, row, result.to_json())
    _record_verdicts(session, row)
    _settle_disputes(session, row, [])
    return machine


def _add_version(session: Session, row: InteractionRow, payload: dict[str, Any]) -> ResultRow:
    version = (session.scalar(select(func.max(ResultRow.version)).where(ResultRow.interaction_id == row.id)) or 0) + 1
    result_row = ResultRow(
        interaction_id=row.id,
        version=version,
        rubric_id=payload["rubric"]["id"],
        rubric_version=payload["rubric"]["version"],
        quality_score=payload.get("quality_score"),
        operational_score=payload.get("operational_score"),
        overall_score=payload.get("overall_score"),
        data=payload,
        items=[
            ResultItemRow(item_id=item_id, criterion_id=criterion_id, status=item["status"])
            for criterion_id, criterion in (payload.get("criteria") or {}).items()
            for item_id, item in (criterion.get("items") or {}).items()
        ],
        figures=[ResultFigureRow(**figure) for figure in result_figures(payload)],
    )
    session.add(result_row)
    session.flush()
    row.latest_result_id = result_row.id
    session.flush()
    return result_row


def result_figures(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """A result's figures as the rows of `result_figures`, less the result's id: its scores (quality, overall,
    operational), each criterion's score, each indicator's value as a number (true and false as 100 and 0)."""

    def number(value: Any) -> float | None:
        if isinstance(value, bool):
            return 100.0 if value else 0.0
        return float(value) if isinstance(value, (int, float)) else None

    def figures(kind: str, values: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        return [{"kind": kind, "name": name, "value": number(value), "yes_no": isinstance(value, bool)} for name, value in values]

    return (figures("score", [(name, payload.get(f"{name}_score")) for name in ("quality", "overall", "operational")])
            + figures("criterion", [(cid, (criterion or {}).get("score")) for cid, criterion in (payload.get("criteria") or {}).items()])
            + figures("indicator", [(name, (indicator or {}).get("value")) for name, indicator in (payload.get("indicators") or {}).items()]))


def get_interaction(session: Session, interaction_id: str) -> InteractionRow | None:
    return session.get(InteractionRow, interaction_id)


def latest_result(session: Session, row: InteractionRow) -> ResultRow | None:
    """The result of record: the coaches' (`source: coach`) once they reviewed an item, else the machine's."""
    return session.get(ResultRow, row.latest_result_id) if row.latest_result_id is not None else None


def machine_result(session: Session, row: InteractionRow) -> ResultRow | None:
    """The machine's result the latest one rests on (the latest itself when no coach changed it)."""
    latest = latest_result(session, row)
    if latest is None or latest.data.get("source") != "coach":
        return latest
    version = latest.data["machine"]["version"]
    return session.scalar(select(ResultRow).where(ResultRow.interaction_id == row.id, ResultRow.version == version))


def result_versions(session: Session, interaction_id: str) -> list[ResultRow]:
    """Every result of an interaction, oldest first."""
    return list(session.scalars(select(ResultRow).where(ResultRow.interaction_id == interaction_id).order_by(ResultRow.version)))


@dataclass
class InteractionFilter:
    """What `list_interactions` keeps. Scores and failed items are those of the latest result."""

    agent_id: str | None = None
    team: str | None = None
    queue: str | None = None
    since: date | datetime | None = None  # contact time >= since; a date: the contact's own day (`contact_day`) >= it
    until: date | datetime | None = None  # contact time < until; a date: its own day < it
    min_score: float | None = None  # overall score
    max_score: float | None = None
    item_failed: list[str] = field(default_factory=list)  # every one of these items failed: `criterion.item` or `item`
    search: str | None = None  # words its stored transcript has (`qualicall.store.search`)
    changed_since: datetime | None = None  # last received or changed (posted again, reviewed) at or after this instant


@dataclass
class Page:
    rows: list[tuple[InteractionRow, ResultRow | None]]
    next_cursor: str | None


def _encode_cursor(row: InteractionRow) -> str:
    raw = f"{as_utc(row.contact_time).isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class CursorError(InputError):
    pass


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, interaction_id = raw.split("|", 1)
        return contact_moment(moment), interaction_id
    except (ValueError, UnicodeDecodeError):
        raise CursorError("invalid cursor: pass the next_cursor of a previous page") from None


def list_interactions(session: Session, filters: InteractionFilter, cursor: str | None = None, limit: int = 50) -> Page:
    """Interactions with their latest result, newest contact first, `limit` per page; `next_cursor` gives the next page."""
    query = _filtered(select(InteractionRow, ResultRow).outerjoin(ResultRow, ResultRow.id == InteractionRow.latest_result_id), filters,
                      session.bind.dialect.name)
    if cursor:
        moment, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(InteractionRow.contact_time < moment, and_(InteractionRow.contact_time == moment, InteractionRow.id < last_id))
        )
    query = query.order_by(InteractionRow.contact_time.desc(), InteractionRow.id.desc()).limit(limit + 1)
    rows = [(interaction, result) for interaction, result in session.execute(query).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows=rows, next_cursor=_encode_cursor(rows[-1][0]) if more and rows else None)


def latest_columns(session: Session, filters: InteractionFilter, limit: int, *columns: Any) -> list[Any]:
    """`columns` of the newest contacts `filters` keeps (InteractionRow's, its latest ResultRow's and that result's
    ResultDigest's, joined), newest first: for lists that need a few columns of many contacts, not their JSON."""
    query = (select(*columns).select_from(InteractionRow).outerjoin(ResultRow, ResultRow.id == InteractionRow.latest_result_id)
             .outerjoin(ResultDigest, ResultDigest.result_id == InteractionRow.latest_result_id))
    query = _filtered(query, filters, session.bind.dialect.name)
    return list(session.execute(query.order_by(InteractionRow.contact_time.desc(), InteractionRow.id.desc()).limit(limit)))


def iter_latest_results(session: Session, filters: InteractionFilter, chunk: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """The latest result JSON of every interaction `filters` keeps, `chunk` at a time (what GET /v1/reports aggregates).
    A contact with no `started_at` is given the time it was received (UTC), which `from`/`to` select it by: its report
    period was null (an integrator's review)."""
    query = _filtered(select(ResultRow.data, InteractionRow.contact_time).join(InteractionRow, ResultRow.id == InteractionRow.latest_result_id),
                      filters, session.bind.dialect.name)
    for part in session.execute(query.execution_options(yield_per=chunk)).partitions(chunk):
        yield [data if data.get("started_at") else {**data, "started_at": as_utc(received).isoformat()} for data, received in part]


def contact_day(dialect: str) -> Any:
    """A contact's day (ISO), as trends and `from`/`to` dates count days: the date its `started_at` writes, in the
    contact's own time zone; the UTC day of its contact time where it has no `started_at` (or one stored in ISO 8601's
    basic form, 2026-11-02 written 20261102, before the door rewrote those)."""
    started_at = InteractionRow.started_at
    utc_day = (func.substr(InteractionRow.contact_time, 1, 10) if dialect == "sqlite"
               else func.to_char(func.timezone("UTC", InteractionRow.contact_time), "YYYY-MM-DD"))
    return case((and_(func.substr(started_at, 5, 1) == "-", func.substr(started_at, 8, 1) == "-"), func.substr(started_at, 1, 10)), else_=utc_day)


# A local day lies within a day of the UTC day of the same date (time zones run from UTC−12 to UTC+14, and the door
# takes offsets up to ±23:59): the contact time's index narrows the search for a day before each contact's own is read.
_ZONES = timedelta(hours=24)


def _on_or_after(bound: date | datetime, dialect: str) -> list[Any]:
    if isinstance(bound, datetime):
        return [InteractionRow.contact_time >= as_utc(bound)]
    start = datetime.combine(bound, time.min, tzinfo=timezone.utc)
    return [InteractionRow.contact_time >= start - _ZONES, contact_day(dialect) >= bound.isoformat()]


def _before(bound: date | datetime, dialect: str) -> list[Any]:
    if isinstance(bound, datetime):
        return [InteractionRow.contact_time < as_utc(bound)]
    end = datetime.combine(bound, time.min, tzinfo=timezone.utc)
    return [InteractionRow.contact_time < end + _ZONES, contact_day(dialect) < bound.isoformat()]


def _filtered(query: Select, filters: InteractionFilter, dialect: str) -> Select:
    if filters.search and (words := query_words(filters.search)):
        query = query.where(matching(words, dialect))
    elif filters.search and re.search(r"[^\W_]", filters.search):
        # Words of an alphabet the index does not hold (« مرحبا »: it keeps Latin letters and digits) find nothing, not
        # every contact; punctuation alone searches nothing.
        query = query.where(false())
    for column, value in ((InteractionRow.agent_id, filters.agent_id), (InteractionRow.team, filters.team), (InteractionRow.queue, filters.queue)):
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(*_on_or_after(filters.since, dialect))
    if filters.until is not None:
        query = query.where(*_before(filters.until, dialect))
    if filters.changed_since is not None:
        query = query.where(InteractionRow.updated_at >= as_utc(filters.changed_since))
    if filters.min_score is not None:
        query = query.where(ResultRow.overall_score >= filters.min_score)
    if filters.max_score is not None:
        query = query.where(ResultRow.overall_score <= filters.max_score)
    for wanted in filters.item_failed:
        query = query.where(
            exists().where(ResultItemRow.result_id == InteractionRow.latest_result_id, *_is_item(wanted), ResultItemRow.status == "failed"))
    return query


def _is_item(wanted: str) -> list[Any]:
    """The item rows of `criterion.item`, or of the item's id alone (in any criterion)."""
    criterion_id, _, item_id = wanted.rpartition(".")
    return [ResultItemRow.item_id == item_id, *([ResultItemRow.criterion_id == criterion_id] if criterion_id else [])]


def item_scored(session: Session, wanted: str) -> bool:
    """Whether a stored result holds the item (`criterion.item` or `item`)."""
    return session.scalar(select(ResultItemRow.item_id).where(*_is_item(wanted)).limit(1)) is not None


# --- reviews ---------------------------------------------------------------

@dataclass
class ItemReview:
    """A coach's verdict on one item (`status` None: a comment only)."""

    item_id: str | None
    status: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Reviewer:
    """The author of a review as the server authenticated them: an API key or a coach account, and its name."""

    name: str
    api_key_id: int | None = None
    user_id: int | None = None


def add_reviews(session: Session, row: InteractionRow, reviews: list[ItemReview], reviewer: Reviewer, comment: str | None = None,
                private: bool = False) -> list[ReviewRow]:
    """Record a coach's verdicts on items of the machine's latest result, and make them the verdicts of record
    (see the module's docstring). Unknown item ids and comments that cannot be stored raise InputError.
    `comment` alone (no item) is stored as a review of the whole contact; `private`, a note for coaches only."""
    if session.bind.dialect.name != "sqlite":  # two coaches at once must not write the same result version
        session.refresh(row, with_for_update=True)
    result = machine_result(session, row)
    criteria = (result.data.get("criteria") if result else None) or {}
    criterion_of = {item_id: cid for cid, c in criteria.items() for item_id in c.get("items", {})}
    made = []
    # « closing.recap », as disputes, sessions and `item_failed` name items, is the item `recap` of `closing` (it was a 422)
    entries = [_plain_item(review, criterion_of) for review in reviews] + ([ItemReview(item_id=None, comment=comment)] if comment else [])
    given: set[str] = set()
    for number, review in enumerate(entries):
        if review.item_id is not None and review.item_id not in criterion_of:
            raise InputError(f"unknown item {review.item_id!r} (items: {', '.join(criterion_of) or 'none'})")
        if review.item_id is not None:
            if review.item_id in given:
                # Two verdicts on one item in one review: which the coach meant cannot be told, so neither is recorded.
                raise InputError(f"items[{number}]: item {review.item_id!r} given twice in one review (one verdict per item)")
            given.add(review.item_id)
        if review.comment is not None and (problem := text_problem(review.comment)) is not None:
            raise InputError(f"comment: {problem}")
    for review in entries:
        made.append(
            ReviewRow(
                interaction_id=row.id,
                result_id=result.id if result else None,
                criterion_id=criterion_of.get(review.item_id) if review.item_id else None,
                item_id=review.item_id,
                status=review.status,
                comment=review.comment,
                reviewer=reviewer.name,
                reviewer_key_id=reviewer.api_key_id,
                reviewer_user_id=reviewer.user_id,
                private=private and review.item_id is None,
            )
        )
    session.add_all(made)
    session.flush()
    if any(review.status for review in made):
        _record_verdicts(session, row)
        _settle_disputes(session, row, made)
    return made


def _plain_item(review: ItemReview, criterion_of: dict[str, str]) -> ItemReview:
    """The review with its item named without its criterion where it was given as "criterion.item"."""
    criterion_id, _, item_id = (review.item_id or "").partition(".")
    if review.item_id not in criterion_of and item_id and criterion_of.get(item_id) == criterion_id:
        return ItemReview(item_id, review.status, review.comment)
    return review


def item_statuses(result: ResultRow | None) -> dict[str, str]:
    """Each item's status in a stored result ("criterion.item" → status)."""
    criteria = (result.data.get("criteria") if result else None) or {}
    return {f"{cid}.{iid}": item["status"] for cid, c in criteria.items() for iid, item in (c.get("items") or {}).items()}


def _settle_disputes(session: Session, row: InteractionRow, made: list[ReviewRow]) -> None:
    """Uphold the open disputes whose item's verdict of record is now the status asked for (the module's docstring):
    by the review among `made` that gave it, else by the machine's new scoring."""
    disputes = list(session.scalars(select(DisputeRow).where(DisputeRow.interaction_id == row.id, DisputeRow.resolution.is_(None))))
    if not disputes:
        return
    statuses = item_statuses(latest_result(session, row))
    given = {f"{r.criterion_id}.{r.item_id}": r for r in made if r.item_id and r.status}
    for dispute in disputes:
        key = f"{dispute.criterion_id}.{dispute.item_id}"
        if statuses.get(key) != dispute.requested_status:
            continue
        review = given.get(key)
        dispute.resolution, dispute.resolved_at = "upheld", utcnow()
        if review is not None:
            # The comment is written to the call's agent: a former agent's dispute (of a call moved since) keeps who
            # decided and when, not words meant for another agent (a fresh-eyes review).
            dispute.resolution_comment = review.comment if dispute.agent_id == row.agent_id else None
            dispute.review_id = review.id
            dispute.resolved_by, dispute.resolved_by_user_id, dispute.resolved_by_key_id = review.reviewer, review.reviewer_user_id, review.reviewer_key_id
        else:
            dispute.resolved_by = "qualicall"
    session.flush()


def coach_verdicts(reviews: list[ReviewRow]) -> dict[str, Verdict]:
    """Each item's latest coach verdict ("criterion.item" → Verdict), reviews of any result version of the contact."""
    latest: dict[str, Verdict] = {}
    for review in sorted(reviews, key=lambda r: r.id):
        if review.item_id and review.criterion_id and review.status:
            latest[f"{review.criterion_id}.{review.item_id}"] = Verdict(review.status, review.reviewer)
    return latest


def _record_verdicts(session: Session, row: InteractionRow) -> None:
    """Add a `source: coach` result version when the coaches' verdicts differ from what the latest result records."""
    machine = machine_result(session, row)
    if machine is None:
        return
    reviews = list(session.scalars(select(ReviewRow).where(ReviewRow.interaction_id == row.id)))
    items = {f"{cid}.{iid}" for cid, c in (machine.data.get("criteria") or {}).items() for iid in (c.get("items") or {})}
    verdicts = {key: verdict for key, verdict in coach_verdicts(reviews).items() if key in items}
    if not verdicts:
        return
    latest = latest_result(session, row)
    if latest is not None and latest.id != machine.id and recorded_verdicts(latest.data) == verdicts:
        return
    _add_version(session, row, with_verdicts(machine.data, verdicts, machine.version))


# --- API keys ---------------------------------------------------------------

# A webhook secret is stored sealed (a security review: a copy of the database gave every client's, and with them the
# power to sign callbacks its CRM would trust); rows written before are sealed when the jobs' process starts.
SEALED_SECRET = "sealed:"


def create_api_key(session: Session, name: str, role: str, sealer: Sealer) -> tuple[ApiKey, str]:
    """A new key for `role`; returns the row and the key itself, which is never stored."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    key, prefix = new_api_key(KEY_PREFIX)
    row = ApiKey(name=name, role=role, prefix=prefix, key_hash=hash_token(key), webhook_secret=_sealed(secrets.token_urlsafe(32), sealer))
    session.add(row)
    session.flush()
    return row, key


def key_sealer(session: Session, path: Path, *, lost_key: bool = False) -> Sealer:
    """The service's sealing key, kept at `path` (`Settings.sealing_key`), for a command that writes keys' secrets. Made
    here only for a database without active keys (a new deployment). InputError where there is none but the database
    has active keys, or where it opens none of their sealed secrets — another data folder's key (a fresh-eyes review
    and an upgrade operator's: `apikey create` away from the service made a key of its own, that client's callbacks
    then unsigned). `lost_key`: the key those secrets were sealed with is lost, and this folder's replaces it (its file
    must be there: the service made it at start)."""
    active = list(session.scalars(select(ApiKey.webhook_secret).where(ApiKey.revoked_at.is_(None))))
    if not path.exists() and (active or lost_key):
        raise InputError(f"no {path.name} in {path.parent}, and the database has API keys: run this where the service runs, with its"
                         f" data folder (QUALICALL_DATA_DIR){'; the service makes its key when it starts' if lost_key else ''}")
    sealer = Sealer.from_file(path)
    sealed = [secret for secret in active if secret.startswith(SEALED_SECRET)]
    if sealed and not lost_key and not any(_opens(sealer, secret) for secret in sealed):
        raise InputError(f"{path} opens none of the webhook secrets sealed in this database: run this where the service runs, with"
                         f" its data folder (QUALICALL_DATA_DIR); a folder restored without its {path.name} must get it back (README,"
                         " Backups), or, that key lost, give every key a new secret: apikey secret --all --lost-key")
    return sealer


def unopened_secrets(session: Session, sealer: Sealer) -> int:
    """How many active keys' webhook secrets `sealer` cannot open (sealed with another key: a data folder restored
    without its sealing.key, a key made elsewhere): their callbacks cannot be signed."""
    sealed = session.scalars(select(ApiKey.webhook_secret).where(ApiKey.revoked_at.is_(None), ApiKey.webhook_secret.like(SEALED_SECRET + "%")))
    return sum(not _opens(sealer, secret) for secret in sealed)


def _sealed(secret: str, sealer: Sealer) -> str:
    """A webhook secret as the `api_keys` row keeps it."""
    return SEALED_SECRET + sealer.seal(secret.encode())


def _opened(stored: str, sealer: Sealer) -> str:
    """A webhook secret from its row's value (`Sealed` where another key sealed it; one stored in clear as it is)."""
    return sealer.open(stored.removeprefix(SEALED_SECRET)).decode() if stored.startswith(SEALED_SECRET) else stored


def _opens(sealer: Sealer, stored: str) -> bool:
    try:
        _opened(stored, sealer)
    except Sealed:
        return False
    return True


def webhook_secret(row: ApiKey, sealer: Sealer) -> str:
    """The secret that signs `row`'s webhooks (`Sealed` where another key sealed it)."""
    return _opened(row.webhook_secret, sealer)


def seal_webhook_secrets(session: Session, sealer: Sealer) -> int:
    """Seal the webhook secrets still in clear (keys made before they were sealed); how many."""
    rows = session.scalars(select(ApiKey).where(ApiKey.webhook_secret.not_like(SEALED_SECRET + "%"))).all()
    for row in rows:
        row.webhook_secret = _sealed(row.webhook_secret, sealer)
    return len(rows)


def authenticate(session: Session, key: str) -> ApiKey | None:
    """The active key row for a presented key, or None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None or not api_key_matches(key, row.key_hash):
        return None
    return row


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def new_webhook_secrets(session: Session, prefixes: list[str], sealer: Sealer) -> list[tuple[str, str]]:
    """A new webhook secret for each active key named (every active one for none), sealed with `sealer`: (prefix,
    secret) each, to give its client. InputError for a prefix no active key has (nothing changed then)."""
    query = select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)
    rows = list(session.scalars(query.where(ApiKey.prefix.in_(prefixes)) if prefixes else query))
    if unknown := sorted(set(prefixes) - {row.prefix for row in rows}):
        raise InputError(f"no active key with prefix {', '.join(map(repr, unknown))}")
    made = []
    for row in rows:
        secret = secrets.token_urlsafe(32)
        row.webhook_secret = _sealed(secret, sealer)
        made.append((row.prefix, secret))
    return made


def revoke_api_key(session: Session, prefix: str) -> ApiKey | None:
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
