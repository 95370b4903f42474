"""started_at stored in ISO 8601's other forms (basic « 20261101T233000-0500 », a week date « 2026-W45-1 ») rewritten in
the extended form the door now writes, the same date, time and offset

A day filter (`from=2026-11-01`) reads each contact's own day in the first ten characters of `started_at`; these rows
fell back to the UTC day, and a 1 November call in Chicago counted on the 2nd. No schema change.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa

from qualicall.core.interaction import contract_form


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

interactions = sa.table('interactions', sa.column('id', sa.String), sa.column('started_at', sa.String), sa.column('data', sa.JSON))


def upgrade() -> None:
    connection = op.get_bind()
    # (the forms whose first ten characters are no date: the extended ones are left as they are)
    other_forms = sa.or_(sa.func.substr(interactions.c.started_at, 5, 1) != '-', sa.func.substr(interactions.c.started_at, 8, 1) != '-')
    rows = connection.execute(sa.select(interactions.c.id, interactions.c.started_at, interactions.c.data)
                              .where(interactions.c.started_at.is_not(None), other_forms)).all()
    for row in rows:
        try:
            written = contract_form(row.started_at)
        except ValueError:
            continue  # (checked at the door when stored: none is expected)
        if written != row.started_at:
            data = dict(row.data or {})
            data['started_at'] = written
            connection.execute(interactions.update().where(interactions.c.id == row.id).values(started_at=written, data=data))


def downgrade() -> None:
    pass  # the extended form is ISO 8601 too: nothing to undo
