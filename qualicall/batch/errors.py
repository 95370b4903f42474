"""The batch layer's errors (a bad plan, a journal that cannot be resumed, workers that cannot start)."""

from __future__ import annotations

from qualicall.core.errors import QualicallError


class BatchError(QualicallError):
    """The batch cannot run as asked; one line for the user."""
