"""verdicts of record: the coaches' overrides made before this version become result versions of their own

From this version on, an interaction a coach reviewed has a latest result `source: coach` (the machine's
result with the coaches' verdicts applied and its scores recomputed, qualicall.store.repository). This
writes that version for the interactions reviewed before, so that their overrides count as well.
No schema change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa

from qualicall.core.scores import Verdict, with_verdicts


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

interactions = sa.table('interactions', sa.column('id', sa.String), sa.column('latest_result_id', sa.Integer))
results = sa.table(
    'results', sa.column('id', sa.Integer), sa.column('interaction_id', sa.String), sa.column('version', sa.Integer),
    sa.column('rubric_id', sa.String), sa.column('rubric_version', sa.String), sa.column('quality_score', sa.Float),
    sa.column('operational_score', sa.Float), sa.column('overall_score', sa.Float), sa.column('data', sa.JSON),
    sa.column('created_at', sa.DateTime(timezone=True)),
)
result_items = sa.table('result_items', sa.column('result_id', sa.Integer), sa.column('item_id', sa.String),
                        sa.column('criterion_id', sa.String), sa.column('status', sa.String))
reviews = sa.table('reviews', sa.column('id', sa.Integer), sa.column('interaction_id', sa.String), sa.column('criterion_id', sa.String),
                   sa.column('item_id', sa.String), sa.column('status', sa.String), sa.column('reviewer', sa.String))


def upgrade() -> None:
    from datetime import datetime, timezone

    connection = op.get_bind()
    verdicts: dict[str, dict[str, Verdict]] = {}
    query = sa.select(reviews.c.interaction_id, reviews.c.criterion_id, reviews.c.item_id, reviews.c.status, reviews.c.reviewer).where(
        reviews.c.item_id.is_not(None), reviews.c.criterion_id.is_not(None), reviews.c.status.is_not(None)).order_by(reviews.c.id)
    for interaction_id, criterion_id, item_id, status, reviewer in connection.execute(query):
        verdicts.setdefault(interaction_id, {})[f"{criterion_id}.{item_id}"] = Verdict(status, reviewer)
    for interaction_id, found in verdicts.items():
        latest = connection.execute(
            sa.select(results.c.version, results.c.data).join(interactions, interactions.c.latest_result_id == results.c.id)
            .where(interactions.c.id == interaction_id)).first()
        if latest is None or latest.data.get("source") == "coach":
            continue
        items = {f"{cid}.{iid}" for cid, c in (latest.data.get("criteria") or {}).items() for iid in (c.get("items") or {})}
        applied = {key: verdict for key, verdict in found.items() if key in items}
        if not applied:
            continue
        payload = with_verdicts(latest.data, applied, latest.version)
        version = connection.scalar(sa.select(sa.func.max(results.c.version)).where(results.c.interaction_id == interaction_id)) + 1
        result_id = connection.execute(results.insert().values(
            interaction_id=interaction_id, version=version, rubric_id=payload["rubric"]["id"], rubric_version=payload["rubric"]["version"],
            quality_score=payload.get("quality_score"), operational_score=payload.get("operational_score"),
            overall_score=payload.get("overall_score"), data=payload, created_at=datetime.now(timezone.utc),
        ).returning(results.c.id)).scalar_one()
        connection.execute(result_items.insert(), [
            {"result_id": result_id, "item_id": iid, "criterion_id": cid, "status": item["status"]}
            for cid, c in (payload.get("criteria") or {}).items() for iid, item in (c.get("items") or {}).items()
        ])
        connection.execute(interactions.update().where(interactions.c.id == interaction_id).values(latest_result_id=result_id))


def downgrade() -> None:
    """The coaches' versions stay (a result version is never deleted); older code reads them as the latest result."""
