"""What every page shares: the templates, the user's language, the signed-in user (dependencies that
redirect to the login page, and refuse an agent the coaches' pages), the CSRF check and the page renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, HTTPException, Path as PathParameter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.schemas import COMMENT_MAX_CHARS
from qualicall.api.web.i18n import Translator, language_from_header, normalise_language
from qualicall.core.interaction import text_problem
from qualicall.scorer.labels import label_rubrics
from qualicall.api.web.sessions import COOKIE, CookiePolicy
from qualicall.security import same_secret
from qualicall.store.signins import SignedIn, find_session

HERE = Path(__file__).parent
STATIC = HERE / "static"
LANGUAGE_COOKIE = "qualicall_lang"
COACH_ROLES = ("coach", "admin")
# Who may sign in to the pages: coaches and admins see every contact, an agent their own (`SignedIn.agent_id`).
SIGNIN_ROLES = (*COACH_ROLES, "agent")


class Forbidden(Exception):
    """A page this user may not see (an agent on a coach's page or on another agent's call, a coach on a lead's page):
    answered 403 with a page saying why, `message` (a key of the interface's strings; `qualicall.api.web.routes.install`)."""

    def __init__(self, session: SignedIn, message: str = "forbidden_text") -> None:
        super().__init__("forbidden")
        self.session = session
        self.message = message


def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    # Static files are named with their modification time so that browsers cache them until they change.
    versions = {path.name: int(path.stat().st_mtime) for path in STATIC.iterdir()}
    environment.globals["static_url"] = lambda name: f"/static/{name}?v={versions.get(name, 0)}"
    environment.globals["url"] = lambda path: path
    environment.policies["json.dumps_function"] = finite_json
    return environment


def finite_json(value: Any, **options: Any) -> str:
    """`tojson` for the pages' embedded data: a number that is not finite (stored before the door refused them)
    is written null, never Infinity or NaN, which would stop the page's script."""
    import json
    import math

    def finite(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(v) for key, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [finite(v) for v in item]
        return item

    return json.dumps(finite(value), allow_nan=False, **options)


_templates = None


def templates():  # type: ignore[no-untyped-def]
    global _templates
    if _templates is None:
        _templates = _environment()
    return _templates


def translator(request: Request) -> Translator:
    """The coach's language, and the labels of the rubrics the server scores with."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    language = normalise_language(chosen) if chosen else language_from_header(request.headers.get("accept-language"))
    settings = request.app.state.settings
    return Translator(language, label_rubrics(settings.rubric), settings.time_zone)


def current_session(request: Request) -> SignedIn | None:
    """Who this request's session cookie belongs to, looked up in the store (so that it can be revoked)."""
    with request.app.state.store.session() as db:
        session = find_session(db, request.cookies.get(COOKIE))
    return session if session and session.role in SIGNIN_ROLES else None


def home_of(session: SignedIn) -> str:
    """Where a user lands: the review queue for a coach, their own evaluations for an agent."""
    return "/me" if session.is_agent else "/queue"


def signed_in(request: Request) -> SignedIn:
    """The signed-in user, or a redirect to the login page (303 with Location: browsers follow it), which
    comes back here after sign-in. A form posted after the session ended comes back to the page it was on
    (its Referer), whose script offers what was typed again; `expired` makes the login page say why."""
    session = current_session(request)
    if session is None:
        query = {"next": _return_to(request)}
        if request.cookies.get(COOKIE):
            query["expired"] = "form" if request.method not in ("GET", "HEAD") else "1"
        raise HTTPException(303, "sign in first", headers={"Location": "/login?" + urlencode(query)})
    return session


def coach(viewer: SignedIn = Depends(signed_in)) -> SignedIn:
    """The signed-in coach or admin; an agent is refused (403)."""
    if viewer.is_agent:
        raise Forbidden(viewer)
    return viewer


def lead(viewer: SignedIn = Depends(coach)) -> SignedIn:
    """The signed-in admin: the lead who runs calibration sessions; a coach or an agent is refused (403)."""
    if viewer.role != "admin":
        raise Forbidden(viewer, "forbidden_lead")
    return viewer


def _return_to(request: Request) -> str:
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer") or "")
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/queue"


Coach = Annotated[SignedIn, Depends(coach)]
# A row's id in a page's address (a session's, a dispute's, a saved filter's): past what SQLite's integer holds the
# database would fail (500); answered 422 instead.
ROW_ID_MAX = 2**63 - 1
RowId = Annotated[int, PathParameter(ge=1, le=ROW_ID_MAX)]
Lead = Annotated[SignedIn, Depends(lead)]
Viewer = Annotated[SignedIn, Depends(signed_in)]
Language = Annotated[Translator, Depends(translator)]


def holder(session: SignedIn) -> str:
    """Who a signed-in session is, for the audit record (qualicall.api.deps.audit): « coach 'julie' »."""
    return f"{session.role} {session.user!r}"


def comment_refusal(text: str, t: Translator) -> str | None:
    """Why a comment typed in a form (stripped) cannot be kept, in the page's language — longer than COMMENT_MAX_CHARS,
    or holding what is not text (a NUL: the store refuses it, in English, as JSON) —; None where it can."""
    if len(text) > COMMENT_MAX_CHARS:
        return t("comment_too_long", max=COMMENT_MAX_CHARS)
    return t("comment_not_text") if text_problem(text) else None


def csrf_valid(session: SignedIn, token: str) -> bool:
    """Whether a form carries its session's CSRF token. A stale form (the coach signed in again since it was
    shown) answers with its page again, what was typed kept, and the new token."""
    return same_secret(session.csrf, token or "")


def cookie_policy(request: Request) -> CookiePolicy:
    return CookiePolicy.of(request.app.state.settings)


def render(request: Request, name: str, session: SignedIn | None, status_code: int = 200, t: Translator | None = None, **context: Any) -> HTMLResponse:
    """A page in the coach's language: `t`, the page's translator when it has one (a call's labels come from its rubric)."""
    t = t or translator(request)
    if session is not None and not session.is_agent and "open_disputes" not in context:
        context["open_disputes"] = _open_disputes(request)
    html = templates().get_template(name).render(request=request, session=session, t=t, **context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _open_disputes(request: Request) -> int | None:
    """How many disputes wait for a coach, for the menu (None when the store cannot say: the page still renders)."""
    from sqlalchemy.exc import SQLAlchemyError

    from qualicall.store.disputes import count_open

    try:
        with request.app.state.store.session() as db:
            return count_open(db)
    except SQLAlchemyError:
        return None


def safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send the coach to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/queue"
