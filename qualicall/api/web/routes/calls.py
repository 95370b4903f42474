"""One call: its scorecard, transcript and recording; a coach's override of an item, or confirmation of them all.
An agent sees their own calls only (another's: 403), without the coaches' forms, with their disputes instead.

Forms answer with the page: a refused override (no comment, a stale form) comes back as the call page with
the message in place and the override dialog open with what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from qualicall.api.deps import audit, stored_comment
from qualicall.api.schemas import COMMENT_MAX_CHARS
from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Forbidden, Language, Viewer, comment_refusal, csrf_valid, holder, render
from qualicall.api.web.i18n import Translator
from qualicall.api.web.priority import review_priority
from qualicall.api.web.views import ItemView, TurnView, combination_text, indicators, score_class, scorecard, sentiment_curve, signals, transcript
from qualicall.api.web.waveform import SILENCE_MARK_S, WaveformView, waveform_view
from qualicall.audio.decode import AudioError, duration
from qualicall.audio.waveform import cached_envelope
from qualicall.core import locale
from qualicall.core.errors import InputError
from qualicall.core.interaction import Id
from qualicall.service.recordings import stored_recording_file
from qualicall.store.models import InteractionRow
from qualicall.store.repository import Reviewer
from qualicall.store.signins import SignedIn

router = APIRouter()

STATUSES = ("passed", "failed", "not_applicable")
PLAYBACK_SPEEDS = (0.75, 1.0, 1.25, 1.5, 2.0)


@dataclass
class OverrideForm:
    """What a coach typed in the override dialog, given back with the page when it was not saved."""

    item: str
    status: str
    comment: str
    error: str


@dataclass
class DisputeForm:
    """What an agent typed to dispute an item, or a coach to resolve a dispute (`dispute`), given back with the
    page when it was not saved."""

    item: str
    status: str
    comment: str
    error: str
    dispute: int | None = None


DONE = {"saved": "override_saved", "confirmed": "confirmed", "disputed": "dispute_saved", "resolved": "dispute_resolved",
        "commented": "comment_saved"}


@router.get("/calls/{interaction_id}")
def call_page(request: Request, interaction_id: Id, session: Viewer, t: Language) -> HTMLResponse:
    done = DONE.get(request.query_params.get("done", ""))
    return call_page_of(request, session, t, interaction_id, flash=t(done) if done else None)


def may_see(session: SignedIn, agent_id: str | None) -> None:
    """An agent sees the contacts of their own agent id only: any other is refused (403), as one that does not
    exist is (an agent learns nothing of other agents' ids)."""
    if session.is_agent and (agent_id is None or agent_id != session.agent_id):
        raise Forbidden(session)


def call_page_of(request: Request, session: SignedIn, t: Translator, interaction_id: str, *, flash: str | None = None,
               form: OverrideForm | None = None, error: str | None = None, status_code: int = 200,
               dispute_form: DisputeForm | None = None) -> HTMLResponse:
    from qualicall.store.disputes import disputes_of, dispute_json

    with request.app.state.store.session() as db:
        call = store_data.load_call(db, interaction_id)
        may_see(session, call.row.agent_id if call else None)
        if call is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        audit(holder(session), "read call", repr(interaction_id))
        disputes = [dispute_json(d) for d in reversed(disputes_of(db, interaction_id))]
        interaction = call.row.data or {}
        result = call.result.data
        latest = store_data.latest_by_item(call.reviews)
        history = []
        for review in reversed(call.reviews):
            if not review.item_id:
                continue
            entry = store_data.review_dict(review)
            result_row = call.machine if review.result_id == call.machine.id else db.get(type(call.machine), review.result_id)
            entry["auto"] = store_data.auto_status(result_row, entry["item"]) if result_row else None
            entry["when"] = t.event(entry["created_at"])
            history.append(entry)
        # the coaches' comments on the whole call; their internal notes are never shown to the agent
        comments = [{"who": review.reviewer, "when": t.event(store_data.review_dict(review)["created_at"]), "text": review.comment,
                     "private": bool(review.private)}
                    for review in reversed(store_data.shown_comments(call.reviews, agent=session.is_agent))]
        version, machine_version = call.result.version, call.machine.version
        recording = _recording_path(request, call.row.recording)
    t = t.preferring((result.get("rubric") or {}).get("id"))
    criteria = scorecard(interaction, result, latest, t)
    items = [item for criterion in criteria for item in criterion.items]
    form_item = next((item for item in items if form is not None and item.key == form.item), None)
    if form is not None and form_item is None:
        error, form = form.error, None  # nothing to open the dialog on: the message alone
    labels = {item.key: item.label for item in items}
    statuses = {item.key: item.effective for item in items}
    for dispute in disputes:
        dispute["label"] = labels.get(dispute["item"], dispute["item"])
        dispute["when"] = t.event(dispute["created_at"])
        # when it was decided: the agent is told who decided and when (an agent's review: the date was nowhere)
        dispute["resolved_when"] = t.event(dispute["resolved_at"]) if dispute["resolved_at"] else None
        # a rejection keeps the verdict of record as it is now, which a new scoring may have changed since the dispute
        dispute["current_status"] = statuses.get(dispute["item"], dispute["disputed_status"])
    if session.is_agent:
        # a call moved to another agent carries its disputes: each agent reads their own, and may dispute an item
        # another agent's dispute waits on (its « Contesté » showed beside « Aucune contestation »: an agent's review)
        disputes = [d for d in disputes if d["agent_id"] == session.agent_id]
    open_items = {d["item"] for d in disputes if d["state"] == "open"}
    wanted = dispute_form.item if dispute_form else request.query_params.get("dispute")
    priority = review_priority(interaction, result)
    present = signals(interaction, result, t)
    turns = transcript(interaction)
    waveform = _waveform(request, recording, turns, items, interaction.get("roles") or result.get("roles")) if recording else None
    call_data = {
        "id": interaction_id,
        "items": {
            **{item.key: {"evidence": item.evidence, "time": item.time, "auto": item.auto, "auto_label": t.status(item.auto)} for item in items},
            # A signal's evidence is shown like an item's: highlighted in the transcript, the player at its moment.
            **{signal.key: {"evidence": signal.evidence, "time": signal.time, "auto": None, "auto_label": ""} for signal in present},
        },
        "form": form.__dict__ if form else None,
        "saved": request.query_params.get("item") if request.query_params.get("done") == "saved" else None,
    }
    score = result.get("overall_score") if result.get("overall_score") is not None else result.get("quality_score")
    return render(
        request,
        "interaction.html",
        session,
        status_code=status_code,
        t=t,
        nav="queue",
        interaction={"id": interaction_id, "channel": call_channel(interaction), **{k: interaction.get(k) for k in ("agent_id", "team", "queue")}},
        date=t.moment(interaction.get("started_at")),
        result=result,
        machine=result.get("machine") if result.get("source") == "coach" else None,
        result_version=version,
        machine_version=machine_version,
        score_class=score_class(score),
        combination=combination_text(result, t),
        criteria=criteria,
        failed=[item for item in items if item.effective == "failed"],
        indicators=indicators(result, t),
        absent=", ".join(t.label(n) for n in (result.get("combination") or {}).get("indicators_absent", [])),
        history=history,
        comments=comments,
        turns=turns,
        spoken=interaction.get("language") or result.get("language"),  # (detected when the call did not say)
        waveform=waveform,
        silence_mark=locale.formatted(SILENCE_MARK_S, "g", t.language),
        speeds=[(speed, locale.formatted(speed, "g", t.language)) for speed in PLAYBACK_SPEEDS],
        signals=present,
        curve=sentiment_curve(result),
        audio_url=_audio_url(interaction_id) if recording else None,
        asr=priority.asr_confidence,
        role=priority.role_confidence,
        truncated=_truncated(interaction),
        call_data=call_data,
        flash=flash,
        comment_max=COMMENT_MAX_CHARS,
        form=form,
        form_item=form_item,
        error=error,
        disputes=disputes,
        open_items=open_items,
        dispute_form=dispute_form,
        dispute_item=wanted if wanted in labels else None,
        statuses=STATUSES,
    )


def call_channel(interaction: dict) -> str:
    """The contact's channel as the pages name it (« Chat », « E-mail », « Appel »): every contact read « Appel »."""
    channel = interaction.get("channel")
    return channel if channel in ("chat", "email") else "voice"


def _truncated(interaction: dict) -> dict[str, str] | None:
    """A recording shorter than its header states (`asr.truncated`): how much it holds of how much, for the notice."""
    asr = interaction.get("asr")
    if not isinstance(asr, dict) or asr.get("truncated") is not True:
        return None
    held, stated = asr.get("audio_seconds"), asr.get("stated_seconds")
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in (held, stated)):
        return None
    return {"held": duration(held), "stated": duration(stated)}


@router.get("/calls/{interaction_id}/audio")
def call_audio(request: Request, interaction_id: Id, session: Viewer) -> FileResponse:
    from qualicall.store.repository import get_interaction

    with request.app.state.store.session() as db:
        row = get_interaction(db, interaction_id)
        may_see(session, row.agent_id if row else None)
        path = _recording_path(request, row.recording if row else None)
    if path is None:
        raise HTTPException(404, "no recording")
    audit(holder(session), "played the recording of", repr(interaction_id))
    # FileResponse answers Range requests: the player can seek without downloading the whole call.
    # (no-store: a call's voices must not stay in a shared computer's browser cache after its coach signs out)
    return FileResponse(path, headers={"Cache-Control": "private, no-store"})


@router.post("/calls/{interaction_id}/reviews")
def override(
    request: Request,
    interaction_id: Id,
    session: Coach,
    t: Language,
    item: str = Form(""),
    status: str = Form(""),
    comment: str = Form(""),
    csrf: str = Form(""),
    machine_version: str = Form(""),
) -> Response:
    """A coach's verdict on one item. `machine_version`: the machine's scoring the page showed; the call scored again
    since (a re-post), the override is refused with the item's new verdict, what was typed kept, to check and save again."""
    from qualicall.store.repository import ItemReview, add_reviews

    def refused(reason: str, status_code: int) -> HTMLResponse:
        form = OverrideForm(item, status, comment, reason)
        return call_page_of(request, session, t, interaction_id, form=form, status_code=status_code)

    if not csrf_valid(session, csrf):
        return refused(t("override_stale"), 403)
    if status not in STATUSES:
        return refused(t("not_saved", reason=t("status_required")), 422)
    with request.app.state.store.session() as db:
        call = store_data.load_call(db, interaction_id)
        if call is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        auto = store_data.auto_status(call.machine, item) if "." in item else None
        if auto is None:
            return refused(t("not_saved", reason=t("unknown_item")), 422)
        if _rescored_since(db, call, machine_version, [item]):
            # (the same verdict scored again, an identical re-post: nothing the coach did not see)
            return refused(t("not_saved", reason=t("rescored_meanwhile", status=t.status(auto))), 409)
        if status != auto and not comment.strip():
            return refused(t("not_saved", reason=t("comment_missing")), 422)
        if refusal := comment_refusal(comment.strip(), t):  # (a NUL was JSON: a fresh-eyes review)
            return refused(t("not_saved", reason=refusal), 422)
        stored = stored_comment(request, comment.strip() or None, call.row.language)
        add_reviews(db, call.row, [ItemReview(item.split(".", 1)[1], status, stored)], author_of(session))
    return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=saved&item={quote(item)}", 303)


@router.post("/calls/{interaction_id}/comments")
def comment_call(request: Request, interaction_id: Id, session: Coach, t: Language, comment: str = Form(""),
                 private: str = Form(""), csrf: str = Form("")) -> Response:
    """A coach's comment on the whole call: feedback the agent reads, or (`private`) a note for coaches only."""
    from qualicall.store.repository import add_reviews

    text = comment.strip()
    if not csrf_valid(session, csrf):
        return call_page_of(request, session, t, interaction_id, error=t("form_stale"), status_code=403)
    if reason := (comment_refusal(text, t) if text else t("call_comment_missing")):
        return call_page_of(request, session, t, interaction_id, error=t("comment_not_saved", reason=reason), status_code=422)
    with request.app.state.store.session() as db:
        call = store_data.load_call(db, interaction_id)
        if call is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        try:
            add_reviews(db, call.row, [], author_of(session), comment=stored_comment(request, text, call.row.language), private=private == "yes")
        except InputError as exc:  # (what the store refuses besides: the page, not JSON)
            db.rollback()
            return call_page_of(request, session, t, interaction_id, error=t("comment_not_saved", reason=str(exc)), status_code=422)
    return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=commented#call-comments", 303)


def _item_keys(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The "criterion.item" keys of a stored result."""
    from qualicall.store.repository import item_statuses

    return list(item_statuses(result))


def _rescored_since(db, call, version: str, keys: list[str]) -> bool:  # type: ignore[no-untyped-def]
    """Whether the call was scored again since the machine's scoring `version` (the one its page showed, "" when the form
    did not say) and one of these items' machine verdict changed (an unknown version: changed)."""
    from sqlalchemy import select

    from qualicall.store.models import ResultRow

    if not version or version == str(call.machine.version):
        return False
    # (a version the store could hold: ASCII digits, « ² » passed isdigit() and failed int(), 24 digits overflowed SQLite)
    number = int(version) if re.fullmatch(r"[0-9]{1,9}", version) else None
    seen = db.scalar(select(ResultRow).where(ResultRow.interaction_id == call.row.id, ResultRow.version == number)) if number is not None else None
    return any((store_data.auto_status(seen, key) if seen is not None else None) != store_data.auto_status(call.machine, key) for key in keys)


@router.post("/calls/{interaction_id}/confirm")
def confirm(request: Request, interaction_id: Id, session: Coach, t: Language, csrf: str = Form(""), machine_version: str = Form("")) -> Response:
    """The coach checked the whole call: every item not yet reviewed keeps its automatic verdict, on record — unless the
    call was scored again since the page was shown and a verdict changed (the coach would confirm ones never seen)."""
    from qualicall.store.disputes import disputes_of
    from qualicall.store.repository import ItemReview, add_reviews

    if not csrf_valid(session, csrf):
        return call_page_of(request, session, t, interaction_id, error=t("confirm_stale"), status_code=403)
    with request.app.state.store.session() as db:
        call = store_data.load_call(db, interaction_id)
        if call is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        if _rescored_since(db, call, machine_version, _item_keys(call.machine)):
            return call_page_of(request, session, t, interaction_id, error=t("confirm_rescored"), status_code=409)
        reviewed = store_data.latest_by_item([r for r in call.reviews if r.result_id == call.machine.id])
        # a disputed item is answered on its dispute, with a comment for the agent: not confirmed in passing
        disputed = {f"{d.criterion_id}.{d.item_id}" for d in disputes_of(db, interaction_id) if d.resolution is None}
        confirmations = [
            ItemReview(item_id, item["status"])
            for criterion_id, criterion in (call.machine.data.get("criteria") or {}).items()
            for item_id, item in (criterion.get("items") or {}).items()
            if f"{criterion_id}.{item_id}" not in reviewed and f"{criterion_id}.{item_id}" not in disputed
        ]
        if confirmations:
            add_reviews(db, call.row, confirmations, author_of(session))
    return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=confirmed", 303)


def author_of(session: SignedIn) -> Reviewer:
    """The reviews' author: the coach account or API key the coach signed in with, by id."""
    return Reviewer(session.user, api_key_id=session.api_key_id, user_id=session.user_id)


def _waveform(request: Request, recording: Path, turns: list[TurnView], items: list[ItemView], roles: dict | None) -> WaveformView | None:
    """The recording's two lanes; None (the player alone) for a recording that cannot be decoded."""
    settings = request.app.state.settings
    try:
        envelope = cached_envelope(recording, settings.waveforms_dir, max_seconds=settings.max_recording_seconds)
    except (AudioError, OSError):
        return None
    return waveform_view(envelope, turns, items, roles)


def recording_url(request: Request, row: InteractionRow) -> str | None:
    """Where the page's player reads the call's recording, when there is one to play."""
    return _audio_url(row.id) if _recording_path(request, row.recording) is not None else None


def _audio_url(interaction_id: str) -> str:
    return f"/calls/{quote(interaction_id, safe='')}/audio"


def _recording_path(request: Request, recording: str | None) -> Path | None:
    return stored_recording_file(recording, request.app.state.settings)
