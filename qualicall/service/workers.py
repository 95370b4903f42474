"""What a worker process does first, whoever starts it (the batch's pool and Ray actors, the API's audio
worker): keep to its share of the cores, and die with the process that started it."""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_threads(threads: int) -> None:
    """Before any numeric library loads: each worker uses its share of the cores, not all of them."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(threads)


def die_with_parent(parent_pid: int) -> None:
    """A parent killed with -9 cannot stop its workers: the kernel ends them (Linux), so none goes on working."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
