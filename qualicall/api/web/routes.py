"""The coach workspace's pages: server-rendered HTML (Jinja2) with a little plain JavaScript.

Mounted into the API app by `create_app` (`app.include_router(web.router())`).
Every page but the login needs a coach session (a signed cookie, see
`sessions.py`); every form posts back the session's CSRF token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from qualicall.api.web import data as store_data
from qualicall.api.web.calibration import calibrate, overall
from qualicall.api.web.i18n import Translator, language_from_header, normalise_language
from qualicall.api.web.priority import review_priority
from qualicall.api.web.sessions import COOKIE, LIFETIME_S, Session, read_session, sign_session
from qualicall.api.web.trends import PERIODS, line_chart, period_bounds, trends
from qualicall.api.web.views import combination_text, indicators, scorecard, transcript

HERE = Path(__file__).parent
STATIC = HERE / "static"
LANGUAGE_COOKIE = "qualicall_lang"
STATUSES = ("passed", "failed", "not_applicable")
COACH_ROLES = ("coach", "admin")


def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    # Static files are named with their modification time so that browsers cache them until they change.
    versions = {path.name: int(path.stat().st_mtime) for path in STATIC.iterdir()}
    environment.globals["static_url"] = lambda name: f"/static/{name}?v={versions.get(name, 0)}"
    environment.globals["url"] = lambda path: path
    return environment


_templates = None


def templates():  # type: ignore[no-untyped-def]
    global _templates
    if _templates is None:
        _templates = _environment()
    return _templates


def translator(request: Request) -> Translator:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return Translator(normalise_language(chosen) if chosen else language_from_header(request.headers.get("accept-language")))


def secret(request: Request) -> bytes:
    state = request.app.state
    if getattr(state, "web_secret", None) is None:
        state.web_secret = web_secret(state.settings)
    return state.web_secret


def current_session(request: Request) -> Session | None:
    session = read_session(request.cookies.get(COOKIE), secret(request))
    return session if session and session.role in COACH_ROLES else None


def coach(request: Request) -> Session:
    """The signed-in coach, or a redirect to the login page (303 with Location: browsers follow it)."""
    session = current_session(request)
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "sign in first", headers={"Location": "/login?" + urlencode({"next": target})})
    return session


def check_csrf(session: Session, token: str) -> None:
    import hmac

    if not hmac.compare_digest(session.csrf, token or ""):
        raise HTTPException(403, "the form is stale: reload the page")


def render(request: Request, name: str, session: Session | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    t = translator(request)
    html = templates().get_template(name).render(request=request, session=session, t=t, **context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send the coach to another site."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/queue"


def router() -> APIRouter:
    web = APIRouter(include_in_schema=False)

    @web.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/queue", 303)

    @web.get("/static/{name}")
    def static(name: str) -> FileResponse:
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    @web.get("/language/{code}")
    def language(code: str, next: str = "/queue") -> RedirectResponse:
        response = RedirectResponse(_safe_next(next), 303)
        response.set_cookie(LANGUAGE_COOKIE, normalise_language(code), max_age=365 * 86400, samesite="lax")
        return response

    @web.get("/login")
    def login_page(request: Request, next: str = "/queue") -> HTMLResponse:
        return render(request, "login.html", None, next=_safe_next(next), error=None, username=None)

    @web.post("/login")
    def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        api_key: str = Form(""),
        next: str = Form("/queue"),
    ) -> Response:
        from qualicall.store import users
        from qualicall.store.repository import authenticate

        t = translator(request)
        who = role = None
        with request.app.state.store.session() as db:
            if api_key.strip():
                key = authenticate(db, api_key.strip())
                if key is not None:
                    who, role = key.name, key.role
            elif username.strip():
                user = users.check_password(db, username.strip(), password)
                if user is not None:
                    who, role = user.username, user.role
        if who is None or role not in COACH_ROLES:
            error = t("login_failed") if who is None else t("login_forbidden")
            return render(
                request, "login.html", None, status_code=401 if who is None else 403, next=_safe_next(next), error=error, username=username.strip()
            )
        response = RedirectResponse(_safe_next(next), 303)
        response.set_cookie(
            COOKIE, sign_session(who, role, secret(request)), max_age=LIFETIME_S, httponly=True, secure=True, samesite="strict"
        )
        return response

    @web.post("/logout")
    def logout(request: Request, csrf: str = Form(""), session: Session = Depends(coach)) -> RedirectResponse:
        check_csrf(session, csrf)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, httponly=True, secure=True, samesite="strict")
        return response

    @web.get("/queue")
    def queue_page(request: Request, session: Session = Depends(coach)) -> HTMLResponse:
        t = translator(request)
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

    @web.get("/calls/{interaction_id}")
    def call_page(request: Request, interaction_id: str, session: Session = Depends(coach)) -> HTMLResponse:
        t = translator(request)
        with request.app.state.store.session() as db:
            call = store_data.load_call(db, interaction_id)
            if call is None:
                return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
            interaction = call.row.data or {}
            result = call.result.data
            latest = store_data.latest_by_item(call.reviews)
            history = []
            for review in reversed(call.reviews):
                if not review.item_id:
                    continue
                entry = store_data.review_dict(review)
                result_row = call.result if review.result_id == call.result.id else db.get(type(call.result), review.result_id)
                entry["auto"] = store_data.auto_status(result_row, entry["item"]) if result_row else None
                entry["when"] = (entry["created_at"] or "")[:16].replace("T", " ")
                history.append(entry)
            version = call.result.version
            has_audio = _recording_path(request, call.row.recording) is not None
        criteria = scorecard(interaction, result, latest, t)
        items = [item for criterion in criteria for item in criterion.items]
        priority = review_priority(interaction, result)
        call_data = {
            "items": {
                item.key: {"evidence": item.evidence, "time": item.time, "auto": item.auto, "auto_label": t.status(item.auto)}
                for item in items
            }
        }
        flash = {"saved": t("override_saved"), "confirmed": t("confirmed")}.get(request.query_params.get("done", ""))
        score = result.get("overall_score") if result.get("overall_score") is not None else result.get("quality_score")
        return render(
            request,
            "interaction.html",
            session,
            nav="queue",
            interaction={"id": interaction_id, **{k: interaction.get(k) for k in ("agent_id", "team", "queue")}},
            date=(interaction.get("started_at") or "")[:16].replace("T", " "),
            result=result,
            result_version=version,
            score_class=_score_class(score),
            combination=combination_text(result, t),
            criteria=criteria,
            failed=[item for item in items if item.effective == "failed"],
            indicators=indicators(result, t),
            absent=", ".join(t.label(n) for n in (result.get("combination") or {}).get("indicators_absent", [])),
            history=history,
            turns=transcript(interaction),
            audio_url=f"/calls/{quote(interaction_id, safe='')}/audio" if has_audio else None,
            asr=priority.asr_confidence,
            role=priority.role_confidence,
            call_data=call_data,
            flash=flash,
        )

    @web.get("/calls/{interaction_id}/audio")
    def call_audio(request: Request, interaction_id: str, session: Session = Depends(coach)) -> FileResponse:
        from qualicall.store.repository import get_interaction

        with request.app.state.store.session() as db:
            row = get_interaction(db, interaction_id)
            path = _recording_path(request, row.recording if row else None)
        if path is None:
            raise HTTPException(404, "no recording")
        # FileResponse answers Range requests: the player can seek without downloading the whole call.
        return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})

    @web.post("/calls/{interaction_id}/reviews")
    def override(
        request: Request,
        interaction_id: str,
        item: str = Form(...),
        status: str = Form(...),
        comment: str = Form(""),
        csrf: str = Form(""),
        session: Session = Depends(coach),
    ) -> Response:
        from qualicall.store.repository import ItemReview, add_reviews

        check_csrf(session, csrf)
        if status not in STATUSES:
            raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
        with request.app.state.store.session() as db:
            call = store_data.load_call(db, interaction_id)
            if call is None:
                raise HTTPException(404, "unknown interaction")
            auto = store_data.auto_status(call.result, item)
            if auto is None:
                raise HTTPException(422, f"unknown item {item!r}")
            if status != auto and not comment.strip():
                t = translator(request)
                raise HTTPException(422, t("comment_required"))
            add_reviews(db, call.row, [ItemReview(item.split(".", 1)[1], status, comment.strip() or None)], session.user)
        return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=saved&item={quote(item)}", 303)

    @web.post("/calls/{interaction_id}/confirm")
    def confirm(request: Request, interaction_id: str, csrf: str = Form(""), session: Session = Depends(coach)) -> Response:
        """The coach checked the whole call: every item not yet reviewed keeps its automatic verdict, on record."""
        from qualicall.store.repository import ItemReview, add_reviews

        check_csrf(session, csrf)
        with request.app.state.store.session() as db:
            call = store_data.load_call(db, interaction_id)
            if call is None:
                raise HTTPException(404, "unknown interaction")
            reviewed = store_data.latest_by_item([r for r in call.reviews if r.result_id == call.result.id])
            confirmations = [
                ItemReview(item_id, item["status"])
                for criterion_id, criterion in (call.result.data.get("criteria") or {}).items()
                for item_id, item in (criterion.get("items") or {}).items()
                if f"{criterion_id}.{item_id}" not in reviewed
            ]
            if confirmations:
                add_reviews(db, call.row, confirmations, session.user)
        return RedirectResponse(f"/calls/{quote(interaction_id, safe='')}?done=confirmed", 303)

    @web.get("/calibration")
    def calibration_page(request: Request, session: Session = Depends(coach)) -> HTMLResponse:
        with request.app.state.store.session() as db:
            pairs = store_data.calibration_pairs(db)
        agreements = calibrate(pairs)
        pooled = overall(agreements)
        disagreements = sorted(pooled.disagreements, key=lambda d: d.at or "", reverse=True)
        return render(request, "calibration.html", session, nav="calibration", agreements=agreements, pooled=pooled, disagreements=disagreements)

    def group_list(request: Request, session: Session, kind: str) -> HTMLResponse:
        from qualicall.store.models import InteractionRow

        t = translator(request)
        column = InteractionRow.agent_id if kind == "agents" else InteractionRow.team
        with request.app.state.store.session() as db:
            rows = store_data.groups(db, column)
        title = t("agents_title") if kind == "agents" else t("teams_title")
        column_name = t("col_agent") if kind == "agents" else t("col_team")
        return render(request, "groups.html", session, nav=kind, rows=rows, title=title, column=column_name, base=f"/{kind}")

    def group_page(request: Request, session: Session, kind: str, name: str) -> HTMLResponse:
        from qualicall.store.models import InteractionRow

        t = translator(request)
        period = request.query_params.get("period", "week")
        period = period if period in PERIODS else "week"
        column = InteractionRow.agent_id if kind == "agents" else InteractionRow.team
        filter_name = "agent" if kind == "agents" else "team"
        with request.app.state.store.session() as db:
            rows = store_data.scored_rows(db, column, name)
        found = trends(rows, period)

        def link(period_key: str) -> str:
            first, last = period_bounds(period_key)
            return "/queue?" + urlencode({filter_name: name, "from": first, "to": last})

        def item_link(key: str) -> str:
            return "/queue?" + urlencode({filter_name: name, "item_failed": key})

        criteria_ids = [c for c in found.series if c not in ("quality", "overall")]
        booleans = {n for row in rows for n, v in (row.result.get("indicators") or {}).items() if isinstance(v.get("value"), bool)}
        indicator_charts = [
            (line_chart({n: points}, found.periods, y_max=100.0 if n in booleans else None, height=140), t.label(n) + (" (%)" if n in booleans else ""))
            for n, points in found.indicators.items()
        ]
        title = t("agent_title", id=name) if kind == "agents" else t("team_title", id=name)
        return render(
            request,
            "group.html",
            session,
            nav=kind,
            title=title,
            period=period,
            count=len(rows),
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

    @web.get("/agents")
    def agents(request: Request, session: Session = Depends(coach)) -> HTMLResponse:
        return group_list(request, session, "agents")

    @web.get("/teams")
    def teams(request: Request, session: Session = Depends(coach)) -> HTMLResponse:
        return group_list(request, session, "teams")

    @web.get("/agents/{name}")
    def agent(request: Request, name: str, session: Session = Depends(coach)) -> HTMLResponse:
        return group_page(request, session, "agents", name)

    @web.get("/teams/{name}")
    def team(request: Request, name: str, session: Session = Depends(coach)) -> HTMLResponse:
        return group_page(request, session, "teams", name)

    return web


PAGE = 100


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _date(text: str | None) -> str | None:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _score_class(score: float | None) -> str:
    if score is None:
        return ""
    return "low" if score < 60 else "mid" if score < 80 else "high"


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
        "score_class": _score_class(row.score),
        "failed": row.failed,
        "why": ", ".join(why),
        "reviewers": row.reviewers,
    }


def _recording_path(request: Request, recording: str | None) -> Path | None:
    """The stored recording as a readable file (absolute, or relative to the data folder), else None."""
    if not recording or "://" in recording:
        return None
    path = Path(recording).expanduser()
    if not path.is_absolute():
        path = Path(request.app.state.settings.data_dir) / path
    return path if path.is_file() else None


def web_secret(settings: Any) -> bytes:
    """The key that signs coach sessions: `QUALICALL_SECRET_KEY`, else one made once and kept in the data folder."""
    import os
    import secrets as random

    configured = getattr(settings, "secret_key", None) or os.environ.get("QUALICALL_SECRET_KEY")
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / "session-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by another worker just now
    else:
        with os.fdopen(descriptor, "w") as stream:
            stream.write(random.token_urlsafe(48))
    return path.read_text().strip().encode()
