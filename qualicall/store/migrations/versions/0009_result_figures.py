"""results' figures as rows (scores, criteria's scores, indicators' values), which the agent and team pages average
per period in SQL, and those pages' sums per day (trend_days, filled as the pages are read)

The results stored before get theirs here, a thousand at a time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

from qualicall.store.repository import result_figures


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

results = sa.table('results', sa.column('id', sa.Integer), sa.column('data', sa.JSON))
figures = sa.table('result_figures', sa.column('result_id', sa.Integer), sa.column('kind', sa.String), sa.column('name', sa.String),
                   sa.column('value', sa.Float), sa.column('yes_no', sa.Boolean))
BATCH = 1000


def upgrade() -> None:
    op.create_table('result_figures',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('yes_no', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'kind', 'name'),
    sqlite_with_rowid=False,
    )
    op.create_table('trend_days',
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.Column('results', sa.BigInteger(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'name', 'day')
    )
    _figures_of_stored_results()


def _figures_of_stored_results() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.select(results.c.id, results.c.data).where(results.c.id > last).order_by(results.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(figures.insert(), [{"result_id": row.id, **figure} for row in rows for figure in result_figures(row.data or {})])
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table('trend_days')
    op.drop_table('result_figures')
