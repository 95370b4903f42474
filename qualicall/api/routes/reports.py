"""/v1/reports: the aggregates of `qualicall report` over the stored contacts (latest result of each)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.responses import HTMLResponse, Response

from qualicall.api.deps import ANY_ROLE, Client, DbSession, get_settings
from qualicall.api.headers import policy_for_inline_styles
from qualicall.api.routes.interactions import ERRORS, check_range
from qualicall.api.schemas import ReportOut
from qualicall.api.web.i18n import language_from_header
from qualicall.core.interaction import SINCE, UNTIL, DayOrMoment, Id
from qualicall.settings import Settings
from qualicall.store import repository as repo

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Grouping = Literal["agent", "team", "queue", "channel", "language"]


@router.get(
    "",
    response_model=ReportOut,
    response_model_exclude_unset=True,  # the means of scores have no score_mean: left out, as in `qualicall report`
    responses=ERRORS | {200: {"content": {"text/html": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}, "description": "the report: JSON, or with format=csv the rows of `qualicall report -f csv`, or with format=html the HTML page of `qualicall report -f html`"}},
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
    since: Annotated[DayOrMoment | None, Query(alias="from", description=SINCE)] = None,
    until: Annotated[DayOrMoment | None, Query(alias="to", description=UNTIL)] = None,
    drivers: Annotated[bool, Query(description="and what moves CSAT and NPS: each grid item passed vs failed, each signal present vs absent")] = False,
    fmt: Annotated[Literal["json", "csv", "html"], Query(alias="format", description="json (language-neutral keys); csv: the rows of `qualicall report -f csv` (with drivers=true, the drivers' rows instead); or html: the self-contained page of `qualicall report -f html` (always with the drivers)")] = "json",
    lang: Annotated[Literal["fr", "en"] | None, Query(description="language of the HTML page; default: the Accept-Language header's first of fr and en, else the server rubric's, else the one most contacts are in, else fr")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    from qualicall.reports.aggregate import aggregate_parts

    rubric = server_rubric(settings)
    report_settings = report_settings_of(rubric)
    check_range(since, until)
    filters = repo.InteractionFilter(agent_id=agent_id, team=team, queue=queue, since=since, until=until)
    if fmt == "html":
        languages = [lang, language_from_header(accept_language, None), rubric.language if rubric else None]
        return html_report(session, filters, list(dict.fromkeys(by)), period, report_settings, languages, settings)
    # Chunk by chunk, merged: the counters add up exactly (see qualicall.reports.aggregate).
    done = aggregate_parts(repo.iter_latest_results(session, filters), list(dict.fromkeys(by)), period, report_settings, drivers)
    if fmt == "csv":  # (the CLI had it; a CRM's spreadsheet import had to convert the JSON)
        return csv_report(done, drivers)
    return ReportOut.model_validate(done.to_json())


def server_rubric(settings: Settings) -> Any:
    """The rubric the server scores with (None: the default ones), whose targets and thresholds the reports use (the
    defaults of indicators.md otherwise); 503 where its file cannot be read."""
    from qualicall.scorer.rubric import RubricError, load_rubric

    try:
        return load_rubric(settings.rubric) if settings.rubric else None
    except RubricError as exc:
        # The server's own file, broken on disk since it started: not the client's fault (it was a 422).
        raise HTTPException(503, f"the server's rubric (QUALICALL_RUBRIC) cannot be read: {exc}") from None


def report_settings_of(rubric: Any) -> Any:
    from qualicall.scorer.rubric import ReportSettings

    return rubric.reports if rubric else ReportSettings()


def csv_report(done: Any, drivers: bool) -> Response:
    """The rows of `qualicall report -f csv` (with `drivers`, the drivers' rows instead), as a file to download."""
    import io

    from qualicall.reports.render import write_csv

    table = io.StringIO()
    write_csv(done, table, drivers=drivers)
    return Response(table.getvalue(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="report.csv"'})


def html_report(session: Any, filters: repo.InteractionFilter, by: list[str], period: str | None, report_settings: Any,
                languages: list[str | None], settings: Settings) -> HTMLResponse:
    """The HTML report of the stored contacts `filters` keeps, in the first of `languages` given, else the one most
    of them are in (`report_language`): the page of `qualicall report -f html`, its inline styles allowed."""
    from qualicall.reports.frame import results_frame
    from qualicall.reports.html import render_html
    from qualicall.reports.words import ReportWords, report_language
    from qualicall.scorer.labels import label_rubrics

    # The page needs every contact's row at once (its charts read the contacts per period): one table, not merged parts.
    frame = results_frame(result for part in repo.iter_latest_results(session, filters) for result in part)
    words = ReportWords(report_language(languages, frame["language"]), label_rubrics(settings.rubric))
    page = render_html(frame, by, period, report_settings, None, words)  # type: ignore[arg-type]
    return HTMLResponse(page, headers={"Content-Security-Policy": policy_for_inline_styles(page)})
