"""The workspace's pages: server-rendered HTML (Jinja2) with a little plain JavaScript.

One thin module per part of the workspace; what they share (the signed-in user, the CSRF check,
the renderer) is in `qualicall.api.web.deps`. Every page but the login needs a session (a cookie,
see `sessions.py`); every form posts back the session's CSRF token. Coaches and admins see every
page; an agent sees their own evaluations and calls, and disputes them (`disputes.py`): any other
page answers them 403. Calibration sessions are made and closed by a lead (an admin: `calibration_sessions.py`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web.deps import Forbidden, render, translator
from qualicall.api.web.routes import auth, calibration, calibration_sessions, calls, disputes, evaluation, groups, queue

router = APIRouter(include_in_schema=False)
for part in (auth, queue, calls, evaluation, disputes, calibration, calibration_sessions, groups):
    router.include_router(part.router)


def install(app: FastAPI) -> None:
    """The pages, and the page that says 403 to a user who may not see one."""
    app.include_router(router)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        t = translator(request)
        return render(request, "message.html", exc.session, status_code=403, t=t, title=t("forbidden"), message=t(exc.message))
