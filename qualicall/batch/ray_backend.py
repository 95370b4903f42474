"""The Ray backend: the same batch on a Ray cluster (or a local Ray), `qualicall batch --backend ray`.

Each actor holds a worker (scorer, speech model) for its whole life and
reserves its speech threads as Ray CPUs, so Ray places actors where cores are
free, across machines. Recordings are shipped as bytes through Ray's object
store (the cluster's machines need not share a file system); transcripts
travel as text. Results come back to this process, which alone writes the
output and the database, with the local backend's resume logic.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from qualicall.batch.work import AudioTask, Outcome, Task, Worker, WorkerConfig, start_worker
from qualicall.service.workers import limit_threads


class BatchActor:
    """A worker inside a Ray actor; made remote in `run_ray` (ray is imported only there)."""

    def __init__(self, config: WorkerConfig) -> None:
        limit_threads(config.threads)
        self.worker: Worker = start_worker(config)

    def ready(self) -> bool:
        return True

    def texts(self, task: Task) -> list[Outcome]:
        return task.run(self.worker)

    def audio(self, task: Task, data: list[bytes]) -> list[Outcome]:
        # The recordings as this machine sees them: temporary copies of the shipped bytes, with their
        # suffixes (decoders go by them), removed once transcribed.
        with tempfile.TemporaryDirectory(prefix="qualicall-batch-") as folder:
            local = []
            for number, (item, content) in enumerate(zip(task.items, data)):
                path = Path(folder) / f"{number}-{Path(item.path).name}"
                path.write_bytes(content)
                local.append(AudioTask(item.key, item.source, str(path), item.metadata))
            return self.worker.score_audio(local)


def connect(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    else:
        # A Ray on this machine only, with its cores as CPUs.
        from qualicall.batch.runner import cores

        ray.init(num_cpus=cores(), include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)


def run_ray(
    tasks: Callable[[int], Iterable[Task]],
    config: Callable[[int, int], WorkerConfig],
    workers: int | None,
    address: str | None,
    handle: Callable[[list[Outcome]], None],
) -> None:
    """Start the actors, stream the tasks to them (two in flight each) and `handle` their outcomes as they come."""
    try:
        import ray
        from ray.exceptions import RayActorError, RayTaskError
    except ImportError:
        from qualicall.batch.runner import BatchError

        raise BatchError("--backend ray needs Ray: pip install 'qualicall[ray]'") from None
    from qualicall.batch.runner import BatchError
    from qualicall.batch.work import WorkerStartError

    connect(address)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # An actor reserves at least one CPU: more actors than CPUs would wait for ever.
        count = max(1, min(workers or cpus, cpus))
        # Each actor's speech threads are CPUs it reserves: threads × actors ≤ the cluster's CPUs.
        threads = max(1, cpus // count)
        settings = config(count, threads)
        remote = ray.remote(num_cpus=threads, max_restarts=0)(BatchActor)
        actors = [remote.remote(settings) for _ in range(count)]
        try:
            ray.get([actor.ready.remote() for actor in actors])
        except RayTaskError as exc:
            cause = exc.as_instanceof_cause()
            if isinstance(cause, WorkerStartError):
                raise WorkerStartError(str(cause).splitlines()[-1]) from None
            raise BatchError(f"the Ray actors cannot start: {str(exc).splitlines()[0]}") from None
        except RayActorError as exc:
            raise BatchError(f"the Ray actors cannot start: {str(exc).splitlines()[0]}") from None
        _stream(ray, RayActorError, actors, remote, settings, iter(tasks(count)), handle)
    finally:
        ray.shutdown()


def _stream(ray: Any, actor_error: type[Exception], actors: list[Any], remote: Any, settings: WorkerConfig, queue: Any, handle: Any) -> None:
    inflight: dict[Any, tuple[Any, Task]] = {}
    load = {id(actor): 0 for actor in actors}
    exhausted = False
    while True:
        while not exhausted:
            actor = min(actors, key=lambda a: load[id(a)])
            if load[id(actor)] >= 2:
                break
            task = next(queue, None)
            if task is None:
                exhausted = True
                break
            if task.kind == "text":
                ref = actor.texts.remote(task)
            else:
                ref = actor.audio.remote(task, [Path(item.path).read_bytes() for item in task.items])
            inflight[ref] = (actor, task)
            load[id(actor)] += 1
        if not inflight:
            return
        ready, _ = ray.wait(list(inflight), num_returns=1)
        for ref in ready:
            actor, task = inflight.pop(ref)
            load[id(actor)] -= 1
            try:
                outcomes = ray.get(ref)
            except actor_error:
                # The actor died (its machine left the cluster, out of memory): its task is reported, a new
                # actor takes its place.
                outcomes = [Outcome(i.key, i.source, error="the Ray actor died while on it (machine lost, or out of memory)") for i in task.items]
                if actor in actors:
                    actors.remove(actor)
                    fresh = remote.remote(settings)
                    actors.append(fresh)
                    load[id(fresh)] = 0
            handle(outcomes)
