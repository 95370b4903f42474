"""transcript search (folded text of the stored turns, indexed by SQLite FTS5 or a PostgreSQL GIN index), coaches' saved filters,
and results' digests (what the pages' lists read, made when first needed)

The contacts stored before are indexed here, a thousand at a time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

from qualicall.store.search import FTS_TABLE, transcript_body


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

interactions = sa.table('interactions', sa.column('id', sa.String), sa.column('data', sa.JSON))
texts = sa.table('transcript_search', sa.column('interaction_id', sa.String), sa.column('body', sa.Text))
BATCH = 1000


def upgrade() -> None:
    op.create_table('transcript_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interaction_id')
    )
    if op.get_bind().dialect.name == 'sqlite':
        # External content: the index reads transcript_search's rows; the triggers keep it in step with them.
        op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, content='transcript_search', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute(f"CREATE TRIGGER transcript_search_ai AFTER INSERT ON transcript_search BEGIN "
                   f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END")
        op.execute(f"CREATE TRIGGER transcript_search_ad AFTER DELETE ON transcript_search BEGIN "
                   f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); END")
        op.execute(f"CREATE TRIGGER transcript_search_au AFTER UPDATE ON transcript_search BEGIN "
                   f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
                   f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END")
    else:
        op.execute("CREATE INDEX ix_transcript_search_body ON transcript_search USING gin (to_tsvector('simple', body))")
    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('api_key_id', 'name'),
    sa.UniqueConstraint('user_id', 'name')
    )
    with op.batch_alter_table('saved_filters') as batch:
        batch.create_index(batch.f('ix_saved_filters_api_key_id'), ['api_key_id'], unique=False)
        batch.create_index(batch.f('ix_saved_filters_user_id'), ['user_id'], unique=False)
    op.create_table('result_digests',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['result_id'], ['results.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id')
    )
    with op.batch_alter_table('interactions') as batch:
        batch.create_index('ix_interactions_time_latest', ['contact_time', 'id', 'latest_result_id'], unique=False)
        batch.create_index('ix_interactions_agent_latest', ['agent_id', 'latest_result_id'], unique=False)
        batch.create_index('ix_interactions_team_latest', ['team', 'latest_result_id'], unique=False)
    _index_stored_contacts()


def _index_stored_contacts() -> None:
    connection = op.get_bind()
    last = ''
    while True:
        rows = connection.execute(sa.select(interactions.c.id, interactions.c.data).where(interactions.c.id > last)
                                  .order_by(interactions.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(texts.insert(), [{"interaction_id": row.id, "body": transcript_body(row.data or {})} for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('interactions') as batch:
        for name in ('ix_interactions_team_latest', 'ix_interactions_agent_latest', 'ix_interactions_time_latest'):
            batch.drop_index(name)
    op.drop_table('result_digests')
    op.drop_table('saved_filters')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f"DROP TABLE {FTS_TABLE}")  # its triggers go with transcript_search
    op.drop_table('transcript_search')
