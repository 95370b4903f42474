"""The project's error family.

Every error raised on purpose derives from `QualicallError`, one subclass per
layer, and its message is a single line that names the record, field or file
and what was expected. The CLI (`qualicall.cli.user_errors`) and the API
(`qualicall.api.app`) each map the whole family in one place: a one-line
message and exit status 2, or a 4xx answer with the message as its reason.
The builtin base each class also keeps (ValueError, RuntimeError) is for
callers that predate the family.
"""

from __future__ import annotations


class QualicallError(Exception):
    """Base of every error the project raises on purpose; its message is meant for the user."""


class InputError(QualicallError, ValueError):
    """Input that cannot be accepted as given: a bad record, field, option or file (HTTP 422)."""


class TooLargeError(InputError):
    """Input above a configured size limit: a text, a number of turns (HTTP 413)."""


class NotFoundError(QualicallError, LookupError):
    """A named thing (user, item, rubric) that does not exist (HTTP 404)."""


class ConflictError(QualicallError, ValueError):
    """A request that contradicts what is stored already: a taken name (HTTP 409)."""
