"""A batch from start to end: plan the SOURCEs, skip what the output already holds, dispatch the rest
to a backend, write each result once, show progress, and sum up."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, get_args

from qualicall.batch import FAILURES_SUFFIX
from qualicall.batch.errors import BatchError
from qualicall.batch.items import Plan, Planner, Problem, WorkItem, without_text_hash
from qualicall.batch.journal import ResultJournal
from qualicall.batch.work import AudioTask, Outcome, Task, TextTask, WorkerConfig

if TYPE_CHECKING:
    from qualicall.batch.ray_backend import ClusterReport
    from qualicall.privacy import Redactor

BACKENDS = ("local", "ray")
MAX_CHUNK = 64  # transcripts per task: enough to make inter-process traffic negligible


@dataclass
class BatchOptions:
    sources: list[Path]
    out: Path
    workers: int | None = None  # default: the cores (local) or the cluster's CPUs (ray)
    backend: str = "local"
    address: str | None = None  # a Ray cluster's address
    rubric: str | None = None
    engine: str | None = None
    model: str | None = None
    lang: str | None = None
    agent_channel: str | None = None
    store: bool = False
    redact: bool | None = None
    failures: Path | None = None  # default: next to the output, `<out>.failures.jsonl`
    progress: bool = True


@dataclass
class Summary:
    planned: int = 0
    scored: int = 0
    skipped_done: int = 0
    skipped_duplicate: int = 0
    stored: int = 0
    failed: list[Problem] = field(default_factory=list)
    audio_seconds: float = 0.0
    asr_cut: int = 0  # recordings whose transcription used up the decoding budget (decoder passes)
    truncated: int = 0  # recordings shorter than their header states
    no_speech: int = 0  # recordings in which nothing was said
    shared_ids: list[str] = field(default_factory=list)  # ids of more than one record of different content
    busy_seconds: float = 0.0
    wall_seconds: float = 0.0
    repaired_bytes: int = 0
    ignored_files: int = 0
    interrupted: bool = False
    failures_path: Path | None = None
    cluster: "ClusterReport | None" = None  # with --backend ray: records per node, actors lost

    def lines(self) -> list[str]:
        out = [
            f"scored {self.scored}, skipped {self.skipped_done} already done"
            + (f" and {self.skipped_duplicate} duplicate(s) of another record" if self.skipped_duplicate else "")
            + f", failed {len(self.failed)}"
            + (f", stored {self.stored} in the database" if self.stored else "")
            + f" in {self.wall_seconds:.1f} s"
            + (" (interrupted: run the same command again to go on)" if self.interrupted else "")
        ]
        if self.audio_seconds:
            out.append(
                f"audio {self.audio_seconds / 3600:.3f} h in {self.wall_seconds / 3600:.3f} h of wall time: "
                f"{self.audio_seconds / max(self.wall_seconds, 1e-9):.2f}× real time (RTF {self.wall_seconds / self.audio_seconds:.3f})"
            )
        if self.asr_cut:
            out.append(
                f"{self.asr_cut} recording(s) transcribed only in part: decoding used up its budget of decoder passes (degenerate"
                " decoding, windows advancing by a few seconds; the same on any load); their lines say batch.asr_cut"
            )
        if self.shared_ids:
            named = ", ".join(self.shared_ids[:3]) + (", …" if len(self.shared_ids) > 3 else "")
            out.append(
                f"{len(self.shared_ids)} id(s) given to records of different content ({named}): each scored, and a report"
                " counts one contact per id, its last result"
            )
        if self.no_speech:
            out.append(
                f"{self.no_speech} recording(s) in which nobody speaks (silence, music, a line left open): no quality score;"
                " their lines say roles.method none"
            )
        if self.truncated:
            out.append(
                f"{self.truncated} recording(s) shorter than their header states (an upload or a copy that stopped): scored"
                " on what they hold, their end lost; their lines say batch.truncated"
            )
        if self.cluster is not None:
            out.extend(self.cluster.lines())
        if self.repaired_bytes:
            out.append(f"the output's last line was cut by the previous run's end: {self.repaired_bytes} bytes removed, that record scored again")
        if self.ignored_files:
            out.append(f"{self.ignored_files} file(s) of other types in the folders were ignored")
        for problem in self.failed[:20]:
            out.append(f"failed: {problem}")
        if len(self.failed) > 20:
            out.append(f"… and {len(self.failed) - 20} more failures")
        if self.failed and self.failures_path is not None:
            out.append(f"every failure, with its reason: {self.failures_path}")
        return out


def default_failures_path(out: Path) -> Path:
    return out.with_name(out.name.removesuffix(".jsonl") + FAILURES_SUFFIX)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- what the keys are made of ---------------------------------------------------

def rubric_tag(rubric: str | None) -> tuple[str, set[str]]:
    """The rubric part of the keys (`id@version` and the start of its text's hash, for every default rubric when chosen by
    language: a rubric edited without a new version scores again) and the indicator names those rubrics know (the
    manifest columns read as indicators)."""
    from qualicall.core.interaction import Language
    from qualicall.scorer.rubric import default_rubric_id, load_rubric

    rubrics = [load_rubric(rubric)] if rubric else [load_rubric(default_rubric_id(lang)) for lang in get_args(Language)]
    tag = "+".join(f"{r.id}@{r.version}#{(r.text_digest or '')[:12]}" for r in rubrics)
    return tag, {name for r in rubrics for name in r.indicators}


def audio_settings(options: BatchOptions) -> dict[str, Any]:
    given = {"engine": options.engine, "model": options.model, "lang": options.lang, "agent_channel": options.agent_channel}
    return {k: v for k, v in given.items() if v is not None}


def asr_tag(settings: dict[str, Any]) -> str:
    """Engine/model/language/channel as the audio pipeline resolves them (its defaults filled in)."""
    from qualicall.audio.pipeline import AudioOptions

    resolved = AudioOptions.choose(**settings)
    return f"{resolved.engine}-{resolved.asr.model or 'default'}-{resolved.lang}-{resolved.agent_channel}"


def audio_suffixes() -> tuple[tuple[str, ...], str | None]:
    """The recordings' suffixes, and why recordings cannot be transcribed here (None when they can)."""
    from qualicall.audio import unavailable
    from qualicall.audio.decode import AUDIO_SUFFIXES

    # Without the audio extra, recordings are still found and reported, not silently ignored.
    return tuple(sorted(AUDIO_SUFFIXES)), unavailable()


# --- the run ------------------------------------------------------------------------

class Batch:
    def __init__(self, options: BatchOptions, stderr: IO[str] | None = None) -> None:
        self.options = options
        self.summary = Summary()
        self.stderr = stderr
        self.store: Any = None
        self.failures_stream: IO[str] | None = None
        self._done_keys: set[str] = set()
        self._progress: Any = None
        self._task_id: Any = None
        self._started = 0.0

    @cached_property
    def _redactor(self) -> "Redactor | None":
        """The deployment's redactor, made at the first failure (most batches have none to report)."""
        from qualicall.privacy import deployment_redactor

        return deployment_redactor(self.options.redact)

    def plan(self, tag: str, indicators: set[str]) -> Plan:
        options = self.options
        suffixes, audio_problem = audio_suffixes()
        settings = audio_settings(options)

        def recording_tag() -> str:
            return "" if audio_problem else asr_tag(settings)  # recordings are then reported, never scored

        failures = options.failures or default_failures_path(options.out)
        planner = Planner(tag, recording_tag, suffixes, indicators, exclude=(options.out, failures))
        for source in options.sources:
            planner.add(source)
        plan = planner.finish()
        if audio_problem:
            for item in [i for i in plan.items if i.kind == "audio"]:
                plan.problems.append(Problem(item.source, audio_problem))
            plan.items = [i for i in plan.items if i.kind != "audio"]
        self._asr_tag = planner._asr_tag_value or ""
        return plan

    def run(self) -> Summary:
        options = self.options
        summary = self.summary
        self._started = time.perf_counter()
        failures_path = options.failures or default_failures_path(options.out)
        summary.failures_path = failures_path
        tag, indicators = rubric_tag(options.rubric)  # an unknown rubric stops the batch before any file is touched
        with ResultJournal(options.out) as journal:
            self.journal = journal
            summary.repaired_bytes = journal.repaired_bytes
            plan = self.plan(tag, indicators)
            summary.ignored_files = plan.ignored
            summary.shared_ids = plan.shared_ids
            todo: list[WorkItem] = []
            seen: set[str] = set()
            for item in plan.items:
                # A record's second copy is a duplicate whether its first was done before or is to do now: "already done"
                # counts records the output holds (it counted a done record's copies too, more than the output held).
                if item.key in seen:
                    summary.skipped_duplicate += 1
                    continue
                seen.add(item.key)
                if item.key in journal.done or without_text_hash(item.key) in journal.done:
                    summary.skipped_done += 1
                else:
                    todo.append(item)
            summary.planned = len(todo)
            failures_path.parent.mkdir(parents=True, exist_ok=True)
            with failures_path.open("w", encoding="utf-8") as self.failures_stream:
                for problem in plan.problems:
                    self._failed(problem)
                if options.store:
                    self._open_store()
                try:
                    with self._progress_bar(len(todo)):
                        if todo:
                            self._dispatch(todo)
                except KeyboardInterrupt:
                    summary.interrupted = True
                finally:
                    if self.store is not None:
                        self.store.close()
        summary.wall_seconds = time.perf_counter() - self._started
        if not summary.failed:
            failures_path.unlink(missing_ok=True)
            summary.failures_path = None
        return summary

    # --- dispatch ------------------------------------------------------------------

    def _config(self, todo: list[WorkItem], threads: int) -> WorkerConfig:
        options = self.options
        redacted = None
        if options.store:
            from qualicall.settings import Settings

            redacted = str(Settings().redacted_recordings_dir)  # where the API keeps them
        return WorkerConfig(
            rubric=options.rubric,
            redact=options.redact,
            redacted_recordings=redacted,
            store=options.store,
            audio=audio_settings(options),
            threads=threads,
            asr_tag=self._asr_tag,
            preload_audio=any(i.kind == "audio" for i in todo),
        )

    def _dispatch(self, todo: list[WorkItem]) -> None:
        options = self.options
        if options.backend == "ray":
            from qualicall.batch.ray_backend import ClusterReport, run_ray

            self.summary.cluster = ClusterReport()
            run_ray(
                lambda workers: tasks(todo, workers), lambda _, threads: self._config(todo, threads), options.workers, options.address,
                self._handle, self.summary.cluster, self._say,
            )
            return
        from qualicall.batch.local import run_local

        workers = max(1, options.workers or cores())
        # Speech threads × workers ≤ cores: each worker gets its share.
        run_local(tasks(todo, workers), self._config(todo, max(1, cores() // workers)), workers, self._handle)

    def _handle(self, outcomes: list[Outcome]) -> None:
        """Outcomes of one task, in the parent: into the database (with --store), then the output, flushed."""
        lines = []
        for outcome in outcomes:
            if outcome.line is None:
                self._failed(Problem(outcome.source, outcome.error or "failed"))
                continue
            if self.store is not None:
                try:
                    self._save(outcome)
                except Exception as exc:  # a record the database refuses is reported; the batch goes on
                    self._failed(Problem(outcome.source, f"not stored: {type(exc).__name__}: {str(exc).splitlines()[0]}"))
                    continue
            lines.append(outcome.line)
            self.summary.audio_seconds += outcome.audio_seconds
            self.summary.asr_cut += outcome.asr_cut
            self.summary.truncated += outcome.truncated
            self.summary.no_speech += outcome.no_speech
            self.summary.busy_seconds += outcome.busy_seconds
        # One write and one fsync for a chunk's lines: each is on disk before the next task's are written.
        self.journal.append(lines)
        self.summary.scored += len(lines)
        self._advance(len(outcomes))

    def _say(self, line: str) -> None:
        """A line about the run as it happens (above the progress bar when there is one)."""
        if self._progress is not None:
            self._progress.console.print(f"qualicall: {line}", markup=False, highlight=False)
            return
        import sys

        print(f"qualicall: {line}", file=self.stderr or sys.stderr, flush=True)

    def _failed(self, problem: Problem) -> None:
        from qualicall.privacy import redact_message

        # What a refused record's reason quotes is redacted as the results are (a card typed in an indicator's field).
        problem = Problem(problem.source, redact_message(self._redactor, problem.reason))
        self.summary.failed.append(problem)
        if self.failures_stream is not None:
            self.failures_stream.write(json.dumps({"source": problem.source, "reason": problem.reason}, ensure_ascii=False) + "\n")
            self.failures_stream.flush()

    # --- the database (--store) --------------------------------------------------------

    def _open_store(self) -> None:
        from qualicall.settings import Settings
        from qualicall.store.db import Store, StoreError

        try:
            self.store = Store.for_command(Settings().url)
        except StoreError as exc:
            raise BatchError(str(exc)) from None

    def _save(self, outcome: Outcome) -> None:
        """Store a result unless the database already has it as the interaction's latest (a batch killed between
        the database and the output file): a re-run never adds the same result version twice."""
        from qualicall.core.interaction import Interaction
        from qualicall.core.result import Result
        from qualicall.store.repository import get_interaction, latest_result, save_scored

        data = json.loads(outcome.line or "{}")
        interaction = Interaction.model_validate(json.loads(outcome.stored or "{}"))
        with self.store.session() as session:
            row = get_interaction(session, interaction.id)
            latest = latest_result(session, row) if row is not None else None
            if latest is not None and (latest.data.get("batch") or {}).get("key") in (outcome.key, without_text_hash(outcome.key)):
                return
            save_scored(session, interaction, Result.model_validate(data))
        self.summary.stored += 1

    # --- progress --------------------------------------------------------------------

    def _progress_bar(self, total: int):  # type: ignore[no-untyped-def]
        from contextlib import nullcontext

        if not self.options.progress:
            return nullcontext()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        console = Console(file=self.stderr) if self.stderr is not None else Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[audio]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=console,
            transient=False,
        )
        self._task_id = self._progress.add_task("batch", total=total, audio="", failed="")
        return self._progress

    def _advance(self, count: int) -> None:
        if self._progress is None:
            return
        summary = self.summary
        elapsed = time.perf_counter() - self._started
        audio = ""
        if summary.audio_seconds:
            audio = f"audio {summary.audio_seconds / 3600:.2f} h, RTF {elapsed / summary.audio_seconds:.2f}"
        failed = f"[red]{len(summary.failed)} failed" if summary.failed else "0 failed"
        self._progress.update(self._task_id, advance=count, audio=audio, failed=failed)


def tasks(todo: list[WorkItem], workers: int) -> Iterator[Task]:
    """Recordings first, longest first, in pairs when there are enough to keep every worker busy (a worker
    decodes the second while it transcribes the first); then transcripts in chunks: small enough that every
    worker gets several, large enough that sending them costs nothing."""
    audio = [AudioTask(i.key, i.source, i.path, i.metadata or {}) for i in todo if i.kind == "audio"]
    pair = 2 if len(audio) >= 2 * workers else 1
    for start in range(0, len(audio), pair):
        yield Task("audio", audio[start : start + pair])
    text = [i for i in todo if i.kind == "text"]
    size = max(1, min(MAX_CHUNK, -(-len(text) // (workers * 4))))
    for start in range(0, len(text), size):
        yield Task("text", [TextTask(i.key, i.source, i.record_text(), str(Path(i.path).parent)) for i in text[start : start + size]])
