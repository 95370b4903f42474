"""Coaches' saved queue filters: a name and the queue page's query string, each coach's own.

The owner is who signed in: a user account, or an API key for a coach who signed in with one."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qualicall.core.errors import InputError, NotFoundError
from qualicall.core.interaction import text_problem
from qualicall.store.models import SavedFilter
from qualicall.store.signins import SignedIn

NAME_MAX_CHARS = 100


def _owned(owner: SignedIn) -> Select:
    if owner.user_id is not None:
        return select(SavedFilter).where(SavedFilter.user_id == owner.user_id)
    return select(SavedFilter).where(SavedFilter.api_key_id == owner.api_key_id)


def saved_filters(session: Session, owner: SignedIn) -> list[SavedFilter]:
    """The owner's saved filters, by name."""
    return list(session.scalars(_owned(owner).order_by(SavedFilter.name)))


def save_filter(session: Session, owner: SignedIn, name: str, query: str) -> SavedFilter:
    """Save `query` under `name` (a name the owner used already is given the new filters). InputError for a name
    that is empty, too long or not text."""
    name = " ".join(name.split())
    if not name:
        raise InputError("a saved filter needs a name")
    if len(name) > NAME_MAX_CHARS:
        raise InputError(f"a saved filter's name has at most {NAME_MAX_CHARS} characters")
    if (problem := text_problem(name)) is not None:
        raise InputError(f"name: {problem}")
    found = session.scalar(_owned(owner).where(SavedFilter.name == name))
    if found is None:
        found = SavedFilter(user_id=owner.user_id, api_key_id=owner.api_key_id if owner.user_id is None else None, name=name, query=query)
        session.add(found)
    else:
        found.query = query
    session.flush()
    return found


def delete_filter(session: Session, owner: SignedIn, filter_id: int) -> None:
    """Delete one of the owner's saved filters; NotFoundError for another's or an unknown one."""
    found = session.scalar(_owned(owner).where(SavedFilter.id == filter_id))
    if found is None:
        raise NotFoundError(f"no saved filter {filter_id}")
    session.delete(found)
