"""/v1/reports: the aggregates of `qualicall report` over the stored contacts (latest result of each)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from qualicall.api.deps import ANY_ROLE, Client, DbSession, get_settings
from qualicall.api.routes.interactions import ERRORS
from qualicall.api.schemas import ReportOut
from qualicall.core.interaction import Id, Moment
from qualicall.settings import Settings
from qualicall.store import repository as repo

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Grouping = Literal["agent", "team", "queue", "channel", "language"]


@router.get(
    "",
    response_model=ReportOut,
    response_model_exclude_unset=True,  # the means of scores have no score_mean: left out, as in `qualicall report`
    responses=ERRORS,
    summary="Service level, abandons, ASA, AHT, FCR, CSAT, NPS, transfers, quality, e-mail delay, complaints, signals and sentiment, grouped and per period; satisfaction drivers",
)
def report(
    client: Annotated[Client, Depends(ANY_ROLE)],
    session: DbSession,
    settings: Annotated[Settings, Depends(get_settings)],
    by: Annotated[list[Grouping], Query(description="group by these fields (repeat for several, in this order)")] = [],
    period: Annotated[Literal["day", "week", "month"] | None, Query(description="and per day, ISO week or month of the contact's local date")] = None,
    # The same grammar as GET /v1/interactions' filters: a year-1 date with an offset overflowed (500).
    agent_id: Annotated[Id | None, Query()] = None,
    team: Annotated[Id | None, Query()] = None,
    queue: Annotated[Id | None, Query()] = None,
    since: Annotated[Moment | None, Query(alias="from", description="contact time from (inclusive), ISO 8601, 1970–2099")] = None,
    until: Annotated[Moment | None, Query(alias="to", description="contact time before (exclusive), ISO 8601, 1970–2099")] = None,
    drivers: Annotated[bool, Query(description="and what moves CSAT and NPS: each grid item passed vs failed, each signal present vs absent")] = False,
) -> ReportOut:
    from qualicall.reports.aggregate import aggregate_parts
    from qualicall.scorer.rubric import ReportSettings, load_rubric

    # The targets and thresholds of the rubric the server scores with (the defaults of indicators.md otherwise).
    report_settings = load_rubric(settings.rubric).reports if settings.rubric else ReportSettings()
    filters = repo.InteractionFilter(agent_id=agent_id, team=team, queue=queue, since=since, until=until)
    # Chunk by chunk, merged: the counters add up exactly (see qualicall.reports.aggregate).
    done = aggregate_parts(repo.iter_latest_results(session, filters), list(dict.fromkeys(by)), period, report_settings, drivers)
    return ReportOut.model_validate(done.to_json())
