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

    return Store(Settings().url)


def _check_files(settings: "Settings") -> None:
    """What the settings name on disk, checked before any worker starts (an operator's review: an unknown rubric was a
    traceback of 89 lines once the models had loaded, a recordings root that does not exist was taken silently and every
    reference then refused)."""
    from qualicall.cli import fail

    if settings.recordings_root is not None and not settings.recordings_root.is_dir():
        fail(f"QUALICALL_RECORDINGS_ROOT={str(settings.recordings_root)!r}: no such folder")
    if settings.rubric:
        from qualicall.scorer.rubric import RubricError, load_rubric

        try:
            load_rubric(settings.rubric)
        except RubricError as exc:
            fail(f"QUALICALL_RUBRIC={settings.rubric!r}: {exc}")


def register(app: typer.Typer) -> None:
    from qualicall.cli import fail, user_errors

    db_app = typer.Typer(help="The database: schema upgrades.", no_args_is_help=True)
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

        # What the service writes (database, uploads, redacted recordings, job files) holds personal data:
        # readable by the service's own user only, 0600 files and 0700 folders.
        os.umask(0o077)
        with user_errors():
            overrides = {"host": host, "port": port, "workers": workers, "audio_workers": audio_workers}
            overrides = {k: v for k, v in overrides.items() if v is not None}
            settings = Settings(**overrides)
            _check_files(settings)
            Store(settings.url).close()  # the schema upgraded once, before any worker opens the database
            # The workers read their settings from the environment: the command line's overrides go there.
            os.environ.update({f"QUALICALL_{name.upper()}": str(value) for name, value in overrides.items()})
            processes = settings.http_workers
            typer.echo(f"qualicall: serving on http://{settings.host}:{settings.port} with {processes} worker process(es) "
                       f"(database {settings.url.split('@')[-1]})", err=True)
            options = {"host": settings.host, "port": settings.port, "log_level": log_level, "timeout_graceful_shutdown": 10}
            if processes == 1:
                from qualicall.api.app import create_app

                uvicorn.run(create_app(settings, migrate=False), **options)
            else:
                uvicorn.run("qualicall.api.app:worker_app", factory=True, workers=processes, **options)

    @db_app.command("upgrade")
    def db_upgrade() -> None:
        """Create or upgrade the schema of $QUALICALL_DATABASE_URL (serve does it too at start-up)."""
        from qualicall.store.db import current_revision

        with user_errors():
            store = _store()
        typer.echo(f"database at revision {current_revision(store.engine)}")

    @key_app.command("create")
    def apikey_create(
        role: Annotated[str, typer.Option(help=ROLE_HELP)],
        name: Annotated[str, typer.Option(help="who uses it (shown as the reviewer of a coach's reviews)")] = "",
    ) -> None:
        """Create an API key: printed once (only its hash is stored), with the secret that signs its webhooks."""
        from qualicall.store.repository import create_api_key

        with user_errors(), _store().session() as session:
            row, key = create_api_key(session, name or role, role)
        typer.echo(key)
        typer.echo(f"qualicall: {role} key {row.prefix} created; webhook signing secret: {row.webhook_secret}", err=True)

    @key_app.command("list")
    def apikey_list() -> None:
        """List the keys (prefix, role, name, state); never the keys themselves."""
        from qualicall.store.repository import list_api_keys

        with user_errors(), _store().session() as session:
            for row in list_api_keys(session):
                state = "revoked" if row.revoked_at else "active"
                typer.echo(f"{row.prefix}\t{row.role}\t{row.name}\t{state}")

    @key_app.command("revoke")
    def apikey_revoke(prefix: Annotated[str, typer.Argument(help="the key's prefix (the part after 'qc_')")]) -> None:
        """Revoke a key: requests with it get 401 from now on."""
        from qualicall.store.repository import revoke_api_key

        with user_errors(), _store().session() as session:
            if revoke_api_key(session, prefix) is None:
                fail(f"no key with prefix {prefix!r}")
        typer.echo(f"revoked {prefix}")
