"""The interaction (input) format of `interaction-format.md`, with one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qualicall.core.errors import InputError

Channel = Literal["voice", "chat", "email"]
Language = Literal["fr", "en"]
# A written complaint's times in the CRM's register (complaints-and-satisfaction.md), read by the reports.
COMPLAINT_TIMES = ("received_at", "acknowledged_at", "answered_at")


class InteractionError(InputError):
    """Bad input: the message is one line naming the record and the field."""


class SourceError(InteractionError):
    """A whole input that cannot be read (missing, a folder, not UTF-8 text, an unknown type, an unreadable
    recording): a one-line error with exit status 2 when it is the command's only input."""


def read_error(path: Path, exc: OSError | UnicodeDecodeError) -> SourceError:
    """Why a file cannot be read, in one line (a binary file is not UTF-8 text)."""
    if isinstance(exc, UnicodeDecodeError):
        return SourceError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})")
    return SourceError(f"{path}: cannot read: {exc.strerror or exc}")


class Word(BaseModel):
    """A recognised word with its time, from the speech recogniser."""

    model_config = ConfigDict(extra="allow")
    word: str
    start: float
    end: float
    probability: float | None = None


class Turn(BaseModel):
    model_config = ConfigDict(extra="allow")
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    words: list[Word] | None = None
    confidence: float | None = None


class Interaction(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1)
    channel: Channel = "voice"
    language: Language | None = None
    agent_id: str | None = None
    team: str | None = None
    queue: str | None = None
    started_at: str | None = None
    recording: str | None = None
    turns: list[Turn] | None = None
    indicators: dict[str, Any] = Field(default_factory=dict)
    # Indicators the audio pipeline measured on the recording (silence_ratio…): scored with source "measured".
    measured: dict[str, float | int] | None = None
    abandoned: bool = False

    @field_validator("indicators")
    @classmethod
    def _complaint_times(cls, indicators: dict[str, Any]) -> dict[str, Any]:
        """The written complaint's times: ISO 8601 with a UTC offset (the delays cross time zones and clock
        changes), none before the reception."""
        times = {}
        for name in COMPLAINT_TIMES:
            value = indicators.get(name)
            if value is None:
                continue
            try:
                moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None or moment.utcoffset() is None:
                raise ValueError(f"{name}: expected an ISO 8601 date-time with a UTC offset (2026-11-02T09:00:00+01:00), got {value!r}")
            times[name] = moment
        for name in COMPLAINT_TIMES[1:]:
            if name in times and "received_at" in times and times[name] < times["received_at"]:
                raise ValueError(f"{name} ({indicators[name]}) is before received_at ({indicators['received_at']})")
        return indicators

    @model_validator(mode="after")
    def _needs_content(self) -> "Interaction":
        if self.turns is None and self.recording is None and not self.abandoned:
            raise ValueError("needs 'turns' or 'recording'")
        return self


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def parse_interaction(data: Any, source: str) -> Interaction:
    """Validate one interaction object; `source` names it in the error (file:line)."""
    if not isinstance(data, dict):
        raise InteractionError(f"{source}: expected a JSON object, got {type(data).__name__}")
    record = f"{source} (id {data['id']!r})" if isinstance(data.get("id"), str) else source
    try:
        return Interaction.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(first["loc"]) or "record"
        message = first["msg"]
        if first["type"] == "missing":
            message = "field required"
        elif first["type"] == "literal_error" and "expected" in first.get("ctx", {}):
            message = f"got {first.get('input')!r}, expected {first['ctx']['expected']}"
        extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InteractionError(f"{record}: {field}: {message}{extra}") from None


def read_interactions(path: Path) -> Iterator[Interaction | InteractionError]:
    """Yield each interaction of a .json or .jsonl file, or the error of a bad record.

    A bad line of a JSONL file does not stop the others; an unreadable file
    yields a single error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield read_error(path, exc)
        return
    stripped = text.lstrip()
    if path.suffix == ".jsonl" or (stripped and not stripped.startswith(("[", "{"))):
        lines = enumerate(text.splitlines(), start=1)
    elif stripped.startswith("{") and "\n{" in stripped and path.suffix != ".json":
        lines = enumerate(text.splitlines(), start=1)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield InteractionError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
            return
        records = data if isinstance(data, list) else [data]
        for number, record in enumerate(records):
            where = f"{path}" if not isinstance(data, list) else f"{path}[{number}]"
            try:
                yield parse_interaction(record, where)
            except InteractionError as exc:
                yield exc
        return
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InteractionError(f"{path}:{number}: invalid JSON at column {exc.colno}: {exc.msg}")
            continue
        try:
            yield parse_interaction(record, f"{path}:{number}")
        except InteractionError as exc:
            yield exc
