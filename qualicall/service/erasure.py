"""Erasure on request and retention, for the CLI (`qualicall db erase`, `qualicall db purge`) and the API
(`DELETE /v1/interactions/{id}`): the store's erasure (`qualicall.store.erasure`), 500 contacts per transaction, then,
once committed, the files the service made of those contacts — the redacted copies of their recordings (every
version's), uploads, and the call page's waveforms — and the search index merged and the SQLite log emptied
(`forget_deleted`). A client's own files in the recordings root are the client's: never removed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from qualicall.service.recordings import redacted_copy_stem
from qualicall.settings import Settings
from qualicall.store import erasure
from qualicall.store.db import Store
from qualicall.store.erasure import Erased, Leftovers

log = logging.getLogger("qualicall.erasure")
# Contacts erased per transaction: thousands at once would hold the database's writers past their busy timeout.
CHUNK = 500


@dataclass(frozen=True)
class Done:
    """What an erasure or a purge removed (or, dry, would remove). `log_emptied`: False when a reader kept the SQLite
    log from being emptied (the erased pages stay in it until it is next overwritten); None when not tried yet."""

    erased: Erased = field(default_factory=Erased)
    leftovers: Leftovers = field(default_factory=Leftovers)
    log_emptied: bool | None = None


def erase_contacts(store: Store, settings: Settings, ids: Sequence[str], forget: bool = True) -> Done:
    """Erase the contacts `ids` and everything kept about them; ErasureRefused (nothing of that chunk erased) while one
    is being transcribed. `forget`: merge the index and empty the log now (the API defers it: `DeferredForget`)."""
    ids = list(dict.fromkeys(ids))
    erased = Erased()
    for start in range(0, len(ids), CHUNK):
        with store.session() as session:
            chunk = erasure.erase(session, ids[start:start + CHUNK])
        _remove(chunk, settings)
        erased += chunk
    if not erased.nothing:
        log.info("erased %d interaction(s), %d result version(s), %d audio job(s)", erased.interactions, erased.results, erased.jobs)
    # (with nothing found too: the same ids erased again, once a reader that kept the log is gone, empty it)
    return Done(erased, log_emptied=_forget(store.engine) if forget else None)


def purge(store: Store, settings: Settings, before: datetime, dry_run: bool = False) -> Done:
    """Erase every contact that happened before `before`, and the records of requests made before it (jobs, webhook
    deliveries, Idempotency-Key responses); with `dry_run`, count them and change nothing."""
    if dry_run:
        with store.session() as session:
            expired = erasure.expired(before)
            return Done(erasure.measure(session, expired), erasure.drop_leftovers(session, before, dry_run=True, besides=expired))
    erased = Erased()
    while True:
        with store.session() as session:
            chunk = erasure.erase(session, list(session.scalars(erasure.expired(before).limit(CHUNK))))
        if chunk.nothing:
            break
        _remove(chunk, settings)
        erased += chunk
    with store.session() as session:
        leftovers = erasure.drop_leftovers(session, before)
    _remove(Erased(files=leftovers.files), settings)
    if erased.nothing and leftovers == Leftovers():
        return Done(erased, leftovers)
    log.info("purged %d interaction(s) before %s, %d result version(s), %d audio job(s); %d finished job(s), %d webhook "
             "delivery(ies), %d Idempotency-Key response(s)", erased.interactions, before.isoformat(), erased.results, erased.jobs,
             leftovers.jobs, leftovers.deliveries, leftovers.replays)
    return Done(erased, leftovers, _forget(store.engine))


def _forget(engine: Engine) -> bool:
    emptied = erasure.forget_deleted(engine)
    if not emptied:
        log.warning("erasure: a reader kept the database's log from being emptied; the erased rows stay in it until it is overwritten")
    return emptied


class DeferredForget:
    """The index merge and the log's emptying after the API's erasures, off the requests and once per burst: each takes
    seconds on a large store (the whole index is rewritten) and holds the writers meanwhile. Runs `settle_s` after the
    last erasure asked for it, in a thread of its own."""

    def __init__(self, engine: Engine, settle_s: float = 2.0) -> None:
        self.engine, self.settle_s = engine, settle_s
        self._asked = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qualicall-erasure", daemon=True)
        self._thread.start()

    def ask(self) -> None:
        self._asked.set()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            self._asked.clear()
            if self._asked.wait(self.settle_s):  # another erasure meanwhile: wait for the burst to end
                continue
            try:
                _forget(self.engine)
            except Exception:  # (the database down: the next erasure asks again)
                log.exception("erasure: merging the search index and emptying the log failed")


def _remove(erased: Erased, settings: Settings) -> None:
    """The service's own files among `erased.files` (stored paths, relative to the data folder when not absolute) and
    the redacted copies of the erased contacts (every version's, whatever its extension), with their waveforms."""
    from qualicall.audio.waveform import envelope_file

    own = [folder.resolve() for folder in (settings.uploads_dir, settings.redacted_recordings_dir)]
    copies = settings.redacted_recordings_dir
    paths = [Path(stored) for stored in erased.files if stored and "://" not in stored]  # (a URL: the client's, never read)
    paths = [(path if path.is_absolute() else settings.data_dir / path).resolve() for path in paths]
    if copies.is_dir():
        paths += [copy.resolve() for contact in erased.ids for copy in copies.glob(f"{redacted_copy_stem(contact)}.*")]
    for path in dict.fromkeys(paths):
        try:
            envelope_file(path, settings.waveforms_dir).unlink(missing_ok=True)
            if any(path.is_relative_to(folder) for folder in own):
                path.unlink(missing_ok=True)
        except OSError as exc:  # a read-only disk: the rows are gone; say what is left for the operator to remove
            log.warning("erasure: file not removed: %s (%s)", path, exc.strerror or exc)


class RetentionTimer:
    """The deployment's retention period (`QUALICALL_RETENTION_DAYS`) applied by the server itself: a purge at start-up,
    then every `every_s`, in a thread of its own — run by the one process of a service that runs its audio jobs."""

    def __init__(self, store: Store, settings: Settings, days: int, every_s: float = 86400.0) -> None:
        self.store, self.settings, self.days, self.every_s = store, settings, days, every_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qualicall-retention", daemon=True)

    def start(self) -> "RetentionTimer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from datetime import timedelta, timezone

        while not self._stopping.is_set():
            try:
                purge(self.store, self.settings, datetime.now(timezone.utc) - timedelta(days=self.days))
            except Exception:  # (the database down, a contact being transcribed: the next day's purge takes it)
                log.exception("retention: the purge of contacts older than %d days failed", self.days)
            self._stopping.wait(self.every_s)
