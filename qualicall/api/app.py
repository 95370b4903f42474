"""The FastAPI application: `create_app(settings)` wires the store, the scorer, the job workers and the routes."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from qualicall import __version__
from qualicall.api.deps import STORE_UNAVAILABLE
from qualicall.api.headers import SecurityHeaders
from qualicall.api.messages import public_message
from qualicall.api.metrics import Metrics
from qualicall.security import Sealer
from qualicall.core.errors import ConflictError, InputError, NotFoundError, QualicallError, TooLargeError
from qualicall.settings import Settings
from qualicall.store.db import Store

log = logging.getLogger("qualicall.api")

DESCRIPTION = """Scores contact-centre interactions against a quality grid, with evidence.

Authenticate with `Authorization: Bearer <key>` (keys from `qualicall apikey create --role crm|coach|admin`).
`crm` posts interactions and reads results; `coach` reads and reviews; `admin` does everything."""


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus the models named by hand in POST /v1/interactions (it takes JSON or multipart)."""
    if app.openapi_schema:
        return app.openapi_schema
    from qualicall.api import webhooks
    from qualicall.api.schemas import JobOut, WebhookPayload
    from qualicall.core.interaction import Interaction

    schema = get_openapi(title="qualicall", version=__version__, description=DESCRIPTION, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Interaction, JobOut, WebhookPayload):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in model_schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, model_schema)
    # A JSON body is scored at once, so it needs its turns (or to be an abandoned contact).
    components["Interaction"]["anyOf"] = [
        {"required": ["turns"], "properties": {"turns": {"type": "array"}}},
        {"required": ["abandoned"], "properties": {"abandoned": {"const": True}}},
    ]
    # What a callback receives: an integrator read it in the README only (an integrator's review).
    header = lambda name, text: {"name": name, "in": "header", "required": True, "schema": {"type": "string"}, "description": text}  # noqa: E731
    schema["webhooks"] = {"job": {"post": {
        "summary": "A job's end, POSTed to its callback_url; retried with a doubling delay until a 2xx",
        "parameters": [
            header(webhooks.DELIVERY_HEADER, "the delivery's id, the same on every retry: de-duplicate on it"),
            header(webhooks.EVENT_HEADER, "job.succeeded or job.failed"),
            header(webhooks.TIMESTAMP_HEADER, "Unix seconds when sent: refuse one more than a few minutes old"),
            header(webhooks.SIGNATURE_HEADER, "sha256=<hex>: HMAC-SHA256 with the API key's webhook secret of the timestamp, a dot and the body"),
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookPayload"}}}},
        "responses": {"2XX": {"description": "taken; any other answer, or none within QUALICALL_WEBHOOK_TIMEOUT_S, is tried again"}},
    }}}
    app.openapi_schema = schema
    return schema


def status_of(exc: QualicallError) -> int:
    """The HTTP status of a project error: bad input 422 (413 above a size limit), unknown thing 404, conflict 409,
    anything else (a store or model that is not available) 503."""
    for family, status in ((NotFoundError, 404), (ConflictError, 409), (TooLargeError, 413), (InputError, 422)):
        if isinstance(exc, family):
            return status
    return 503


# Threads for blocking work at once in one HTTP worker (anyio's default is 40): reads, uploads, sign-ins.
REQUEST_THREADS = 200
# JSON posts handled at once by one HTTP worker: one scored in its scoring process while another is
# checked or stored. More would only share this process's interpreter lock with the reads: 50 posts
# at once made a GET wait seconds for it. The others wait for their turn without a thread.
POSTS_AT_ONCE = 2


_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,40}")


class QueryValuesHidden(logging.Filter):
    """The access log's request lines without the values of their query: a coach's search words (« q=jean.dupont@… »),
    an agent's id, a date range would rest in the log in clear (a security review), where the store keeps them redacted.
    The parameters' names stay: « GET /queue?q=…&agent=… »."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            path, _, query = args[2].partition("?")
            # (a name that is no parameter's, « ?jean.dupont@example.com », and a part without « = », « ?DUPONT », are values)
            names = "&".join(f"{name if '=' in part and _PARAMETER.fullmatch(name) else '…'}=…" for part in query.split("&") if part
                             for name in [part.split("=", 1)[0]])
            record.args = (*args[:2], f"{path}?{names}", *args[3:])
        return True


def _hide_query_values(logger: logging.Logger) -> None:
    if not any(isinstance(f, QueryValuesHidden) for f in logger.filters):  # (once: a process may make several apps)
        logger.addFilter(QueryValuesHidden())


def create_app(settings: Settings | None = None, *, run_jobs: bool = True, migrate: bool = True) -> FastAPI:
    """The API for `settings` (default: from the environment). The schema is upgraded here (unless `migrate`
    is False: `qualicall serve` upgrades it once before starting its workers); models load at start-up, in
    the scoring process of this worker. `run_jobs=False`: accept audio jobs but leave running them to another
    process; with True, they run here unless another process of this data folder runs them already."""
    settings = settings or Settings()
    store = Store(settings.url, migrate=migrate)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from functools import partial

        import anyio.to_thread
        from fastapi.concurrency import run_in_threadpool

        from qualicall.api.jobs import start_jobs
        from qualicall.service.erasure import DeferredForget, RetentionTimer
        from qualicall.service.pool import ScoringPool
        from qualicall.service.recordings import RecordingsRoot
        from qualicall.service.scoring import ScoringService

        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        _hide_query_values(logging.getLogger("uvicorn.access"))
        app.state.posting = asyncio.Semaphore(POSTS_AT_ONCE)
        app.state.forgetting = DeferredForget(store.engine, settings.data_dir / "erasure.pending")  # after DELETE /v1/interactions/{id}
        app.state.scoring = ScoringPool(partial(ScoringService, settings.rubric, settings.redact, settings.redacted_recordings_dir,
                                                recordings_root=RecordingsRoot(settings.recordings_root)))
        if settings.warm_up:
            await run_in_threadpool(app.state.scoring.warm_up)
        app.state.jobs_lock = _jobs_lock(settings) if run_jobs else None
        runner = start_jobs(app) if app.state.jobs_lock is not None else None
        # (the process that runs the jobs, one per service, applies the retention period)
        retention = RetentionTimer(store, settings, settings.retention_days).start() \
            if runner is not None and settings.retention_days else None
        try:
            yield
        finally:
            if retention is not None:
                retention.stop()
            app.state.forgetting.flush()
            if runner is not None:
                runner.stop()
                app.state.jobs_lock.close()
            app.state.scoring.close()
            store.close()

    # /docs is served by qualicall.api.routes.docs (local assets); ReDoc, which would load from a CDN, is off.
    app = FastAPI(title="qualicall", version=__version__, description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.store = store
    # The key that seals audio jobs' metadata and webhook secrets in the store, kept in the data folder.
    app.state.sealer = Sealer.from_file(settings.sealing_key)
    app.state.metrics = metrics
    metrics.gauges.append(lambda: _store_gauges(app))
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    from qualicall.api.web.routes import install as install_workspace, workspace_error

    @app.exception_handler(QualicallError)
    async def _project_error(request: Request, exc: QualicallError) -> JSONResponse:
        """The one place where the project's errors become answers: the message is the reason (no server path)."""
        return JSONResponse({"detail": public_message(str(exc))}, status_code=status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422, less each error's `input`: the value refused, up to the whole body (a comment holding a card number,
        a customer's phone number), which is not to be sent back and kept in a client's logs."""
        page = workspace_error(request, 422)
        if page is not None:
            return page
        errors = [{key: value for key, value in error.items() if key != "input"} for error in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """FastAPI's answer, its reason without server paths (FFmpeg's messages name the upload's file); a workspace page
        to a browser on the workspace's addresses."""
        page = workspace_error(request, exc.status_code)
        if page is not None:
            return page
        if isinstance(exc.detail, str):
            exc.detail = public_message(exc.detail)
        return await http_exception_handler(request, exc)


    from qualicall.api.routes import disputes, docs, health, interactions, jobs, reports, rubrics

    from qualicall.api.deps import known_query_parameters

    for part in (interactions, disputes, jobs, rubrics, reports):
        app.include_router(part.router, dependencies=[Depends(known_query_parameters)])
    app.include_router(health.router)
    app.include_router(docs.router)

    install_workspace(app)  # the coaches' and agents' pages

    app.add_middleware(_UnexpectedErrors)  # innermost of the three: the metrics count its 500, the headers are added to it
    app.add_middleware(_MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    return app


def worker_app() -> FastAPI:
    """The application of one of `qualicall serve --workers N`'s processes (settings from the environment,
    which `serve` sets; the schema already upgraded by `serve`)."""
    import os

    from qualicall.service.workers import die_with_parent

    die_with_parent(os.getppid())  # the supervisor killed with -9 takes its workers along: none keeps the port
    return create_app(migrate=False)


def _jobs_lock(settings: Settings):  # type: ignore[no-untyped-def]
    """An open file holding an exclusive lock on the data folder's `jobs.lock`, or None if another process holds it.

    Audio jobs, their requeueing at start-up and webhook deliveries must run in one process per service:
    of `serve --workers N`'s processes, the first to start takes the lock and runs them. The kernel
    releases it with the process, and the worker the supervisor starts in its place takes it."""
    import fcntl

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(settings.data_dir / "jobs.lock", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _store_gauges(app: FastAPI) -> list[tuple[str, str, dict[str, str], float]]:
    from qualicall.store import jobs as job_store

    with app.state.store.session() as session:
        by_status = job_store.count_by_status(session)
        pending = job_store.count_pending_deliveries(session)
    runner = getattr(app.state, "jobs", None)
    gauges = [("qualicall_jobs", "Audio jobs by status.", {"status": s}, float(by_status.get(s, 0)))
              for s in ("queued", "running", "succeeded", "failed")]
    gauges.append(("qualicall_job_queue_depth", "Audio jobs waiting for a worker.", {}, float(by_status.get("queued", 0))))
    gauges.append(("qualicall_job_workers_busy", "Workers running a job now.", {}, float(runner.running if runner else 0)))
    gauges.append(("qualicall_webhooks_pending", "Webhook deliveries not yet made.", {}, float(pending)))
    return gauges


class _UnexpectedErrors:
    """The answer to an exception no handler took: a 500 naming its type, the traceback in the log.

    Here rather than in Starlette's outermost handler (`exception_handler(Exception)`), which answers outside
    every middleware (no security headers) and then re-raises to the server: uvicorn closed the connection,
    and the client's next request on it (keep-alive) was reset."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:  # type: ignore[no-untyped-def]
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # too late for another answer: the server closes the connection
                raise
            from sqlalchemy.exc import DBAPIError

            if isinstance(exc, DBAPIError):
                # A database down, a disk full, on a route that opens its own session (posts, the coach pages): the
                # store's 503, as through DbSession (it was a 500). One transaction per request: nothing was changed.
                log.exception("database error on %s %s", scope["method"], scope["path"])
                answer = JSONResponse({"detail": STORE_UNAVAILABLE}, status_code=503)
            else:
                log.exception("unexpected error on %s %s", scope["method"], scope["path"])
                answer = JSONResponse({"detail": f"internal error ({type(exc).__name__}); see the server log"}, status_code=500)
            await answer(scope, receive, send)


class _MetricsMiddleware:
    def __init__(self, app, metrics: Metrics) -> None:  # type: ignore[no-untyped-def]
        self.wrapped = metrics.middleware(app)

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await self.wrapped(scope, receive, send)
