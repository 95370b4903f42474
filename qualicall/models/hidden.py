"""Importing a library with some of its optional dependencies out of sight.

Libraries probe for torch and transformers at import time, to offer features
our CPU pipelines never use, and pay seconds of CPU for it at every start
where an extra installed them. Within `hidden(...)` those packages cannot be
imported, so the probing library records them as absent; once the block ends
they are importable again for whoever needs them (the transformers embedding
backend, openai-whisper).
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _Hidden(importlib.abc.MetaPathFinder):
    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = packages

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by qualicall while another library loads)", name=name)
        return None


@contextmanager
def hidden(*packages: str) -> Iterator[None]:
    """`import` of `packages` (and their modules) fails within the block; already imported ones stay."""
    finder = _Hidden(packages)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
