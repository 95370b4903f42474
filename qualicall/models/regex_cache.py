"""Regular expressions compiled once per installation, not at every start.

spaCy's French tokenizer builds its exceptions into one pattern of thousands of
case-insensitive alternatives; Python's `re` spends about 3 s of CPU parsing
and optimising it (its character-set optimiser alone) in every process that
loads the pipeline. What `re` produces is a list of integer op-codes handed to
the `_sre` engine; those codes are stored here (`models.derived`), so a later
process hands the same codes to the same engine: the pattern objects are the
ones `re.compile` would make. The stored codes are keyed by pattern and flags,
and the file by the Python version and the engine's `MAGIC`, since the codes
are the interpreter's private format.
"""

from __future__ import annotations

import _sre
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

from qualicall.models.derived import derived_path, read_derived, write_derived

_lock = threading.RLock()

# (pattern, flags) → (flags, code, groups, groupindex, indexgroup): `_sre.compile`'s arguments.
Compiled = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]

# Each cache file as this process read or last wrote it, with its size and time then: a pipeline's blocks (its language's
# `like_num`, then the pipeline) read a file of megabytes once, not once per block, unless it changed on disk since.
_read: dict[Path, tuple[tuple[int, int] | None, dict[tuple[Any, int], Compiled]]] = {}


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _compile_codes(pattern: str | bytes, flags: int) -> Compiled:
    """What `re._compiler.compile` hands to `_sre.compile` (the same steps, with plain ints kept)."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[Any] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex, tuple(indexgroup)


@contextmanager
def compiled_once(name: str, *versions: str) -> Iterator[None]:
    """Within the block, `re` compiles through the cache file `name` (one per pipeline and `versions`).

    The file gains the patterns compiled in the block that it did not hold: a pipeline's patterns
    (and those of code that compiled at the same time, in another thread)."""
    path = derived_path(f"regex-{name}", [*versions, str(_sre.MAGIC), str(_sre.CODESIZE)])
    with _lock:
        seen = _read.get(path)
        if seen is not None and seen[0] == _signature(path):
            known = seen[1]
        else:
            stored = read_derived(path)
            known = stored if isinstance(stored, dict) else {}
            _read[path] = (_signature(path), known)
    used: dict[tuple[Any, int], Compiled] = {}
    original = _compiler.compile

    def compile(pattern: Any, flags: int = 0) -> re.Pattern:
        if not isinstance(pattern, (str, bytes)) or flags & re.DEBUG:
            return original(pattern, flags)
        key = (pattern, int(flags))
        codes = known.get(key)
        if codes is not None:
            try:
                compiled = _sre.compile(pattern, *codes)
                used[key] = codes
                return compiled
            except (RuntimeError, TypeError, ValueError):
                pass  # codes the engine refuses (a damaged file): compiled anew
        used[key] = codes = _compile_codes(pattern, key[1])
        return _sre.compile(pattern, *codes)

    with _lock:
        # `re` keeps its last 512 patterns: a pattern the block uses that is still there is not compiled in the block, nor
        # stored. Which ones are there depends on what the process did before (a cold start builds lexicons, a warm one
        # reads them back), so a warm start would compile anew what the cold one found cached (numpy's « \s+$ »). Emptied,
        # the block compiles every pattern it uses, whatever came before: the same file serves every start.
        re.purge()
        _compiler.compile = compile
        try:
            yield
        finally:
            _compiler.compile = original
    if used.keys() - known.keys():
        # (every pattern the block used is in `used`, `re`'s own cache emptied on entering it)
        with _lock:
            merged = {**known, **used}
            write_derived(path, merged)
            _read[path] = (_signature(path), merged)
