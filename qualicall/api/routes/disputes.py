"""/v1/disputes: agents' disputes of their evaluations and the coaches' resolutions (made on the pages)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from qualicall.api.deps import COACH, Client, DbSession
from qualicall.api.routes.interactions import ERRORS
from qualicall.api.schemas import DisputeOut
from qualicall.store import disputes as dispute_store

router = APIRouter(prefix="/v1/disputes", tags=["disputes"])


@router.get("", response_model=list[DisputeOut], responses=ERRORS, summary="Agents' disputes and their resolutions: open ones oldest first, others newest first")
def list_disputes(
    client: Annotated[Client, Depends(COACH)],
    session: DbSession,
    state: Annotated[Literal["open", "upheld", "rejected"] | None, Query(description="only these (default: all)")] = None,
    agent_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[DisputeOut]:
    rows = dispute_store.list_disputes(session, state, agent_id, limit)
    return [DisputeOut.model_validate(dispute_store.dispute_json(row)) for row in rows]
