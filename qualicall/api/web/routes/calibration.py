"""The calibration page: how often coaches agree with the automatic verdicts, item by item."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web import data as store_data
from qualicall.api.web.calibration import calibrate, overall
from qualicall.api.web.deps import Coach, Language, render

router = APIRouter()


@router.get("/calibration")
def calibration_page(request: Request, session: Coach, t: Language) -> HTMLResponse:
    with request.app.state.store.session() as db:
        pairs = store_data.calibration_pairs(db, t.order)
    agreements = calibrate(pairs)
    pooled = overall(agreements)
    disagreements = sorted(pooled.disagreements, key=lambda d: d.at or "", reverse=True)
    return render(request, "calibration.html", session, t=t, nav="calibration", agreements=agreements, pooled=pooled, disagreements=disagreements)
