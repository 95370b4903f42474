"""disputes: agent accounts (users.agent_id) and agents' disputes of their evaluations, with coaches' resolutions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('agent_id', sa.String(length=200), nullable=True))
    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.String(length=200), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('criterion_id', sa.String(length=100), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('disputed_status', sa.String(length=20), nullable=False),
    sa.Column('requested_status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('agent_id', sa.String(length=200), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolution_comment', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_by_user_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by_key_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disputes') as batch:
        batch.create_index('ix_disputes_interaction_id', ['interaction_id'], unique=False)
        batch.create_index('ix_disputes_agent_id', ['agent_id'], unique=False)
        batch.create_index('ix_disputes_resolution_created', ['resolution', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('disputes')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('agent_id')
