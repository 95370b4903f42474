"""Agents' own evaluations and their disputes; the coaches' list of disputes and their resolutions.

An agent (an account with `role: agent`, linked to an agent id) lands on `/me`: their contacts, newest
first, with the scores of record and their disputes. On a call of theirs they dispute an item (the status
they ask for and why); a coach finds it on `/disputes` and on the call, and upholds it (the item takes
that status, as the coach's review) or rejects it, with a comment either way; the agent reads the
resolution on the call and on `/me`. Forms answer with the page, the message in place and what was typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from qualicall.api.deps import stored_comment
from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Forbidden, Language, RowId, Viewer, comment_refusal, csrf_valid, render
from qualicall.api.web.priority import failed_items
from qualicall.api.web.trends import line_chart
from qualicall.api.web.routes.calls import DisputeForm, author_of, call_page_of
from qualicall.api.web.views import score_class
from qualicall.core.errors import ConflictError, InputError, NotFoundError
from qualicall.core.interaction import FIRST_YEAR, LAST_YEAR, Id
from qualicall.store import disputes as dispute_store
from qualicall.store import repository as repo
from qualicall.store.models import DisputeRow, InteractionRow

router = APIRouter()
_ISO_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})", re.ASCII)

MINE_PAGE = 50


@router.get("/me")
def my_evaluations(request: Request, session: Viewer, t: Language, after: str | None = None, week: str | None = None) -> Response:
    """An agent's contacts, newest first, `MINE_PAGE` at a time (those of one ISO `week`, "2026-W45", where asked),
    their quality week by week, and their disputes."""
    if not session.is_agent:
        return RedirectResponse("/queue", 303)
    days = _week_days(week)
    shown = repo.InteractionFilter(agent_id=session.agent_id, since=days[0], until=days[1]) if days else repo.InteractionFilter(agent_id=session.agent_id)
    with request.app.state.store.session() as db:
        try:
            page = repo.list_interactions(db, shown, cursor=after, limit=MINE_PAGE)
        except InputError:
            page = repo.list_interactions(db, shown, limit=MINE_PAGE)
        # Their own trend, as a coach sees it on /agents/{id} (an agent's review: they had no evolution over weeks).
        found = store_data.group_trends(db, "agent", session.agent_id, "week", t.order)
        disputes = [dispute_store.dispute_json(d) for d in dispute_store.list_disputes(db, agent_id=session.agent_id, limit=200)]
        # A call moved to another agent since (re-posted with another agent_id) is no longer theirs to open, but their
        # dispute of it, and how it was answered, still is (an agent's review: it went out of sight).
        theirs = set(db.scalars(select(InteractionRow.id).where(InteractionRow.id.in_({d["interaction_id"] for d in disputes}),
                                                                InteractionRow.agent_id == session.agent_id)))
    moved = [d for d in disputes if d["interaction_id"] not in theirs]
    per_call: dict[str, list[dict]] = {}
    for dispute in disputes:
        dispute["resolved_when"] = t.event(dispute["resolved_at"]) if dispute["resolved_at"] else None
        per_call.setdefault(dispute["interaction_id"], []).append(dispute)
    rows = []
    for interaction, result in page.rows:
        data = result.data if result else {}
        score = data.get("overall_score") if data.get("overall_score") is not None else data.get("quality_score")
        rows.append({
            "id": interaction.id,
            # the call's own clock; without one, when the server received it, in the deployment's zone
            "date": t.moment(interaction.started_at) if interaction.started_at else t.event(repo.as_utc(interaction.contact_time).isoformat()),
            "score": score,
            "score_class": score_class(score),
            # the agent's own part: the overall score also weighs the wait before pick-up, which is not theirs
            "quality": data.get("quality_score"),
            "quality_class": score_class(data.get("quality_score")),
            "failed": failed_items(data),
            "reviewed": data.get("source") == "coach",
            "disputes": per_call.get(interaction.id, []),
        })
    qualities = [row["quality"] for row in rows if isinstance(row["quality"], (int, float))]
    quality_mean = sum(qualities) / len(qualities) if qualities else None
    week_query = f"week={quote(week)}&" if days else ""
    chart = line_chart({"quality": found.series["quality"]}, found.periods) if found else None
    return render(request, "mine.html", session, t=t, nav="mine", rows=rows, moved=moved, quality_mean=quality_mean, scored=len(qualities),
                  next_url=f"/me?{week_query}after={quote(page.next_cursor)}" if page.next_cursor else None,
                  week=week if days else None, chart=chart, link=lambda key: f"/me?week={quote(key)}#mine-calls")


def _week_days(week: str | None) -> tuple[date, date] | None:
    """An ISO week ("2026-W45", nothing else) as the days [Monday, next Monday) of the contacts' own clocks, within the
    years contacts have (1970's first week begins in 1969); None for none or no such week (the list unfiltered, as an
    unknown filter is)."""
    found = _ISO_WEEK.fullmatch(week or "")
    if not found or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        return None
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        return None
    return max(monday, date(FIRST_YEAR, 1, 1)), min(monday + timedelta(days=7), date(LAST_YEAR + 1, 1, 1))


@router.post("/calls/{interaction_id}/disputes")
def dispute(
    request: Request,
    interaction_id: Id,
    session: Viewer,
    t: Language,
    item: str = Form(""),
    status: str = Form(""),
    comment: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """An agent disputes an item of one of their calls."""
    if not session.is_agent:
        raise Forbidden(session)

    def refused(reason: str, status_code: int) -> HTMLResponse:
        return call_page_of(request, session, t, interaction_id, dispute_form=DisputeForm(item, status, comment, reason), status_code=status_code)

    if not csrf_valid(session, csrf):
        return refused(t("form_stale"), 403)
    if status not in dispute_store.STATUSES:
        return refused(t("dispute_not_saved", reason=t("dispute_status_required")), 422)
    if not comment.strip():
        return refused(t("dispute_not_saved", reason=t("dispute_comment_missing")), 422)
    if refusal := comment_refusal(comment.strip(), t):
        return refused(t("dispute_not_saved", reason=refusal), 422)
    with request.app.state.store.session() as db:
        row = repo.get_interaction(db, interaction_id)
        if row is None or row.agent_id != session.agent_id:
            raise Forbidden(session)
        try:
            dispute_store.open_dispute(db, row, item, status, stored_comment(request, comment.strip(), row.language),
                                       agent_id=session.agent_id, author=session.user, author_user_id=session.user_id)
        except dispute_store.AnsweredAlready:
            db.rollback()
            return refused(t("dispute_not_saved", reason=t("dispute_answered_already")), 409)
        except ConflictError:
            db.rollback()
            return refused(t("dispute_not_saved", reason=t("dispute_open_already")), 409)
        except dispute_store.UnknownItem:
            db.rollback()
            return refused(t("dispute_not_saved", reason=t("unknown_item")), 422)
        except dispute_store.SameStatus:
            db.rollback()
            return refused(t("dispute_not_saved", reason=t("dispute_same_status")), 422)
        except InputError as exc:  # (what the store refuses besides: the page, what was typed kept, not JSON)
            db.rollback()
            return refused(t("dispute_not_saved", reason=str(exc)), 422)
    return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=disputed", 303)


@router.post("/disputes/{dispute_id}/resolve")
def resolve(
    request: Request,
    dispute_id: RowId,
    session: Coach,
    t: Language,
    resolution: str = Form(""),
    comment: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """A coach upholds or rejects a dispute, with a comment."""
    with request.app.state.store.session() as db:
        found = db.get(DisputeRow, dispute_id)
        if found is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=str(dispute_id))
        interaction_id, language = found.interaction_id, (repo.get_interaction(db, found.interaction_id).language)

    def refused(reason: str, status_code: int) -> HTMLResponse:
        form = DisputeForm("", resolution, comment, reason, dispute=dispute_id)
        return call_page_of(request, session, t, interaction_id, dispute_form=form, status_code=status_code)

    if not csrf_valid(session, csrf):
        return refused(t("form_stale"), 403)
    if resolution not in dispute_store.RESOLUTIONS:
        return refused(t("resolution_not_saved", reason=t("resolution_required")), 422)
    if not comment.strip():
        return refused(t("resolution_not_saved", reason=t("resolution_comment_missing")), 422)
    if refusal := comment_refusal(comment.strip(), t):
        return refused(t("resolution_not_saved", reason=refusal), 422)
    stored = stored_comment(request, comment.strip(), language)
    with request.app.state.store.session() as db:
        try:
            dispute_store.resolve_dispute(db, dispute_id, resolution, stored, author_of(session))
        except (ConflictError, NotFoundError):
            db.rollback()
            return refused(t("resolution_not_saved", reason=t("dispute_resolved_already")), 409)
        except InputError as exc:  # (what the store refuses besides)
            db.rollback()
            return refused(t("resolution_not_saved", reason=str(exc)), 422)
    return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=resolved#disputes", 303)


@router.get("/disputes")
def disputes_page(request: Request, session: Coach, t: Language, state: str = "open") -> HTMLResponse:
    """The coaches' list of disputes: the open ones first to answer (oldest first), or those resolved."""
    state = state if state in (*dispute_store.STATES, "all") else "open"
    with request.app.state.store.session() as db:
        rows = [dispute_store.dispute_json(d) for d in dispute_store.list_disputes(db, None if state == "all" else state)]
    for row in rows:
        row["when"] = t.event(row["created_at"])
    return render(request, "disputes.html", session, t=t, nav="disputes", rows=rows, state=state, states=(*dispute_store.STATES, "all"))

