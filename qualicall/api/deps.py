"""FastAPI dependencies: a database session per request, and API-key authentication with roles."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from qualicall.settings import Settings
from qualicall.store.db import Store, StoreError
from qualicall.store.repository import authenticate

log = logging.getLogger("qualicall.api")
# Who read or took out a contact's personal data: the page of a call, its recording, its printout, an export, the API's
# read of one (GDPR art. 5(2), 32: nothing recorded it, the access log holding an address and a path only — a data
# protection officer's review). The service's log, at INFO, as the erasures are.
audit_log = logging.getLogger("qualicall.audit")


def audit(who: str, action: str, subject: str) -> None:
    """One line of that record: « coach 'julie' read call 'CALL-1042' », "API key 3 (crm-prod, crm) read recording …"."""
    audit_log.info("%s %s %s", who, action, subject)


def key_holder(client: "Client") -> str:
    """An API key as the service's log names it: "API key 3 (crm-prod, crm)"."""
    return f"API key {client.key_id} ({client.name}, {client.role})"


bearer = HTTPBearer(auto_error=False, description="an API key from `qualicall apikey create --role crm|coach|admin`")


def get_store(request: Request) -> Store:
    return request.app.state.store


STORE_UNAVAILABLE = "the database did not take the request (nothing was changed): retry, or see the server log"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the route returns without error. Routes take it as DbSession.
    A database that refuses or fails the work (its commit included) is a 503: nothing was changed."""
    from sqlalchemy.exc import DBAPIError

    try:
        with request.app.state.store.session() as session:
            yield session
    # (every error of the database's: down, full, locked, a commit refused by a constraint or a trigger, which drivers
    # report as a ProgrammingError too; so a statement the code got wrong as well, which the class cannot tell apart:
    # no Retry-After is sent, and the log has it)
    except DBAPIError:
        log.exception("database error on %s %s", request.method, request.url.path)
        raise StoreError(STORE_UNAVAILABLE) from None


# Scope "function": the session commits when the route returns, before the answer is sent. With FastAPI's
# default ("request") it committed after: a 201 could precede a failed commit, and a GET right after it
# could miss what it wrote.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def stored_comment(request: Request, text: str | None, language: str | None) -> str | None:
    """A coach's or an agent's comment as it may be stored: with its personal data redacted where the deployment
    redacts, as the transcripts are (the service's redactor, in the scoring process)."""
    if not text:
        return text
    return request.app.state.scoring.redact_comment(text, language or "fr")


@dataclass(frozen=True)
class Client:
    """The caller, from its API key."""

    key_id: int
    name: str
    role: str


def _client(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Client:
    if credentials is None or credentials.scheme.lower() != "bearer":
        # (a key sent as "Basic …" or bare was told it was missing; nothing of what was sent is quoted: it may be the key)
        sent = (request.headers.get("authorization") or "").strip()
        reason = "the Authorization header does not start with 'Bearer '" if sent and sent.lower() != "bearer" else "missing API key"
        raise HTTPException(401, f"{reason}: send 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"})
    with request.app.state.store.session() as session:
        row = authenticate(session, credentials.credentials)
        if row is None:
            raise HTTPException(401, "invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        return Client(key_id=row.id, name=row.name, role=row.role)


def require(*roles: str) -> Callable[..., Client]:
    """A dependency admitting the given roles (admin always): 401 without a valid key, 403 with the wrong role."""
    allowed = set(roles) | {"admin"}

    def check(client: Client = Depends(_client)) -> Client:
        if client.role not in allowed:
            raise HTTPException(403, f"role {client.role!r} may not do this (needs {' or '.join(sorted(allowed))})")
        return client

    return check


ANY_ROLE = require("crm", "coach")
CRM = require("crm")
COACH = require("coach")


def known_query_parameters(request: Request) -> None:
    """Refuse a query parameter the operation does not take (422 naming it and the known ones): a filter misspelled or
    not offered (`channel=chat`) answered the whole unfiltered list, which a CRM took for the filtered one."""
    from fastapi.exceptions import RequestValidationError

    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or "authorization" not in request.headers:
        return  # (no key: the 401 comes first)
    known: set[str] = {"_"}  # a client's cache-busting stamp (jQuery's `cache: false`) filters nothing
    todo = [dependant]
    while todo:  # the operation's own parameters and its dependencies'
        current = todo.pop()
        known.update(param.alias for param in current.query_params)
        todo.extend(current.dependencies)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        offered = ", ".join(sorted(known - {"_"})) or "none"
        raise RequestValidationError([{"type": "extra_forbidden", "loc": ("query", unknown[0]), "msg": f"unknown parameter (this operation takes: {offered})"}])
