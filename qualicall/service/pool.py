"""A scoring service in a process of its own, for the HTTP workers.

Scoring and redaction are CPU work in Python: run on a thread of the process
that answers HTTP, they hold its interpreter lock for tens of milliseconds at
a time, and every other request of that process (a GET, the event loop
itself) waits for the lock at each of its system calls. Each HTTP worker
hands its scoring to one child process instead (`ScoringPool`), so what it
answers itself stays quick, and scoring runs on its own core.

The child builds its `ScoringService` once (models loaded once); a child that
dies (killed, out of memory) fails the requests it held with a 503 and is
replaced by the next request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from qualicall.core.errors import QualicallError
from qualicall.core.interaction import Interaction
from qualicall.core.result import Result
from qualicall.service.scoring import ScoringService

_service: ScoringService | None = None  # in the child: the one service it runs


class ScoringUnavailable(QualicallError):
    """The scoring process died while scoring (503): the request may be retried."""


# The scoring process's priority below its HTTP worker's (nice +5: about a third of the CPU share when both want
# the cores): answering a read takes milliseconds and should not wait behind scoring; saturated, scoring
# still gets every cycle the HTTP workers leave.
NICENESS = 5


def _start(make_service: Callable[[], ScoringService], parent_pid: int) -> None:
    global _service
    import os

    os.nice(NICENESS)
    threading.Thread(target=_exit_with, args=(parent_pid,), name="qualicall-parent-watch", daemon=True).start()
    _service = make_service()


def _exit_with(parent_pid: int) -> None:
    """Ends this process when its HTTP worker is gone (killed with -9: nothing told us).

    Polled, not the kernel's parent-death signal: that one follows the thread that started the
    process, and a pool starts its process from whichever request thread submits first."""
    import os
    import time

    while os.getppid() == parent_pid:
        time.sleep(1)
    os._exit(1)


def _score(interaction: Interaction, measured: dict[str, Any] | None, recording: Path | None) -> tuple[Interaction, Result]:
    assert _service is not None
    return _service.score(interaction, measured, recording)


def _redact_comment(text: str, language: str) -> str:
    assert _service is not None
    return _service.redact_comment(text, language)


def _warm_up() -> None:
    assert _service is not None
    _service.warm_up()


class ScoringPool(ScoringService):
    """`ScoringService`'s interface (`score`, `score_and_store`, `redact_comment`, `warm_up`), with the work done in a child process.

    `make_service` builds the service in the child: it must be picklable (a class, or a
    `functools.partial` of one with its arguments)."""

    def __init__(self, make_service: Callable[[], ScoringService]) -> None:  # noqa: D107 - no scorer here: the child has it
        self._make_service = make_service
        self._lock = threading.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        import os

        # spawn: a fresh interpreter, not a fork of a process with threads and open database connections.
        return ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_start, initargs=(self._make_service, os.getpid()))

    def _submit(self, function: Callable[..., Any], *args: Any) -> Future:
        with self._lock:
            try:
                return self._executor.submit(function, *args)
            except BrokenProcessPool:
                self._executor = self._new_executor()
                return self._executor.submit(function, *args)

    def _wait(self, future: Future) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            raise ScoringUnavailable("the scoring process stopped while scoring this request: retry it") from None

    def warm_up(self) -> None:
        self._wait(self._submit(_warm_up))

    def score(self, interaction: Interaction, measured: dict[str, Any] | None = None, recording: Path | None = None) -> tuple[Interaction, Result]:
        return self._wait(self._submit(_score, interaction, measured, recording))

    def redact_comment(self, text: str, language: str) -> str:
        return self._wait(self._submit(_redact_comment, text, language))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
