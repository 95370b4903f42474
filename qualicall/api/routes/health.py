"""/healthz and /metrics: for load balancers and Prometheus (no API key)."""

from __future__ import annotations

import logging
import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from qualicall import __version__
from qualicall.api.schemas import Health

router = APIRouter(tags=["operations"])
log = logging.getLogger("qualicall.api")


@router.head("/healthz", include_in_schema=False)  # as load balancers' probes ask (one operation in the document)
@router.get("/healthz", response_model=Health, responses={503: {"model": Health}}, summary="Whether the service and its database answer")
def healthz(request: Request) -> JSONResponse:
    worker = {"worker": os.getpid(), "runs_jobs": getattr(request.app.state, "jobs", None) is not None}
    from qualicall.store.jobs import count_queued

    try:
        with request.app.state.store.session() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            queued = count_queued(session)
        health = Health(status="ok", database="ok", version=__version__, schema_revision=revision, queued_jobs=queued, **worker)
        return JSONResponse(health.model_dump(), status_code=200)
    except Exception:  # any database failure is what this endpoint reports
        # Said to anyone (no key): the driver's message, with the database's host, port and user, goes to the log only.
        log.exception("health check: the database does not answer")
        health = Health(status="unavailable", database="unavailable", version=__version__, **worker)
        return JSONResponse(health.model_dump(), status_code=503)


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics (text format 0.0.4)")
def metrics(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
