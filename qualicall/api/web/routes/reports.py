"""The managers' report (`qualicall report -f html`, `GET /v1/reports`) from the workspace: a coach or a lead signed in
with a password had no way to it, only a holder of an API key (a coach's review). A form — the days, inclusive, a
grouping, a period — then the report's own page, or its CSV."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from qualicall.api.deps import audit
from qualicall.api.routes.reports import csv_report, html_report, report_settings_of, server_rubric
from qualicall.api.web.deps import Coach, Language, holder, render
from qualicall.api.web.i18n import Translator
from qualicall.core.interaction import contact_date
from qualicall.store import repository as repo
from qualicall.store.signins import SignedIn

router = APIRouter()
log = logging.getLogger(__name__)

GROUPINGS = ("team", "agent", "queue", "channel")
PERIODS = ("day", "week", "month")


@router.get("/reports")
def reports_form(request: Request, session: Coach, t: Language) -> HTMLResponse:
    last_day = date.today().replace(day=1) - timedelta(days=1)  # last month's, offered
    form = {"from": last_day.replace(day=1).isoformat(), "to": last_day.isoformat(), "by": "team", "period": "week"}
    return _form(request, session, t, form)


@router.get("/reports/view")
def report_view(request: Request, session: Coach, t: Language) -> Response:
    """The report the form asked for: `from` and `to` days (`to` included), `by` one of GROUPINGS or none, `period`
    one of PERIODS or none, `format` html (the page) or csv; the form again, with the reason, where they do not hold."""
    form = {key: request.query_params.get(key, "").strip() for key in ("from", "to", "by", "period", "format")}
    days = {key: contact_date(form[key]) for key in ("from", "to")}
    for key, label in (("from", "filter_from"), ("to", "report_to")):
        if form[key] and days[key] is None:
            return _form(request, session, t, form, t("report_bad_day", field=t(label), value=form[key]), 422)
    if days["from"] and days["to"] and days["to"] < days["from"]:
        return _form(request, session, t, form, t("report_days_reversed"), 422)
    if form["by"] not in ("", *GROUPINGS) or form["period"] not in ("", *PERIODS) or form["format"] not in ("", "html", "csv"):
        return _form(request, session, t, form, t("report_bad_choice"), 422)
    until = days["to"] + timedelta(days=1) if days["to"] else None  # the form's last day is included; the store's `to` is not
    filters = repo.InteractionFilter(since=days["from"], until=until)
    by, period = [form["by"]] if form["by"] else [], form["period"] or None
    settings = request.app.state.settings
    try:
        rubric = server_rubric(settings)
    except HTTPException as exc:  # the server's own rubric file, broken since it started: said on a page, not in JSON
        log.error("report page: %s", exc.detail)  # (the file's path and the fault: for the operator, not the page)
        return render(request, "message.html", session, status_code=exc.status_code, t=t, title=t("reports_title"), message=t("report_rubric_broken"))
    report_settings = report_settings_of(rubric)
    with request.app.state.store.session() as db:
        if form["format"] == "csv":
            from qualicall.reports.aggregate import aggregate_parts

            answer = csv_report(aggregate_parts(repo.iter_latest_results(db, filters), by, period, report_settings, False), False)
        else:
            answer = html_report(db, filters, by, period, report_settings, [t.language], settings)
    audit(holder(session), "read the report of", f"{form['from'] or '…'} to {form['to'] or '…'}")
    return answer


def _form(request: Request, session: SignedIn, t: Translator, form: dict[str, Any], error: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "reports.html", session, status_code=status_code, t=t, nav="reports", form=form, error=error,
                  groupings=GROUPINGS, periods=PERIODS)

