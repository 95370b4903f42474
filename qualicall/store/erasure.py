"""Erasing contacts: one on request (a customer's right to erasure, GDPR art. 17), or every contact older than the
deployment's retention period (`qualicall db purge`).

Everything the store keeps of a contact goes with it, in one transaction: the interaction, every result version (their
items, figures and digests), the coaches' reviews, the agents' disputes, the calibration sessions' calls and verdicts,
its transcript's search index, its audio jobs and their webhook bodies (which carry the result), and the responses kept
for Idempotency-Key replays (which carry it too). The files the rows named (recordings, uploads) are returned for the
service to remove once the transaction has committed (`qualicall.service.erasure`).

On SQLite, the engine zeroes deleted content (`secure_delete`, `qualicall.store.db`), and, once the erasures have
committed, the full-text index is merged so that the deleted words leave its segments and the write-ahead log is
emptied (`forget_deleted`): the transcript no longer lies in the database's files. PostgreSQL deletes the rows; autovacuum reuses their space, and the
bytes stay on disk until overwritten (README, "Erasure and retention").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Select, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from qualicall.core.errors import ConflictError
from qualicall.store.models import IdempotencyRecord, InteractionRow, JobRow, ResultRow, TrendDay, WebhookDelivery
from qualicall.store.db import BUSY_TIMEOUT_S
from qualicall.store.search import MERGE_INDEX


class ErasureRefused(ConflictError):
    """A contact that cannot be erased now: an audio job is transcribing it (it would store the contact again)."""


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: contacts (and their ids), result versions, audio jobs, and the files their rows named."""

    interactions: int = 0
    results: int = 0
    jobs: int = 0
    files: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    def __add__(self, other: "Erased") -> "Erased":
        return Erased(self.interactions + other.interactions, self.results + other.results, self.jobs + other.jobs,
                      self.files + other.files, self.ids + other.ids)

    @property
    def nothing(self) -> bool:
        return not (self.interactions or self.jobs)


def erase(session: Session, ids: Sequence[str] | Select) -> Erased:
    """Delete the contacts `ids` (a list, or a query of ids) and everything kept about them (module docstring);
    ErasureRefused, deleting nothing, when one of them is being transcribed. Ids the store does not know are passed over."""
    ids = _as_ids(ids)
    refuse_transcribed(session, ids)
    found = measure(session, ids)
    jobs = select(JobRow.id).where(JobRow.interaction_id.in_(ids))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.job_id.in_(jobs)))
    # A worker claims a job with an UPDATE on status « queued »: this DELETE waits for it or wins, and a job so claimed
    # is left (and the erasure refused) rather than its contact stored again after the erasure.
    session.execute(delete(JobRow).where(JobRow.id.in_(jobs), JobRow.status != "running"))
    if session.scalars(jobs).first() is not None:
        raise ErasureRefused("an audio job of these interactions started while they were being erased: erase them once it has ended")
    # Both kinds of remembered response name their contact: a result, or an audio job.
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.response["interaction_id"].as_string().in_(ids)))
    # The trend pages' sums of the contacts' agents and teams: SQLite gives a later result an erased one's id, and a day
    # kept as (count, sum of ids) would then be taken as unchanged.
    groups = session.execute(select(InteractionRow.agent_id, InteractionRow.team).where(InteractionRow.id.in_(ids))).all()
    agents, teams = {agent for agent, _ in groups if agent}, {team for _, team in groups if team}
    if agents or teams:
        session.execute(delete(TrendDay).where(or_((TrendDay.scope == "agent") & TrendDay.name.in_(agents),
                                                   (TrendDay.scope == "team") & TrendDay.name.in_(teams))))
    # The rest follows by the foreign keys' ON DELETE CASCADE: results (items, figures, digests), reviews, disputes,
    # transcript_search (and, by its trigger, the FTS5 index), calibration calls and their verdicts.
    session.execute(delete(InteractionRow).where(InteractionRow.id.in_(ids)))
    return found


def refuse_transcribed(session: Session, ids: Sequence[str] | Select) -> None:
    """ErasureRefused naming the first of the contacts `ids` that an audio job is transcribing: it would store it again."""
    running = session.scalars(select(JobRow.interaction_id).where(JobRow.interaction_id.in_(_as_ids(ids)), JobRow.status == "running")).first()
    if running is not None:
        raise ErasureRefused(f"interaction {running!r}: an audio job is transcribing it; erase it once the job has ended")


def measure(session: Session, ids: Sequence[str] | Select) -> Erased:
    """What erasing the contacts `ids` would remove (a purge's dry run)."""
    ids = _as_ids(ids)
    found = list(session.execute(select(InteractionRow.id, InteractionRow.recording).where(InteractionRow.id.in_(ids))))
    files = [path for _, path in found if path]
    files += session.scalars(select(JobRow.upload_path).where(JobRow.interaction_id.in_(ids)))
    awaited = set(session.scalars(select(JobRow.interaction_id).where(JobRow.interaction_id.in_(ids))))  # (uploads not scored yet)
    return Erased(
        len(found),
        _count(session, select(ResultRow.id).where(ResultRow.interaction_id.in_(ids))),
        _count(session, select(JobRow.id).where(JobRow.interaction_id.in_(ids))),
        tuple(dict.fromkeys(files)),
        tuple(dict.fromkeys([i for i, _ in found] + sorted(awaited))),
    )


def _as_ids(ids: Sequence[str] | Select) -> list[str] | Select:
    return ids if isinstance(ids, Select) else list(dict.fromkeys(ids))


def forget_deleted(engine: Engine, wait_s: float) -> bool:
    """After erasures have committed, on SQLite: merge the full-text index into one segment (a deleted row's words stay
    in the older segments, marked deleted, until merges reach them: SQLite before 3.42 has no « secure-delete » for
    FTS5), then copy the write-ahead log into the database and empty it (it holds the pages as they were before the
    erasure until it is next overwritten). Each step waits `wait_s` at most for another connection's lock, not the busy
    timeout: emptying the log holds the writers while it waits for readers. False when a reader kept the log from
    being emptied (the next call finishes it); nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
        connection.commit()  # (SQLAlchemy began a transaction around the pragma)
        try:
            with connection.begin():
                connection.exec_driver_sql(MERGE_INDEX)
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    return not busy


def expired(before: datetime) -> Select:
    """The ids of the contacts that happened before `before` (their `started_at`, else when they were received), or
    were last received or changed before it — a contact cannot have happened after it came: one dated 2099 by a typing
    error escaped every purge (a data protection officer's review); the last receipt, not the first, so that an id
    posted again today with a new conversation stays —, oldest first, but those an audio job is transcribing now (the
    next purge takes them)."""
    transcribing = exists().where(JobRow.interaction_id == InteractionRow.id, JobRow.status == "running")
    return (select(InteractionRow.id).where(or_(InteractionRow.contact_time < before, InteractionRow.updated_at < before), ~transcribing)
            .order_by(InteractionRow.contact_time, InteractionRow.id))


@dataclass(frozen=True)
class Leftovers:
    """Records of requests that outlive their use: finished audio jobs, webhook deliveries sent or given up, remembered
    Idempotency-Key responses; and the uploads of those jobs that no contact keeps as its recording (without redaction an
    upload is the recording, until another upload of the same contact replaces it)."""

    jobs: int = 0
    deliveries: int = 0
    replays: int = 0
    files: tuple[str, ...] = ()


def drop_leftovers(session: Session, before: datetime, dry_run: bool = False, besides: Select | None = None) -> Leftovers:
    """Delete the finished jobs, the webhook deliveries no longer pending and the Idempotency-Key responses made before
    `before` (a retry comes within minutes, a webhook's attempts within the hour); with `dry_run`, count them only,
    `besides` the contacts (a query of ids) the same purge erases with everything of theirs."""
    jobs = select(JobRow.id).where(JobRow.created_at < before, JobRow.status.in_(("succeeded", "failed")))
    deliveries = select(WebhookDelivery.id).where(
        or_((WebhookDelivery.created_at < before) & (WebhookDelivery.status != "pending"), WebhookDelivery.job_id.in_(jobs)))
    replays = select(IdempotencyRecord.id).where(IdempotencyRecord.created_at < before)
    if besides is not None:
        theirs = select(JobRow.id).where(JobRow.interaction_id.in_(besides))
        jobs = jobs.where(JobRow.interaction_id.not_in(besides))
        deliveries = deliveries.where(WebhookDelivery.job_id.not_in(theirs))
        replays = replays.where(or_(IdempotencyRecord.response["interaction_id"].as_string().is_(None),
                                    IdempotencyRecord.response["interaction_id"].as_string().not_in(besides)))
    kept = select(InteractionRow.recording).where(InteractionRow.recording.is_not(None))
    files = session.scalars(select(JobRow.upload_path).where(JobRow.id.in_(jobs), JobRow.upload_path.not_in(kept)))
    counted = Leftovers(_count(session, jobs), _count(session, deliveries), _count(session, replays), tuple(path for path in files if path))
    if not dry_run:
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(deliveries)))
        session.execute(delete(JobRow).where(JobRow.id.in_(jobs)))
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(replays)))
    return counted


def _count(session: Session, query) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0
