"""`Idempotency-Key`: a retried POST replays the first response instead of doing the work again."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualicall.store.models import IdempotencyRecord

HEADER = "Idempotency-Key"


def request_hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str | None) -> str | None:
    if key is not None and not 1 <= len(key) <= 200:
        raise HTTPException(422, f"{HEADER}: 1 to 200 characters")
    return key


def replay(session: Session, api_key_id: int, key: str, fingerprint: str, *also: str) -> JSONResponse | None:
    """The stored response for this key, or None if the key is new. The same key with another request → 409. `also`:
    other fingerprints of the same request (as an earlier version computed it: a retry across an upgrade)."""
    record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key))
    if record is None:
        return None
    if record.request_hash not in (fingerprint, *also):
        raise HTTPException(409, f"{HEADER} {key!r} was already used with a different request")
    return JSONResponse(record.response, status_code=record.status_code, headers={**(record.headers or {}), "Idempotent-Replayed": "true"})


def remember(
    session: Session, api_key_id: int, key: str, fingerprint: str, status_code: int, response: dict[str, Any], headers: dict[str, str]
) -> None:
    """Store the response (body, status and the headers that say where its resource is) in the caller's transaction: the
    work and its record commit together."""
    session.add(IdempotencyRecord(
        api_key_id=api_key_id, key=key, request_hash=fingerprint, status_code=status_code, response=response, headers=headers,
    ))
    session.flush()
