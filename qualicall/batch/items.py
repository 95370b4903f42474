"""What a batch's SOURCEs hold: the records to score, each with the key that makes the batch resumable.

A SOURCE is a folder (walked recursively), an interaction file (.json / .jsonl),
a CSV manifest, or a recording. Interaction records with `turns` (or
`abandoned`) are scored as text; records with a `recording` and no turns are
manifest rows: the recording is transcribed with the record as its metadata.
A CSV manifest joins recordings to their metadata and operational indicators,
one row per contact. A recording that no record names is scored on its own,
its id being its file name.

The key of a record is the hash of its content (the JSON line; for a
recording, the audio bytes and the metadata), the rubric id@version and, for
recordings, the speech engine/model: a re-run skips a key already in the
output, and a changed transcript, rubric or model is scored again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qualicall.core.interaction import InteractionError, as_id, parse_interaction

TRANSCRIPT_SUFFIXES = (".json", ".jsonl")
MANIFEST_SUFFIXES = (".csv",)
# Columns of a CSV manifest that are interaction fields; the others are indicators (or, when no rubric
# knows them as indicators, extra fields of the interaction such as `customer_name`).
INTERACTION_COLUMNS = ("id", "channel", "language", "agent_id", "team", "queue", "started_at", "recording", "abandoned")
TRUE_WORDS = {"true", "yes", "y", "oui", "1", "vrai"}
FALSE_WORDS = {"false", "no", "n", "non", "0", "faux"}


@dataclass(slots=True)
class WorkItem:
    """One record to score. Text records of a JSONL file are read back by offset, so that a plan of
    100 000 records holds their positions, not their text."""

    key: str
    kind: Literal["text", "audio"]
    source: str  # "file:line" or the recording's path, for messages and the output's `batch.source`
    path: str  # the JSONL / JSON file of a text record, or the recording
    offset: int = -1  # byte offset of a JSONL line; -1: `text` holds the record
    length: int = 0
    text: str | None = None
    metadata: dict[str, Any] | None = None  # a recording's interaction fields and indicators
    size: int = 0  # bytes of audio: the longest recordings are dispatched first

    def record_text(self) -> str:
        if self.text is not None:
            return self.text
        with open(self.path, "rb") as stream:
            stream.seek(self.offset)
            return stream.read(self.length).decode("utf-8-sig")  # the first line of a file with a byte-order mark holds it


@dataclass(slots=True)
class Problem:
    """Something of a SOURCE that cannot be scored (an unreadable file, a bad line): reported, then skipped."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class Plan:
    items: list[WorkItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: int = 0  # files of other types in folders (notes, images…)
    # ids given to records of different content: both are scored, and a report counts the last one (one contact)
    shared_ids: list[str] = field(default_factory=list)


def content_hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# The hash of a rubric's text in a key's rubric part (`default-fr@26#36857f29de6a`): lines written before keys held it
# have none, and count as done for the same id@version (an upgrade scores nothing again).
_TEXT_HASH = re.compile(r"#[0-9a-f]{12}")


def without_text_hash(key: str) -> str:
    """The key as written before rubric parts held their text's hash."""
    return _TEXT_HASH.sub("", key)


def make_key(content: str, rubric_tag: str, asr_tag: str) -> str:
    """`content-hash/rubric@version/engine-model`: readable, so that an output line says what it was made with."""
    return f"{content[:32]}/{rubric_tag}/{asr_tag}"


class Planner:
    """Turns SOURCEs into work items; `asr_tag()` is asked only when a recording is met (it loads the audio options)."""

    def __init__(
        self,
        rubric_tag: str,
        asr_tag: Callable[[], str],
        audio_suffixes: tuple[str, ...],
        indicator_names: set[str],
        exclude: tuple[Path, ...] = (),
    ) -> None:
        self.rubric_tag = rubric_tag
        self._asr_tag = asr_tag
        self._asr_tag_value: str | None = None
        self.audio_suffixes = tuple(s.lower() for s in audio_suffixes)
        self.indicator_names = indicator_names
        self.exclude = {p.resolve() for p in exclude}
        self.plan = Plan()
        self._keys_by_id: dict[str, str] = {}
        self._named_recordings: set[Path] = set()
        self._lone_recordings: list[Path] = []

    def asr_tag(self) -> str:
        if self._asr_tag_value is None:
            self._asr_tag_value = self._asr_tag()
        return self._asr_tag_value

    # --- sources --------------------------------------------------------------

    def add(self, source: Path) -> None:
        if source.is_dir():
            for path in sorted(_walk(source)):
                if path.resolve() in self.exclude:
                    continue
                if self._kind(path) is None:
                    self.plan.ignored += 1
                else:
                    self._add_file(path)
        elif not source.exists():
            self._problem(str(source), "no such file or folder")
        elif self._kind(source) is None:
            kinds = ", ".join(TRANSCRIPT_SUFFIXES + MANIFEST_SUFFIXES + self.audio_suffixes)
            self._problem(str(source), f"unsupported file type {source.suffix or '(none)'} (expected a folder or {kinds})")
        else:
            self._add_file(source)

    def finish(self) -> Plan:
        """The plan: recordings that no record named, then every item, longest recordings first."""
        lone = [path for path in self._lone_recordings if path.resolve() not in self._named_recordings]
        for path, interaction_id in _lone_ids(lone).items():
            self._add_recording(path, {"id": interaction_id}, str(path))
        self._lone_recordings.clear()
        audio = sorted((i for i in self.plan.items if i.kind == "audio"), key=lambda i: -i.size)
        text = [i for i in self.plan.items if i.kind == "text"]
        self.plan.items = audio + text
        return self.plan

    def _kind(self, path: Path) -> str | None:
        suffix = path.suffix.lower()
        if suffix in TRANSCRIPT_SUFFIXES:
            return "records"
        if suffix in MANIFEST_SUFFIXES:
            return "manifest"
        if suffix in self.audio_suffixes:
            return "audio"
        return None

    def _add_file(self, path: Path) -> None:
        kind = self._kind(path)
        try:
            if kind == "records":
                self._add_records(path)
            elif kind == "manifest":
                self._add_manifest(path)
            else:
                self._lone_recordings.append(path)
        except OSError as exc:
            self._problem(str(path), f"cannot read: {exc.strerror or exc}")

    def _problem(self, source: str, reason: str) -> None:
        self.plan.problems.append(Problem(source, reason))

    # --- interaction files ----------------------------------------------------

    def _add_records(self, path: Path) -> None:
        if path.suffix.lower() == ".json":
            data = path.read_bytes()
            try:
                document = json.loads(data)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                if not _looks_like_jsonl(data.lstrip()):  # else: JSON lines in a .json file, read line by line
                    self._problem(str(path), _json_error(exc))
                    return
            else:
                self._add_json_document(path, document)
                return
        # Line by line: a JSONL file of 100 000 transcripts is never held in memory whole.
        offset = 0
        with path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                start, offset = offset, offset + len(line)
                body = line.strip()
                if not body:
                    continue
                try:
                    record = json.loads(body)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    self._problem(f"{path}:{number}", _json_error(exc))
                    continue
                # The line's own bytes are its content: the worker reads them back by offset.
                lead = len(line) - len(line.lstrip())
                self._add_record(path, f"{path}:{number}", record, body, offset=start + lead)

    def _add_json_document(self, path: Path, document: Any) -> None:
        records = document if isinstance(document, list) else [document]
        for number, record in enumerate(records):
            source = f"{path}[{number}]" if isinstance(document, list) else str(path)
            self._add_record(path, source, record, canonical(record))

    def _add_record(self, path: Path, source: str, record: Any, content: bytes, offset: int = -1) -> None:
        if not isinstance(record, dict):
            self._problem(source, f"expected a JSON object, got {type(record).__name__}")
            return
        recording = record.get("recording")
        if record.get("turns") is None and not record.get("abandoned") and isinstance(recording, str) and recording:
            metadata = {k: v for k, v in record.items() if k != "recording"}
            self._add_named_recording(path, source, recording, metadata)
            return
        item = WorkItem(key=make_key(content_hash(content), self.rubric_tag, "text"), kind="text", source=source, path=str(path))
        self._note_id(record.get("id"), item.key)
        if offset >= 0:
            item.offset, item.length = offset, len(content)
        else:
            item.text = content.decode("utf-8")
        self.plan.items.append(item)

    def _note_id(self, interaction_id: Any, key: str) -> None:
        """Remember which record holds an id; a second record of other content under it is a shared id."""
        if not isinstance(interaction_id, str):
            return
        first = self._keys_by_id.setdefault(interaction_id, key)
        if first != key and interaction_id not in self.plan.shared_ids:
            self.plan.shared_ids.append(interaction_id)

    # --- recordings -------------------------------------------------------------

    def _add_named_recording(self, base: Path, source: str, recording: str, metadata: dict[str, Any]) -> None:
        if "://" in recording:
            self._problem(source, f"recording {recording!r}: only local files are read (copy it here first)")
            return
        path = Path(recording).expanduser()
        if not path.is_absolute():
            path = base.parent / path
        if path.suffix.lower() not in self.audio_suffixes:
            self._problem(source, f"recording {recording!r}: unsupported audio type {path.suffix or '(none)'}")
            return
        self._named_recordings.add(path.resolve())
        if not path.is_file():
            self._problem(source, f"recording {recording!r}: no such file ({path})")
            return
        metadata.setdefault("id", path.stem)
        try:
            # Checked before hours of transcription, not after: a bad field, or a chat given as a recording.
            parse_interaction({**metadata, "recording": recording}, source)
        except InteractionError as exc:
            named, _, reason = str(exc)[len(source) :].partition(": ")  # named: "" or " (id '…')"
            self._problem(source + named, reason)
            return
        self._add_recording(path, metadata, source)

    def _add_recording(self, path: Path, metadata: dict[str, Any], source: str) -> None:
        try:
            audio = bytes.fromhex(file_hash(path))
            size = path.stat().st_size
        except OSError as exc:
            self._problem(source, f"cannot read: {exc.strerror or exc}")
            return
        key = make_key(content_hash(audio, canonical(metadata)), self.rubric_tag, self.asr_tag())
        self._note_id(metadata.get("id"), key)
        self.plan.items.append(WorkItem(key=key, kind="audio", source=source, path=str(path), metadata=metadata, size=size))

    # --- CSV manifests ----------------------------------------------------------

    def _add_manifest(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            self._problem(str(path), "not UTF-8 text (save the manifest as UTF-8 CSV)")
            return
        if not text.strip():
            self._problem(str(path), "empty manifest")
            return
        first_line = text.splitlines()[0]
        # French spreadsheets export with ';' (the comma is their decimal separator).
        delimiter = max(",;\t", key=first_line.count)
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        columns = [c.strip() for c in reader.fieldnames or []]
        if "recording" not in columns:
            self._problem(str(path), f"manifest without a 'recording' column (columns: {', '.join(columns) or 'none'})")
            return
        for row in reader:
            source = f"{path}:{reader.line_num}"
            try:
                record = self.manifest_record(row)
            except ValueError as exc:
                self._problem(source, str(exc))
                continue
            if record.get("abandoned") and not record.get("recording"):
                # An abandoned contact has no recording: it counts in the aggregates with its wait time.
                content = canonical(record)
                key = make_key(content_hash(content), self.rubric_tag, "text")
                self.plan.items.append(WorkItem(key=key, kind="text", source=source, path=str(path), text=content.decode()))
                continue
            recording = record.pop("recording", None)
            if not recording:
                self._problem(source, "no recording (the column is empty and the contact is not abandoned)")
                continue
            self._add_named_recording(path, source, recording, record)

    def manifest_record(self, row: dict[str | None, Any]) -> dict[str, Any]:
        """A manifest row as an interaction's metadata: interaction fields, then indicators with typed values."""
        if None in row:
            raise ValueError(f"more cells than columns ({len(row[None])} extra)")
        record: dict[str, Any] = {}
        indicators: dict[str, Any] = {}
        for column, cell in row.items():
            name = (column or "").strip()
            value = (cell or "").strip()
            if not name or value == "":
                continue
            if name.startswith("indicators."):
                indicators[name.removeprefix("indicators.")] = typed(value)
            elif name == "abandoned":
                record[name] = boolean(value, name)
            elif name in INTERACTION_COLUMNS:
                record[name] = value
            elif name in self.indicator_names:
                indicators[name] = typed(value)
            else:
                record[name] = value  # e.g. customer_name, which redaction looks for
        if indicators:
            record["indicators"] = indicators
        return record


def _lone_ids(paths: list[Path]) -> dict[Path, str]:
    """The ids of recordings no record names: each its file name without extension (« 0001 »); where several share it
    (agentA/0001.wav and agentB/0001.wav, en_call.wav and en_call.ogg), each the folders where their paths part and
    its file name, with its extension where that alone differs (« agentA_0001 », « en_call.ogg »). They were one
    interaction: --store kept the second call as a new version of the first. Characters an id refuses become « _ »
    (`as_id`), and an id that is still another's (a file named « agentA_0001.wav » beside agentA/0001.wav) takes « -2 »,
    « -3 »… in the order of the paths."""
    by_stem: dict[str, list[Path]] = {}
    for path in paths:
        by_stem.setdefault(path.stem, []).append(path)
    ids = {}
    for stem, same in by_stem.items():
        if len(same) == 1:
            ids[same[0]] = as_id(stem)
            continue
        folders = [path.resolve().parent for path in same]
        common = Path(os.path.commonpath(folders))
        for path, folder in zip(same, folders):
            name = path.name if folders.count(folder) > 1 else path.stem
            ids[path] = as_id("_".join([*folder.relative_to(common).parts, name]))
    taken: set[str] = set()
    for path in sorted(ids):
        wanted, number = ids[path], 1
        while ids[path] in taken:
            number += 1
            ids[path] = as_id(f"{wanted}-{number}")
        taken.add(ids[path])
    return ids


def typed(value: str) -> Any:
    """A spreadsheet cell as JSON: booleans, integers, decimals (« 4,5 » too), else the text."""
    lowered = value.lower()
    if lowered in ("true", "false", "yes", "no", "oui", "non", "vrai", "faux"):
        return lowered in TRUE_WORDS
    for parse in (int, float):
        try:
            return parse(value.replace(",", ".") if parse is float else value)
        except ValueError:
            continue
    return value


def boolean(value: str, column: str) -> bool:
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"{column}: {value!r} is not true/false")


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name


def _looks_like_jsonl(stripped: bytes) -> bool:
    return stripped.startswith(b"{") and b"\n{" in stripped


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}" if exc.lineno > 1 else f"invalid JSON at column {exc.colno}: {exc.msg}"
    return f"not UTF-8 text: {exc}"
