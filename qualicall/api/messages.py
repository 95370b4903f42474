"""What the API says of an error: the reason, without the server's folders.

Messages from the audio pipeline and FFmpeg name the file they read (`<data_dir>/uploads/<id>.wav`):
right for the command line, but a client has no business knowing where the service keeps its files.
"""

from __future__ import annotations

import re
from pathlib import Path

# An absolute path: a slash not inside a word, URL or relative path, then folders, up to a space, colon or quote.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~:/-])/(?:[^\s/:'\"]+/)+[^\s/:'\"]*")


def public_message(message: str) -> str:
    """`message` with every absolute path reduced to its file name (a URL's path is left as it is)."""
    return _ABSOLUTE_PATH.sub(lambda match: Path(match.group(0)).name, message)
