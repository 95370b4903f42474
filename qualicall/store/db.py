"""Engine, sessions and schema upgrades (Alembic migrations shipped in the package)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qualicall.core.errors import QualicallError

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a SQLite connection waits for another's lock before « database is locked ».
BUSY_TIMEOUT_S = 30


class StoreError(QualicallError, RuntimeError):
    """The database cannot be used (bad URL, unreachable server): one line."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL and a busy timeout so that threads can share them."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a long message
        raise StoreError(f"invalid database URL {url!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).expanduser()
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # A new database holds transcripts and results: its user's only (SQLite gives its WAL the same mode).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        # hide_parameters: a failed statement's error (and the log's traceback of it) quotes no transcript, name or comment.
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            # A deleted or rewritten row's bytes are zeroed, not left in free space: an erased contact's transcript
            # must not stay readable in the file (qualicall.store.erasure). Debian's SQLite does so by default
            # (SQLITE_SECURE_DELETE); other builds do not.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    if parsed.drivername in ("postgresql", "postgres"):  # the driver this project installs (« postgres:// », Heroku's and libpq's, too)
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        # (« mysql:// », « postgresql+psycopg2:// »: a traceback about a module not installed)
        raise StoreError(f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: use sqlite:///PATH or "
                         "postgresql://USER:PASSWORD@HOST/DATABASE")
    return create_engine(parsed, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); safe to run at every start."""
    from alembic import command

    try:
        _refuse_unknown(engine, _revision_or_store_error(engine), _scripts(engine))
        command.upgrade(alembic_config(engine), revision)
    except StoreError:
        raise
    except Exception as exc:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        if isinstance(exc, (OperationalError, ProgrammingError)):
            # (a server down, a wrong password; a role without the right to create the tables: « permission denied for
            # schema public », which was a traceback of 125 lines)
            reason = " ".join(str(exc.orig).split())  # drivers' messages span lines
            what = "cannot open the database" if isinstance(exc, OperationalError) else "the database refused the schema's upgrade"
            raise StoreError(f"{what} {engine.url.render_as_string(hide_password=True)}: {reason}") from None
        raise


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _scripts(engine: Engine):  # type: ignore[no-untyped-def]
    """The migrations this version of qualicall ships (Alembic's ScriptDirectory)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine))


def _refuse_unknown(engine: Engine, current: str | None, scripts) -> None:  # type: ignore[no-untyped-def]
    """StoreError for a database at a schema no migration here knows: a newer qualicall upgraded it (a rollback). It was
    Alembic's traceback of a hundred lines, « Can't locate revision »."""
    from alembic.util.exc import CommandError

    if current is None:
        return
    try:
        scripts.get_revision(current)
    except CommandError:
        raise StoreError(f"the database {_named(engine)} is at schema {current}, written by a newer qualicall than this one"
                         f" (which knows up to {scripts.get_current_head()}): run that version, or restore a backup taken"
                         " before it upgraded the database") from None


def check_schema(engine: Engine) -> None:
    """For a command other than the service's start and `db upgrade`: a new database gets its schema; one at an older
    schema is refused, since upgrading it is an operator's step (after a backup: the older version cannot open it then,
    and a running older server would be upgraded under its feet — a `db purge --dry-run` did it)."""
    current = _revision_or_store_error(engine)
    if current is None:
        upgrade(engine)
        return
    scripts = _scripts(engine)
    _refuse_unknown(engine, current, scripts)
    head = scripts.get_current_head()
    if current != head:
        raise StoreError(f"the database {_named(engine)} is at schema {current}, this version needs {head}: stop the older"
                         " service, back the database up (qualicall db backup FILE), then run qualicall db upgrade")


def _revision_or_store_error(engine: Engine) -> str | None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        return current_revision(engine)
    except (OperationalError, ProgrammingError) as exc:
        raise StoreError(f"cannot open the database {_named(engine)}: {' '.join(str(exc.orig).split())}") from None


def _named(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class Store:
    """The database of a running service: an engine, a session factory, and the schema brought up to date."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def for_command(cls, url: str) -> "Store":
        """The store as a command other than `serve` and `db upgrade` opens it: a new database gets its schema, an older
        one is refused with what to do (`check_schema`)."""
        store = cls(url, migrate=False)
        try:
            check_schema(store.engine)
        except BaseException:
            store.close()
            raise
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
