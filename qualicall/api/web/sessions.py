"""The coaches' cookies: the session and the sign-in form's CSRF token.

The session cookie carries a random token; the session itself is a row in the store
(`qualicall.store.signins`), checked on every request, so that it can end before it expires.
The sign-in form's CSRF token is a double submit: the form posts back the value of a cookie,
which a page of another site can neither read nor send (SameSite=Strict), so that it cannot
sign a coach's browser in to an account of its choosing.

Both cookies are HttpOnly, SameSite=Strict and Secure (browsers treat http://localhost and
127.0.0.1 as secure contexts, so a loopback deployment still works without TLS).
"""

from __future__ import annotations

from fastapi import Response

COOKIE = "qualicall_session"
SIGNIN_COOKIE = "qualicall_signin"


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=True, samesite="strict")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, secure=True, samesite="strict")
