"""Coaches' sign-ins to the web workspace: server-side sessions, and the throttle on failed attempts.

A session is a row keyed by the SHA-256 of a random token that only the coach's cookie carries. It is
valid while it has not expired and its user is active (or its API key not revoked), checked on every
request: logging out, a password change, disabling or deleting the user and revoking the key end it at once.

Failed sign-ins are counted per user name and per address over a sliding window; beyond the limit the
sign-in is refused, right password or not, until the oldest failure leaves the window. Both subjects
are stored hashed and only for the window (an address is personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualicall.security import hash_token, new_token
from qualicall.store.models import ApiKey, SignInFailure, User, WebSession, utcnow
from qualicall.store.repository import as_utc


@dataclass(frozen=True)
class SignedIn:
    """Who a valid session belongs to, as they are now (a changed role applies at once)."""

    user: str
    role: str
    csrf: str
    # Which account or key, by id: the author recorded on the reviews made in this session.
    user_id: int | None = None
    api_key_id: int | None = None
    agent_id: str | None = None  # an agent's account: the only agent whose contacts it sees

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"


def open_session(session: Session, lifetime_s: float, *, user: User | None = None, key: ApiKey | None = None) -> str:
    """A new session for a user or an API key; returns the token for the cookie (only its hash is stored)."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = new_token()
    session.add(WebSession(token_hash=hash_token(token), user_id=user.id if user else None, api_key_id=key.id if key else None,
                           csrf=new_token(), created_at=now, expires_at=now + timedelta(seconds=lifetime_s)))
    return token


def find_session(session: Session, token: str | None) -> SignedIn | None:
    """The session a cookie's token opens, or None: unknown, expired, or its user or key no longer active."""
    row = session.get(WebSession, hash_token(token)) if token else None
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    if row.user_id is not None:
        user = session.get(User, row.user_id)
        return SignedIn(user.username, user.role, row.csrf, user_id=user.id, agent_id=user.agent_id) if user is not None and not user.disabled else None
    key = session.get(ApiKey, row.api_key_id)
    return SignedIn(key.name, key.role, row.csrf, api_key_id=key.id) if key is not None and key.revoked_at is None else None


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def close_sessions_of(session: Session, user: User) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


# --- the throttle on failed sign-ins ---------------------------------------

@dataclass(frozen=True)
class Throttle:
    per_user: int  # failures allowed per user name in the window
    per_address: int  # failures allowed per client address in the window
    window_s: float


def _subjects(throttle: Throttle, username: str | None, address: str | None) -> list[tuple[str, int]]:
    """The hashed subjects of an attempt, each with its limit."""
    subjects = []
    if username:
        subjects.append((hash_token(f"user:{username}"), throttle.per_user))
    if address:
        subjects.append((hash_token(f"address:{address}"), throttle.per_address))
    return subjects


def wait_before_sign_in(session: Session, throttle: Throttle, username: str | None, address: str | None) -> float | None:
    """Seconds before this user name from this address may try again, or None if it may now.
    (Attempts refused here are not counted, so a subject never has many more failures than its limit.)"""
    now = utcnow()
    window = timedelta(seconds=throttle.window_s)
    waits = []
    for subject, limit in _subjects(throttle, username, address):
        recent = session.scalars(select(SignInFailure.at).where(SignInFailure.subject == subject, SignInFailure.at > now - window))
        times = sorted(as_utc(at) for at in recent)
        if len(times) >= limit:
            # Allowed again when enough failures have left the window to go under the limit.
            waits.append(max(1.0, (times[len(times) - limit] + window - now).total_seconds()))
    return max(waits) if waits else None


def record_failure(session: Session, throttle: Throttle, username: str | None, address: str | None) -> None:
    now = utcnow()
    session.execute(delete(SignInFailure).where(SignInFailure.at < now - timedelta(seconds=throttle.window_s)))
    session.add_all(SignInFailure(subject=subject, at=now) for subject, _ in _subjects(throttle, username, address))


def clear_failures(session: Session, username: str) -> None:
    """A successful sign-in forgets the user name's failures (not the address's: one's own account must not reset them)."""
    session.execute(delete(SignInFailure).where(SignInFailure.subject == hash_token(f"user:{username}")))
