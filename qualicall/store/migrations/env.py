"""Alembic environment: the engine comes from `qualicall.store.db.upgrade` (no alembic.ini needed)."""

from alembic import context

from qualicall.store.models import Base
from qualicall.store.search import outside_the_models

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      include_object=lambda _object, name, type_, *_: not outside_the_models(name, type_))
    with context.begin_transaction():
        context.run_migrations()
