"""The audio worker: a process of its own that turns uploaded recordings into interactions.

Decoding and speech recognition are what can exhaust memory or crash on a
hostile file; in a separate process, their death leaves the API answering
(the job runner notices, and the job is queued again or failed). The API
keeps scoring, redaction and storage.

Protocol: `python -m qualicall.api.audio_worker PARENT_PID` reads one JSON
request per line on stdin — `{"path", "metadata", "options"}` (`options`:
`AudioOptions.choose`'s arguments) — and answers each with one JSON line:
`{"interaction", "measured", "audio_seconds"}`, or `{"error", "expected"}`
(`expected`: the recording's or the metadata's fault, as opposed to a bug).
Answers go to a private copy of stdout; what libraries print goes to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from qualicall.core.errors import QualicallError

log = logging.getLogger("qualicall.jobs")


class WorkerDied(QualicallError, RuntimeError):
    """The worker process ended while a recording was in it (killed, out of memory, crashed): one line."""


def _death(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        import signal

        name = signal.Signals(-returncode).name
        cause = " (out of memory, or killed by hand)" if name == "SIGKILL" else ""
        return f"the audio worker process was killed by {name}{cause}"
    return f"the audio worker process exited with status {returncode}"


class AudioWorker:
    """The API's handle on one worker process, started on first use and again after it dies."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.process: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def _start(self) -> subprocess.Popen[str]:
        from qualicall.service.workers import THREAD_VARIABLES

        env = {**os.environ, **{variable: str(self.threads) for variable in THREAD_VARIABLES}}
        return subprocess.Popen(
            [sys.executable, "-m", "qualicall.api.audio_worker", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, encoding="utf-8",
        )

    def transcribe(self, path: str, metadata: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        """The worker's answer for one recording; WorkerDied if the process ends first."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        process = self.process
        request = {"path": path, "metadata": metadata, "options": {**options, "threads": self.threads}}
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            process.stdin.flush()
            answer = process.stdout.readline()
        except (BrokenPipeError, OSError):
            answer = ""
        if not answer:
            self.process = None
            raise WorkerDied(_death(process.wait()))
        return json.loads(answer)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answer(request: dict[str, Any], transcribers: dict[str, Any]) -> dict[str, Any]:
    from qualicall.audio.pipeline import AudioError, AudioOptions, RecordingTranscriber

    key = json.dumps(request["options"], sort_keys=True)
    try:
        if key not in transcribers:  # in practice one per deployment: the agent's channel
            transcribers[key] = RecordingTranscriber(AudioOptions.choose(**request["options"]))
        recording = transcribers[key].transcribe(Path(request["path"]), request["metadata"])
    except AudioError as exc:  # the recording's fault; its reason without the server's path
        return {"error": exc.reason, "expected": True}
    except QualicallError as exc:  # the metadata's or the model's
        return {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__, "expected": True}
    except Exception as exc:
        log.exception("audio worker: %s", request["path"])
        return {"error": f"{type(exc).__name__}: {exc}", "expected": False}
    return {
        "interaction": recording.interaction.model_dump(mode="json", exclude_none=True),
        "measured": recording.measured,
        "audio_seconds": recording.audio_seconds,
    }


def serve(requests: TextIO, answers: TextIO) -> None:
    transcribers: dict[str, Any] = {}  # options → transcriber: the speech model loads once per worker
    for line in requests:
        answers.write(json.dumps(_answer(json.loads(line), transcribers), ensure_ascii=False) + "\n")
        answers.flush()


def main() -> None:
    from qualicall.service.workers import die_with_parent

    die_with_parent(int(sys.argv[1]))
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the answers
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
