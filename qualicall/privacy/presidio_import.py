"""Import Presidio without the deep-learning stack it never runs for us.

`presidio_analyzer` imports transformers' pipelines and torch at import time
(10–20 s at each process start where those are installed, as in the test and
`transformers`-embedding environments) for its Hugging Face NER engine. Our
analyzers run on spaCy pipelines only, so both are hidden while Presidio's
modules load; Presidio's own guards then treat them as absent. Code imported
later (the transformers embedding backend) sees them as usual.

Importing `presidio_analyzer` also builds every predefined recognizer of every
country (173 patterns; the URL one holds every top-level domain), and each
`Pattern` compiles its regex at construction only to check that it is valid:
0.6 s of a first score, for patterns we never run. Those built-in patterns are
Presidio's own, tested upstream, so they are not checked while Presidio
imports; a pattern is compiled when a recognizer first runs it, and patterns
built later (ours) are checked as usual.
"""

from __future__ import annotations

import sys

import importlib.abc
import importlib.machinery
from collections.abc import Iterator
from contextlib import contextmanager

from qualicall.models.hidden import hidden

_PATTERN_MODULE = "presidio_analyzer.pattern"


class _UncheckedPatterns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads `presidio_analyzer.pattern` with `Pattern`'s regex check switched off until `restore()`."""

    def __init__(self) -> None:
        self.spec: importlib.machinery.ModuleSpec | None = None
        self.check = None

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name != _PATTERN_MODULE:
            return None
        self.spec = importlib.machinery.PathFinder.find_spec(name, path)
        if self.spec is None:
            return None
        return importlib.machinery.ModuleSpec(name, self, origin=self.spec.origin)

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        assert self.spec is not None and self.spec.loader is not None
        module.__file__ = self.spec.origin
        self.spec.loader.exec_module(module)
        pattern = getattr(module, "Pattern", None)
        # A Presidio whose Pattern checks otherwise is imported as it is: slower, never broken.
        self.check = getattr(pattern, "__dict__", {}).get("_Pattern__validate_regex")
        if self.check is not None:
            pattern._Pattern__validate_regex = staticmethod(lambda regex: None)

    def restore(self) -> None:
        module = sys.modules.get(_PATTERN_MODULE)
        if module is not None and self.check is not None:
            module.Pattern._Pattern__validate_regex = self.check


@contextmanager
def _built_in_patterns_unchecked() -> Iterator[None]:
    finder = _UncheckedPatterns()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        finder.restore()


def import_presidio() -> None:
    if "presidio_analyzer" in sys.modules:
        return
    try:
        with hidden("transformers", "torch"), _built_in_patterns_unchecked():
            import presidio_analyzer  # noqa: F401
            import presidio_analyzer.nlp_engine  # noqa: F401
            import presidio_analyzer.predefined_recognizers  # noqa: F401
    except ImportError:
        pass  # Presidio absent: deployment_redactor reports it when redaction is on
