"""`qualicall serve`, `qualicall db upgrade`, `qualicall apikey create|list|revoke`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from qualicall.settings import Settings

ROLE_HELP = "crm (posts interactions, reads results) | coach (reads, reviews) | admin (everything)"


def _store():  # type: ignore[no-untyped-def]
    from qualicall.settings import Settings
    from qualicall.store.db import Store

    return Store.for_command(Settings().url)


def _check_files(settings: "Settings") -> None:
    """What the settings name on disk, checked before any worker starts (an operator's review: an unknown rubric was a
    traceback of 89 lines once the models had loaded, a recordings root that does not exist was taken silently and every
    reference then refused)."""
    from qualicall.cli import fail

    if settings.recordings_root is not None and not settings.recordings_root.is_dir():
        fail(f"QUALICALL_RECORDINGS_ROOT={str(settings.recordings_root)!r}: no such folder")
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        fail(f"QUALICALL_DATA_DIR={str(settings.data_dir)!r}: a file, not a folder")
    if settings.rubric:
        from qualicall.scorer.rubric import RubricError, load_rubric

        try:
            load_rubric(settings.rubric)
        except RubricError as exc:
            fail(f"QUALICALL_RUBRIC={settings.rubric!r}: {exc}")


def _log_left(emptied: bool | None) -> None:
    if emptied is False:
        typer.echo("qualicall: note: a reader kept the database's log (qualicall.db-wal) from being emptied: the erased rows "
                   "stay in it until it is overwritten; `qualicall db erase` with the same ids once that reader is gone empties it", err=True)


def _log_config(level: str) -> dict:
    """Uvicorn's logging, with the service's own loggers (`qualicall.*`: jobs, erasures, webhooks, retention) at the same
    level, their names shown: without it their INFO lines went nowhere, only warnings reaching stderr bare."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["qualicall"] = {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(name)s: %(message)s",
                                         "use_colors": None}
    config["handlers"]["qualicall"] = {"formatter": "qualicall", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    config["loggers"]["qualicall"] = {"handlers": ["qualicall"], "level": level.upper() if level != "trace" else "DEBUG", "propagate": False}
    return config


def _check_address(settings: "Settings") -> None:
    """The address to listen on, resolved and bound once before the models load: an unknown host name or a port in use
    were told only after them, by uvicorn (« [Errno 98] error while attempting to bind … »)."""
    import socket

    from qualicall.cli import fail

    try:
        found = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        fail(f"QUALICALL_HOST={settings.host!r}: cannot be resolved ({getattr(exc, 'strerror', None) or exc})")
    family, _, _, _, address = found[0]
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (as uvicorn binds: a port in TIME_WAIT is free)
            probe.bind(address)
    except OSError as exc:
        fail(f"cannot listen on {settings.host}:{settings.port} (QUALICALL_HOST, QUALICALL_PORT): {exc.strerror or exc}")


def register(app: typer.Typer) -> None:
    from qualicall.cli import fail, user_errors

    db_app = typer.Typer(help="The database: schema upgrades, backups, erasure, retention.", no_args_is_help=True)
    key_app = typer.Typer(help="API keys for the HTTP API.", no_args_is_help=True)
    app.add_typer(db_app, name="db")
    app.add_typer(key_app, name="apikey")

    @app.command()
    def serve(
        host: Annotated[Optional[str], typer.Option(help="address to listen on (default $QUALICALL_HOST or 127.0.0.1)")] = None,
        port: Annotated[Optional[int], typer.Option(help="port (default $QUALICALL_PORT or 8000)")] = None,
        workers: Annotated[Optional[int], typer.Option(help="HTTP worker processes, each scoring in a process of its own (default $QUALICALL_WORKERS or the number of cores)")] = None,
        audio_workers: Annotated[Optional[int], typer.Option(help="audio jobs run at once (default $QUALICALL_AUDIO_WORKERS or 1)")] = None,
        log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
    ) -> None:
        """Start the HTTP API (OpenAPI documentation at /docs). The database schema is upgraded first."""
        import os

        import uvicorn

        from qualicall.settings import Settings
        from qualicall.store.db import Store

        with user_errors():
            overrides = {"host": host, "port": port, "workers": workers, "audio_workers": audio_workers}
            overrides = {k: v for k, v in overrides.items() if v is not None}
            settings = Settings(**overrides)
            _check_files(settings)
            _check_address(settings)
            Store(settings.url).close()  # the schema upgraded once, before any worker opens the database
            # The workers read their settings from the environment: the command line's overrides go there.
            os.environ.update({f"QUALICALL_{name.upper()}": str(value) for name, value in overrides.items()})
            processes = settings.http_workers
            typer.echo(f"qualicall: serving on http://{settings.host}:{settings.port} with {processes} worker process(es) "
                       f"(database {settings.url.split('@')[-1]})", err=True)
            options = {"host": settings.host, "port": settings.port, "log_level": log_level, "timeout_graceful_shutdown": 10,
                       "log_config": _log_config(log_level)}
            if processes == 1:
                from qualicall.api.app import create_app

                uvicorn.run(create_app(settings, migrate=False), **options)
            else:
                uvicorn.run("qualicall.api.app:worker_app", factory=True, workers=processes, **options)

    @db_app.command("upgrade")
    def db_upgrade() -> None:
        """Create or upgrade the schema of $QUALICALL_DATABASE_URL (serve does it too at start-up)."""
        from qualicall.settings import Settings
        from qualicall.store.db import Store, current_revision

        with user_errors():
            store = Store(Settings().url)
        typer.echo(f"database at revision {current_revision(store.engine)}")

    @db_app.command("backup")
    def db_backup(target: Annotated[str, typer.Argument(help="the file to write (a new one)")]) -> None:
        """Copy the SQLite database, whole and consistent, while the service runs (SQLite's online backup): a file
        readable by its owner only, as the database is. PostgreSQL: pg_dump."""
        from pathlib import Path

        from qualicall.settings import Settings
        from qualicall.store.backup import backup

        copy = Path(target)
        with user_errors():
            contacts = backup(Settings().url, copy)
        typer.echo(f"backed up {contacts} interaction(s) to {copy} ({copy.stat().st_size / 1e6:.1f} MB)")

    @db_app.command("erase")
    def db_erase(
        ids: Annotated[list[str], typer.Argument(help="the interactions' ids (as the CRM gave them)")],
    ) -> None:
        """Erase contacts and everything kept about them: results, reviews, disputes, calibration verdicts, audio jobs,
        kept recordings and waveforms (a customer's right to erasure)."""
        from qualicall.service.erasure import erase_contacts
        from qualicall.settings import Settings
        from qualicall.store.db import Store

        with user_errors():
            settings = Settings()
            done = erase_contacts(Store.for_command(settings.url), settings, ids)
        if done.erased.nothing:
            fail(f"no stored interaction {ids[0]!r}" if len(ids) == 1 else "none of these interactions is stored")
        typer.echo(f"erased {done.erased.interactions} interaction(s) of {len(set(ids))}, {done.erased.results} result version(s), "
                   f"{done.erased.jobs} audio job(s)")
        _log_left(done.log_emptied)

    @db_app.command("purge")
    def db_purge(
        older_than: Annotated[Optional[int], typer.Option(min=1, max=36500, help="erase the contacts that happened, or were last received, more than this many days ago")] = None,
        before: Annotated[Optional[str], typer.Option(help="erase the contacts that happened, or were last received, before this date (YYYY-MM-DD, UTC)")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="count what would be erased; change nothing")] = False,
    ) -> None:
        """Apply a retention period: erase every contact older than it (as `db erase` does), with the records of
        requests made before it (finished audio jobs, webhook deliveries, Idempotency-Key responses). For a daily timer."""
        from datetime import date, datetime, timedelta, timezone

        from qualicall.service.erasure import purge
        from qualicall.settings import Settings
        from qualicall.store.db import Store

        if (older_than is None) == (before is None):
            fail("give either --older-than DAYS or --before YYYY-MM-DD")
        if before is not None:
            try:
                cut = datetime.combine(date.fromisoformat(before), datetime.min.time(), timezone.utc)
            except ValueError:
                fail(f"--before {before!r}: expected a date, YYYY-MM-DD")
        else:
            cut = datetime.now(timezone.utc) - timedelta(days=older_than)
        with user_errors():
            settings = Settings()
            done = purge(Store.for_command(settings.url), settings, cut, dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        typer.echo(f"{verb} {done.erased.interactions} interaction(s) from before {cut.isoformat(timespec='seconds')}, "
                   f"{done.erased.results} result version(s), {done.erased.jobs} audio job(s); and {done.leftovers.jobs} finished "
                   f"job(s), {done.leftovers.deliveries} webhook delivery(ies), {done.leftovers.replays} Idempotency-Key response(s)")
        _log_left(done.log_emptied)

    @key_app.command("create")
    def apikey_create(
        role: Annotated[str, typer.Option(help=ROLE_HELP)],
        name: Annotated[str, typer.Option(help="who uses it (shown as the reviewer of a coach's reviews)")] = "",
    ) -> None:
        """Create an API key: printed once (only its hash is stored), with the secret that signs its webhooks."""
        from qualicall.settings import Settings
        from qualicall.store.repository import create_api_key, key_sealer, webhook_secret

        with user_errors(), _store().session() as session:
            # The service's own key: run this where the service runs, with its data folder (it could not sign otherwise).
            sealer = key_sealer(session, Settings().sealing_key)
            row, key = create_api_key(session, name or role, role, sealer)
            secret = webhook_secret(row, sealer)
        typer.echo(key)
        typer.echo(f"qualicall: {role} key {row.prefix} created; webhook signing secret: {secret}", err=True)

    @key_app.command("list")
    def apikey_list() -> None:
        """List the keys (prefix, role, name, state); never the keys themselves."""
        from qualicall.store.repository import list_api_keys

        with user_errors(), _store().session() as session:
            for row in list_api_keys(session):
                state = "revoked" if row.revoked_at else "active"
                typer.echo(f"{row.prefix}\t{row.role}\t{row.name}\t{state}")

    @key_app.command("secret")
    def apikey_secret(
        prefixes: Annotated[list[str] | None, typer.Argument(help="the keys' prefixes (the part after 'qc_')")] = None,
        every: Annotated[bool, typer.Option("--all", help="every active key")] = False,
        lost_key: Annotated[bool, typer.Option("--lost-key", help="the key the secrets were sealed with is lost: seal with this folder's")] = False,
    ) -> None:
        """Give keys a new webhook signing secret, printed once each, sealed with this data folder's sealing.key: after a
        copy of the database or an older backup went astray, or (--all --lost-key) a data folder restored without its
        sealing.key. Run it where the service runs; each client then verifies its callbacks with its new secret."""
        from qualicall.settings import Settings
        from qualicall.store.repository import key_sealer, new_webhook_secrets

        if bool(prefixes) == every:
            fail("name the keys' prefixes, or --all (not both)")
        with user_errors(), _store().session() as session:
            path = Settings().sealing_key
            made = new_webhook_secrets(session, prefixes or [], key_sealer(session, path, lost_key=lost_key))
        if not made:
            fail("no active key")
        typer.echo(f"qualicall: {len(made)} new webhook secret(s), sealed with {path}", err=True)
        for prefix, secret in made:
            typer.echo(f"{prefix}\t{secret}")

    @key_app.command("revoke")
    def apikey_revoke(prefix: Annotated[str, typer.Argument(help="the key's prefix (the part after 'qc_')")]) -> None:
        """Revoke a key: requests with it get 401 from now on."""
        from qualicall.store.repository import revoke_api_key

        with user_errors(), _store().session() as session:
            if revoke_api_key(session, prefix) is None:
                fail(f"no key with prefix {prefix!r}")
        typer.echo(f"revoked {prefix}")
