"""Signing in and out, the language choice, and the pages' static files."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from qualicall.api.web.deps import COACH_ROLES, LANGUAGE_COOKIE, STATIC, Coach, Language, check_csrf, render, safe_next, session_secret
from qualicall.api.web.i18n import normalise_language
from qualicall.api.web.sessions import COOKIE, LIFETIME_S, sign_session

router = APIRouter()


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/queue", 303)


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
def login_page(request: Request, next: str = "/queue") -> HTMLResponse:
    return render(request, "login.html", None, next=safe_next(next), error=None, username=None)


@router.post("/login")
def login(
    request: Request,
    t: Language,
    username: str = Form(""),
    password: str = Form(""),
    api_key: str = Form(""),
    next: str = Form("/queue"),
) -> Response:
    from qualicall.store import users
    from qualicall.store.repository import authenticate

    who = role = None
    with request.app.state.store.session() as db:
        if api_key.strip():
            key = authenticate(db, api_key.strip())
            if key is not None:
                who, role = key.name, key.role
        elif username.strip():
            user = users.check_password(db, username.strip(), password)
            if user is not None:
                who, role = user.username, user.role
    if who is None or role not in COACH_ROLES:
        error = t("login_failed") if who is None else t("login_forbidden")
        return render(request, "login.html", None, status_code=401 if who is None else 403, next=safe_next(next), error=error, username=username.strip())
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(COOKIE, sign_session(who, role, session_secret(request)), max_age=LIFETIME_S, httponly=True, secure=True, samesite="strict")
    return response


@router.post("/logout")
def logout(session: Coach, csrf: str = Form("")) -> RedirectResponse:
    check_csrf(session, csrf)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, httponly=True, secure=True, samesite="strict")
    return response
