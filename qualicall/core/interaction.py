"""The interaction (input) format of `interaction-format.md`, with one-line errors."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from qualicall.core.errors import InputError, TooLargeError

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


# --- what any value of an interaction may be --------------------------------------------------------
# Checked once, on the whole decoded document, before the model reads it: what passes can be stored
# as it is in SQLite and PostgreSQL, sent back as JSON and summed in a report.

MAX_DEPTH = 32  # objects and arrays nested in one another
MAX_SAFE_INTEGER = 2**53 - 1  # what every JSON reader keeps exactly
# A field name: a letter or "_" first, then letters, digits, "_", "." or "-" (not an e-mail, a card number…).
FIELD_NAME = re.compile(r"[^\W\d][\w.-]{0,99}")


# The same, as JSON schemas for the OpenAPI document. A schema cannot count levels: extra fields show two.
NUL_FREE = {"pattern": "^[^\\x00]*$"}
_SCALAR = [{"type": "string", **NUL_FREE}, {"type": "number", "minimum": -MAX_SAFE_INTEGER, "maximum": MAX_SAFE_INTEGER},
           {"type": "boolean"}, {"type": "null"}]
FIELD_NAMES = {"propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_.-]{0,99}$"}}
EXTRA_VALUE = {"anyOf": [*_SCALAR, {"type": "array", "items": {"anyOf": _SCALAR}},
                         {"type": "object", **FIELD_NAMES, "additionalProperties": {"anyOf": _SCALAR}}]}
WITH_EXTRAS = {**FIELD_NAMES, "additionalProperties": EXTRA_VALUE}


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("qualicall_value", message)


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains a lone surrogate ({text[exc.start]!r}), which is not Unicode text"
    return None


def find_in_json(value: Any, problem: Callable[[Any], str | None], depth: int = 0) -> tuple[str, str] | None:
    """The path (`turns[0].text`) and the reason of the first scalar of a decoded JSON document for which
    `problem` gives a reason, or of an object nested deeper than MAX_DEPTH or a key that is not a field name;
    None if there is none. The path is written only for what is found."""
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        return "", f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not FIELD_NAME.fullmatch(key):
                shown = key if isinstance(key, str) and not text_problem(key) else ascii(key)
                return "", f"field name {shown!r}: a letter or _ first, then letters, digits, _ . - (100 at most)"
            if (found := find_in_json(item, problem, depth + 1)) is not None:
                return _step(key, found[0]), found[1]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := find_in_json(item, problem, depth + 1)) is not None:
                return _step(f"[{index}]", found[0]), found[1]
    elif (reason := problem(value)) is not None:
        return "", reason
    return None


def _step(step: str, rest: str) -> str:
    return step + ("." + rest if rest and not rest.startswith("[") else rest)


def scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        return f"integer of {len(str(abs(value)))} digits, beyond ±{MAX_SAFE_INTEGER} (2^53 − 1)"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    if isinstance(value, float) and abs(value) > MAX_SAFE_INTEGER:  # what the OpenAPI schema says of any number
        return f"{value!r} is beyond ±{MAX_SAFE_INTEGER} (2^53 − 1)"
    return None


def decode_json(text: str | bytes) -> Any:
    """A JSON document, or InteractionError saying in one line why it cannot be read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        raise InteractionError(f"invalid JSON at {where}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise InteractionError("invalid JSON: not UTF-8 text") from None
    except RecursionError:
        raise InteractionError(f"invalid JSON: nested too deeply (at most {MAX_DEPTH} levels are accepted)") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InteractionError(f"invalid JSON: {exc}") from None


# --- ids ---------------------------------------------------------------------------------------------
# One grammar for the ids of interactions, agents, teams and queues: what a 200-character column holds on
# both databases and what a URL path carries back. 1 to 200 characters; no "/" or "\\", no control character,
# no separator but the plain space; no space at either end and no dot first (not "." nor "..").

ID_MAX = 200
_NOT_IN_ID = r"\x00-\x1f\x7f-\x9f/\\\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A pattern that Python and ECMAScript (the OpenAPI document) read alike.
ID_PATTERN = f"^[^{_NOT_IN_ID} .](?:[^{_NOT_IN_ID}]{{0,{ID_MAX - 2}}}[^{_NOT_IN_ID} ])?$"
_ID = re.compile(ID_PATTERN)
_ID_CHAR = re.compile(f"[{_NOT_IN_ID}]")


def id_problem(value: str) -> str | None:
    """Why `value` is not an id, or None."""
    if _ID.fullmatch(value):
        return text_problem(value)  # a lone surrogate, which no pattern can name
    if not 1 <= len(value) <= ID_MAX:
        return f"1 to {ID_MAX} characters (got {len(value)})"
    if (bad := _ID_CHAR.search(value)) is not None:
        return f"{bad.group()!r} is not allowed (an id has no '/' or '\\', no control character, no space but the plain one: ids travel in URL paths)"
    return "no space at either end, no dot first"


def as_id(text: str) -> str:
    """`text` made an id, for names the project gives (a recording's file name and folders): each character an id refuses
    as « _ », no space at either end nor dot first, its last ID_MAX characters (the file's name ends it)."""
    made = _ID_CHAR.sub("_", text)[-ID_MAX:].strip(" ").lstrip(".") or "_"
    return made if id_problem(made) is None else "_" + made[-(ID_MAX - 1):]


def check_id(value: str) -> str:
    if (problem := id_problem(value)) is not None:
        raise _refuse(f"invalid id {value[:40]!r}: {problem}")  # (repr: letters of every alphabet as typed)
    return value


Id = Annotated[str, AfterValidator(check_id), WithJsonSchema({"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": ID_PATTERN})]


# --- times and indicators ----------------------------------------------------------------------------

MAX_SECONDS = 366 * 86400  # a time within a contact, or a duration: a year at most
FIRST_YEAR, LAST_YEAR = 1970, 2099
# The common forms of an ISO 8601 time in those years, for the OpenAPI document (the door reads any ISO 8601 form).
STARTED_AT_PATTERN = (
    # Each month's days (it stopped at the 28th: a client generated from the document refused every contact of a 29th,
    # 30th or 31st); only 29 February of a common year passes it and is refused by the door.
    r"^(19[7-9][0-9]|20[0-9]{2})-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)


def in_range(moment: datetime) -> datetime:
    """`moment` as an aware UTC time (naive: taken as UTC); ValueError unless its year is 1970–2099, where contacts are."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"{moment.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def contact_date(text: str | None) -> date | None:
    """A day typed in a page's filter (YYYY-MM-DD) of the years contacts have, or None (the filter is left out or said)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day and FIRST_YEAR <= day.year <= LAST_YEAR else None


def contact_moment(started_at: str) -> datetime:
    """`started_at` as an aware UTC time. ValueError unless ISO 8601, from 1970 to 2099."""
    return in_range(datetime.fromisoformat(started_at))


_TIME_SEPARATOR = re.compile(r"[Tt ]")


def day_or_moment(value: Any) -> date | datetime:
    """A `from`/`to` filter: a date alone (2026-11-01) is a day of the contacts' own calendars, as report periods and
    trends count days (a call at 23:30 in New York on 31 October is October's, though November in UTC); a date with a
    time is an instant (UTC without an offset). ValueError unless ISO 8601, from 1970 to 2099."""
    if isinstance(value, str) and not _TIME_SEPARATOR.search(value.strip()):
        try:
            day = date.fromisoformat(value.strip())  # (2026-11-01, 20261101, 2026-W45-1: the forms the door takes)
        except ValueError:
            raise ValueError(f"{value!r} is not a date") from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"{day.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
        return day
    if not isinstance(value, (str, datetime)):
        raise ValueError("expected an ISO 8601 date or date and time")
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or date and time (2026-11-01, 2026-11-01T09:00:00+01:00)") from None
    return in_range(moment)


DayOrMoment = Annotated[date | datetime, PlainValidator(day_or_moment), WithJsonSchema({"type": "string", "pattern": STARTED_AT_PATTERN})]


def moment(value: Any) -> datetime:
    """An instant (a date with its time), aware in UTC: ValueError for a date alone, which says no instant."""
    found = day_or_moment(value)
    if not isinstance(found, datetime):
        raise ValueError("expected a date and time (2026-11-02T09:00:00Z), not a day")
    return found


Moment = Annotated[datetime, PlainValidator(moment), WithJsonSchema({"type": "string", "format": "date-time"})]
SINCE = "contacts from (inclusive): a date (2026-11-01: the contact's own calendar day, as report periods), or an instant (ISO 8601 with a time; UTC without an offset); 1970–2099"
UNTIL = "contacts before (exclusive): a date (the contact's own calendar day), or an instant; 1970–2099 (from=2026-11-01&to=2026-12-01 is November)"


def query_parameter(name: str, value: str | None = None) -> str:
    """How the API's messages name a parameter of its address (`to`), or give it a value (to=2026-12-01)."""
    return f"{name}={value}" if value is not None else f"`{name}`"


def empty_range(since: date | datetime | None, until: date | datetime | None,
                spell: Callable[[str, str | None], str] = query_parameter) -> str | None:
    """Why `from` and `to` (SINCE, UNTIL) can keep no contact, or None; `spell` names them as the caller's user
    types them (the API's query parameters, the command line's options). `to` is exclusive: a manager asking for
    November with to=2026-11-30 lost its last day without a word, and from=to=2026-11-30 answered an empty report."""
    if since is None or until is None or isinstance(since, datetime) != isinstance(until, datetime) or until > since:
        return None
    start, end = spell("from", None), spell("to", None)
    if until < since:
        return f"{end} ({until.isoformat()}) is before {start} ({since.isoformat()}): no contact can be in between"
    if isinstance(until, datetime):
        return f"{end} is exclusive: {start} and {end} at {until.isoformat()} keep no contact"
    after = date.fromordinal(until.toordinal() + 1)
    give = f"give {spell('to', after.isoformat())}" if after.year <= LAST_YEAR else f"give no {end}"  # (2100 is refused)
    return f"{end} is exclusive: {until.isoformat()} keeps contacts before that day; for {since.isoformat()} through {until.isoformat()} {give}"


_CONTRACT_FORM = re.compile(STARTED_AT_PATTERN)


def contract_form(started_at: str) -> str:
    """`started_at` as the contract writes it (2026-11-02T09:14:03+01:00): as given where it is so written; the other
    ISO 8601 forms the door takes (basic « 20261102T091403+0100 », a week date « 2026-W45-1 », a space for the T)
    rewritten so, the same date, wall-clock time and offset. Reports and trends read the local date from its first ten
    characters: the other forms were counted in no period. ValueError for what is no ISO 8601 date."""
    if _CONTRACT_FORM.match(started_at):
        return started_at
    moment = datetime.fromisoformat(started_at)
    if "T" not in started_at.upper() and " " not in started_at:
        return moment.date().isoformat()
    return moment.isoformat()


def check_started_at(value: str) -> str:
    try:
        contact_moment(value)
    except ValueError as exc:
        problem = str(exc) if "outside" in str(exc) else f"{value!r} is not an ISO 8601 date and time (2026-11-02T09:14:03+01:00)"
        raise _refuse(problem) from None
    return contract_form(value)


StartedAt = Annotated[str, AfterValidator(check_started_at), WithJsonSchema({"type": "string", "maxLength": 64, "pattern": STARTED_AT_PATTERN})]


Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
Ratio = Annotated[float, Field(ge=0, le=1)]

SECONDS = (0.0, float(MAX_SECONDS), "seconds")
COUNT = (0.0, 1e6, "a count")
RATIO = (0.0, 1.0, "a ratio")
# The scale of each indicator of indicators.md (input or measured): a value outside is refused.
INDICATOR_RANGES: dict[str, tuple[float, float, str]] = {
    "wait_time_s": SECONDS, "ivr_time_s": SECONDS, "handle_time_s": SECONDS, "hold_time_s": SECONDS,
    "first_response_s": SECONDS, "longest_silence_s": SECONDS,
    "transfers": COUNT, "overtalk_count": COUNT,
    "csat": (1.0, 5.0, "the survey's scale"), "nps": (0.0, 10.0, "the recommendation scale"),
    "silence_ratio": RATIO, "agent_talk_ratio": RATIO,
    "agent_speech_rate_wpm": (0.0, 1e4, "words per minute"),
}
BOOLEAN_INDICATORS = frozenset({"resolved_first_contact"})


def _indicators_schema(other: dict[str, Any], given: bool) -> dict[str, Any]:
    """Given indicators may be null and hold booleans; measured ones are numbers."""
    kinds = ["number", "null"] if given else "number"
    known: dict[str, Any] = {name: {"type": ["boolean", "null"]} if given else False for name in BOOLEAN_INDICATORS}
    known.update({name: {"type": kinds, "minimum": low, "maximum": high} for name, (low, high, _) in INDICATOR_RANGES.items()})
    return {"type": "object", "properties": known, **FIELD_NAMES, "additionalProperties": other}


def indicator_problem(name: str, value: Any) -> str | None:
    """Why `value` is not a value of indicator `name`, or None. Indicators that indicators.md does not name
    take any JSON scalar."""
    if value is None:
        return None
    if name in BOOLEAN_INDICATORS:
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if name not in INDICATOR_RANGES:
        return None if not isinstance(value, (dict, list)) else "expected a number, a boolean or a text"
    low, high, scale = INDICATOR_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"expected a number, got {value!r}"
    if not low <= value <= high:
        return f"{value!r} is outside {low:g}–{high:g} ({scale})"
    return None


# --- the model ---------------------------------------------------------------------------------------

class Word(BaseModel):
    """A recognised word with its time, from the speech recogniser."""

    model_config = ConfigDict(extra="allow", json_schema_extra=WITH_EXTRAS)
    word: str = Field(json_schema_extra=NUL_FREE)
    start: Seconds
    end: Seconds
    probability: Ratio | None = None


# The speakers the grid reads (other values are kept and ignored).
AGENT, CUSTOMER, SYSTEM = "agent", "customer", "system"
ROLES = (AGENT, CUSTOMER, SYSTEM)


class Turn(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=WITH_EXTRAS)
    speaker: str = Field(json_schema_extra=NUL_FREE)
    text: str = Field(json_schema_extra=NUL_FREE)
    start: Seconds | None = None
    end: Seconds | None = None
    words: list[Word] | None = None
    confidence: Ratio | None = None

    @field_validator("speaker")
    @classmethod
    def _role_in_any_case(cls, speaker: str) -> str:
        """A role written in another case or with spaces around (« Agent », "CUSTOMER ", as CRMs export them) is that role;
        other values are kept as given."""
        role = speaker.strip().lower()
        return role if role in ROLES else speaker

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> "Turn":
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end:g} s is before start {self.start:g} s")
        return self


class Interaction(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=WITH_EXTRAS)
    id: Id
    channel: Channel = "voice"
    language: Language | None = None
    agent_id: Id | None = None
    team: Id | None = None
    queue: Id | None = None
    started_at: Annotated[StartedAt, Field(max_length=64)] | None = None
    recording: str | None = Field(None, json_schema_extra=NUL_FREE)
    turns: list[Turn] | None = None
    indicators: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_indicators_schema({"anyOf": _SCALAR}, given=True))
    # Indicators the audio pipeline measured on the recording (silence_ratio…): scored with source "measured".
    measured: dict[str, float | int] | None = Field(None, json_schema_extra={"anyOf": [_indicators_schema(_SCALAR[1], given=False), {"type": "null"}]})
    abandoned: Annotated[bool, Field(strict=True)] = False  # "yes" and 1 were taken, voiding a five-turn call's score

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
            try:
                times[name] = in_range(moment)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        for name in COMPLAINT_TIMES[1:]:
            if name in times and "received_at" in times and times[name] < times["received_at"]:
                raise ValueError(f"{name} ({indicators[name]}) is before received_at ({indicators['received_at']})")
        return indicators

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if isinstance(data, dict) and (found := find_in_json(data, scalar_problem)) is not None:
            raise _refuse(f"{found[0] or 'record'}: {found[1]}")
        return data

    @model_validator(mode="after")
    def _needs_content_and_indicators_in_range(self) -> "Interaction":
        if self.turns is None and self.recording is None and not self.abandoned:
            raise ValueError("needs 'turns' or 'recording'")
        if self.turns is None and self.recording is not None and self.channel != "voice":
            # The pipeline makes a call of a recording: a chat or an e-mail scored from one would be judged as a call.
            raise _refuse(f"channel: {self.channel!r} with a recording and no turns: a recording is transcribed as a call"
                          " (expected 'voice', or the written contact's turns)")
        for field, values in (("indicators", self.indicators), ("measured", self.measured or {})):
            for name, value in values.items():
                if (problem := indicator_problem(name, value)) is not None:
                    raise _refuse(f"{field}.{name}: {problem}")
        return self


@dataclass(frozen=True)
class SizeLimits:
    """The most a service scores in one interaction (settings max_turn_chars, max_turns, max_interaction_chars)."""

    max_turn_chars: int
    max_turns: int
    max_interaction_chars: int


def check_size(data: dict[str, Any], limits: SizeLimits) -> None:
    """TooLargeError, naming the field and the setting, when a decoded (and validated) interaction passes a limit."""
    turns = data.get("turns") or []
    if len(turns) > limits.max_turns:
        raise TooLargeError(f"turns: {len(turns)} turns, above the limit of {limits.max_turns} (setting max_turns)")
    total = 0

    def too_long(value: Any) -> str | None:
        nonlocal total
        if isinstance(value, str):
            total += len(value)
            if len(value) > limits.max_turn_chars:
                return f"{len(value)} characters, above the limit of {limits.max_turn_chars} for one text (setting max_turn_chars)"
        return None

    if (found := find_in_json(data, too_long)) is not None:
        raise TooLargeError(f"{found[0]}: {found[1]}")
    if total > limits.max_interaction_chars:
        raise TooLargeError(f"{total} characters of text in all, above the limit of {limits.max_interaction_chars} (setting max_interaction_chars)")


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
        elif first["type"] == "value_error" and "error" in first.get("ctx", {}):
            message = str(first["ctx"]["error"])  # our own words, without pydantic's « Value error, »
        extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InteractionError(f"{record}: {field}: {message}{extra}") from None


def read_interactions(path: Path) -> Iterator[Interaction | InteractionError]:
    """Yield each interaction of a .json or .jsonl file, or the error of a bad record.

    A bad line of a JSONL file does not stop the others; an unreadable file
    yields a single error.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")  # (files exported on Windows often begin with a byte-order mark)
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
            data = decode_json(text)
        except InteractionError as exc:
            yield InteractionError(f"{path}: {exc}")
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
            record = decode_json(line)
        except InteractionError as exc:
            yield InteractionError(f"{path}:{number}: {exc}")
            continue
        try:
            yield parse_interaction(record, f"{path}:{number}")
        except InteractionError as exc:
            yield exc
