"""Data derived from installed packages, computed once and kept in the cache folder.

A first score in a fresh process used to parse the same files every time: the
first-name lexicon (45,000 lines through the text normaliser), the CMU
pronouncing dictionary (134,000 entries), spaCy's tokenizer regular
expressions. What they turn into is stored with `marshal` (built-in types
only, the fastest format Python reads) under a name that carries what it was
derived from: the source files' sizes and modification times and the Python
version, so that an upgraded package or interpreter derives it again. An
unreadable, stale or read-only cache only costs the computation. Each read
marks the file used (its access time); writing a new version of a name removes
the versions of that name no process has read for `UNUSED_FOR_S` (an upgrade
left them behind: without this the folder grew by megabytes per upgrade).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from qualicall.models.lifetime import long_lived

T = TypeVar("T")

# A version of a derived file nobody has read for this long is left over from an upgrade.
UNUSED_FOR_S = 30 * 24 * 3600
_DIGEST = 20


def derived_path(name: str, sources: Iterable[Path | str] = ()) -> Path:
    """Where `name`, derived from `sources` (files, or strings such as a version), is kept."""
    from qualicall.models.whisper_models import cache_dir

    signature = [sys.version, str(marshal.version)]
    for source in sources:
        if isinstance(source, Path):
            stat = source.stat()
            signature.append(f"{source}:{stat.st_size}:{stat.st_mtime_ns}")
        else:
            signature.append(source)
    digest = hashlib.sha256("\x1f".join([name, *signature]).encode()).hexdigest()[:_DIGEST]
    return cache_dir() / "derived" / f"{name}-{digest}.marshal"


@long_lived()
def read_derived(path: Path) -> object | None:
    try:
        with path.open("rb") as handle:
            value = marshal.load(handle)
            _mark_used(path, os.fstat(handle.fileno()).st_mtime_ns)
            return value
    except (OSError, EOFError, ValueError, TypeError):
        return None  # absent, truncated or from another format: derived again


def _mark_used(path: Path, mtime_ns: int) -> None:
    """The file's access time set to now, its modification time kept (it says which version a reader holds)."""
    try:
        os.utime(path, ns=(time.time_ns(), mtime_ns))
    except OSError:
        pass  # a read-only cache folder


def _remove_unused_versions(path: Path) -> None:
    """The other versions of `path`'s name (`name-<digest>.marshal`) that nobody read for `UNUSED_FOR_S`."""
    name = path.name[: -len(f"-{'0' * _DIGEST}.marshal")]
    version = re.compile(re.escape(name) + r"-[0-9a-f]{%d}\.marshal" % _DIGEST)
    cutoff = time.time() - UNUSED_FOR_S
    for other in path.parent.glob(f"{name}-*.marshal"):
        try:
            if other != path and version.fullmatch(other.name) and other.stat().st_atime < cutoff:
                other.unlink()
        except OSError:
            pass  # removed meanwhile by another process, or not ours to remove


# The derived files this process could not write, and why (a read-only or full cache folder): `models warm` says so.
UNWRITTEN: list[str] = []


def written_whole(path: Path, write: Callable[[Path], object]) -> bool:
    """`write(partial)`, then the partial file renamed `path`: readers see the old file or the whole new one. The partial
    file is this process's (its id in the name) and keeps `path`'s suffix, which numpy's writers go by. False where the
    cache folder does not take it (read-only, full: computed again next time), the partial file removed — a full disk
    kept them, more at each run."""
    partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(partial)
        os.replace(partial, path)
        return True
    except (OSError, ValueError) as exc:
        UNWRITTEN.append(f"{path.name}: {getattr(exc, 'strerror', None) or exc}")
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # (a read-only folder holds none)
        return False


def write_derived(path: Path, value: object) -> None:
    def dump(partial: Path) -> None:
        with partial.open("wb") as handle:
            marshal.dump(value, handle)

    if written_whole(path, dump):
        _remove_unused_versions(path)


def derived(name: str, sources: Iterable[Path | str], build: Callable[[], T]) -> T:
    """`build()`, or what it returned last time for the same sources (it must return built-in types only)."""
    path = derived_path(name, sources)
    value = read_derived(path)
    if value is None:
        value = build()
        write_derived(path, value)
    return value  # type: ignore[return-value]
