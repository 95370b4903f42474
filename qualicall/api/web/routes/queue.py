"""The review queue: scored calls, most in need of a coach first, filtered and paged."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Language, render
from qualicall.api.web.i18n import Translator
from qualicall.api.web.views import score_class

router = APIRouter()

PAGE = 100


@router.get("/queue")
def queue_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    params = request.query_params
    filters = store_data.QueueFilters(
        agent=params.get("agent") or None,
        team=params.get("team") or None,
        queue=params.get("queue") or None,
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
        min_score=_number(params.get("min_score")),
        max_score=_number(params.get("max_score")),
        item_failed=params.get("item_failed") or None,
        reviewed=params.get("reviewed") if params.get("reviewed") in ("yes", "no") else None,
    )
    with request.app.state.store.session() as db:
        rows = store_data.review_queue(db, filters)
        options = store_data.choices(db)
    offset = max(0, int(_number(params.get("offset")) or 0))
    page = rows[offset : offset + PAGE]
    next_url = None
    if offset + PAGE < len(rows):
        query = dict(params)
        query["offset"] = str(offset + PAGE)
        next_url = "/queue?" + urlencode(query)
    shown = [_queue_row(row, t) for row in page]
    return render(request, "queue.html", session, nav="queue", rows=shown, total=len(rows), filters=filters, choices=options, next_url=next_url)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _date(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


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
        "date": (row.started_at or "")[:16].replace("T", " "),
        "agent": row.agent,
        "team": row.team,
        "queue": row.queue,
        "score": row.score,
        "score_class": score_class(row.score),
        "failed": row.failed,
        "why": ", ".join(why),
        "reviewers": row.reviewers,
    }
