"""The review queue: scored calls, most in need of a coach first, filtered and paged."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qualicall.api.deps import audit, stored_comment
from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Language, RowId, csrf_valid, holder, render
from qualicall.api.web.i18n import Translator
from qualicall.api.web.views import score_class
from qualicall.core import locale
from qualicall.core.errors import InputError
from qualicall.core.interaction import contact_date, id_problem, text_problem
from qualicall.store.saved_filters import NAME_MAX_CHARS, delete_filter, save_filter, saved_filters
from qualicall.store.signins import SignedIn

router = APIRouter()

PAGE = 100
SEARCH_MAX_CHARS = 200


@router.get("/queue")
def queue_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    saved = request.query_params.get("saved")
    return _queue_page(request, session, t, request.query_params, flash=t("filter_saved", name=saved) if saved else None)


def _queue_page(request: Request, session: SignedIn, t: Translator, params: Mapping[str, str], *, flash: str | None = None,
                error: str | None = None, typed_name: str = "", status_code: int = 200) -> HTMLResponse:
    filters = queue_filters(params)
    with request.app.state.store.session() as db:
        rows = store_data.review_queue(db, filters)
        options = store_data.choices(db, t.order)
        saved = [(found.id, found.name, "/queue?" + found.query) for found in saved_filters(db, session)]
    pages = max(1, math.ceil(len(rows) / PAGE))
    current = min(_page_number(params.get("page")), pages)
    shown = [_queue_row(row, t) for row in rows[(current - 1) * PAGE : current * PAGE]]
    query = urlencode(filters.to_params())
    error = error or _not_applied(params, filters, t)
    return render(request, "queue.html", session, status_code=status_code, t=t, nav="queue", rows=shown, total=len(rows), filters=filters,
                  choices=options, signal_filters=store_data.SIGNAL_FILTERS, pager=pager({k: v for k, v in params.items() if k != "saved"}, current, pages), query=query,
                  csv_url="/queue.csv" + (f"?{query}" if query else ""), saved=saved,
                  session_url="/calibration/sessions/new?" + urlencode({"queue": query}) if session.role == "admin" else None, flash=flash, error=error, typed_name=typed_name)


def queue_filters(params: Mapping[str, str]) -> store_data.QueueFilters:
    """The queue's filters from its query parameters: a value that cannot be a filter is left out, a name that
    cannot be an id or a search that cannot be text is refused (422)."""
    return store_data.QueueFilters(
        agent=_name(params, "agent"),
        team=_name(params, "team"),
        queue=_name(params, "queue"),
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
        min_score=_number(params.get("min_score")),
        max_score=_number(params.get("max_score")),
        item_failed=_name(params, "item_failed"),
        reviewed=params.get("reviewed") if params.get("reviewed") in ("yes", "no") else None,
        signal=params.get("signal") if params.get("signal") in store_data.SIGNAL_FILTERS else None,
        search=_search(params.get("q")),
    )


@router.post("/queue/filters")
def save_queue_filter(request: Request, session: Coach, t: Language, name: str = Form(""), query: str = Form(""),
                      csrf: str = Form("")) -> Response:
    """Save the filters the queue was showing (its query string) under a name; the page again, with the message
    and the name typed, when they cannot be saved."""
    params = dict(parse_qsl(query))
    if not csrf_valid(session, csrf):
        return _queue_page(request, session, t, params, error=t("form_stale"), typed_name=name, status_code=403)
    normalised = stored_query(request, params, t.language)
    try:
        with request.app.state.store.session() as db:
            saved = save_filter(db, session, stored_comment(request, name, t.language) or "", normalised)
    except InputError:
        reason = t("filter_name_missing") if not name.strip() else t("filter_name_invalid", max=NAME_MAX_CHARS)
        return _queue_page(request, session, t, params, error=reason, typed_name=name, status_code=422)
    return RedirectResponse("/queue?" + urlencode({**dict(parse_qsl(normalised)), "saved": saved.name}), 303)


def stored_query(request: Request, params: Mapping[str, str], language: str) -> str:
    """The queue's filters as a query string that may be stored (a saved filter, a calibration session's choice of calls).
    The search words may name someone: stored as the comments are, redacted where the deployment redacts (a search for
    a redacted name finds its placeholder, as the stored transcripts have it)."""
    filters = queue_filters(params)
    if filters.search:
        filters.search = stored_comment(request, filters.search, language)
    return urlencode(filters.to_params())


@router.post("/queue/filters/{filter_id}/delete")
def delete_queue_filter(request: Request, filter_id: RowId, session: Coach, t: Language, csrf: str = Form("")) -> Response:
    if not csrf_valid(session, csrf):
        return _queue_page(request, session, t, {}, error=t("form_stale"), status_code=403)
    with request.app.state.store.session() as db:
        delete_filter(db, session, filter_id)  # another coach's: 404
    return RedirectResponse("/queue", 303)


@router.get("/queue.csv")
def queue_csv(request: Request, session: Coach, t: Language) -> Response:
    """Every call the queue shows with these filters (all its pages), in its order, with the verdicts of record."""
    filters = queue_filters(request.query_params)
    with request.app.state.store.session() as db:
        rows = store_data.review_queue(db, filters)
    audit(holder(session), "exported the queue:", f"{len(rows)} call(s)")
    name = f"qualicall-{date.today().isoformat()}.csv"
    return Response(queue_table(rows, t), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def queue_table(rows: list[store_data.QueueRow], t: Translator) -> str:
    """The queue as CSV, as a spreadsheet of the coach's language opens it: French with « ; » between fields and
    decimal commas, English with commas; a byte-order mark so that Excel reads UTF-8. A field that a spreadsheet
    would take for a formula is written as text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if t.language == "fr" else ",", lineterminator="\r\n")
    writer.writerow([t(key) for key in ("col_call", "col_date", "col_agent", "col_team", "col_queue", "col_score", "col_failed",
                                        "col_why", "col_reviewed_by")])
    for row in rows:
        shown = _queue_row(row, t)
        writer.writerow([locale.spreadsheet_text(value) for value in (
            row.id, shown["date"], row.agent or "", row.team or "", row.queue or "", t.number(row.score) if row.score is not None else "",
            " | ".join(t.label(key) for key in row.failed), shown["why"], ", ".join(row.reviewers))])
    return "\ufeff" + out.getvalue()


@dataclass
class Pager:
    current: int
    pages: int
    links: list[tuple[int | None, str | None]]  # (page number, url); (None, None) stands for the pages left out
    previous_url: str | None
    next_url: str | None


def pager(params: dict[str, str], current: int, pages: int, around: int = 2) -> Pager:
    """Links to the first and last pages, to those `around` the current one, and to the previous and next."""

    def url(number: int) -> str:
        return "/queue?" + urlencode({**params, "page": str(number)})

    shown = sorted({1, pages, *range(max(1, current - around), min(pages, current + around) + 1)})
    links: list[tuple[int | None, str | None]] = []
    for number in shown:
        if links and links[-1][0] is not None and number > links[-1][0] + 1:
            links.append((None, None))
        links.append((number, url(number)))
    return Pager(current, pages, links, url(current - 1) if current > 1 else None, url(current + 1) if current < pages else None)


def _page_number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def _not_applied(params: Mapping[str, str], filters: store_data.QueueFilters, t: Translator) -> str | None:
    """The filters given a value that cannot be one, named with it: left out, the page says so (it showed every call
    under « 46 appels », which a coach read as the filtered result)."""
    given = (("from", filters.date_from), ("to", filters.date_to), ("min_score", filters.min_score), ("max_score", filters.max_score))
    wrong = [f"{t('filter_' + name)} « {params[name]} »" for name, value in given if (params.get(name) or "").strip() and value is None]
    return t("filters_not_applied", filters=", ".join(wrong)) if wrong else None


def _number(text: str | None) -> float | None:
    """A finite number (« 90,5 » as French writes it too), or None (the filter is left out)."""
    try:
        number = float(text.replace(",", ".")) if text not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None


def _name(params: Any, key: str) -> str | None:
    """An agent, team, queue or item filter: an id (README, "what the door accepts"), else 422."""
    value = params.get(key) or None
    if value is not None and (problem := id_problem(value)) is not None:
        raise HTTPException(422, f"{key}: {problem}")
    return value


def _search(text: str | None) -> str | None:
    """The search box's words, or None; 422 for text that is not text or longer than a search."""
    words = " ".join((text or "").split())
    if (problem := text_problem(words)) is not None:
        raise HTTPException(422, f"q: {problem}")
    if len(words) > SEARCH_MAX_CHARS:
        raise HTTPException(422, f"q: at most {SEARCH_MAX_CHARS} characters")
    return words or None


def _date(text: str | None) -> str | None:
    """A day from 1970 to 2099 (where contacts are), else None: the filter is left out."""
    day = contact_date(text)
    return day.isoformat() if day else None


def _queue_row(row: store_data.QueueRow, t: Translator) -> dict[str, Any]:
    why = []
    for reason in row.ranking["reasons"]:
        if reason == "asr_confidence":
            why.append(t("reason_asr_confidence", value=t.number(row.ranking["asr_confidence"], 2)))
        elif reason == "role_confidence":
            why.append(t("reason_role_confidence", value=t.number(row.ranking["role_confidence"], 2)))
        elif reason == "near_threshold":
            why.append(t("reason_near_threshold", item=t.label(row.ranking["near"])))
        else:
            why.append(t("reason_" + reason))
    return {
        "id": row.id,
        "date": t.moment(row.started_at),
        "agent": row.agent,
        "team": row.team,
        "queue": row.queue,
        "score": row.score,
        "score_class": score_class(row.score),
        "failed": row.failed,
        "why": ", ".join(why),
        "reviewers": row.reviewers,
    }
