"""The coaches' cookies: the session and the sign-in form's CSRF token, and the policy they follow.

The session cookie carries a random token; the session itself is a row in the store
(`qualicall.store.signins`), checked on every request, so that it can end before it expires.
The sign-in form's CSRF token is a double submit: the form posts back the value of a cookie,
which a page of another site can neither read nor send (SameSite=Strict), so that it cannot
sign a coach's browser in to an account of its choosing.

The policy (`QUALICALL_COOKIE_SECURE`, `QUALICALL_COOKIE_SAMESITE`):
- Secure by default: browsers keep the cookies over HTTPS, and over plain HTTP only for
  http://localhost and 127.0.0.1 (secure contexts). On a LAN address over plain HTTP they are
  dropped and sign-in cannot work: the sign-in page says so (`insecure_origin`). A trusted network
  without TLS may turn Secure off.
- The session cookie is SameSite=Lax by default: a link to a call opened from a mail or a chat
  (a top-level GET from another site) carries the session; no other request from another site
  does, and every form of the workspace posts back the session's CSRF token as well.
  `strict` keeps even those links out.
Both cookies are HttpOnly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from qualicall.settings import Settings

COOKIE = "qualicall_session"
SIGNIN_COOKIE = "qualicall_signin"


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool = True
    same_site: Literal["lax", "strict"] = "lax"  # of the session cookie; the sign-in cookie's is always strict

    @classmethod
    def of(cls, settings: Settings) -> "CookiePolicy":
        return cls(settings.cookie_secure, settings.cookie_samesite)

    def same_site_of(self, name: str) -> Literal["lax", "strict"]:
        return self.same_site if name == COOKIE else "strict"


def set_cookie(response: Response, name: str, value: str, policy: CookiePolicy, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=policy.secure, samesite=policy.same_site_of(name))


def clear_cookie(response: Response, name: str, policy: CookiePolicy) -> None:
    response.delete_cookie(name, httponly=True, secure=policy.secure, samesite=policy.same_site_of(name))


def insecure_origin(request: Request, policy: CookiePolicy) -> str | None:
    """The address the page was opened at when the browser will drop Secure cookies there (plain HTTP on a
    host that is not loopback), else None. Behind a TLS proxy the scheme is the proxy's X-Forwarded-Proto
    (uvicorn trusts it from FORWARDED_ALLOW_IPS)."""
    if not policy.secure or request.url.scheme == "https":
        return None
    host = (request.url.hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"{request.url.scheme}://{request.url.netloc}"
