"""One evaluation on one printable page, to hand to the agent: the scores of record, each item with its verdict,
reason, evidence and the coach's comment, and the coach's comments on the whole call, in the coach's language."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qualicall.api.deps import audit
from qualicall.api.web import data as store_data
from qualicall.api.web.deps import Language, Viewer, holder, render
from qualicall.api.web.routes.calls import may_see
from qualicall.api.web.views import clock, scorecard
from qualicall.core.interaction import Id

router = APIRouter()


@router.get("/calls/{interaction_id}/print")
def evaluation_page(request: Request, interaction_id: Id, session: Viewer, t: Language) -> HTMLResponse:
    """A coach's, or the agent's own (their call page links it: it was refused to them)."""
    with request.app.state.store.session() as db:
        call = store_data.load_call(db, interaction_id)
        may_see(session, call.row.agent_id if call else None)
        if call is None:
            return render(request, "message.html", session, status_code=404, title=t("not_found"), message=interaction_id)
    audit(holder(session), "printed call", repr(interaction_id))
    interaction, result = call.row.data or {}, call.result.data
    t = t.preferring((result.get("rubric") or {}).get("id"))
    turns = interaction.get("turns") or []
    criteria = scorecard(interaction, result, store_data.latest_by_item(call.reviews), t)
    evidence = {item.key: [(_when(span, turns), str(span["text"])) for span in item.evidence if span.get("text")]
                for criterion in criteria for item in criterion.items}
    # the agent's evaluation, whoever prints it: no internal note, nor its author among the reviewers
    comments = [(review.reviewer, t.event(store_data.review_dict(review)["created_at"]), review.comment)
                for review in store_data.shown_comments(call.reviews, agent=True)]
    reviewers = sorted({review.reviewer for review in call.reviews if not review.private})
    return render(request, "evaluation_print.html", session, t=t, nav="mine" if session.is_agent else "queue", interaction={"id": interaction_id, **interaction},
                  date=t.moment(interaction.get("started_at")), result=result, criteria=criteria, evidence=evidence, comments=comments,
                  reviewers=reviewers, printed=t.event(datetime.now(timezone.utc).isoformat()))


def _when(span: dict, turns: list[dict]) -> str:
    """Where in the call a passage is (« 1:05 »), when the call is timed."""
    turn = span.get("turn")
    moment = span.get("time")
    if moment is None and isinstance(turn, int) and 0 <= turn < len(turns):
        moment = turns[turn].get("start")
    return clock(moment) if isinstance(moment, (int, float)) else ""
