"""Security primitives, below both the store and the web layer (stdlib, and AES-GCM from `cryptography`).

- Passwords: scrypt with a random salt, stored as `scrypt$n$r$p$salt$digest`.
- API keys `qc_<prefix>_<secret>` and session tokens: only their SHA-256 is stored
  (they are long and random, so a slow hash adds nothing), compared in constant time.
- HMAC-SHA256 signatures, for webhook bodies.
- Sealing (AES-256-GCM) of what the service keeps only a while but must not keep in clear: an audio job's
  metadata until the job ends (its free text is redacted only when the interaction is stored).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

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


class Sealed(ValueError):
    """A sealed text that this key cannot open (another key, or altered)."""


class Sealer:
    """Authenticated encryption with one 256-bit key: `seal` gives a text that only `open` with the same key
    reads back, and that cannot be altered unnoticed."""

    NONCE_BYTES = 12

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._cipher = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path) -> "Sealer":
        """The key kept in `path` (its owner's only), made on first use. Several processes may start at once:
        the key is written whole under another name, then linked into place; the first link wins."""
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(descriptor, secrets.token_bytes(32))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return cls(path.read_bytes())

    def seal(self, data: bytes) -> str:
        nonce = secrets.token_bytes(self.NONCE_BYTES)
        return base64.b64encode(nonce + self._cipher.encrypt(nonce, data, None)).decode()

    def open(self, sealed: str) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._cipher.decrypt(raw[: self.NONCE_BYTES], raw[self.NONCE_BYTES :], None)
        except (InvalidTag, ValueError):  # (ValueError: not base64 — binascii.Error — or shorter than a nonce)
            raise Sealed("sealed with another key, or altered") from None
