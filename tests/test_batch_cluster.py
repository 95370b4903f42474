"""The README's Ray guide run for real (issue 15, target 7): a head and a second node started on this machine with
`ray start`, each with its own ports, temporary folder and CPU, and token authentication as a cluster of machines
has it; `qualicall batch --backend ray` spread over both; the second node's raylet killed with -9 in the middle of
the run; the batch goes on with the head, and a re-run finds nothing left: every record once, each result equal to
a clean local run's. Transcripts, not recordings: the point is distribution, loss and resume.

Every process the test starts carries its own token in its environment: at the end, whatever still has it (nodes,
actors) is killed by its id, and the temporary folders removed, pass or fail."""

from __future__ import annotations

import os
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT
from test_batch import by_key, make_corpus, read_results

pytestmark = pytest.mark.slow

RECORDS = 400  # 8 chunks of 51 on two actors: when the second node sends its first results, it holds more
RAY = Path(sys.executable).with_name("ray")


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    stack = [pid]
    while stack:
        for task in Path(f"/proc/{stack.pop()}/task").glob("*"):
            try:
                children = {int(child) for child in (task / "children").read_text().split()}
            except OSError:
                continue
            stack.extend(children - found)
            found |= children
    return found


def _carrying(token: str) -> list[int]:
    """The processes whose environment holds this run's token: the ones this test started, and theirs."""
    needle = f"RAY_AUTH_TOKEN={token}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Node:
    process: subprocess.Popen[bytes]
    log: Path

    def raylet(self) -> tuple[int, str]:
        """The node's raylet: its process id and the node id it registered."""
        for pid in _descendants(self.process.pid):
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "raylet":
                    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
                    return pid, next(a.split("=", 1)[1] for a in arguments if a.startswith("--node_id="))
            except OSError:
                continue
        raise AssertionError(f"no raylet under `ray start` {self.process.pid}:\n{self.log.read_text()[-2000:]}")


@dataclass
class Cluster:
    address: str
    env: dict[str, str]
    head: Node
    worker: Node


def _start_node(arguments: list[str], folder: Path, env: dict[str, str], nodes: list[Node]) -> Node:
    """`ray start --block` in a session of its own; returns once the node runs (it has joined the cluster)."""
    ports = iter(_free_ports(12))
    command = [
        str(RAY), "start", "--block", *arguments, "--num-cpus=1", f"--temp-dir={folder}", "--object-store-memory=100000000",
        f"--node-manager-port={next(ports)}", f"--object-manager-port={next(ports)}", f"--dashboard-agent-listen-port={next(ports)}",
        f"--dashboard-agent-grpc-port={next(ports)}", f"--metrics-export-port={next(ports)}", f"--runtime-env-agent-port={next(ports)}",
        "--worker-port-list=" + ",".join(str(next(ports)) for _ in range(6)), "--disable-usage-stats",
    ]
    log = folder.with_suffix(".log")
    with log.open("wb") as stream:
        node = Node(subprocess.Popen(command, env=env, stdout=stream, stderr=subprocess.STDOUT, start_new_session=True), log)
    nodes.append(node)
    deadline = time.monotonic() + 180
    while "Ray runtime started" not in log.read_text(errors="replace"):
        assert node.process.poll() is None and time.monotonic() < deadline, f"`ray start` failed:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
    return node


@contextmanager
def ray_cluster():
    """The guide's two commands on one machine: a head, then a node joining it, one CPU each, no dashboard."""
    root = Path(tempfile.mkdtemp(prefix="qc-ray-"))  # short: Ray's socket paths under it must fit in 107 bytes
    token = secrets.token_hex(32)
    env = {
        **os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token, "RAY_USAGE_STATS_ENABLED": "0",
        # The head notices a lost node after 3 missed checks a second apart (Ray's default: 5, 3 s apart).
        "RAY_health_check_period_ms": "1000", "RAY_health_check_failure_threshold": "3",
    }
    nodes: list[Node] = []
    try:
        [port, dashboard] = _free_ports(2)
        head = _start_node(["--head", f"--port={port}", "--include-dashboard=false", f"--dashboard-port={dashboard}"], root / "head", env, nodes)
        worker = _start_node([f"--address=127.0.0.1:{port}"], root / "worker", env, nodes)
        yield Cluster(f"127.0.0.1:{port}", env, head, worker)
    finally:
        for node in nodes:
            try:
                os.killpg(node.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in _carrying(token):  # actors and agents leave the nodes' sessions: found by the token
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for node in nodes:
            node.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while (left := _carrying(token)) and time.monotonic() < deadline:
            time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"Ray processes left running: {left}"


def _lines(stream) -> queue.Queue[str | None]:  # type: ignore[no-untyped-def]
    """A process's stderr, line by line as it comes (None at its end)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_batch_spreads_over_two_nodes_loses_one_mid_run_and_writes_every_record_once(tmp_path):
    pytest.importorskip("ray")
    started = time.monotonic()
    folder = tmp_path / "night"
    good = make_corpus(folder, RECORDS)["good"] - 1  # the damaged file is left out: every record here is scored
    sources = [str(folder / "calls.jsonl"), str(folder / "sub")]
    clean, out = tmp_path / "clean.jsonl", tmp_path / "results.jsonl"
    with ExitStack() as stack:
        # The reference, on one local worker, while the cluster starts.
        reference = subprocess.Popen(
            [sys.executable, "-m", "qualicall", "batch", *sources, "--out", str(clean), "--workers", "1", "--no-progress"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        stack.callback(lambda: reference.poll() is None and reference.kill())
        cluster = stack.enter_context(ray_cluster())
        up = time.monotonic()
        head_raylet, head_id = cluster.head.raylet()
        worker_raylet, worker_id = cluster.worker.raylet()
        assert head_id != worker_id

        command = [
            sys.executable, "-m", "qualicall", "batch", *sources, "--out", str(out), "--backend", "ray",
            "--address", cluster.address, "--workers", "2", "--no-progress",
        ]
        batch = subprocess.Popen(command, cwd=ROOT, env=cluster.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stack.callback(lambda: batch.poll() is None and batch.kill())
        # Once the second node has sent results back, it is lost: its raylet killed with -9.
        there = re.compile(rf"Ray: scoring on \S+ \({worker_id[:8]}\)")
        said: list[str] = []
        lines = _lines(batch.stderr)
        deadline = time.monotonic() + 300
        while not (said and there.search(said[-1])):
            line = lines.get(timeout=max(1, deadline - time.monotonic()))
            assert line is not None, "".join(said)
            said.append(line)
        # Lines the batch finished writing: it is writing the next one meanwhile (a partial line is no result yet).
        written = out.read_text(encoding="utf-8").count("\n") if out.exists() else 0
        os.kill(worker_raylet, signal.SIGKILL)
        killed = time.monotonic()
        assert written < good, f"the batch was done ({written} lines) before the node could be lost"
        while (line := lines.get(timeout=300)) is not None:
            said.append(line)
        assert batch.wait(timeout=60) == 0, "".join(said)
        ended = time.monotonic()
        summary = "".join(said)
        assert f"scored {good}, skipped 0 already done, failed 0" in summary, summary
        # Results from both nodes, every one written once; what the lost node held went to the head.
        spread = re.search(r"Ray: scored on 2 node\(s\): (.+)", summary)
        assert spread, summary
        per_node = {node: int(count) for node, count in re.findall(r"\((\w+)\) (\d+)", spread.group(1))}
        assert set(per_node) == {head_id[:8], worker_id[:8]} and min(per_node.values()) > 0 and sum(per_node.values()) == good
        lost = re.search(r"Ray: 1 actor\(s\) lost with their node \(or out of memory\); the (\d+) record\(s\) they held were sent", summary)
        assert lost and int(lost.group(1)) > 0, summary
        assert reference.wait(timeout=300) == 0, reference.stderr.read()
        assert by_key(read_results(out)) == by_key(read_results(clean))  # nothing lost, nothing twice, the same results

        # The same command again, on what is left of the cluster: nothing to do, nothing written.
        before = out.read_bytes()
        again = subprocess.run(command, cwd=ROOT, env=cluster.env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0 and f"scored 0, skipped {good} already done, failed 0" in again.stderr, again.stderr
        assert out.read_bytes() == before
    load = os.getloadavg()[0]
    print(
        f"\ncluster up in {up - started:.1f} s; batch killed its node after {killed - up:.1f} s and ended {ended - killed:.1f} s later;"
        f" {time.monotonic() - started:.1f} s in all (load average {load:.1f}); {written} lines written at the kill; per node {per_node},"
        f" {lost.group(1)} records sent again"
    )
