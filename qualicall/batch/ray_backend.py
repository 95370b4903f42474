"""The Ray backend: the same batch on a Ray cluster (or a local Ray), `qualicall batch --backend ray`.

Each actor holds a worker (scorer, speech model) for its whole life and
reserves its speech threads as Ray CPUs; actors are spread over the nodes.
Recordings are shipped as bytes through Ray's object store (the cluster's
machines need not share a file system); transcripts travel as text. Results
come back to this process, which alone writes the output and the database,
with the local backend's resume logic.

A node that leaves the cluster (a machine lost, `ray stop` on it) takes its
actors with it: the tasks they held are sent once more to the actors left, and
a dead actor is replaced when the cluster has a free CPU for it. A record is
written only when its result reaches this process, so none is written twice.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualicall.batch.errors import BatchError
from qualicall.batch.work import AudioTask, Outcome, Task, Worker, WorkerConfig, WorkerStartError, start_worker
from qualicall.service.workers import limit_threads

IN_FLIGHT = 2  # tasks per actor: the next one is there when the current one ends
SENDS = 2  # a task lost with its actor is sent once more; lost twice, its records fail (a re-run retries them)


class BatchActor:
    """A worker inside a Ray actor; made remote in `run_ray` (ray is imported only there)."""

    def __init__(self, config: WorkerConfig) -> None:
        limit_threads(config.threads)
        self.worker: Worker = start_worker(config)

    def node(self) -> str:
        """Where this actor runs, for the summary: its node's address and the start of its id."""
        import ray

        return f"{ray.util.get_node_ip_address()} ({ray.get_runtime_context().get_node_id()[:8]})"

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


@dataclass
class ClusterReport:
    """What the summary says about the cluster: records scored per node, actors lost and what was sent again."""

    nodes: Counter[str] = field(default_factory=Counter)
    lost_actors: int = 0
    resent_records: int = 0

    def lines(self) -> list[str]:
        out = []
        if self.nodes:
            spread = ", ".join(f"{node} {count}" for node, count in sorted(self.nodes.items()))
            out.append(f"Ray: scored on {len(self.nodes)} node(s): {spread}")
        if self.lost_actors:
            out.append(
                f"Ray: {self.lost_actors} actor(s) lost with their node (or out of memory); the {self.resent_records} record(s)"
                " they held were sent to the actors left"
            )
        return out


def connect(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    if not address:
        # A Ray on this machine only, with its cores as CPUs.
        from qualicall.batch.runner import cores

        ray.init(num_cpus=cores(), include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        return
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        causes: list[str] = []
        cause: BaseException | None = exc
        while cause is not None and len(causes) < 8:
            causes.append(str(cause))
            cause = cause.__cause__ or cause.__context__
        if any("InvalidAuthToken" in text for text in causes):  # Ray says so only in the cause's traceback
            raise BatchError(
                f"the Ray cluster at {address} refused this process: it needs the cluster's token (export RAY_AUTH_MODE=token,"
                " and the head's token, `ray get-auth-token` there, in RAY_AUTH_TOKEN or ~/.ray/auth_token)"
            ) from None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BatchError(f"cannot join the Ray cluster at {address} (run the batch on one of its nodes): {reason}") from None


def run_ray(
    tasks: Callable[[int], Iterable[Task]],
    config: Callable[[int, int], WorkerConfig],
    workers: int | None,
    address: str | None,
    handle: Callable[[list[Outcome]], None],
    report: ClusterReport,
    say: Callable[[str], None],
) -> None:
    """Start the actors, stream the tasks to them and `handle` their outcomes as they come; `say` tells where
    the actors score and when one is lost, as it happens."""
    try:
        import ray
    except ImportError:
        raise BatchError("--backend ray needs Ray: pip install 'qualicall[ray]'") from None

    connect(address)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # An actor reserves at least one CPU: more actors than CPUs would wait for ever.
        count = max(1, min(workers or cpus, cpus))
        # Each actor's speech threads are CPUs it reserves: threads × actors ≤ the cluster's CPUs.
        threads = max(1, cpus // count)
        remote = ray.remote(num_cpus=threads, max_restarts=0, scheduling_strategy="SPREAD")(BatchActor)
        Dispatch(ray, remote, config(count, threads), threads, iter(tasks(count)), handle, report, say).run(count)
    finally:
        ray.shutdown()


@dataclass(eq=False)
class _Actor:
    handle: Any
    node: str = ""
    load: int = 0
    scored: bool = False  # it has sent results back
    lost: bool = False


class Dispatch:
    """Tasks to the actors that are up (`IN_FLIGHT` each), outcomes back; actors started, lost and replaced."""

    def __init__(
        self, ray: Any, remote: Any, settings: WorkerConfig, threads: int, queue: Iterator[Task], handle: Any, report: ClusterReport, say: Any
    ) -> None:
        from ray.exceptions import RayError, RayTaskError

        self.ray, self.remote, self.settings, self.threads = ray, remote, settings, threads
        self.queue, self.handle, self.report, self.say = queue, handle, report, say
        self.system_error, self.task_error = RayError, RayTaskError
        self.starting: dict[Any, _Actor] = {}  # an actor's `node()` call → the actor: it takes tasks once that answers
        self.ready: list[_Actor] = []
        self.inflight: dict[Any, tuple[_Actor, Task]] = {}
        self.again: deque[Task] = deque()  # tasks lost with their actor, sent before new ones
        self.sends: Counter[int] = Counter()
        self.exhausted = False  # every task of the queue has been sent

    def run(self, count: int) -> None:
        for _ in range(count):
            self._start()
        while True:
            self._send()
            # Done when nothing is left to send (an actor still starting is not waited for), or when work is left
            # and no actor is up or starting.
            if not self.inflight and (self.exhausted and not self.again or not self.starting):
                break
            [ref], _ = self.ray.wait([*self.inflight, *self.starting], num_returns=1)
            if ref in self.starting:
                self._started(ref)
            else:
                self._finished(ref)
        # No actor is left, nor room for a new one: what remains is reported, and a re-run scores it.
        for task in [*self.again, *self.queue]:
            self.handle(task.failed("no Ray actor left to score it: its node left the cluster and no other had a free CPU"))

    def _start(self) -> None:
        actor = self.remote.remote(self.settings)
        self.starting[actor.node.remote()] = _Actor(actor)

    def _started(self, ref: Any) -> None:
        actor = self.starting.pop(ref)
        try:
            actor.node = self.ray.get(ref)
        except self.task_error as exc:
            cause = exc.as_instanceof_cause()
            if isinstance(cause, WorkerStartError):  # every actor would fail alike: the batch stops
                raise WorkerStartError(str(cause).splitlines()[-1]) from None
            raise BatchError(f"a Ray actor cannot start: {str(exc).splitlines()[0]}") from None
        except self.system_error:
            self._lost(actor)
            return
        self.ready.append(actor)

    def _send(self) -> None:
        while self.ready:
            actor = min(self.ready, key=lambda a: a.load)
            if actor.load >= IN_FLIGHT:
                return
            task = self.again.popleft() if self.again else next(self.queue, None)
            if task is None:
                self.exhausted = True
                return
            if task.kind == "text":
                ref = actor.handle.texts.remote(task)
            else:
                ref = actor.handle.audio.remote(task, [Path(item.path).read_bytes() for item in task.items])
            self.sends[id(task)] += 1
            self.inflight[ref] = (actor, task)
            actor.load += 1

    def _finished(self, ref: Any) -> None:
        actor, task = self.inflight.pop(ref)
        actor.load -= 1
        try:
            outcomes = self.ray.get(ref)
        except self.task_error as exc:  # the task raised inside the actor: its records fail, the actor goes on
            outcomes = task.failed(f"the Ray actor failed: {str(exc.as_instanceof_cause()).strip().splitlines()[-1]}")
        except self.system_error:
            self._lost(actor)
            self._lost_task(task, actor)
            return
        self.sends.pop(id(task), None)
        if not actor.scored:
            actor.scored = True
            self.say(f"Ray: scoring on {actor.node}")
        self.report.nodes[actor.node] += sum(outcome.line is not None for outcome in outcomes)
        self.handle(outcomes)

    def _lost_task(self, task: Task, actor: _Actor) -> None:
        """The actor, its node or the result was lost: the task goes to another actor, once."""
        if self.sends[id(task)] < SENDS:
            self.again.append(task)
            self.report.resent_records += len(task.items)
            self.say(f"Ray: {len(task.items)} record(s) lost with the actor on {actor.node}: sent to the actors left")
            return
        self.sends.pop(id(task), None)
        self.handle(task.failed("lost twice with its Ray actor (nodes left the cluster, or it ran out of memory)"))

    def _lost(self, actor: _Actor) -> None:
        if actor.lost:
            return  # already counted, with an earlier task of its own
        actor.lost = True
        if actor in self.ready:
            self.ready.remove(actor)
        self.report.lost_actors += 1
        # A new actor where a CPU is free (the old one's, when only the actor died); none when its node left.
        if self.ray.available_resources().get("CPU", 0) >= self.threads:
            self._start()
