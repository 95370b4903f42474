"""Signed session cookies (stdlib only; passwords are hashed in `qualicall.security`).

A session cookie is `base64(json payload) . base64(HMAC-SHA256)`, signed with
the server's secret; it carries the coach's name, role, expiry and a CSRF
token that every form posts back. It is HttpOnly, SameSite=Strict and Secure
(browsers treat http://localhost and 127.0.0.1 as secure contexts, so a
loopback deployment still works without TLS).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass

from qualicall.security import hmac_sha256, same_secret

COOKIE = "qualicall_session"
LIFETIME_S = 12 * 3600  # one working day


@dataclass(frozen=True)
class Session:
    user: str
    role: str
    csrf: str
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(user: str, role: str, secret: bytes, lifetime_s: int = LIFETIME_S) -> str:
    payload = {"u": user, "r": role, "c": secrets.token_urlsafe(16), "e": int(time.time()) + lifetime_s}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac_sha256(secret, body.encode()))
    return f"{body}.{signature}"


def read_session(cookie: str | None, secret: bytes) -> Session | None:
    """The session a cookie carries, or None if it is missing, forged or expired."""
    if not cookie or "." not in cookie:
        return None
    body, signature = cookie.rsplit(".", 1)
    expected = _b64(hmac_sha256(secret, body.encode()))
    if not same_secret(signature, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
        session = Session(str(payload["u"]), str(payload["r"]), str(payload["c"]), float(payload["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > time.time() else None
