"""Security primitives, below both the store and the web layer (stdlib only).

- Passwords: scrypt with a random salt, stored as `scrypt$n$r$p$salt$digest`.
- API keys `qc_<prefix>_<secret>` and session tokens: only their SHA-256 is stored
  (they are long and random, so a slow hash adds nothing), compared in constant time.
- HMAC-SHA256 signatures, for webhook bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

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


def new_api_key(label: str) -> tuple[str, str]:
    """A fresh key `<label>_<prefix>_<secret>` and its public prefix (the lookup column)."""
    prefix = secrets.token_hex(6)
    return f"{label}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def new_token() -> str:
    """A random secret token (256 bits), for session cookies and CSRF tokens."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of an API key or a session token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(stored_hash, hash_token(key))


def hmac_sha256(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens (CSRF tokens, signatures)."""
    return hmac.compare_digest(a.encode(), b.encode())
