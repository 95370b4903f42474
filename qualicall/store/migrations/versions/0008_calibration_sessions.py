"""calibration sessions: a lead's sample of calls, the coaches who score them blind, and their verdicts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sample', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_key_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('calibration_coaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'user_id')
    )
    with op.batch_alter_table('calibration_coaches') as batch:
        batch.create_index('ix_calibration_coaches_session_id', ['session_id'], unique=False)
        batch.create_index('ix_calibration_coaches_user_id', ['user_id'], unique=False)
    op.create_table('calibration_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.String(length=200), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'interaction_id')
    )
    with op.batch_alter_table('calibration_calls') as batch:
        batch.create_index('ix_calibration_calls_session_id', ['session_id'], unique=False)
        batch.create_index('ix_calibration_calls_interaction_id', ['interaction_id'], unique=False)
    op.create_table('calibration_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=100), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calibration_calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['coach_id'], ['calibration_coaches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id', 'coach_id', 'criterion_id', 'item_id')
    )
    with op.batch_alter_table('calibration_verdicts') as batch:
        batch.create_index('ix_calibration_verdicts_call_id', ['call_id'], unique=False)
        batch.create_index('ix_calibration_verdicts_coach_id', ['coach_id'], unique=False)


def downgrade() -> None:
    op.drop_table('calibration_verdicts')
    op.drop_table('calibration_calls')
    op.drop_table('calibration_coaches')
    op.drop_table('calibration_sessions')
