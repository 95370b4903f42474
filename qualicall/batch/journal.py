"""The batch's output: a JSONL file that is also its resume journal.

Each result is one line carrying `batch.key`. Lines are appended with a
single `write` of whole lines, then flushed to disk (`fsync`) before they
count as done, so a run killed at any moment (kill -9, power cut) leaves
complete lines and, at worst, a torn last line. Opening the file again
truncates that torn line and reads the keys of the complete ones: what is
there is never scored again, and nothing is written twice.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from qualicall.batch.errors import BatchError


class JournalError(BatchError):
    """The output file cannot serve as this batch's journal (one line, names the file)."""


class ResultJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.done: set[str] = set()
        self.repaired_bytes = 0  # a torn last line removed on opening

    def open(self) -> "ResultJournal":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            # Two batches appending to one file would interleave their lines and redo each other's work.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalError(f"{self.path}: another qualicall batch is writing this file") from None
        self.fd = fd
        try:
            self._recover()
        except BaseException:
            self.close()
            raise
        if created:
            _fsync_dir(self.path.parent)  # the file's name survives a power cut too
        return self

    def _recover(self) -> None:
        assert self.fd is not None
        keep = 0  # bytes of complete result lines
        bad: int | None = None  # line number of an unreadable complete line: allowed only as the last one
        with open(self.path, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.endswith(b"\n"):
                    break  # torn by a kill in the middle of a write
                if bad is not None:
                    raise JournalError(f"{self.path}:{bad}: not a line written by qualicall batch (no batch.key); choose another --out")
                if line.strip():
                    try:
                        self.done.add(json.loads(line)["batch"]["key"])
                    except (ValueError, KeyError, TypeError):
                        bad = number
                        continue
                keep += len(line)
        size = os.fstat(self.fd).st_size
        if keep < size:
            self.repaired_bytes = size - keep
            os.ftruncate(self.fd, keep)
            os.fsync(self.fd)

    def append(self, lines: list[str]) -> None:
        """Write whole lines at once and flush them to disk: after this returns, they survive any crash."""
        if not lines:
            return
        assert self.fd is not None
        payload = "".join(line + "\n" for line in lines).encode("utf-8")
        view = memoryview(payload)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None

    def __enter__(self) -> "ResultJournal":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
