"""The audio jobs and the webhook sender.

Each of `QUALICALL_AUDIO_WORKERS` threads claims jobs and hands their recordings to
a worker process of its own (`qualicall.api.audio_worker`, which keeps its
speech model loaded), then scores, redacts and stores the interaction it gets
back. A worker that dies (killed, out of memory) takes neither the API nor its
coach pages down: its job is queued again, or failed after `MAX_STARTS` tries,
and the next job starts a new worker. The queue is the `jobs` table (see
`qualicall.store.jobs`), so nothing accepted is lost when the service dies.
A job that ends, in success or failure, keeps no raw metadata; a failed one
keeps no upload either.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time

from fastapi import FastAPI

from qualicall.api import webhooks
from qualicall.api.audio_worker import AudioWorker, WorkerDied
from qualicall.api.messages import public_message
from qualicall.api.schemas import JobOut
from qualicall.core.errors import QualicallError
from qualicall.security import Sealed
from qualicall.settings import Settings
from qualicall.store import jobs as job_store
from qualicall.store.models import ApiKey, JobRow, ResultRow, utcnow
from qualicall.store.repository import seal_webhook_secrets, unopened_secrets, webhook_secret

log = logging.getLogger("qualicall.jobs")


class JobRunner:
    def __init__(self, app: FastAPI) -> None:
        self.store = app.state.store
        self.scoring = app.state.scoring
        self.settings = app.state.settings
        self.sealer = app.state.sealer
        self.wake = threading.Condition()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.workers: list[AudioWorker] = []
        self.running = 0

    def start(self) -> "JobRunner":
        with self.store.session() as session:
            requeued, failed = job_store.requeue_interrupted(session, "the service stopped while running it")
            if sealed := seal_webhook_secrets(session, self.sealer):
                log.warning("webhook secrets of %d API key(s) were stored in clear: sealed with %s", sealed, self.settings.sealing_key)
            if unopened := unopened_secrets(session, self.sealer):  # (an upgrade operator's review: a restore without it was silent)
                log.error("the webhook secrets of %d active API key(s) do not open with %s: their callbacks will fail unsigned. Was the"
                          " data folder restored without its sealing.key? Put it back (README, Backups)", unopened, self.settings.sealing_key)
        _discard(failed, self.settings)
        if requeued or failed:
            log.warning("jobs interrupted by the last stop: %d queued again, %d failed", requeued, len(failed))
        # The cores shared between the workers, so that jobs at once do not fight over them.
        threads = max(1, (os.cpu_count() or 1) // max(1, self.settings.audio_workers))
        self.workers = [AudioWorker(threads) for _ in range(self.settings.audio_workers)]
        for number, worker in enumerate(self.workers):
            self.threads.append(threading.Thread(target=self._work, args=(worker,), name=f"qualicall-job-{number}", daemon=True))
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
        for worker in self.workers:
            worker.stop()
        for thread in self.threads:
            thread.join(timeout=5)

    # --- jobs ---------------------------------------------------------------

    def _work(self, worker: AudioWorker) -> None:
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
                self._run(job, worker)
            finally:
                self.running -= 1

    def _run(self, job: JobRow, worker: AudioWorker) -> None:
        from qualicall.core.interaction import Interaction

        started = time.monotonic()
        options = {**job.options, "max_seconds": self.settings.max_recording_seconds}
        try:
            metadata = job_store.job_metadata(job, self.sealer)
        except Sealed:
            self._fail(job, f"its metadata cannot be opened: sealed with another key than {self.settings.data_dir.name}/{self.settings.sealing_key.name}")
            return
        try:
            answer = worker.transcribe(str(self.settings.local_file(job.upload_path)), metadata, options)
        except WorkerDied as died:
            if self.stopping.is_set():
                return  # stopped with the service: queued again at the next start
            log.error("job %s: %s", job.id, died)
            with self.store.session() as session:
                _, failed = job_store.requeue_interrupted(session, str(died), job_id=job.id)
                if failed:
                    self._enqueue_webhook(session, job.id)
            _discard(failed, self.settings)
            return
        try:
            if "error" in answer:
                raise JobFailed(answer["error"]) if answer["expected"] else RuntimeError(answer["error"])
            upload = self.settings.local_file(job.upload_path)
            interaction = Interaction.model_validate(answer["interaction"])
            with self.store.session() as session:
                row, stored = self.scoring.score_and_store(
                    session, interaction, api_key_id=job.api_key_id, measured=answer["measured"], recording=upload
                )
                job_store.complete_job(session, job.id, row, answer["audio_seconds"], round(time.monotonic() - started, 3))
                self._enqueue_webhook(session, job.id)
            if stored.recording != str(upload):
                # Redaction kept a copy without the personal data: the clear upload has served its purpose.
                upload.unlink(missing_ok=True)
            log.info("job %s: %s scored (version %d)", job.id, interaction.id, row.version)
        except Exception as exc:
            expected = isinstance(exc, QualicallError)  # the recording's or the metadata's fault
            message = public_message(str(exc).splitlines()[0] if expected and str(exc) else f"{type(exc).__name__}: {exc}")
            if not expected:
                log.exception("job %s failed", job.id)
            self._fail(job, message)

    def _fail(self, job: JobRow, message: str) -> None:
        with self.store.session() as session:
            job_store.fail_job(session, job.id, message)
            self._enqueue_webhook(session, job.id)
        _discard([job.upload_path], self.settings)

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
                            try:
                                error, final = self._post(client, session, delivery), False
                            except Unsigned as exc:  # no attempt can sign it: given up at once
                                error, final = str(exc), True
                            job_store.record_attempt(session, delivery, error, self.settings.webhook_attempts, self.settings.webhook_backoff_s,
                                                     final=final)
                            session.commit()
                            if delivery.status == "failed" and final:
                                log.error("webhook delivery %s of job %s not sent: %s", delivery.id, delivery.job_id, error)
                            elif delivery.status == "failed":  # (its URL, the client's, may carry personal data: not logged; the error may name its host)
                                log.warning("webhook delivery %s of job %s given up after %d attempts: %s", delivery.id, delivery.job_id, delivery.attempts, error)
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
            try:
                secret = webhook_secret(key, self.sealer)
            except Sealed:
                raise Unsigned(f"not signed: key {key.prefix}'s webhook secret was sealed with another key than this service's sealing.key") from None
            headers.update(webhooks.signed_headers(secret, body))
        # The answer's status is all a delivery needs: its body is never read, nor decompressed (a receiver's 611 kB of
        # gzip took 1 GB of the API process, a body trickled byte by byte held the one delivery thread: a security review).
        headers["Accept-Encoding"] = "identity"
        try:
            with client.stream("POST", url, content=body, headers=headers, extensions=extensions) as response:
                status = response.status_code
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None if 200 <= status < 300 else f"HTTP {status}"


class Unsigned(QualicallError):
    """A delivery whose key's webhook secret this service cannot open: no later attempt could sign it."""


class JobFailed(QualicallError):
    """A job the worker could not turn into an interaction, for a reason of the recording's or metadata's own."""


def _discard(uploads: list[str], settings: Settings) -> None:
    """The uploads of failed jobs: nothing will read them again."""
    for upload in uploads:
        settings.local_file(upload).unlink(missing_ok=True)


def start_jobs(app: FastAPI) -> JobRunner:
    runner = JobRunner(app).start()
    app.state.jobs = runner
    return runner
