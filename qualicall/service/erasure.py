"""Erasure on request and retention, for the CLI (`qualicall db erase`, `qualicall db purge`) and the API
(`DELETE /v1/interactions/{id}`): the store's erasure (`qualicall.store.erasure`) in one transaction, then, once it has
committed, the files the service made of those contacts — the redacted copies of their recordings, uploads still
waiting, and the call page's waveforms. A client's own files in the recordings root are the client's: never removed."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from qualicall.settings import Settings
from qualicall.store import erasure
from qualicall.store.db import Store
from qualicall.store.erasure import Erased, Leftovers

log = logging.getLogger("qualicall.erasure")
# Contacts erased per transaction by a purge: a night's retention of thousands holds the database in short steps.
PURGE_CHUNK = 500


def erase_contacts(store: Store, settings: Settings, ids: Sequence[str]) -> Erased:
    """Erase the contacts `ids` and everything kept about them; ErasureRefused while one is being transcribed."""
    with store.session() as session:
        erased = erasure.erase(session, ids)
    if not erased.nothing:
        erasure.forget_deleted(store.engine)
        _remove(erased.files, settings)
        log.info("erased %d interaction(s), %d result version(s), %d audio job(s)", erased.interactions, erased.results, erased.jobs)
    return erased


@dataclass(frozen=True)
class Purged:
    """What a purge erased (or, dry, would erase): contacts older than the cut-off, and leftover request records."""

    erased: Erased = field(default_factory=Erased)
    leftovers: Leftovers = field(default_factory=Leftovers)


def purge(store: Store, settings: Settings, before: datetime, dry_run: bool = False) -> Purged:
    """Erase every contact that happened before `before`, and the records of requests made before it (jobs, webhook
    deliveries, Idempotency-Key responses); with `dry_run`, count them and change nothing."""
    if dry_run:
        with store.session() as session:
            return Purged(erasure.measure(session, erasure.expired(before)), erasure.drop_leftovers(session, before, dry_run=True))
    erased = Erased()
    while True:
        with store.session() as session:
            chunk = erasure.erase(session, list(session.scalars(erasure.expired(before).limit(PURGE_CHUNK))))
        if chunk.nothing:
            break
        _remove(chunk.files, settings)
        erased += chunk
    if not erased.nothing:
        log.info("purged %d interaction(s) before %s, %d result version(s), %d audio job(s)", erased.interactions,
                 before.isoformat(), erased.results, erased.jobs)
    with store.session() as session:
        leftovers = erasure.drop_leftovers(session, before)
    if not erased.nothing or leftovers != Leftovers():
        erasure.forget_deleted(store.engine)
    return Purged(erased, leftovers)


def _remove(files: Iterable[str], settings: Settings) -> None:
    """The service's own files among `files` (stored paths, relative to the data folder when not absolute), and the
    waveform kept for each recording."""
    from qualicall.audio.waveform import envelope_file

    own = [folder.resolve() for folder in (settings.uploads_dir, settings.redacted_recordings_dir)]
    for stored in files:
        if "://" in stored:  # a client's reference (a CRM, object storage): never read, nothing kept here
            continue
        path = Path(stored)
        path = (path if path.is_absolute() else settings.data_dir / path).resolve()
        try:
            envelope_file(path, settings.waveforms_dir).unlink(missing_ok=True)
            if any(path.is_relative_to(folder) for folder in own):
                path.unlink(missing_ok=True)
        except OSError as exc:  # a read-only disk: the rows are gone; say what is left for the operator to remove
            log.warning("erased contact's file not removed: %s (%s)", path, exc.strerror or exc)
