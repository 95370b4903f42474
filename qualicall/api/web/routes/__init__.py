"""The coach workspace's pages: server-rendered HTML (Jinja2) with a little plain JavaScript.

One thin module per part of the workspace; what they share (the signed-in coach, the CSRF check,
the renderer) is in `qualicall.api.web.deps`. Every page but the login needs a coach session
(a signed cookie, see `sessions.py`); every form posts back the session's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter

from qualicall.api.web.routes import auth, calibration, calls, groups, queue

router = APIRouter(include_in_schema=False)
for part in (auth, queue, calls, calibration, groups):
    router.include_router(part.router)
