"""Workspace accounts: a user name and a password hashed with scrypt (never stored in clear).

Coaches and admins see every contact; an agent's account is linked to an agent id (the interactions'
`agent_id`) and sees that agent's contacts only.

A new password, disabling or deleting an account ends its open sessions (`qualicall.store.signins`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualicall.core.errors import ConflictError, InputError, NotFoundError
from qualicall.core.interaction import id_problem
from qualicall.security import hash_password, verify_password
from qualicall.store.models import User
from qualicall.store.signins import close_sessions_of

USER_ROLES = ("coach", "admin", "agent")


def create_user(session: Session, username: str, password: str, role: str = "coach", agent_id: str | None = None) -> User:
    """A new account; InputError for an unknown role, a short password, an agent without an agent id (or another
    role with one), ConflictError for a taken name."""
    if role not in USER_ROLES:
        raise InputError(f"unknown role {role!r} (use {', '.join(USER_ROLES)})")
    if (problem := id_problem(username)) is not None:
        # (an empty name, one on two lines, « julie.martin » again behind a space: reviewers no one could tell apart)
        raise InputError(f"user name {username[:40]!r}: {problem}")
    if role == "agent" and not agent_id:
        raise InputError("an agent account needs the agent id whose contacts it sees (--agent-id)")
    if role != "agent" and agent_id:
        raise InputError(f"only an agent account has an agent id (this one is {role})")
    if agent_id and (problem := id_problem(agent_id)) is not None:
        raise InputError(f"agent id: {problem}")
    if len(password) < 8:
        raise InputError("the password needs at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} exists already")
    user = User(username=username, password_hash=hash_password(password), role=role, agent_id=agent_id)
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
