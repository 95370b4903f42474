"""the kept sums of the agent and team trends (`trend_days`) emptied: they counted abandoned contacts' scores and waits;
an index on `interactions.updated_at`, which the purge reads beside the contact time

Pages sum the days again on their next reading, without them (qualicall.api.web.data).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM trend_days")
    op.create_index("ix_interactions_updated_at", "interactions", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_interactions_updated_at", table_name="interactions")
    op.execute("DELETE FROM trend_days")
