"""The audio job workers and the webhook sender, threads inside the service.

Each worker thread keeps its own transcriber, so the speech models load once
per worker; the queue is the `jobs` table (see `qualicall.store.jobs`), so
nothing accepted is lost when the process dies.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from qualicall.api import webhooks
from qualicall.api.messages import public_message
from qualicall.api.schemas import JobOut
from qualicall.store import jobs as job_store
from qualicall.store.models import ApiKey, JobRow, ResultRow, utcnow

log = logging.getLogger("qualicall.jobs")


class JobRunner:
    def __init__(self, app: FastAPI) -> None:
        self.store = app.state.store
        self.scoring = app.state.scoring
        self.settings = app.state.settings
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.running = 0

    def start(self) -> "JobRunner":
        with self.store.session() as session:
            requeued, failed = job_store.requeue_interrupted(session)
        if requeued or failed:
            log.warning("jobs interrupted by the last stop: %d queued again, %d failed", requeued, failed)
        for number in range(self.settings.workers):
            self.threads.append(threading.Thread(target=self._work, name=f"qualicall-job-{number}", daemon=True))
        self.threads.append(threading.Thread(target=self._deliver, name="qualicall-webhooks", daemon=True))
        for thread in self.threads:
            thread.start()
        return self

    def notify(self) -> None:
        with self.wake:
            self.wake.notify_all()

    def stop(self) -> None:
        self.stopping.set()
        self.notify()
        for thread in self.threads:
            thread.join(timeout=5)

    # --- jobs ---------------------------------------------------------------

    def _work(self) -> None:
        transcribers: dict[str, Any] = {}  # options → transcriber, kept for the worker's life
        while not self.stopping.is_set():
            try:
                with self.store.session() as session:
                    job = job_store.claim_next(session)
            except Exception:
                log.exception("cannot read the job queue")
                job = None
            if job is None:
                with self.wake:
                    self.wake.wait(timeout=2)
                continue
            self.running += 1
            try:
                self._run(job, transcribers)
            finally:
                self.running -= 1

    def _transcriber(self, options: dict[str, Any], cache: dict[str, Any]):  # type: ignore[no-untyped-def]
        """This worker's transcriber for a job's options (in practice one per deployment: the agent's channel)."""
        import os

        from qualicall.audio.pipeline import AudioOptions, RecordingTranscriber

        key = json.dumps(options, sort_keys=True)
        if key not in cache:
            # The cores shared between the workers, so that jobs at once do not fight over them.
            threads = max(1, (os.cpu_count() or 1) // max(1, self.settings.workers))
            cache[key] = RecordingTranscriber(AudioOptions(**options, threads=threads))
        return cache[key]

    def _run(self, job: JobRow, transcribers: dict[str, Any]) -> None:
        from qualicall.audio.pipeline import AudioError
        from qualicall.core.interaction import InteractionError

        started = time.monotonic()
        try:
            recording = self._transcriber(job.options, transcribers).transcribe(Path(job.upload_path), job.metadata_json)
            with self.store.session() as session:
                row, stored = self.scoring.score_and_store(
                    session, recording.interaction, api_key_id=job.api_key_id, measured=recording.measured
                )
                job_store.complete_job(session, job.id, row, recording.audio_seconds, round(time.monotonic() - started, 3))
                self._enqueue_webhook(session, job.id)
            if stored.recording != job.upload_path:
                # Redaction kept a copy without the personal data: the clear upload has served its purpose.
                Path(job.upload_path).unlink(missing_ok=True)
            log.info("job %s: %s scored (version %d)", job.id, recording.interaction.id, row.version)
        except Exception as exc:
            expected = isinstance(exc, (AudioError, InteractionError))  # the recording's or the metadata's fault
            message = public_message(str(exc).splitlines()[0] if expected and str(exc) else f"{type(exc).__name__}: {exc}")
            if not expected:
                log.exception("job %s failed", job.id)
            with self.store.session() as session:
                job_store.fail_job(session, job.id, message)
                self._enqueue_webhook(session, job.id)

    def _enqueue_webhook(self, session, job_id: str) -> None:  # type: ignore[no-untyped-def]
        job = job_store.get_job(session, job_id)
        if job is None or not job.callback_url:
            return
        session.refresh(job)
        result = session.get(ResultRow, job.result_id) if job.result_id else None
        delivery = job_store.enqueue_delivery(session, job, "")
        # The delivery id is in the body too: the receiver de-duplicates retried deliveries on it.
        payload = {
            "event": f"job.{job.status}",
            "delivery_id": delivery.id,
            "job": JobOut.of(job, result.version if result else None).model_dump(mode="json"),
            "result": result.data if result else None,
        }
        delivery.body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    # --- webhooks -----------------------------------------------------------

    def _deliver(self) -> None:
        import httpx

        with httpx.Client(timeout=self.settings.webhook_timeout_s, follow_redirects=False) as client:
            while not self.stopping.is_set():
                try:
                    with self.store.session() as session:
                        for delivery in job_store.due_deliveries(session, utcnow()):
                            error = self._post(client, session, delivery)
                            job_store.record_attempt(session, delivery, error, self.settings.webhook_attempts, self.settings.webhook_backoff_s)
                            session.commit()
                except Exception:
                    log.exception("webhook delivery loop")
                self.stopping.wait(0.5)

    def _post(self, client, session, delivery) -> str | None:  # type: ignore[no-untyped-def]
        import httpx

        key = session.get(ApiKey, delivery.api_key_id) if delivery.api_key_id else None
        body = delivery.body.encode()
        event = json.loads(delivery.body).get("event", "job")
        try:
            url, headers, extensions = webhooks.pinned_request(delivery.url, self.settings.webhook_allowed_hosts)
        except webhooks.TargetRefused as exc:
            return f"refused: {exc}"
        headers.update({"Content-Type": "application/json", webhooks.DELIVERY_HEADER: delivery.id, webhooks.EVENT_HEADER: event})
        if key is not None:
            headers.update(webhooks.signed_headers(key.webhook_secret, body))
        try:
            response = client.post(url, content=body, headers=headers, extensions=extensions)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def start_jobs(app: FastAPI) -> JobRunner:
    runner = JobRunner(app).start()
    app.state.jobs = runner
    return runner
