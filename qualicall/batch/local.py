"""The local backend: a pool of worker processes, each holding its own scorer and speech model.

Processes, not threads: scoring and decoding are Python under the GIL. Each
process is started with `spawn` (the parent runs a progress thread, which
`fork` would copy mid-flight) and loads its models once, in the pool's
initializer. At most two tasks per worker are in flight: the next one is
queued while the current one runs, and a folder of 100 000 transcripts is
never read into memory at once.

A worker that dies (out of memory, a crash in a native decoder) breaks the pool, and every task in flight with it:
which one killed it cannot be told. Those tasks are suspects: a new pool runs them one at a time, alone, and only the
one that kills its worker again fails — its neighbours are scored (they all failed, with the killer's reason, and a
recording the decoder refuses lost its own). Then the pool goes on at full width.

Stopped (Ctrl-C, SIGTERM), the pool's processes are ended at once: they ignore SIGINT, and the interpreter's exit
waited for their current recordings (a second Ctrl-C printed a traceback and the wait went on).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from qualicall.batch.work import Outcome, Task, WorkerConfig, init_process, run_task

KILLED_ALONE = "a worker process died on it, run alone (out of memory, or a crash in a decoder)"


def run_local(tasks: Iterable[Task], config: WorkerConfig, workers: int, handle: Callable[[list[Outcome]], None]) -> None:
    """Run every task on `workers` processes; `handle` gets each task's outcomes as they come (in this process)."""
    context = multiprocessing.get_context("spawn")
    queue = iter(tasks)
    suspects: deque[Task] = deque()
    exhausted = False
    while not exhausted or suspects:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=init_process, initargs=(config, os.getpid()))
        inflight: dict[Future[list[Outcome]], Task] = {}
        alone: Task | None = None  # the suspect running by itself, if any
        broken = False
        try:
            while True:
                if suspects and not inflight:
                    alone = suspects.popleft()
                    if not _submit(pool, alone, inflight):  # (a worker died idle: the pool broke before taking it)
                        suspects.appendleft(alone)
                        alone, broken = None, True
                while not broken and not suspects and alone is None and len(inflight) < 2 * workers:
                    task = next(queue, None)
                    if task is None:
                        exhausted = True
                        break
                    if not _submit(pool, task, inflight):
                        suspects.append(task)
                        broken = True
                if not inflight:
                    break
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    task = inflight.pop(future)
                    try:
                        outcomes = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if task is alone:
                            handle(task.failed(KILLED_ALONE))
                        else:
                            suspects.append(task)
                        continue
                    if task is alone:
                        alone = None
                    handle(outcomes)
                if broken:
                    # the other tasks in flight went down with it: suspects too, each to be run alone
                    suspects.extend(inflight.values())
                    break
            if broken:
                _end(pool)
            else:
                pool.shutdown(wait=True)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM made one (qualicall.cli.batch): the batch stops
            _end(pool, for_good=True)
            raise
        except BaseException:
            _end(pool)
            raise


def _submit(pool: ProcessPoolExecutor, task: Task, inflight: dict[Future[list[Outcome]], Task]) -> bool:
    """Hand `task` to the pool; False when the pool is broken already."""
    try:
        inflight[pool.submit(run_task, task)] = task
    except BrokenProcessPool:
        return False
    return True


def _end(pool: ProcessPoolExecutor, for_good: bool = False) -> None:
    """Stop the pool now: queued tasks cancelled, its processes ended (their current work is lost, not journaled: a re-run
    does it again). A second Ctrl-C waits until they are: landing in the middle, it left a worker the exit then waited for.
    `for_good` (the batch is stopping): the signals stay blocked until the process ends — a second Ctrl-C after the pool
    had ended landed in the interpreter's exit, joining concurrent.futures' thread, and printed its traceback (the suite
    caught it once under load)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pool.shutdown(wait=False, cancel_futures=True)
        processes = multiprocessing.active_children()  # this process's children: the pool's workers
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
    finally:
        if not for_good:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
