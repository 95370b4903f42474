"""The local backend: a pool of worker processes, each holding its own scorer and speech model.

Processes, not threads: scoring and decoding are Python under the GIL. Each
process is started with `spawn` (the parent runs a progress thread, which
`fork` would copy mid-flight) and loads its models once, in the pool's
initializer. At most two tasks per worker are in flight: the next one is
queued while the current one runs, and a folder of 100 000 transcripts is
never read into memory at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from qualicall.batch.work import Outcome, Task, WorkerConfig, init_process, run_task


def run_local(tasks: Iterable[Task], config: WorkerConfig, workers: int, handle: Callable[[list[Outcome]], None]) -> None:
    """Run every task on `workers` processes; `handle` gets each task's outcomes as they come (in this process)."""
    context = multiprocessing.get_context("spawn")
    queue = iter(tasks)
    exhausted = False
    while not exhausted:
        # A pool whose process died (out of memory, a crash in a native decoder) is broken for good:
        # its in-flight tasks are reported failed, and a new pool goes on with the rest.
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=init_process, initargs=(config, os.getpid()))
        inflight: dict[Future[list[Outcome]], Task] = {}
        broken = False
        try:
            while True:
                while not broken and len(inflight) < 2 * workers:
                    task = next(queue, None)
                    if task is None:
                        exhausted = True
                        break
                    try:
                        inflight[pool.submit(run_task, task)] = task
                    except BrokenProcessPool:
                        handle(task.failed("a worker process died (out of memory, or a crash in a decoder)"))
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
                        outcomes = task.failed("a worker process died while on it (out of memory, or a crash in a decoder)")
                    handle(outcomes)
                if broken and not inflight:
                    break
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
