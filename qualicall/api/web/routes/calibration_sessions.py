"""Calibration sessions (AFNOR-style double marking): a lead assigns calls to coaches, who score them blind; the
session's page shows, item by item, their agreement with each other and with the machine.

- A lead (an admin) makes a session on `/calibration/sessions/new`: a name, the coaches taking part, and its calls:
  a seeded random sample of N calls per agent and ISO week over a date range, or the calls the queue shows with
  its filters (the queue's « create a calibration session » link). The seed is shown and kept: the same seed on
  the same contacts draws the same calls.
- A coach finds their calls on `/assignments` (progress n/m per open session) and scores every item of each call
  on a blind page: the transcript and the recording, neither the machine's verdicts, reasons and scores nor any
  other coach's. Their verdicts are kept per coach in the session, never as the call's verdict of record.
- The session's page (the lead's while it is open, every coach's once it is closed: a coach still scoring must not
  see the others' verdicts) gives per item the coaches' kappa with each other (Light's: the mean of Cohen's over
  the pairs, `qualicall.api.web.calibration`), each coach's with the machine, the counts, and the calls on which
  the coaches disagree.
Forms answer with the page, the message in place and what was typed kept. Agents get 403 everywhere here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qualicall.api.deps import stored_comment
from qualicall.api.schemas import COMMENT_MAX_CHARS
from qualicall.api.web import data as store_data
from qualicall.api.web.calibration import cohen_kappa, pooled_session, session_agreement
from qualicall.api.web.deps import ROW_ID_MAX, Coach, Forbidden, Language, Lead, RowId, csrf_valid, render
from qualicall.api.web.i18n import Translator
from qualicall.api.web.routes.calls import author_of, recording_url
from qualicall.api.web.routes.queue import queue_filters, stored_query
from qualicall.api.web.views import transcript
from qualicall.core.errors import InputError, NotFoundError
from qualicall.core.interaction import FIRST_YEAR, LAST_YEAR, Id
from qualicall.store import calibration_sessions as sessions_store
from qualicall.store.models import CalibrationSession, InteractionRow, ResultRow
from qualicall.store.repository import as_utc
from qualicall.store.signins import SignedIn

router = APIRouter()

SEED_MAX = 999_999


async def posted(request: Request) -> dict[str, Any]:
    """The posted form, every value of a repeated field kept (a form whose fields are named after the items)."""
    form = await request.form()
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form.keys()}


Posted = Annotated[dict[str, Any], Depends(posted)]


def whole_number(text: Any, most: int) -> int | None:
    """A whole number from 1 to `most` as typed in a form, else None. ASCII digits only: `str.isdigit` also takes
    "²", which `int` refuses, and "٣", which it reads as 3; nor thousands of digits, which `int` refuses too."""
    text = str(text or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= len(str(most)) and 1 <= int(text) <= most else None


# --- the lead: making and closing sessions -----------------------------------

@dataclass
class SessionForm:
    """What the lead typed to make a session, given back with the page when it was not made."""

    name: str = ""
    coaches: list[int] = field(default_factory=list)
    mode: str = "random"  # random | queue
    date_from: str = ""
    date_to: str = ""
    per_agent_week: str = "2"
    seed: str = ""
    queue: str | None = None  # the queue's query string, when opened from the queue

    @classmethod
    def of(cls, fields: dict[str, Any]) -> "SessionForm":
        chosen = fields.get("coaches") or []
        chosen = chosen if isinstance(chosen, list) else [chosen]
        return cls(name=str(fields.get("name") or ""), coaches=[n for c in chosen if (n := whole_number(c, ROW_ID_MAX)) is not None],
                   mode="queue" if fields.get("mode") == "queue" else "random", date_from=str(fields.get("from") or ""),
                   date_to=str(fields.get("to") or ""), per_agent_week=str(fields.get("per_agent_week") or ""),
                   seed=str(fields.get("seed") or ""), queue=fields.get("queue") if isinstance(fields.get("queue"), str) else None)


@router.get("/calibration/sessions")
def sessions_page(request: Request, session: Lead, t: Language) -> HTMLResponse:
    """Every session, open ones first, with each coach's progress."""
    with request.app.state.store.session() as db:
        rows = []
        for found in sessions_store.list_sessions(db):
            rows.append({"id": found.id, "name": found.name, "open": found.closed_at is None, "calls": len(found.calls),
                         "created": t.event(as_utc(found.created_at).isoformat()), "created_by": found.created_by,
                         "progress": sessions_store.progress(found, sessions_store.scored_calls(db, found.id))})
    flash = t("session_closed") if request.query_params.get("done") == "closed" else None
    return render(request, "sessions.html", session, t=t, nav="calibration", rows=rows, flash=flash)


@router.get("/calibration/sessions/new")
def new_session_page(request: Request, session: Lead, t: Language, queue: str | None = None) -> HTMLResponse:
    """The form; opened from the queue (`queue`: its query string), it offers the queue's calls."""
    today = date.today()
    form = SessionForm(mode="queue" if queue is not None else "random", date_from=(today - timedelta(days=28)).isoformat(),
                       date_to=today.isoformat(), seed=str(1 + secrets.randbelow(SEED_MAX)), queue=queue)
    return _form_page(request, session, t, form)


def _form_page(request: Request, session: SignedIn, t: Translator, form: SessionForm, error: str | None = None,
               status_code: int = 200, error_field: str | None = None) -> HTMLResponse:
    """The new session's form; `error_field`: the id of the field a refusal is about (marked invalid, described by it)."""
    with request.app.state.store.session() as db:
        coaches = [(user.id, user.username) for user in sessions_store.coach_accounts(db)]
        queue_calls = len(_queue_calls(db, form.queue)) if form.queue is not None else None
    return render(request, "session_new.html", session, status_code=status_code, t=t, nav="calibration", form=form, coaches=coaches,
                  queue_calls=queue_calls, queue_filters=_filters_shown(form.queue, t) if form.queue is not None else [], error=error, error_field=error_field,
                  max_calls=sessions_store.MAX_CALLS, max_per_week=sessions_store.MAX_PER_AGENT_WEEK, seed_max=SEED_MAX)


def _queue_calls(db: Any, query: str) -> list[str]:
    """The ids of the calls the queue shows with these filters (every page of it), in its order."""
    return [row.id for row in store_data.review_queue(db, queue_filters(dict(parse_qsl(query))))]


def _filters_shown(query: str | None, t: Translator) -> list[tuple[str, str]]:
    """The queue's filters in words, for the form and the session's page."""
    labels = {"q": "filter_search", "agent": "filter_agent", "team": "filter_team", "queue": "filter_queue", "from": "filter_from",
              "to": "filter_to", "min_score": "filter_min_score", "max_score": "filter_max_score", "item_failed": "filter_item_failed",
              "reviewed": "filter_reviewed", "signal": "filter_signal"}
    shown = []
    for key, value in parse_qsl(query or ""):
        if key not in labels:
            continue
        if key == "item_failed":
            value = t.label(value)
        elif key == "reviewed":
            value = t("filter_yes" if value == "yes" else "filter_no")
        elif key == "signal":
            value = t("signal_" + value)
        elif key in ("from", "to"):
            value = t.period(value)
        shown.append((t(labels[key]), value))
    return shown


def _day(text: str) -> datetime | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if FIRST_YEAR <= day.year <= LAST_YEAR else None


@router.post("/calibration/sessions")
def create_session(request: Request, session: Lead, t: Language, fields: Posted) -> Response:
    form = SessionForm.of(fields)

    def refused(reason: str, status_code: int = 422, field: str | None = None) -> HTMLResponse:
        return _form_page(request, session, t, form, error=t("session_not_made", reason=reason), status_code=status_code, error_field=field)

    if not csrf_valid(session, str(fields.get("csrf") or "")):
        return _form_page(request, session, t, form, error=t("form_stale"), status_code=403)
    if not " ".join(form.name.split()):
        return refused(t("session_name_missing"), field="session-name")
    if len(form.coaches) < 2:
        return refused(t("session_coaches_needed"), field="session-coaches")
    if form.mode == "random":
        since, until = _day(form.date_from), _day(form.date_to)
        if since is None or until is None or until < since:
            return refused(t("session_dates_needed"), field="session-from")
        per_week, seed = whole_number(form.per_agent_week, sessions_store.MAX_PER_AGENT_WEEK), whole_number(form.seed, SEED_MAX)
        if per_week is None:
            return refused(t("session_per_week_needed", max=sessions_store.MAX_PER_AGENT_WEEK), field="session-per-week")
        if seed is None:
            return refused(t("session_seed_needed", max=SEED_MAX), field="session-seed")
        sample = {"kind": "random", "per_agent_week": per_week, "from": form.date_from, "to": form.date_to, "seed": seed}
    elif form.queue is None:
        return refused(t("session_queue_missing"))
    else:
        sample = {"kind": "queue", "query": stored_query(request, dict(parse_qsl(form.queue)), t.language)}
    name = stored_comment(request, " ".join(form.name.split()), t.language) or ""
    with request.app.state.store.session() as db:
        try:
            if form.mode == "random":
                calls = sessions_store.sample_calls(db, since, until + timedelta(days=1), per_week, seed)
            else:
                calls = _queue_calls(db, form.queue)
            made = sessions_store.create_session(db, name, form.coaches, calls, sample, author_of(session))
        except sessions_store.NoCalls:
            db.rollback()
            return refused(t("session_no_calls"))
        except sessions_store.TooManyCalls:
            db.rollback()
            return refused(t("session_too_many_calls", n=len(calls), max=sessions_store.MAX_CALLS))
        except sessions_store.CoachesNeeded:
            db.rollback()
            return refused(t("session_coaches_needed"))
        except NotFoundError:  # a call deleted meanwhile
            db.rollback()
            return refused(t("session_calls_changed"))
        except InputError:  # a name that is not text
            db.rollback()
            return refused(t("session_name_invalid", max=sessions_store.NAME_MAX_CHARS))
        made_id = made.id
    return RedirectResponse(f"/calibration/sessions/{made_id}?done=made", 303)


@router.post("/calibration/sessions/{session_id}/close")
def close_session(request: Request, session_id: RowId, session: Lead, t: Language, fields: Posted) -> Response:
    """The lead closes a session: it takes no more verdicts, and its page opens to the coaches."""
    if not csrf_valid(session, str(fields.get("csrf") or "")):
        return _session_page(request, session, t, session_id, error=t("form_stale"), status_code=403)
    with request.app.state.store.session() as db:
        try:
            found = sessions_store.get_session(db, session_id)
        except NotFoundError:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=str(session_id))
        calls = len(found.calls)
        unfinished = [f"{name} {t('progress', done=scored, total=calls)}"
                      for name, scored in sessions_store.progress(found, sessions_store.scored_calls(db, session_id)) if scored < calls]
        if found.closed_at is None and unfinished and fields.get("confirm") != "yes":
            # closed at once, a coach at 5 of 6 (a lead's review): asked again, saying who has not finished
            return _session_page(request, session, t, session_id, error=t("session_close_unfinished", coaches=", ".join(unfinished)),
                                 confirm_close=True, status_code=409)
        sessions_store.close_session(db, session_id)
    return RedirectResponse(f"/calibration/sessions/{session_id}?done=closed", 303)


# --- the session's page: agreement ----------------------------------------------

@router.get("/calibration/sessions/{session_id}")
def session_page(request: Request, session_id: RowId, session: Coach, t: Language) -> HTMLResponse:
    done = {"made": "session_made", "closed": "session_closed"}.get(request.query_params.get("done", ""))
    return _session_page(request, session, t, session_id, flash=t(done) if done else None)


def _session_page(request: Request, session: SignedIn, t: Translator, session_id: int, *, flash: str | None = None,
                  error: str | None = None, confirm_close: bool = False, status_code: int = 200) -> HTMLResponse:
    with request.app.state.store.session() as db:
        try:
            found = sessions_store.get_session(db, session_id)
        except NotFoundError:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=str(session_id))
        done = sessions_store.scored_calls(db, session_id)
        if found.closed_at is None:
            # Blind while open: the lead follows it, unless the lead scores in it too and has calls left to score.
            taking_part = sessions_store.coach_in(found, session.user_id)
            still_scoring = taking_part is not None and len(done.get(taking_part.id, ())) < len(found.calls)
            if session.role != "admin" or still_scoring:
                raise Forbidden(session, "forbidden_blind")
        verdicts = sessions_store.session_verdicts(db, session_id)
        coaches = [coach.username for coach in found.coaches]
        progress = sessions_store.progress(found, done)
        calls, is_open, sample = len(found.calls), found.closed_at is None, dict(found.sample)
        heading = {"name": found.name, "created_by": found.created_by, "created": t.event(as_utc(found.created_at).isoformat()),
                   "closed": t.event(as_utc(found.closed_at).isoformat()) if found.closed_at else None}
    items = session_agreement(verdicts, coaches, t.order)
    pooled = pooled_session(items, coaches)
    disagreements = [d for item in items for d in item.disagreements]
    against_machine = [d for item in items for d in item.against_machine]
    return render(request, "session.html", session, status_code=status_code, t=t, nav="calibration", session_id=session_id, heading=heading,
                  sample=_sample_text(sample, t), queue_url="/queue?" + sample.get("query", "") if sample.get("kind") == "queue" else None,
                  coaches=sorted(coaches), progress=progress, calls=calls, is_open=is_open, items=items, pooled=pooled,
                  pairs=[(*pair, cohen_kappa(confusion), sum(confusion.values())) for pair, confusion in sorted(pooled.pairs.items())],
                  disagreements=disagreements, against_machine=against_machine, flash=flash, error=error, confirm_close=confirm_close)


RANDOM_SAMPLE_KEYS = ("per_agent_week", "from", "to", "seed")  # what `create_session` keeps of a random draw


def _sample_text(sample: dict[str, Any], t: Translator) -> str:
    """How the session's calls were chosen, in words; nothing for a session made otherwise (through the store's API)."""
    if sample.get("kind") == "random" and all(key in sample for key in RANDOM_SAMPLE_KEYS):
        return t("sample_random", n=sample["per_agent_week"], start=t.period(sample["from"]), end=t.period(sample["to"]), seed=sample["seed"])
    if sample.get("kind") != "queue":
        return ""
    shown = _filters_shown(sample.get("query"), t)
    return t("sample_queue", filters=", ".join(f"{label}{t('colon')}{value}" for label, value in shown) if shown else t("sample_queue_all"))


# --- a coach: assignments and blind scoring ----------------------------------------

@router.get("/assignments")
def assignments_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    """The calls a coach is to score, per open session they take part in, with their progress."""
    with request.app.state.store.session() as db:
        found = sessions_store.assignments(db, session.user_id) if session.user_id is not None else []
        rows = [{"id": a.session.id, "name": a.session.name, "calls": a.calls, "done": a.done, "next": a.next_call} for a in found]
        closed = [{"id": c.id, "name": c.name, "closed": t.event(as_utc(c.closed_at).isoformat())}
                  for c in (sessions_store.closed_sessions_of(db, session.user_id) if session.user_id is not None else [])]
    flash = t("session_finished") if request.query_params.get("done") == "finished" else None
    return render(request, "assignments.html", session, t=t, nav="assignments", rows=rows, closed=closed, flash=flash)


@dataclass
class BlindForm:
    """What a coach gave the items of a call ("criterion.item" → status, comment), and why it was not saved."""

    statuses: dict[str, str]
    comments: dict[str, str]
    error: str | None = None


def _participant(db: Any, session: SignedIn, session_id: int) -> tuple[CalibrationSession, Any]:
    """The session and this coach's place in it; 404 for no such session, 403 for a coach not taking part."""
    found = sessions_store.get_session(db, session_id)
    coach = sessions_store.coach_in(found, session.user_id)
    if coach is None:
        raise Forbidden(session, "forbidden_not_assigned")
    return found, coach


@router.get("/calibration/sessions/{session_id}/calls/{interaction_id}")
def blind_page(request: Request, session_id: RowId, interaction_id: Id, session: Coach, t: Language) -> HTMLResponse:
    flash = t("verdicts_saved") if request.query_params.get("done") == "saved" else None
    return _blind_page(request, session, t, session_id, interaction_id, flash=flash)


def _blind_page(request: Request, session: SignedIn, t: Translator, session_id: int, interaction_id: str, *, form: BlindForm | None = None,
                flash: str | None = None, status_code: int = 200) -> HTMLResponse:
    """A call to score blind: its transcript and recording, a verdict to give each item; nothing of the machine's
    verdicts, reasons or scores, nor of another coach's."""
    with request.app.state.store.session() as db:
        try:
            found, coach = _participant(db, session, session_id)
            call = sessions_store.call_of(found, interaction_id)
        except NotFoundError:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        ids = [c.interaction_id for c in found.calls]
        done = sessions_store.scored_calls(db, session_id).get(coach.id, set())
        if form is None:
            given = sessions_store.coach_verdicts(db, call, coach)
            form = BlindForm({key: v.status for key, v in given.items()}, {key: v.comment or "" for key, v in given.items()})
        result = db.get(ResultRow, call.result_id).data
        row = db.get(InteractionRow, interaction_id)
        interaction, audio_url = row.data or {}, recording_url(request, row)
        session_name, is_open = found.name, found.closed_at is None
    t = t.preferring((result.get("rubric") or {}).get("id"))
    criteria = [(t.label(criterion_id), [(f"{criterion_id}.{item_id}", t.label(f"{criterion_id}.{item_id}")) for item_id in criterion.get("items") or {}])
                for criterion_id, criterion in (result.get("criteria") or {}).items()]
    position = ids.index(interaction_id)
    return render(request, "blind.html", session, status_code=status_code, t=t, nav="assignments", session_id=session_id, session_name=session_name,
                  is_open=is_open, interaction={"id": interaction_id, **{k: interaction.get(k) for k in ("agent_id", "team", "queue")}},
                  date=t.moment(interaction.get("started_at")), criteria=criteria, form=form, flash=flash, statuses=sessions_store.STATUSES,
                  turns=transcript(interaction), spoken=interaction.get("language") or result.get("language"), audio_url=audio_url,
                  position=position + 1, total=len(ids), done=len(done), comment_max=COMMENT_MAX_CHARS,
                  previous=ids[position - 1] if position else None, following=ids[position + 1] if position + 1 < len(ids) else None)


@router.post("/calibration/sessions/{session_id}/calls/{interaction_id}")
def score_blind(request: Request, session_id: RowId, interaction_id: Id, session: Coach, t: Language, fields: Posted) -> Response:
    """A coach's verdicts on every item of a call; then the next call they have not scored, or their assignments."""
    statuses = {key.removeprefix("status:"): str(value) for key, value in fields.items() if key.startswith("status:")}
    comments = {key.removeprefix("comment:"): str(value).strip() for key, value in fields.items() if key.startswith("comment:")}
    form = BlindForm(statuses, comments)

    def refused(reason: str, status_code: int = 422) -> HTMLResponse:
        form.error = reason
        return _blind_page(request, session, t, session_id, interaction_id, form=form, status_code=status_code)

    if not csrf_valid(session, str(fields.get("csrf") or "")):
        return refused(t("form_stale"), 403)
    if any(len(comment) > COMMENT_MAX_CHARS for comment in comments.values()):
        return refused(t("verdicts_not_saved", reason=t("comment_too_long", max=COMMENT_MAX_CHARS)))
    with request.app.state.store.session() as db:
        try:
            found, coach = _participant(db, session, session_id)
            row = db.get(InteractionRow, interaction_id)
            language = row.language if row is not None else None
            verdicts = {key: (status, stored_comment(request, comments.get(key) or None, language)) for key, status in statuses.items() if status}
            sessions_store.save_verdicts(db, found, coach, interaction_id, verdicts)
        except sessions_store.MissingVerdicts:
            db.rollback()
            return refused(t("verdicts_not_saved", reason=t("verdicts_missing")))
        except sessions_store.SessionClosed:
            db.rollback()
            return refused(t("verdicts_not_saved", reason=t("session_is_closed")), 409)
        except NotFoundError:
            db.rollback()
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
        except InputError:
            db.rollback()
            return refused(t("verdicts_not_saved", reason=t("comment_invalid")))
        following = sessions_store.assignments(db, session.user_id)
        nxt = next((a.next_call for a in following if a.session.id == session_id), None)
    if nxt is None:
        return RedirectResponse("/assignments?done=finished", 303)
    return RedirectResponse(f"/calibration/sessions/{session_id}/calls/{quote(nxt, safe='')}?done=saved", 303)
