"""The calibration page: how often coaches agree with the automatic verdicts, item by item, and how often
agents dispute them (a resolved dispute is a coach's review as well, counted in the agreement)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web import data as store_data
from qualicall.api.web.calibration import calibrate, overall
from qualicall.api.web.deps import Coach, Language, render

router = APIRouter()


@router.get("/calibration")
def calibration_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    from qualicall.store.disputes import counts_by_item

    with request.app.state.store.session() as db:
        pairs = store_data.calibration_pairs(db, t.order)
        disputes = counts_by_item(db)
    agreements = calibrate(pairs)
    pooled = overall(agreements)
    disagreements = sorted(pooled.disagreements, key=lambda d: d.at or "", reverse=True)
    # Items disputed but not reviewed yet (every dispute still open) get a row of their own.
    only_disputed = sorted((item for item in disputes if item not in {a.item for a in agreements}), key=t.order)
    return render(request, "calibration.html", session, t=t, nav="calibration", agreements=agreements, pooled=pooled,
                  disagreements=disagreements, disputes=disputes, only_disputed=only_disputed)
