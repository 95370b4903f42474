"""PostgreSQL transcript search on a stored tsvector (a generated column, GIN-indexed) instead of an index on the
expression: checking a candidate reads its vector instead of computing `to_tsvector` again. SQLite: nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op

from qualicall.store.search import VECTOR_COLUMN


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute(f"ALTER TABLE transcript_search ADD COLUMN {VECTOR_COLUMN} tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED")
    op.execute("DROP INDEX ix_transcript_search_body")
    op.execute(f"CREATE INDEX ix_transcript_search_body ON transcript_search USING gin ({VECTOR_COLUMN})")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("DROP INDEX ix_transcript_search_body")
    op.execute(f"ALTER TABLE transcript_search DROP COLUMN {VECTOR_COLUMN}")
    op.execute("CREATE INDEX ix_transcript_search_body ON transcript_search USING gin (to_tsvector('simple', body))")
