"""The review queue: scored calls, most in need of a coach first, filtered and paged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Language, render
from qualicall.api.web.i18n import Translator
from qualicall.api.web.views import score_class
from qualicall.core.interaction import FIRST_YEAR, LAST_YEAR, id_problem

router = APIRouter()

PAGE = 100


@router.get("/queue")
def queue_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    params = request.query_params
    filters = store_data.QueueFilters(
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
    )
    with request.app.state.store.session() as db:
        rows = store_data.review_queue(db, filters)
        options = store_data.choices(db, t.order)
    pages = max(1, math.ceil(len(rows) / PAGE))
    current = min(_page_number(params.get("page")), pages)
    shown = [_queue_row(row, t) for row in rows[(current - 1) * PAGE : current * PAGE]]
    return render(request, "queue.html", session, t=t, nav="queue", rows=shown, total=len(rows), filters=filters, choices=options,
                  signal_filters=store_data.SIGNAL_FILTERS, pager=pager(dict(params), current, pages))


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


def _number(text: str | None) -> float | None:
    """A finite number, or None (the filter is left out)."""
    try:
        number = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None


def _name(params: Any, key: str) -> str | None:
    """An agent, team, queue or item filter: an id (README, "what the door accepts"), else 422."""
    value = params.get(key) or None
    if value is not None and (problem := id_problem(value)) is not None:
        raise HTTPException(422, f"{key}: {problem}")
    return value


def _date(text: str | None) -> str | None:
    """A day from 1970 to 2099 (where contacts are), else None: the filter is left out."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day.isoformat() if day and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _queue_row(row: store_data.QueueRow, t: Translator) -> dict[str, Any]:
    why = []
    for reason in row.priority.reasons:
        if reason == "asr_confidence":
            why.append(t("reason_asr_confidence", value=t.number(row.priority.asr_confidence, 2)))
        elif reason == "role_confidence":
            why.append(t("reason_role_confidence", value=t.number(row.priority.role_confidence, 2)))
        elif reason == "near_threshold":
            why.append(t("reason_near_threshold", item=t.label(row.priority.near[0].item)))
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
