"""Agents and teams: the list of each, and one agent's or team's trends over time."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Coach, Language, render
from qualicall.api.web.i18n import Translator
from qualicall.store.signins import SignedIn
from qualicall.api.web.trends import PERIODS, indicator_chart, line_chart, period_bounds
from qualicall.core.interaction import Id

router = APIRouter()

Kind = Literal["agents", "teams"]


@router.get("/agents")
def agents(request: Request, session: Coach, t: Language) -> HTMLResponse:
    return _group_list(request, session, t, "agents")


@router.get("/teams")
def teams(request: Request, session: Coach, t: Language) -> HTMLResponse:
    return _group_list(request, session, t, "teams")


@router.get("/agents/{name}")
def agent(request: Request, name: Id, session: Coach, t: Language) -> HTMLResponse:
    return _group_page(request, session, t, "agents", name)


@router.get("/teams/{name}")
def team(request: Request, name: Id, session: Coach, t: Language) -> HTMLResponse:
    return _group_page(request, session, t, "teams", name)


def _column(kind: Kind):  # type: ignore[no-untyped-def]
    from qualicall.store.models import InteractionRow

    return InteractionRow.agent_id if kind == "agents" else InteractionRow.team


def _group_list(request: Request, session: SignedIn, t: Translator, kind: Kind) -> HTMLResponse:
    with request.app.state.store.session() as db:
        rows = store_data.groups(db, _column(kind))
    title = t("agents_title") if kind == "agents" else t("teams_title")
    column_name = t("col_agent") if kind == "agents" else t("col_team")
    return render(request, "groups.html", session, t=t, nav=kind, rows=rows, title=title, column=column_name, base=f"/{kind}")


def _group_page(request: Request, session: SignedIn, t: Translator, kind: Kind, name: str) -> HTMLResponse:
    period = request.query_params.get("period", "week")
    period = period if period in PERIODS else "week"
    filter_name = "agent" if kind == "agents" else "team"
    with request.app.state.store.session() as db:
        found = store_data.group_trends(db, "agent" if kind == "agents" else "team", name, period, t.order)
    if found is None:
        return render(request, "message.html", session, status_code=404, title=t("not_found"), message=name)

    def link(period_key: str) -> str:
        first, last = period_bounds(period_key)
        return "/queue?" + urlencode({filter_name: name, "from": first, "to": last})

    def item_link(key: str) -> str:
        return "/queue?" + urlencode({filter_name: name, "item_failed": key})

    criteria_ids = [c for c in found.series if c not in ("quality", "overall")]
    indicator_charts = []
    for indicator, points in found.indicators.items():
        chart, unit = indicator_chart(indicator, points, found.periods, indicator in found.yes_no)
        indicator_charts.append((chart, t.label(indicator) + (f" ({unit})" if unit else "")))
    title = t("agent_title", id=name) if kind == "agents" else t("team_title", id=name)
    return render(
        request,
        "group.html",
        session,
        t=t,
        nav=kind,
        title=title,
        period=period,
        count=found.contacts,
        trends=found,
        quality_chart=line_chart({k: found.series[k] for k in ("quality", "overall")}, found.periods),
        quality_names={"quality": t("quality_score"), "overall": t("overall_score")},
        criteria_chart=line_chart({c: found.series[c] for c in criteria_ids}, found.periods),
        criteria_names={c: t.label(c) for c in criteria_ids},
        indicator_charts=indicator_charts,
        link=link,
        item_link=item_link,
        queue_url="/queue?" + urlencode({filter_name: name}),
    )
