"""Erasure on request and retention, for the CLI (`qualicall db erase`, `qualicall db purge`) and the API
(`DELETE /v1/interactions/{id}`): the store's erasure (`qualicall.store.erasure`), 500 contacts per transaction, then,
once committed, the files the service made of those contacts — the redacted copies of their recordings (every
version's), uploads, and the call page's waveforms — and the search index merged and the SQLite log emptied
(`forget_deleted`). A client's own files in the recordings root are the client's: never removed."""

from __future__ import annotations

import logging
import os
import threading
import time
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
    """Erase the contacts `ids` and everything kept about them; ErasureRefused, before anything is erased, while one is
    being transcribed. `forget`: merge the index and empty the log now (the API defers it: `DeferredForget`)."""
    ids = list(dict.fromkeys(ids))
    with store.session() as session:
        for start in range(0, len(ids), CHUNK):
            erasure.refuse_transcribed(session, ids[start:start + CHUNK])
    erased = Erased()
    try:
        for start in range(0, len(ids), CHUNK):
            erased += _erase_chunk(store, settings, ids[start:start + CHUNK])
    except erasure.ErasureRefused as exc:  # (a job started meanwhile: say what was erased before it)
        if erased.nothing:
            raise
        if forget:
            _forget(store.engine)
        raise erasure.ErasureRefused(f"{exc} ({erased.interactions} other interaction(s) were erased before it)") from None
    if not erased.nothing:
        log.info("erased %d interaction(s), %d result version(s), %d audio job(s)", erased.interactions, erased.results, erased.jobs)
    # (with nothing found too: the same ids erased again, once a reader that kept the log is gone, empty it)
    return Done(erased, log_emptied=_forget(store.engine) if forget else None)


def _erase_chunk(store: Store, settings: Settings, ids: Sequence[str]) -> Erased:
    """One transaction of an erasure. The files go before it commits: a process stopped between the two leaves a
    contact without its recording, never a recording that no row names any more (a stopped purge left hundreds)."""
    with store.session() as session:
        chunk = erasure.erase(session, ids)
        _remove(chunk, settings, also=ids)
    return chunk


def purge(store: Store, settings: Settings, before: datetime, dry_run: bool = False) -> Done:
    """Erase every contact that happened before `before`, and the records of requests made before it (jobs, webhook
    deliveries, Idempotency-Key responses); with `dry_run`, count them and change nothing."""
    if dry_run:
        with store.session() as session:
            expired = erasure.expired(before)
            return Done(erasure.measure(session, expired), erasure.drop_leftovers(session, before, dry_run=True, besides=expired))
    erased, refused = Erased(), 0
    while True:
        with store.session() as session:
            ids = list(session.scalars(erasure.expired(before).limit(CHUNK)))
        try:
            chunk = _erase_chunk(store, settings, ids)
        except erasure.ErasureRefused:  # a job started on one of them meanwhile: the next chunk leaves it out
            refused += 1
            if refused == 3:
                raise
            continue
        if chunk.nothing:
            break
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


def _forget(engine: Engine, wait_s: float = 2.0) -> bool:
    """Merge the index and empty the log (`forget_deleted`), saying so when a reader kept the log from being emptied.
    The commands wait 2 s at most for a reader: the log's emptying holds the writers while it waits."""
    emptied = erasure.forget_deleted(engine, wait_s)
    if not emptied:
        log.warning("erasure: a reader kept the database's log from being emptied; the erased rows stay in it until it is emptied")
    return emptied


class DeferredForget:
    """The index merge and the log's emptying after the API's erasures, off the requests and once per burst: each takes
    seconds on a large store (the whole index is rewritten) and holds the writers meanwhile. Runs `settle_s` after the
    last erasure asked for it, `max_wait_s` at most after the first, in a thread of its own; again `retry_s` later while
    a writer or a reader keeps it from finishing; at shutdown (`flush`, waiting `flush_wait_s` at most) if still owed. A
    marker file says it is owed until done, so that a server killed before then does it at its next start (the erased
    rows' words stayed in the files otherwise)."""

    def __init__(self, engine: Engine, marker: Path | None, settle_s: float = 2.0, max_wait_s: float = 30.0,
                 retry_s: float = 30.0, flush_wait_s: float = 3.0, attempt_wait_s: float = 1.0) -> None:
        self.engine, self.settle_s, self.max_wait_s, self.retry_s, self.flush_wait_s = engine, settle_s, max_wait_s, retry_s, flush_wait_s
        # How long one attempt waits for a reader: emptying the log holds the writers meanwhile (a reader kept every POST
        # waiting 28 s behind an attempt that waited the busy timeout's 30 s).
        self.attempt_wait_s = attempt_wait_s
        self.marker = marker if engine.dialect.name == "sqlite" else None  # (nothing to do on PostgreSQL)
        self._asked = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="qualicall-erasure", daemon=True)
        self._thread.start()
        if self.marker is not None and self.marker.exists():
            self._asked.set()

    def ask(self) -> None:
        if self.marker is not None:
            self.marker.touch()
        self._asked.set()

    def flush(self) -> None:
        """Do it now if it is owed (the service stopping), waiting `flush_wait_s` at most for the database: a reader
        holding the log made the shutdown last a minute. Not done, it stays owed (the marker) for the next start."""
        owed = self._asked.is_set() or (self.marker is not None and self.marker.exists())
        if owed and self._lock.acquire(timeout=self.flush_wait_s):
            try:
                self._asked.clear()
                self._forget_now(self.flush_wait_s)
            finally:
                self._lock.release()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            first = time.monotonic()
            self._asked.clear()
            # Another erasure meanwhile: wait for the burst to end, but not for ever (a steady stream would put it off).
            while self._asked.wait(self.settle_s) and time.monotonic() - first < self.max_wait_s:
                self._asked.clear()
            self._asked.clear()
            with self._lock:
                done = self._forget_now(self.attempt_wait_s)
            if not done:  # a writer or a reader in the way: owed still, tried again
                time.sleep(self.retry_s)
                self._asked.set()

    def _forget_now(self, wait_s: float) -> bool:
        """Merge and empty; the marker removed only if no erasure asked again since this began (its own, or another
        worker's: the marker's time says)."""
        began = time.time_ns()
        try:
            done = _forget(self.engine, wait_s)
        except Exception:  # (the database locked or down)
            log.exception("erasure: merging the search index and emptying the log failed; tried again later")
            return False
        if done and self.marker is not None:
            try:
                if self.marker.stat().st_mtime_ns < began:
                    self.marker.unlink()
            except FileNotFoundError:
                pass
        return done


def _remove(erased: Erased, settings: Settings, also: Sequence[str] = ()) -> None:
    """The service's own files among `erased.files` (stored paths, relative to the data folder when not absolute) and
    the redacted copies of the erased contacts and of the ids `also` (every version's, whatever its extension: one left
    by an interrupted erasure goes with the same ids erased again), with their waveforms. The copies' folder is read
    once (globbing it per contact cost contacts × files)."""
    from qualicall.audio.waveform import envelope_file

    own = [folder.resolve() for folder in (settings.uploads_dir, settings.redacted_recordings_dir)]
    # (a URL: the client's, never read)
    paths = [settings.local_file(stored).resolve() for stored in erased.files if stored and "://" not in stored]
    stems = {redacted_copy_stem(contact) for contact in (*erased.ids, *also)}
    if stems and settings.redacted_recordings_dir.is_dir():
        with os.scandir(settings.redacted_recordings_dir) as entries:
            paths += [Path(entry.path).resolve() for entry in entries if entry.name.split(".", 1)[0] in stems]
    for path in dict.fromkeys(paths):
        try:
            envelope_file(path, settings.waveforms_dir).unlink(missing_ok=True)
            if any(path.is_relative_to(folder) for folder in own):
                path.unlink(missing_ok=True)
        except OSError as exc:  # a read-only disk: say what is left for the operator to remove
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
