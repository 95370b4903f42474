"""/v1/interactions: post contacts (JSON scored at once, audio as a job), read them back, list, review."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qualicall.api import idempotency
from qualicall.api.deps import ANY_ROLE, COACH, CRM, Client, DbSession, audit, get_settings, key_holder, stored_comment
from qualicall.api.schemas import InteractionOut, InteractionPage, InteractionSummary, Problem, ResultVersion, ReviewIn, ReviewOut, Unprocessable
from qualicall.core.interaction import SINCE, UNTIL, DayOrMoment, Id, Interaction, InteractionError, Moment, SizeLimits, check_size, decode_json, empty_range
from qualicall.core.result import Result
from qualicall.service.recordings import is_url, stored_recording_file
from qualicall.settings import Settings
from qualicall.store import jobs as job_store
from qualicall.store import repository as repo

router = APIRouter(prefix="/v1/interactions", tags=["interactions"])
log = logging.getLogger("qualicall.api")

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "missing or invalid API key"},
    403: {"model": Problem, "description": "this key's role may not do this"},
    422: {"model": Unprocessable, "description": "the field and what is wrong with it"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "unknown interaction"}}

# Both bodies POST /v1/interactions takes; the JSON schema is added to the OpenAPI components by the app.
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Interaction"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {"type": "string", "format": "binary", "description": "the recording (wav, mp3, ogg, flac, m4a…)"},
                        "metadata": {"type": "string", "description": "JSON object: the interaction's fields without turns (id, agent_id, team, indicators…)"},
                        "callback_url": {"type": "string", "description": "http(s) URL POSTed the result when the job ends"},
                        "agent_channel": {"type": "string", "enum": ["left", "right", "auto"], "description": "stereo channel of the agent (default auto: from what each says; left or right to impose it)"},
                    },
                }
            },
        },
    }
}


def parse_json(body: bytes | str, loc: tuple[str, ...] = ("body",)) -> Any:
    """The request body (or a form's JSON field at `loc`) as JSON, or a 422 naming where it is broken."""
    try:
        return decode_json(body)
    except InteractionError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": loc, "msg": str(exc)}]) from None


def validate_interaction(data: Any, loc: tuple[str, ...] = ("body",)) -> Interaction:
    if not isinstance(data, dict):
        raise RequestValidationError([{"type": "model_type", "loc": loc, "msg": "expected a JSON object (one interaction)"}])
    try:
        return Interaction.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        raise RequestValidationError([{**e, "loc": loc + tuple(e["loc"])} for e in errors]) from None


def check_door_size(data: dict[str, Any], settings: Settings) -> None:
    """TooLargeError (413) when a validated interaction passes the size limits of `settings`."""
    check_size(data, SizeLimits(settings.max_turn_chars, settings.max_turns, settings.max_interaction_chars))


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body above {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body above {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def score_json(request: Request, client: Client, settings: Settings, body: bytes, key: str | None) -> JSONResponse:
    """Validate, score, then store in one transaction: a refused or failed request leaves nothing behind."""
    data = parse_json(body)
    interaction = validate_interaction(data)
    if interaction.turns is None and not interaction.abandoned:
        raise RequestValidationError([{
            "type": "missing", "loc": ("body", "turns"),
            "msg": "turns are required in JSON: post the recording as multipart/form-data to have it transcribed",
        }])
    check_door_size(data, settings)
    # A contact posted again as GET returned it (a late CSAT on a call that came as audio): its `recording` is the
    # address the service serves it at, which names no file to read — the recording kept is kept (it was refused,
    # and posted without it, the call lost its player: an integrator's review).
    keeps_recording = interaction.recording == recording_address(interaction.id)
    if keeps_recording:
        interaction = interaction.model_copy(update={"recording": None})
    store, scoring = request.app.state.store, request.app.state.scoring
    # The request's content, not its bytes: the same object with its keys in another order or other spaces is the same
    # request (a retry so written was refused, 409).
    fingerprint = idempotency.request_hash(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    as_bytes = idempotency.request_hash(body)  # how keys remembered before this version fingerprinted it
    if key:
        with store.session() as session:
            if (replayed := idempotency.replay(session, client.key_id, key, fingerprint, as_bytes)) is not None:
                return replayed
    stored, result = scoring.score(interaction)
    payload = result.to_json()
    # Rendered before anything is written: a result that cannot be sent is never stored, nor remembered for a key.
    response = JSONResponse(payload, status_code=201)
    # Two requests storing the same new id (or the same Idempotency-Key) at once: the loser retries.
    for attempt in range(3):
        try:
            with store.session() as session:
                if key and (replayed := idempotency.replay(session, client.key_id, key, fingerprint, as_bytes)) is not None:
                    return replayed
                if keeps_recording:
                    stored = stored.model_copy(update={"recording": _kept_recording(session, interaction.id, settings)})
                if job := job_store.job_in_flight(session, interaction.id):
                    # The job's result, stored when it ends, silently replaced this post (an integrator's review).
                    raise HTTPException(409, f"interaction {interaction.id!r}: audio job {job} is transcribing it; post again once that job has ended")
                row = repo.save_scored(session, stored, result, api_key_id=client.key_id)
                headers = {"Location": f"/v1/interactions/{quote(interaction.id, safe='')}", "X-Result-Version": str(row.version)}
                if key:
                    idempotency.remember(session, client.key_id, key, fingerprint, 201, payload, headers)
            response.headers.update(headers)
            return response
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@router.post(
    "",
    status_code=201,
    response_model=Result,
    summary="Post an interaction: JSON is scored at once (201); an audio upload becomes a job (202)",
    responses={
        **ERRORS,
        201: {"description": "scored and stored", "headers": {
            "Location": {"description": "where the interaction is read: /v1/interactions/{id}", "schema": {"type": "string"}},
            "X-Result-Version": {"description": "the version this result was stored as (the result of record may be a coach's: GET says)", "schema": {"type": "integer"}},
            "Idempotent-Replayed": {"description": "true on the stored answer to a retried Idempotency-Key", "schema": {"type": "string"}}}},
        202: {"description": "audio accepted: poll GET /v1/jobs/{id}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobOut"}}},
              "headers": {"Location": {"description": "the job: /v1/jobs/{id}", "schema": {"type": "string"}}}},
        409: {"model": Problem, "description": "Idempotency-Key reused with another request, or an audio job of the same id not ended"},
        413: {"model": Problem, "description": "body above the upload limit, or an interaction above the size limits (README)"},
        415: {"model": Problem, "description": "unsupported content type or audio format"},
        429: {"model": Problem, "description": "audio queue full: retry after Retry-After seconds",
              "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}},
        503: {"model": Problem, "description": "the database did not take the request (nothing was changed), or scoring is not available: retry"},
    },
    openapi_extra=POST_BODY,
)
async def post_interaction(
    request: Request,
    client: Annotated[Client, Depends(CRM)],
    settings: Annotated[Settings, Depends(get_settings)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200, description="a retried POST with the same key returns the first response")] = None,
) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        from qualicall.api.routes.uploads import accept_audio

        return await accept_audio(request, client, settings, idempotency_key)
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise HTTPException(415, f"unsupported content type {content_type!r}: send application/json or multipart/form-data")
    body = await read_body(request, settings.max_json_bytes)
    async with request.app.state.posting:  # a few at once: waiting ones hold no thread and no interpreter lock
        return await run_in_threadpool(score_json, request, client, settings, body, idempotency_key)


def _interaction_out(session: Session, row, settings: Settings, notes: bool = True) -> InteractionOut:  # type: ignore[no-untyped-def]
    """`notes`: with the coaches' internal notes (coaches, admins); a CRM, where agents work, gets the feedback only."""
    versions = repo.result_versions(session, row.id)
    latest = next((v for v in versions if v.id == row.latest_result_id), None)
    number_of = {v.id: v.version for v in versions}
    return InteractionOut(
        interaction=_as_served(row, settings),
        result=Result.model_validate(latest.data) if latest else None,
        result_version=latest.version if latest else None,
        versions=[ResultVersion.of(v) for v in versions],
        reviews=[ReviewOut.of(r, number_of) for r in row.reviews if notes or not r.private],
    )


def _as_served(row, settings: Settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The stored interaction with its `recording` as a client may read it: the address the recording is served at, a
    client's URL as given, or nothing. The stored value is the service's own file (the redacted copy, an upload): its
    path says where the service keeps its data and names nothing a client can fetch."""
    data = dict(row.data)
    if not data.get("recording") or is_url(data["recording"]):
        return data
    if stored_recording_file(row.recording, settings) is not None:
        data["recording"] = recording_address(row.id)
    else:
        del data["recording"]
    return data


def recording_address(interaction_id: str) -> str:
    return f"/v1/interactions/{quote(interaction_id, safe='')}/recording"


InteractionId = Annotated[Id, Path(description="the interaction's id (README, \"what the door accepts\")")]


def _stored(session: Session, interaction_id: str):  # type: ignore[no-untyped-def]
    """The stored interaction; 404 naming the id when there is none."""
    row = repo.get_interaction(session, interaction_id)
    if row is None:
        raise HTTPException(404, f"unknown interaction {interaction_id!r}")
    return row


@router.get("/{interaction_id}", response_model=InteractionOut, responses={**ERRORS, **NOT_FOUND}, summary="An interaction, its latest result, its versions and reviews")
def get_interaction(
    interaction_id: InteractionId,
    client: Annotated[Client, Depends(ANY_ROLE)],
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
) -> InteractionOut:
    row = _stored(session, interaction_id)
    audit(key_holder(client), "read interaction", repr(interaction_id))
    return _interaction_out(session, row, settings, notes=client.role != "crm")


@router.get(
    "/{interaction_id}/recording",
    response_class=FileResponse,
    responses={**ERRORS, 404: {"model": Problem, "description": "unknown interaction, or no recording of it is kept"},
               200: {"content": {"audio/*": {}}, "description": "the recording as kept (redacted where the service redacts); Range requests answered"}},
    summary="An interaction's recording, as the service keeps it",
)
def get_recording(
    interaction_id: InteractionId,
    client: Annotated[Client, Depends(ANY_ROLE)],
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
) -> FileResponse:
    row = _stored(session, interaction_id)
    path = stored_recording_file(row.recording, settings)
    if path is None:
        raise HTTPException(404, f"no recording of interaction {interaction_id!r} is kept")
    audit(key_holder(client), "read the recording of", repr(interaction_id))
    return FileResponse(path, filename=f"{interaction_id}{path.suffix}", headers={"Cache-Control": "private, no-store"})


@router.delete(
    "/{interaction_id}",
    status_code=204,
    response_class=Response,
    responses={**ERRORS, **NOT_FOUND, 409: {"model": Problem, "description": "an audio job is transcribing it: retry once the job has ended"}},
    summary="Erase an interaction and everything kept about it (a customer's right to erasure)",
)
def erase_interaction(
    request: Request,
    interaction_id: InteractionId,
    client: Annotated[Client, Depends(CRM)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Every result version, review, dispute and calibration verdict of it, its audio jobs, the kept recording (the
    redacted copy) and the responses kept for Idempotency-Key replays: README, "Erasure and retention"."""
    from qualicall.service.erasure import erase_contacts

    if erase_contacts(request.app.state.store, settings, [interaction_id], forget=False).erased.nothing:
        raise HTTPException(404, f"unknown interaction {interaction_id!r}")
    # Who erased what, for the deployment's record of erasure requests (the id is the CRM's, no content of the contact).
    log.info("interaction %r erased by %s", interaction_id, key_holder(client))
    request.app.state.forgetting.ask()  # the index merged and the log emptied once the erasures stop, off this request
    return Response(status_code=204)


@router.get("", response_model=InteractionPage, responses={**ERRORS}, summary="Interactions with their latest scores, newest first, by pages")
def list_interactions(
    client: Annotated[Client, Depends(ANY_ROLE)],
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
    agent_id: Annotated[Id | None, Query()] = None,
    team: Annotated[Id | None, Query()] = None,
    queue: Annotated[Id | None, Query()] = None,
    since: Annotated[DayOrMoment | None, Query(alias="from", description=SINCE)] = None,
    until: Annotated[DayOrMoment | None, Query(alias="to", description=UNTIL)] = None,
    changed_since: Annotated[Moment | None, Query(description="contacts received again or changed (a new result, a coach's review) at or after this instant (ISO 8601 with a time; UTC without an offset): what a CRM syncs from — a minute before the largest `updated_at` it read, since a change is stamped when written and may commit later")] = None,
    min_score: Annotated[float | None, Query(ge=0, le=100, description="overall score at least")] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100, description="overall score at most")] = None,
    item_failed: Annotated[list[Id], Query(description="item ids that failed (repeat, or comma-separated)")] = [],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of the previous page")] = None,
) -> InteractionPage:
    check_range(since, until)
    filters = repo.InteractionFilter(
        agent_id=agent_id, team=team, queue=queue, since=since, until=until, changed_since=changed_since, min_score=min_score, max_score=max_score,
        # (each item once: a thousand repeats made SQLite's expression tree too large, a 503)
        item_failed=_known_items(list(dict.fromkeys(i.strip() for value in item_failed for i in value.split(",") if i.strip())), settings, session),
    )
    try:
        page = repo.list_interactions(session, filters, cursor=cursor, limit=min(limit, settings.page_size_max))
    except repo.CursorError as exc:
        raise RequestValidationError([{"type": "value_error", "loc": ("query", "cursor"), "msg": str(exc)}]) from None
    return InteractionPage(items=[InteractionSummary.of(i, r) for i, r in page.rows], next_cursor=page.next_cursor)


def _kept_recording(session: Session, interaction_id: str, settings: Settings) -> str:
    """The stored recording of `interaction_id` (what its recording address serves); 422 where none is kept."""
    row = repo.get_interaction(session, interaction_id)
    if row is None or stored_recording_file(row.recording, settings) is None:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "recording"),
                                       "msg": f"{recording_address(interaction_id)} serves no recording: none is kept for this id"}])
    return row.recording


def check_range(since: date | datetime | None, until: date | datetime | None) -> None:
    """A 422 on `to` where `from` and `to` can keep no contact (`empty_range`)."""
    if problem := empty_range(since, until):
        raise RequestValidationError([{"type": "value_error", "loc": ("query", "to"), "msg": problem}])


def _known_items(wanted: list[str], settings: Settings, session: Session) -> list[str]:
    """`item_failed`'s items, as `criterion.item` (what reviews name) or the item's id alone, each an item of a rubric the
    server knows or of a stored result (a rubric since renamed it); 422 otherwise (`closing.recap` found nothing,
    `nosuch` answered an empty list, both as if none failed)."""
    from qualicall.scorer.labels import label_rubrics

    if not wanted:
        return wanted  # (most lists: no rubric to read)
    known = {f"{cid}.{iid}" for rubric in label_rubrics(settings.rubric) for cid, criterion in rubric.criteria.items() for iid in criterion.items}
    for item in wanted:
        if item not in known and not any(key.endswith(f".{item}") for key in known) and not repo.item_scored(session, item):
            raise RequestValidationError([{"type": "value_error", "loc": ("query", "item_failed"),
                                           "msg": f"unknown item {item!r} (known: {', '.join(sorted(known))})"}])
    return wanted


@router.post(
    "/{interaction_id}/reviews",
    status_code=201,
    response_model=list[ReviewOut],
    responses={**ERRORS, **NOT_FOUND},
    summary="A coach's overrides of items of the latest result, with comments",
)
def post_reviews(
    request: Request,
    interaction_id: InteractionId,
    review: ReviewIn,
    client: Annotated[Client, Depends(COACH)],
    session: DbSession,
) -> list[ReviewOut]:
    row = _stored(session, interaction_id)
    items = [repo.ItemReview(item_id=i.item_id, status=i.status, comment=stored_comment(request, i.comment, row.language)) for i in review.items]
    made = repo.add_reviews(session, row, items, repo.Reviewer(client.name, api_key_id=client.key_id),
                            comment=stored_comment(request, review.comment, row.language), private=review.private)
    versions = {v.id: v.version for v in repo.result_versions(session, row.id)}
    return [ReviewOut.of(r, versions) for r in made]
