"""reviews: the author as the server authenticated them (API key id or coach account id), not a name from the body

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.add_column(sa.Column('reviewer_key_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reviewer_user_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.drop_column('reviewer_user_id')
        batch.drop_column('reviewer_key_id')
