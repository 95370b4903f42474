"""Audio uploads on POST /v1/interactions (multipart): streamed to disk, queued as a job, 202."""

from __future__ import annotations

import importlib.util

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse

from qualicall.api.deps import Client
from qualicall.settings import Settings


async def accept_audio(request: Request, client: Client, settings: Settings, idempotency_key: str | None) -> JSONResponse:
    if importlib.util.find_spec("qualicall.audio") is None:
        raise HTTPException(415, "audio uploads need the audio pipeline, which this installation lacks: post JSON transcripts")
    raise HTTPException(415, "audio uploads are not enabled yet on this server")
