"""The workspace's pages: server-rendered HTML (Jinja2) with a little plain JavaScript.

One thin module per part of the workspace; what they share (the signed-in user, the CSRF check,
the renderer) is in `qualicall.api.web.deps`. Every page but the login needs a session (a cookie,
see `sessions.py`); every form posts back the session's CSRF token. Coaches and admins see every
page; an agent sees their own evaluations and calls, and disputes them (`disputes.py`): any other
page answers them 403. Calibration sessions are made and closed by a lead (an admin: `calibration_sessions.py`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Match

from qualicall.api.web.deps import Forbidden, current_session, render, translator
from qualicall.api.web.routes import auth, calibration, calibration_sessions, calls, disputes, evaluation, groups, queue, reports

router = APIRouter(include_in_schema=False)
for part in (auth, queue, calls, evaluation, disputes, calibration, calibration_sessions, groups, reports):
    router.include_router(part.router)


def install(app: FastAPI) -> None:
    """The pages, and the page that says 403 to a user who may not see one."""
    app.include_router(router)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        t = translator(request)
        return render(request, "message.html", exc.session, status_code=403, t=t, title=t("forbidden"), message=t(exc.message))


# The service's own addresses, answered in JSON whoever asks: the API, its documents, its probes.
_API_PATHS = ("/v1/", "/docs", "/openapi.json", "/healthz", "/metrics", "/static/")


def workspace_error(request: Request, status: int) -> Response | None:
    """A browser's error on a workspace address, as a workspace page rather than FastAPI's JSON (« {"detail":"Not
    Found"} » on a mistyped address; on `/calls/…/reviews` after a refused form, whose address the language switch and a
    reload then open): an address that is a form's goes to the nearest page above it; one that names nothing, or
    nothing valid (`/calibration/sessions/abc`), says so. None: an API client's, or the API's, answered as before."""
    path = request.url.path
    if path.startswith(_API_PATHS) or path == "/v1" or "text/html" not in request.headers.get("accept", ""):
        return None
    if status == 405 and request.method == "GET":
        page = _page_above(request.app, path)
        if page is not None:
            return RedirectResponse(page, 303)
    if status not in (404, 405, 422):
        return None
    t = translator(request)
    return render(request, "message.html", current_session(request), status_code=404, t=t, title=t("not_found"), message=t("no_such_page"))


def _page_above(app: FastAPI, path: str) -> str | None:
    """The nearest address above `path` that is a page (a GET route): `/calls/x/reviews` → `/calls/x`."""
    parts = path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        candidate = "/".join(parts[:end]) or "/"
        scope = {"type": "http", "path": candidate, "method": "GET"}
        if any(route.matches(scope)[0] == Match.FULL for route in app.router.routes):
            return candidate
    return None
