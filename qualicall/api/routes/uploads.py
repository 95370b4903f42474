"""Audio uploads on POST /v1/interactions (multipart): streamed to disk, checked, queued as a job → 202.

Checked before a job is made: the size (413), the type (415), the metadata (422), and the recording's
header: a readable audio stream (422) no longer than QUALICALL_MAX_RECORDING_HOURS (413), read without
decoding. What is refused leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from qualicall.api import idempotency, webhooks
from qualicall.api.deps import Client
from qualicall.api.routes.interactions import check_door_size, parse_json, validate_interaction
from qualicall.api.schemas import JobOut
from qualicall.settings import Settings
from qualicall.store import jobs as job_store

FIELDS = ("audio", "metadata", "callback_url", "agent_channel")
# Accepting a job checks the queue's length and adds to it: one request at a time in this process.
_accepting = threading.Lock()


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message}])


async def _limited(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"upload above the limit ({limit} bytes with the form's fields; QUALICALL_MAX_UPLOAD_MB)")
        yield chunk


def _queue_full(request: Request, settings: Settings) -> HTTPException | None:
    with request.app.state.store.session() as session:
        if job_store.count_queued(session) < settings.queue_size:
            return None
    return HTTPException(429, f"audio queue full ({settings.queue_size} jobs waiting): retry later",
                         headers={"Retry-After": str(settings.retry_after_s)})


def _probe(path: Path, settings: Settings) -> HTTPException | None:
    """Why the recording at `path` cannot be taken, from its header (nothing is decoded), or None if it can."""
    from qualicall.audio.decode import AudioError, RecordingTooLong, probe

    try:
        probe(path, settings.max_recording_seconds)
    except RecordingTooLong as exc:
        return HTTPException(413, f"{exc.reason} (QUALICALL_MAX_RECORDING_HOURS)")
    except AudioError as exc:
        return HTTPException(422, exc.reason)  # the reason only: the server's path is nobody's business
    return None


def _save(upload: UploadFile, target: Path) -> str:
    """Copy the spooled upload to its place, in chunks; returns its sha256."""
    digest = hashlib.sha256()
    upload.file.seek(0)
    with target.open("wb") as out:
        while chunk := upload.file.read(1024 * 1024):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _metadata(raw: Any) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, str):
        raise _invalid("metadata", "a JSON object as a text field")
    data = parse_json(raw, loc=("body", "metadata"))  # read as a JSON body is: depth, big integers, NaN
    if not isinstance(data, dict):
        raise _invalid("metadata", "expected a JSON object")
    if "turns" in data:
        raise _invalid("metadata", "turns come from the recording: post JSON to score a transcript")
    if "recording" in data:
        raise _invalid("metadata", "the recording is the uploaded file: leave `recording` out of the metadata")
    return data


def _callback(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    expected = "an http(s) URL with a host and, if any, a port from 0 to 65535"
    if not isinstance(raw, str):
        raise _invalid("callback_url", expected)
    if len(raw) > 2000:
        raise _invalid("callback_url", "a URL of at most 2,000 characters")
    try:
        parts = urlsplit(raw)
        parts.port  # out of range or no number, like an unclosed « [::1 »: ValueError (it answered 500)
    except ValueError:
        raise _invalid("callback_url", expected) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid("callback_url", expected)
    return raw


async def accept_audio(request: Request, client: Client, settings: Settings, idempotency_key: str | None) -> JSONResponse:
    from qualicall.audio import unavailable
    from qualicall.audio.decode import AUDIO_SUFFIXES

    if (reason := unavailable()) is not None:
        raise HTTPException(415, f"audio uploads need the audio pipeline, which this installation lacks ({reason}): post JSON transcripts")

    if (full := await run_in_threadpool(_queue_full, request, settings)) is not None:
        raise full
    limit = settings.max_upload_bytes + 1024 * 1024  # room for the other fields
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"upload above {settings.max_upload_mb:g} MB (QUALICALL_MAX_UPLOAD_MB)")
    # Starlette spools file parts to a temporary file past 1 MB: the upload never sits in memory whole.
    parser = MultiPartParser(request.headers, _limited(request.stream(), limit), max_files=1, max_fields=len(FIELDS))
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise _invalid("audio", f"malformed multipart body: {exc.message}") from None
    try:
        return await _accept_form(request, client, settings, idempotency_key, form, AUDIO_SUFFIXES)
    finally:
        await form.close()


async def _accept_form(request, client, settings, idempotency_key, form, suffixes) -> JSONResponse:  # type: ignore[no-untyped-def]
    from qualicall.audio.pipeline import AudioOptionError, AudioOptions

    unknown = sorted(set(form.keys()) - set(FIELDS))
    if unknown:
        raise _invalid(unknown[0], f"unknown field (fields: {', '.join(FIELDS)})")
    audio = form.get("audio")
    if not isinstance(audio, UploadFile):
        raise _invalid("audio", "field required: the recording as a file part")
    if audio.size is not None and audio.size > settings.max_upload_bytes:
        raise HTTPException(413, f"upload above {settings.max_upload_mb:g} MB (QUALICALL_MAX_UPLOAD_MB)")
    filename = Path(audio.filename or "recording").name
    suffix = Path(filename).suffix.lower()
    if suffix not in suffixes:
        # A CRM names recordings by a GUID (« 3f2a…9c », "call.bin"): the file's first bytes say what it is.
        suffix = _sniffed_suffix(await audio.read(16))
        await audio.seek(0)
    if suffix not in suffixes:
        # (the client's file name is not repeated: it may hold personal data, « jean-dupont-0612345678.wav »)
        raise HTTPException(415, f"unsupported audio file: neither its name nor its first bytes say an accepted format ({', '.join(sorted(suffixes))})")
    metadata = _metadata(form.get("metadata"))
    callback_url = _callback(form.get("callback_url"))
    if callback_url:
        try:
            await run_in_threadpool(webhooks.public_address, callback_url, settings.webhook_allowed_hosts)
        except webhooks.TargetRefused as exc:
            raise _invalid("callback_url", str(exc)) from None
    agent_channel = form.get("agent_channel") or "auto"
    try:
        AudioOptions.choose(agent_channel=agent_channel)
    except AudioOptionError as exc:
        raise _invalid("agent_channel", str(exc)) from None
    job_id = job_store.new_job_id()
    metadata.setdefault("id", f"rec-{job_id[:16]}")
    validate_interaction({**metadata, "recording": filename}, loc=("body", "metadata"))
    check_door_size(metadata, settings)

    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    target = settings.uploads_dir / f"{job_id}{suffix}"
    digest = await run_in_threadpool(_save, audio, target)
    try:
        if (problem := await run_in_threadpool(_probe, target, settings)) is not None:
            raise problem
        fingerprint = idempotency.request_hash(digest.encode(), json.dumps(metadata, sort_keys=True).encode(),
                                               (callback_url or "").encode(), agent_channel.encode())
        response = await run_in_threadpool(
            _create_job, request, client, settings, idempotency_key, fingerprint,
            # The job names the upload as stored: the client's file name (« jean-dupont-0612345678.wav ») may be
            # personal data, and nothing needs it once the format is known.
            dict(job_id=job_id, interaction_id=metadata["id"], upload_path=str(target), filename=target.name, metadata=metadata,
                 options={"agent_channel": agent_channel}, callback_url=callback_url, api_key_id=client.key_id,
                 sealer=request.app.state.sealer),
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if response.headers.get("idempotent-replayed"):
        target.unlink(missing_ok=True)
    elif (runner := getattr(request.app.state, "jobs", None)) is not None:
        runner.notify()
    return response


# The first bytes of the formats phones and CRMs record in, as their containers begin: each format's (offset, bytes)
# parts. A RIFF must hold WAVE (not WEBP, AVI), an ISO box audio's brands (not a HEIC image, an MP4 video).
_SIGNATURES: tuple[tuple[tuple[tuple[int, bytes], ...], str], ...] = (
    (((0, b"RIFF"), (8, b"WAVE")), ".wav"), (((0, b"fLaC"),), ".flac"), (((0, b"OggS"),), ".ogg"), (((0, b"ID3"),), ".mp3"),
    (((0, b"\x1aE\xdf\xa3"),), ".webm"), (((0, b"#!AMR"),), ".amr"), (((0, b".snd"),), ".au"),
    (((0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),), ".wma"),
    *((((4, b"ftyp"), (8, brand)), ".m4a") for brand in (b"M4A ", b"M4B ", b"3gp4", b"3gp5", b"3gp6", b"3g2a")),
)


def _sniffed_suffix(head: bytes) -> str:
    """The suffix of the audio format `head` (a file's first 16 bytes) begins like, or ""."""
    for parts, suffix in _SIGNATURES:
        if all(head[offset : offset + len(expected)] == expected for offset, expected in parts):
            return suffix
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio frame's sync
        return ".aac" if head[1] & 0x06 == 0 else ".mp3"  # (layer bits 00: AAC in ADTS frames)
    return ""


def _create_job(request, client, settings, key, fingerprint, fields) -> JSONResponse:  # type: ignore[no-untyped-def]
    with _accepting, request.app.state.store.session() as session:
        if key and (replayed := idempotency.replay(session, client.key_id, key, fingerprint)) is not None:
            return replayed
        if job_store.count_queued(session) >= settings.queue_size:
            raise HTTPException(429, f"audio queue full ({settings.queue_size} jobs waiting): retry later",
                                headers={"Retry-After": str(settings.retry_after_s)})
        job = job_store.create_job(session, **fields)
        payload = JobOut.of(job).model_dump(mode="json")
        headers = {"Location": f"/v1/jobs/{job.id}"}
        if key:
            idempotency.remember(session, client.key_id, key, fingerprint, 202, payload, headers)
    return JSONResponse(payload, status_code=202, headers=headers)
