"""`qualicall batch SOURCE… --out results.jsonl`."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer


@contextmanager
def stopped_as_by_ctrl_c() -> Iterator[list[int]]:
    """A service manager's stop (SIGTERM) ends the batch as Ctrl-C does: dispatch stops, the pool shuts down (it leaked
    its semaphores), the summary says how far it went; the list holds the signal received."""
    received: list[int] = []

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def register(app: typer.Typer) -> None:
    from qualicall.cli import fail, user_errors

    @app.command()
    def batch(
        sources: Annotated[list[Path], typer.Argument(help="folders of recordings and/or interaction .json/.jsonl, CSV or JSONL manifests, files")],
        out: Annotated[Path, typer.Option("--out", "-o", help="results JSONL; also the resume journal: a re-run skips what it holds")],
        workers: Annotated[Optional[int], typer.Option(help="worker processes (default: the cores; with Ray: the cluster's CPUs)", min=1)] = None,
        backend: Annotated[str, typer.Option(help="local (a process pool) | ray")] = "local",
        address: Annotated[Optional[str], typer.Option(help="Ray cluster to join, HEAD:6379, from one of its nodes (README, Batch: Ray); default: a local Ray")] = None,
        rubric: Annotated[Optional[str], typer.Option(help="rubric id or YAML file; default: by language")] = None,
        engine: Annotated[Optional[str], typer.Option(help="speech-recognition engine (audio pipeline default)")] = None,
        model: Annotated[Optional[str], typer.Option(help="speech-recognition model (audio pipeline default)")] = None,
        lang: Annotated[Optional[str], typer.Option(help="language of the recordings: fr | en | auto (default: the manifest's, else detected)")] = None,
        agent_channel: Annotated[Optional[str], typer.Option(help="stereo channel of the agent: auto | left | right (default auto)")] = None,
        store: Annotated[bool, typer.Option("--store", help="also store interactions and results in the API's database ($QUALICALL_DATABASE_URL)")] = False,
        redact: Annotated[Optional[bool], typer.Option("--redact/--no-redact", help="redact personal data (default: the deployment's privacy settings, on)")] = None,
        failures: Annotated[Optional[Path], typer.Option(help="where every failure and its reason go (default: OUT's name with .failures.jsonl)")] = None,
        progress: Annotated[bool, typer.Option("--progress/--no-progress", help="show the progress bar")] = True,
    ) -> None:
        """Score a night's recordings and transcripts on every core, with a progress bar; resumable and idempotent.

        Each result line carries `batch.key` (content hash, rubric id@version, speech engine/model): run the same
        command again after a crash or a kill and it goes on where it stopped, writing nothing twice.
        """
        from qualicall.batch.runner import BACKENDS, Batch, BatchOptions

        if backend not in BACKENDS:
            fail(f"unknown backend {backend!r} (use {' or '.join(BACKENDS)})")
        if address and backend != "ray":
            fail("--address is for --backend ray")
        if not any(source.exists() for source in sources):
            # the batch's only input unusable: a one-line error, exit 2 (it was « failed 1 », exit 1, as for one bad record)
            fail(f"{sources[0]}: no such file or folder")
        options = BatchOptions(
            sources=sources, out=out, workers=workers, backend=backend, address=address, rubric=rubric, engine=engine,
            model=model, lang=lang, agent_channel=agent_channel, store=store, redact=redact, failures=failures, progress=progress,
        )
        with user_errors():
            from qualicall.audio.pipeline import AudioOptions

            AudioOptions.choose(lang=lang, agent_channel=agent_channel)  # a typo fails before any model loads
            with stopped_as_by_ctrl_c() as received:
                summary = Batch(options).run()
        for line in summary.lines():
            typer.echo(f"qualicall: {line}", err=True)
        if not (summary.planned or summary.skipped_done or summary.skipped_duplicate or summary.failed or summary.interrupted):
            # an unmounted share or a night's folder not yet written: said, not a quiet « scored 0 »
            typer.echo(f"qualicall: warning: nothing to score in {', '.join(str(s) for s in sources)}", err=True)
        if summary.interrupted:
            raise typer.Exit(128 + received[0] if received else 130)  # 143 after SIGTERM, 130 after Ctrl-C
        if summary.failed:
            raise typer.Exit(1)
