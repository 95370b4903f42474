"""Signing in and out, the language choice, and the pages' static files."""

from __future__ import annotations

import math
import threading

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from qualicall.api.web.deps import LANGUAGE_COOKIE, SIGNIN_ROLES, STATIC, Language, Viewer, cookie_policy, csrf_valid, current_session, home_of, render, safe_next
from qualicall.api.web.i18n import Translator, normalise_language
from qualicall.api.web.sessions import COOKIE, SIGNIN_COOKIE, clear_cookie, insecure_origin, set_cookie
from qualicall.security import new_token, same_secret
from qualicall.settings import Settings
from qualicall.store.signins import Throttle

router = APIRouter()


@router.get("/")
def home(request: Request) -> RedirectResponse:
    session = current_session(request)
    return RedirectResponse(home_of(session) if session else "/queue", 303)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/language/{code}")
def language(code: str, next: str = "/queue") -> RedirectResponse:
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 86400, samesite="lax")
    return response


@router.get("/login")
def login_page(request: Request, t: Language, next: str = "/queue", expired: str = "") -> HTMLResponse:
    notice = {"1": t("session_expired"), "form": t("session_expired_form")}.get(expired)
    return _sign_in_form(request, next, notice=notice)


# Sign-ins of a process one at a time, the throttle's count read and its failure written together: checked in
# parallel, 30 wrong passwords at once passed a limit of 5 (19 checked), each check holding 16 MiB of scrypt (a
# security review). With N server workers a subject gets at most N attempts past its limit.
_SIGNING_IN = threading.Lock()


@router.post("/login")
def login(
    request: Request,
    t: Language,
    username: str = Form(""),
    password: str = Form(""),
    api_key: str = Form(""),
    next: str = Form("/queue"),
    csrf: str = Form(""),
) -> Response:
    from qualicall.store import signins, users
    from qualicall.store.repository import authenticate

    settings: Settings = request.app.state.settings
    username, api_key = username.strip(), api_key.strip()
    if not csrf or not same_secret(request.cookies.get(SIGNIN_COOKIE) or "", csrf):
        return _sign_in_form(request, next, 403, _stale_sign_in(request, t), username)
    throttle = Throttle(settings.signin_failures_per_user, settings.signin_failures_per_address, settings.signin_window_min * 60)
    address = request.client.host if request.client else None
    name = None if api_key else username  # the user name tried, if any
    with _SIGNING_IN, request.app.state.store.session() as db:  # (the session commits before the lock is let go)
        wait = signins.wait_before_sign_in(db, throttle, name, address)
        if wait is not None:
            return _sign_in_form(request, next, 429, t("signin_throttled", minutes=math.ceil(wait / 60)), username, {"Retry-After": str(math.ceil(wait))})
        user = key = None
        if api_key:
            key = authenticate(db, api_key)
        elif username:
            user = users.check_password(db, username, password)
        account = user or key
        if account is None:
            signins.record_failure(db, throttle, name, address)
            return _sign_in_form(request, next, 401, t("login_failed"), username, by_key=bool(api_key))
        if account.role not in SIGNIN_ROLES:
            return _sign_in_form(request, next, 403, t("login_forbidden"), username, by_key=bool(api_key))
        if name:
            signins.clear_failures(db, name)
        token = signins.open_session(db, settings.session_hours * 3600, user=user, key=key)
    target = safe_next(next)
    if account.role == "agent" and target == "/queue":  # the sign-in form's default: an agent's home is their own evaluations
        target = "/me"
    response = RedirectResponse(target, 303)
    policy = cookie_policy(request)
    set_cookie(response, COOKIE, token, policy, max_age=int(settings.session_hours * 3600))
    clear_cookie(response, SIGNIN_COOKIE, policy)
    return response


@router.post("/logout")
def logout(request: Request, session: Viewer, t: Language, csrf: str = Form("")) -> Response:
    from qualicall.store.signins import close_session

    if not csrf_valid(session, csrf):
        return render(request, "message.html", session, status_code=403, title=t("form_stale_title"), message=t("logout_stale"))
    with request.app.state.store.session() as db:
        close_session(db, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", 303)
    clear_cookie(response, COOKIE, cookie_policy(request))
    return response


def _stale_sign_in(request: Request, t: Translator) -> str:
    """Why a sign-in form came back without its token: a form left open too long, or a browser that drops the cookies."""
    if request.cookies.get(SIGNIN_COOKIE):
        return t("form_stale")
    origin = insecure_origin(request, cookie_policy(request))
    return t("insecure_origin", origin=origin) if origin else t("cookie_missing")


def _sign_in_form(request: Request, next: str, status_code: int = 200, error: str | None = None, username: str | None = None,
                  headers: dict[str, str] | None = None, notice: str | None = None, by_key: bool = False) -> HTMLResponse:
    """The sign-in page, with its CSRF token: the browser's sign-in cookie if it has one (other tabs keep working), else a new one.
    It warns at once when the browser will drop the cookies at this address (checked again in the browser: `login.js`)."""
    token = request.cookies.get(SIGNIN_COOKIE) or new_token()
    policy = cookie_policy(request)
    origin = insecure_origin(request, policy)
    response = render(request, "login.html", None, status_code=status_code, next=safe_next(next), error=error, username=username, csrf=token,
                      notice=notice, insecure_origin=origin, secure_cookies=policy.secure,
                      by_key=by_key)  # (an error about the key is tied to its field, not to the user name's)
    response.headers.update(headers or {})
    set_cookie(response, SIGNIN_COOKIE, token, policy)
    return response
