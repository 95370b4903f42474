"""The worker side of a batch: one scorer and one speech model per worker, loaded once, shared by
the process pool (`local.py`) and the Ray actors (`ray_backend.py`).

A worker turns a task (a chunk of transcripts, or one recording) into
outcomes: the output line of each record (the result, redacted as the
deployment redacts, with its `batch` key) or the reason it failed. The lines
are made here, in parallel, so that the parent process only writes them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualicall.batch.errors import BatchError
from qualicall.service.workers import die_with_parent, limit_threads



@dataclass(frozen=True)
class WorkerConfig:
    """What every worker needs to know; picklable, sent once to each worker process or actor."""

    rubric: str | None = None
    redact: bool | None = None
    # Set with --store: results are stored with the interaction as the API stores it, its recording
    # replaced by a redacted copy in this folder (the API's data folder).
    redacted_recordings: str | None = None
    store: bool = False
    audio: dict[str, Any] = field(default_factory=dict)  # AudioOptions.choose's arguments given on the command line
    threads: int = 1  # speech-recognition threads of this worker (threads × workers ≤ cores)
    asr_tag: str = ""  # engine/model, written with each audio result
    preload_audio: bool = False  # load the speech model at start-up (the batch has recordings)


@dataclass(frozen=True)
class TextTask:
    key: str
    source: str
    text: str  # the record's JSON
    base: str  # the folder its relative `recording` path is relative to


@dataclass(frozen=True)
class AudioTask:
    key: str
    source: str
    path: str  # the recording on this machine (a Ray actor writes shipped bytes to a temporary file first)
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Task:
    """What one worker call does: a chunk of transcripts, or recordings in a row (decoded one ahead)."""

    kind: str  # "text" | "audio"
    items: list[Any]  # TextTask or AudioTask

    def run(self, worker: "Worker") -> list["Outcome"]:
        return worker.score_texts(self.items) if self.kind == "text" else worker.score_audio(self.items)

    def failed(self, reason: str) -> list["Outcome"]:
        """Every record of the task failed for one reason (its worker died): not journaled, so a re-run retries them."""
        return [Outcome(item.key, item.source, error=reason) for item in self.items]


@dataclass(slots=True)
class Outcome:
    key: str
    source: str
    interaction_id: str | None = None
    line: str | None = None  # the output line (result JSON with `batch`), None on failure
    stored: str | None = None  # with --store: the interaction JSON as stored (redacted)
    error: str | None = None
    audio_seconds: float = 0.0
    asr_cut: bool = False  # the transcription stopped at the pipeline's decoding budget (decoder passes)
    truncated: bool = False  # the recording is shorter than its header states (asr.truncated): its end is lost
    no_speech: bool = False  # nothing was said in the recording (roles.method none): scored with no quality score
    busy_seconds: float = 0.0  # time the worker spent on it (transcription + scoring)


class Worker:
    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self._service: Any = None
        self._transcriber: Any = None

    # --- models, loaded on first use ------------------------------------------

    def scoring(self):  # type: ignore[no-untyped-def]
        """A function interaction, measured → (interaction as stored, result as written)."""
        if self._service is None:
            from qualicall.service.scoring import ScoringService

            # With --store, the stored interaction points at a redacted copy of its recording, exactly as an
            # uploaded call would be stored.
            recordings = Path(self.config.redacted_recordings) if self.config.store and self.config.redacted_recordings else None
            self._service = ScoringService(self.config.rubric, self.config.redact, recordings, concurrency=1)
        return self._service.score

    def transcriber(self):  # type: ignore[no-untyped-def]
        if self._transcriber is None:
            from qualicall.audio.pipeline import AudioOptions, RecordingTranscriber

            self._transcriber = RecordingTranscriber(AudioOptions.choose(**self.config.audio, threads=self.config.threads))
        return self._transcriber

    def warm_up(self) -> None:
        """Load the scoring models now, so that a worker's first record is not charged with them."""
        self.scoring()
        self._service.warm_up()

    # --- tasks -------------------------------------------------------------------

    def score_texts(self, tasks: list[TextTask]) -> list[Outcome]:
        return [self._score_text(task) for task in tasks]

    def _score_text(self, task: TextTask) -> Outcome:
        from qualicall.core.interaction import parse_interaction

        started = time.perf_counter()
        outcome = Outcome(task.key, task.source)
        try:
            interaction = parse_interaction(json.loads(task.text), task.source)
            outcome.interaction_id = interaction.id
            if self.config.store and interaction.recording and "://" not in interaction.recording:
                # The stored interaction's recording is made relative to where the record came from.
                path = Path(interaction.recording).expanduser()
                if not path.is_absolute() and (Path(task.base) / path).exists():
                    interaction = interaction.model_copy(update={"recording": str((Path(task.base) / path).resolve())})
            self._finish(outcome, interaction, None, {})
        except Exception as exc:  # one bad record never stops the batch
            outcome.error = _reason(exc)
        outcome.busy_seconds = time.perf_counter() - started
        return outcome

    def score_audio(self, tasks: list[AudioTask]) -> list[Outcome]:
        """Recordings one after the other, each decoded in a thread while the previous one is transcribed
        (decoding holds no lock that transcription needs: PyAV and CTranslate2 release the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        decode = self.transcriber().decode
        outcomes = []
        with ThreadPoolExecutor(1, thread_name_prefix="qualicall-decode") as decoder:
            upcoming = decoder.submit(decode, Path(tasks[0].path))
            for index, task in enumerate(tasks):
                decoded = upcoming
                if index + 1 < len(tasks):
                    upcoming = decoder.submit(decode, Path(tasks[index + 1].path))
                outcomes.append(self._score_recording(task, decoded))
        return outcomes

    def _score_recording(self, task: AudioTask, decoded: Any) -> Outcome:
        started = time.perf_counter()
        outcome = Outcome(task.key, task.source, interaction_id=task.metadata.get("id"))
        try:
            recording = self.transcriber().transcribe(Path(task.path), dict(task.metadata), audio=decoded.result())
            outcome.audio_seconds = float(recording.audio_seconds or 0.0)
            # The file decoded, wherever the batch runs: a manifest's « audio/0001.wav » is relative to the manifest,
            # and the redacted copy that --store keeps was sought in the data folder (every recording failed).
            interaction = recording.interaction.model_copy(update={"recording": str(Path(task.path).resolve())})
            outcome.interaction_id = interaction.id
            asr = getattr(interaction, "asr", None) or {}
            # The pipeline stops decoding a recording past its time budget: such a transcript misses its end.
            outcome.asr_cut = bool(asr.get("cut"))
            outcome.truncated = bool(asr.get("truncated"))
            roles = getattr(interaction, "roles", None) or {}
            outcome.no_speech = isinstance(roles, dict) and roles.get("method") == "none"
            extra = {"audio_seconds": round(outcome.audio_seconds, 3), "asr": self.config.asr_tag, "asr_cut": outcome.asr_cut,
                     "truncated": outcome.truncated}
            self._finish(outcome, interaction, recording.measured, extra)
        except Exception as exc:
            outcome.error = _reason(exc)
        outcome.busy_seconds = time.perf_counter() - started
        return outcome

    def _finish(self, outcome: Outcome, interaction: Any, measured: dict[str, Any] | None, extra: dict[str, Any]) -> None:
        stored, result = self.scoring()(interaction, measured)
        data = result.to_json()
        data["batch"] = {"key": outcome.key, "source": outcome.source, **extra}
        outcome.line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if self.config.store:
            outcome.stored = json.dumps(stored.model_dump(mode="json", exclude_none=True), ensure_ascii=False)


def _reason(exc: BaseException) -> str:
    """One line: the message of an input error (it names the record and field), else the exception's type too."""
    from qualicall.core.interaction import InteractionError

    expected: tuple[type[BaseException], ...] = (InteractionError, json.JSONDecodeError)
    try:
        from qualicall.audio.pipeline import AudioError

        expected += (AudioError,)
    except ImportError:
        pass
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, ImportError) and "qualicall.audio" in str(exc):
        return "the audio pipeline is not installed (qualicall.audio): recordings cannot be transcribed"
    return text if isinstance(exc, expected) and text else f"{type(exc).__name__}: {text}".rstrip(": ")


# --- the process pool's side (one Worker per process) -----------------------------

class WorkerStartError(BatchError, RuntimeError):
    """A worker could not load its models: every task would fail alike, so the batch stops (one line)."""


_worker: Worker | None = None
_start_error: str | None = None


def start_worker(config: WorkerConfig) -> Worker:
    """A worker with its models loaded (the speech model too when the batch has recordings)."""
    worker = Worker(config)
    try:
        worker.warm_up()
        if config.preload_audio:
            worker.transcriber()
    except Exception as exc:
        raise WorkerStartError(f"a worker cannot load its models: {_reason(exc)}") from None
    return worker


def init_process(config: WorkerConfig, parent_pid: int) -> None:
    """Initializer of each pool process: its thread share, death with the batch, its models."""
    global _worker, _start_error
    import signal

    limit_threads(config.threads)
    die_with_parent(parent_pid)
    # Ctrl-C is the batch's to handle (it stops dispatching and sums up); a worker interrupted mid-record
    # would only break the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _worker = start_worker(config)
    except WorkerStartError as exc:
        _start_error = str(exc)  # raised with the first task, in the parent, rather than a broken pool


def _ready() -> Worker:
    if _worker is None:
        raise WorkerStartError(_start_error or "the worker did not start")
    return _worker


def run_task(task: Task) -> list[Outcome]:
    return task.run(_ready())

