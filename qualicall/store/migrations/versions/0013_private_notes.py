"""a coach's note on a contact kept from its agent (`reviews.private`): an internal note, not feedback

Reviews made before are feedback, shown to the agent as they were.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.add_column(sa.Column('private', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.drop_column('private')
