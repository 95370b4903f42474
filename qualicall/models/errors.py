"""The models layer's errors: a model that cannot be found, converted, loaded or run."""

from __future__ import annotations

from qualicall.core.errors import QualicallError


class ModelError(QualicallError, RuntimeError):
    """A model is missing, unreadable or failed; the message says which and how to get it."""
