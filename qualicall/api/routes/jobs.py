"""/v1/jobs/{id}: the state of an audio job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from qualicall.api.deps import ANY_ROLE, Client, DbSession
from qualicall.api.routes.interactions import ERRORS
from qualicall.api.schemas import JobOut, Problem
from qualicall.store import jobs as job_store
from qualicall.store.models import ResultRow

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut, responses={**ERRORS, 404: {"model": Problem}},
            summary="An audio job: queued, running, succeeded (then GET /v1/interactions/{interaction_id}) or failed (with error)")
def get_job(
    job_id: Annotated[str, Path(max_length=64)],
    client: Annotated[Client, Depends(ANY_ROLE)],
    session: DbSession,
) -> JobOut:
    job = job_store.get_job(session, job_id)
    if job is None:
        raise HTTPException(404, f"unknown job {job_id!r}")
    result = session.get(ResultRow, job.result_id) if job.result_id else None
    return JobOut.of(job, result.version if result else None, job_store.delivery_of(session, job.id))
