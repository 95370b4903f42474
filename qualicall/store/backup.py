"""`qualicall db backup`: a whole, consistent copy of the SQLite database while the service runs."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from qualicall.store.db import StoreError
from qualicall.store.search import MERGE_INDEX


def backup(url: str, target: Path) -> int:
    """Copy the SQLite database at `url` to the new file `target` (SQLite's online backup, in one step) and return how
    many interactions it holds; StoreError in one line for a PostgreSQL URL, a missing database, a file that exists or
    one that is no database. The copy is readable by its owner only, as the database is, and its own index is merged
    and its free pages dropped: an erasure whose merge the service still owes (a reader in the way, or seconds after a
    DELETE) leaves the erased words nowhere in it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StoreError("db backup copies a SQLite database; back a PostgreSQL one up with pg_dump (README, \"Backups\")")
    source = Path(parsed.database or "")
    if not source.is_file():
        raise StoreError(f"no database at {source}")
    if target.exists():
        raise StoreError(f"{target}: already exists (a backup is written to a new file)")
    # Created empty, 0600, before SQLite writes into it: transcripts and results must not be readable by others.
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
            reading.backup(writing)
            writing.execute(MERGE_INDEX)
            writing.commit()
            writing.execute("VACUUM")
            return writing.execute("SELECT count(*) FROM interactions").fetchone()[0]
    except BaseException as exc:
        target.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.DatabaseError):  # (not a database, or not this service's: one line)
            raise StoreError(f"{source}: {exc}") from None
        raise
