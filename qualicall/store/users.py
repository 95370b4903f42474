"""Coach accounts: a user name and a password hashed with scrypt (never stored in clear).

A new password, disabling or deleting an account ends its open sessions (`qualicall.store.signins`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualicall.core.errors import ConflictError, InputError, NotFoundError
from qualicall.security import hash_password, verify_password
from qualicall.store.models import User
from qualicall.store.signins import close_sessions_of

USER_ROLES = ("coach", "admin")


def create_user(session: Session, username: str, password: str, role: str = "coach") -> User:
    """A new account; InputError for an unknown role or a short password, ConflictError for a taken name."""
    if role not in USER_ROLES:
        raise InputError(f"unknown role {role!r} (use {', '.join(USER_ROLES)})")
    if len(password) < 8:
        raise InputError("the password needs at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} exists already")
    user = User(username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = get_user(session, username)
    if len(password) < 8:
        raise InputError("the password needs at least 8 characters")
    user.password_hash = hash_password(password)
    close_sessions_of(session, user)
    return user


def set_disabled(session: Session, username: str, disabled: bool) -> User:
    """Disable an account (it cannot sign in, its sessions end) or enable it again."""
    user = get_user(session, username)
    user.disabled = disabled
    if disabled:
        close_sessions_of(session, user)
    return user


def delete_user(session: Session, username: str) -> None:
    """Delete an account and its sessions; the reviews it signed keep its name."""
    user = get_user(session, username)
    close_sessions_of(session, user)
    session.delete(user)


def check_password(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same work either way: no timing hint)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled:
        verify_password(password, _DUMMY)
        return None
    return user if verify_password(password, user.password_hash) else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


_DUMMY = hash_password("not a password")
