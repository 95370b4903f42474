"""Coach passwords (hashed with scrypt) and signed session cookies (stdlib only).

A session cookie is `base64(json payload) . base64(HMAC-SHA256)`, signed with
the server's secret; it carries the coach's name, role, expiry and a CSRF
token that every form posts back. It is HttpOnly, SameSite=Strict and Secure
(browsers treat http://localhost and 127.0.0.1 as secure contexts, so a
loopback deployment still works without TLS).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "qualicall_session"
LIFETIME_S = 12 * 3600  # one working day
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **_SCRYPT, salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode()
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


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
    signature = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def read_session(cookie: str | None, secret: bytes) -> Session | None:
    """The session a cookie carries, or None if it is missing, forged or expired."""
    if not cookie or "." not in cookie:
        return None
    body, signature = cookie.rsplit(".", 1)
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
        session = Session(str(payload["u"]), str(payload["r"]), str(payload["c"]), float(payload["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > time.time() else None
