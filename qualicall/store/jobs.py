"""Audio jobs and webhook deliveries in the store: the queue survives restarts because it is the database.

A job goes queued → running → succeeded | failed. A worker claims a job with a
conditional update (only one claim can win), and the job's result, its new
status and its webhook delivery commit in one transaction: a job cannot
complete twice. Jobs left `running` by a process that died are put back in
the queue (`requeue_interrupted`: at start-up, or when a job's worker process
died); one service instance per database runs the jobs. The metadata a job was
posted with (free text, names: personal data not yet redacted) is stored sealed
with the service's key, and a job that ends keeps none of it: the stored
interaction, redacted, has it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from qualicall.security import Sealer
from qualicall.store.models import JobRow, ResultRow, WebhookDelivery, utcnow

# A job interrupted this many times (it may be what kills the process) is failed, not retried.
MAX_STARTS = 3


def new_job_id() -> str:
    return uuid.uuid4().hex


def create_job(
    session: Session,
    *,
    job_id: str,
    interaction_id: str,
    upload_path: str,
    filename: str,
    metadata: dict[str, Any],
    options: dict[str, Any],
    callback_url: str | None,
    api_key_id: int | None,
    sealer: Sealer,
) -> JobRow:
    sealed = {"sealed": sealer.seal(json.dumps(metadata, ensure_ascii=False).encode())}
    job = JobRow(
        id=job_id, status="queued", interaction_id=interaction_id, upload_path=upload_path, filename=filename,
        metadata_json=sealed, options=options, callback_url=callback_url, api_key_id=api_key_id, attempts=0,
    )
    session.add(job)
    session.flush()
    return job


def job_metadata(job: JobRow, sealer: Sealer) -> dict[str, Any]:
    """The metadata `job` was posted with (jobs queued before it was sealed hold it as it was posted)."""
    stored = job.metadata_json
    if set(stored) == {"sealed"} and isinstance(stored["sealed"], str):
        return json.loads(sealer.open(stored["sealed"]))
    return stored


def get_job(session: Session, job_id: str) -> JobRow | None:
    return session.get(JobRow, job_id)


def job_in_flight(session: Session, interaction_id: str) -> str | None:
    """The id of an audio job of `interaction_id` still queued or running, or None: its result, stored when it ends,
    would replace what is posted meanwhile."""
    return session.scalar(select(JobRow.id).where(JobRow.interaction_id == interaction_id, JobRow.status.in_(("queued", "running"))).limit(1))


def count_by_status(session: Session) -> dict[str, int]:
    return dict(session.execute(select(JobRow.status, func.count()).group_by(JobRow.status)).all())  # type: ignore[arg-type]


def count_queued(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(JobRow).where(JobRow.status == "queued")) or 0


def claim_next(session: Session) -> JobRow | None:
    """Mark the oldest queued job running and return it; None when the queue is empty.
    Commit right after: the claim is what keeps another worker off the job."""
    while True:
        job_id = session.scalar(select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.created_at, JobRow.id).limit(1))
        if job_id is None:
            return None
        claimed = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status == "queued")
            .values(status="running", attempts=JobRow.attempts + 1, started_at=utcnow())
        ).rowcount
        if claimed == 1:
            return session.get(JobRow, job_id, populate_existing=True)


def complete_job(session: Session, job_id: str, result: ResultRow, audio_seconds: float | None, processing_seconds: float | None) -> None:
    """Record success in the transaction that stored the result; raises if the job is no longer running here."""
    done = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "running")
        .values(status="succeeded", result_id=result.id, audio_seconds=audio_seconds, processing_seconds=processing_seconds,
                finished_at=utcnow(), error=None, metadata_json={})
    ).rowcount
    if done != 1:
        raise RuntimeError(f"job {job_id} is not running any more: not completing it twice")


def fail_job(session: Session, job_id: str, error: str) -> None:
    session.execute(update(JobRow).where(JobRow.id == job_id).values(status="failed", error=error, finished_at=utcnow(), metadata_json={}))


def requeue_interrupted(session: Session, reason: str, job_id: str | None = None) -> tuple[int, list[str]]:
    """Jobs a dead process left running (every one at start-up, or `job_id` whose worker died) go back to the
    queue, or fail after MAX_STARTS with `reason`. Returns how many were queued again, and the uploads of
    those that failed (for the caller to delete)."""
    running = [JobRow.status == "running"] + ([JobRow.id == job_id] if job_id is not None else [])
    failed = list(session.scalars(select(JobRow.upload_path).where(*running, JobRow.attempts >= MAX_STARTS)))
    session.execute(
        update(JobRow).where(*running, JobRow.attempts >= MAX_STARTS)
        .values(status="failed", error=f"interrupted {MAX_STARTS} times ({reason})", finished_at=utcnow(), metadata_json={})
    )
    requeued = session.execute(update(JobRow).where(*running).values(status="queued", started_at=None)).rowcount
    return requeued, failed


# --- webhooks ---------------------------------------------------------------

def enqueue_delivery(session: Session, job: JobRow, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery(id=uuid.uuid4().hex, job_id=job.id, url=job.callback_url, body=body, api_key_id=job.api_key_id,
                               status="pending", attempts=0, next_attempt_at=utcnow())
    session.add(delivery)
    session.flush()
    return delivery


def due_deliveries(session: Session, now: datetime, limit: int = 20) -> list[WebhookDelivery]:
    return list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at).limit(limit)
    ))


def record_attempt(session: Session, delivery: WebhookDelivery, error: str | None, max_attempts: int, backoff_s: float,
                   final: bool = False) -> None:
    """After one POST: delivered, or retried later (delay doubling from backoff_s), or failed after max_attempts (at
    once where the error is `final`: no later attempt could do otherwise)."""
    delivery.attempts += 1
    if error is None:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
    elif final or delivery.attempts >= max_attempts:
        delivery.status, delivery.last_error = "failed", error
    else:
        delivery.last_error = error
        delivery.next_attempt_at = utcnow() + timedelta(seconds=backoff_s * 2 ** (delivery.attempts - 1))


def delivery_of(session: Session, job_id: str) -> WebhookDelivery | None:
    """A job's callback, or None where it was given no callback_url (or has not ended)."""
    return session.scalar(select(WebhookDelivery).where(WebhookDelivery.job_id == job_id).order_by(WebhookDelivery.created_at.desc()).limit(1))


def count_pending_deliveries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")) or 0
