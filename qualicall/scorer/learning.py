"""Learning from coaches: the sentences coaches' overrides point at become examples of the items' banks.

An override is a coach's verdict on an item that differs from the machine's. Where the item is
judged by an example bank (`params: {bank: …}`), it says something about a sentence:

- passed → failed, the machine having found a sentence that realises the bank (`bank.found`,
  `bank.meaning`): that sentence (the item's evidence) does not realise it, a negative example;
- failed → passed, no sentence of the window having realised the bank (`bank.missing`): the
  sentence the coach quotes in the override's comment (« … », "…", “…”), found in the contact's transcript,
  does: a positive example. Without a quote nothing is learned: the sentence that came closest (the nearest
  miss, which the reason quotes) was learned before, and a calibration lead's review found it a guess more
  often wrong than right — « Vitacolis, bonjour, à l'appareil. » taught as an offer of help, a recap's
  fragment as a farewell, nine verdicts of calls nobody reviewed moved away from the labels by two overrides.

Other overrides (an item judged by its phrases, a not-applicable verdict, a blame sentence) say
nothing a bank can hold. The sentences are taken as the results store them (redacted), less the
redaction's placeholders: the scorer reads the clear text, to which « On a fait le tour, madame ? » is
closer than « On a fait le tour, madame [NAME] ? » (cosine 0.65 against 0.53 for « … madame Girard ? »;
0.83 against 0.74 for "Anything else I can sort for you, Mr Patel?").

`learned_rubric_text` writes them into the rubric's own YAML text, its comments and layout kept, with
its version bumped: a new rubric version, which the results it scores name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from qualicall.core.text import PLACEHOLDER, normalize
from qualicall.scorer.rubric import Rubric, RubricError, validate_rubric_text

# The machine passed the item because a sentence realised its bank; failed it because none did.
REALISED = ("bank.found", "bank.meaning")
NEAREST_MISS = "bank.missing"
# What redaction puts in place of personal data, with the space before it.
_PLACEHOLDER = re.compile(r"\s*" + PLACEHOLDER.pattern)


@dataclass(frozen=True)
class Override:
    """A coach's verdict on an item that differs from the machine's, with the machine's item as stored."""

    item: str  # "criterion.item"
    coach_status: str
    machine: dict[str, Any]  # the machine's item result JSON (status, reason_code, reason_params, evidence)
    comment: str | None = None  # the coach's comment on the item, where a quote says which sentence they mean
    transcript: str = ""  # the contact's turns as stored (redacted), where a quote must be found
    contact: str = ""  # the contact's id, to say where a sentence came from


@dataclass
class BankLesson:
    """What the overrides add to one bank."""

    positive: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)


@dataclass
class Lessons:
    banks: dict[str, BankLesson] = field(default_factory=dict)
    # Sentences left out, one line each: already in the bank, or pointed at both ways.
    skipped: list[str] = field(default_factory=list)

    def added(self) -> int:
        return sum(len(lesson.positive) + len(lesson.negative) for lesson in self.banks.values())


def _item_bank(rubric: Rubric, item: str) -> str | None:
    criterion_id, _, item_id = item.partition(".")
    criterion = rubric.criteria.get(criterion_id)
    spec = criterion.items.get(item_id) if criterion else None
    bank = spec.params.get("bank") if spec else None
    return bank if isinstance(bank, str) and bank in rubric.banks else None


def taught_sentences(override: Override) -> tuple[str, list[str]]:
    """The side ("positive" or "negative") and the sentences an override teaches (placeholders removed); none when it teaches none."""
    machine = override.machine
    code, params = machine.get("reason_code"), machine.get("reason_params") or {}
    if machine.get("status") == "passed" and override.coach_status == "failed" and code in REALISED:
        return "negative", _sentences([evidence.get("text") for evidence in machine.get("evidence") or []] or [params.get("text")])
    if _nearest_miss(override):
        return "positive", _sentences(quoted_sentences(override.comment, override.transcript))
    return "", []


def _nearest_miss(override: Override) -> bool:
    """A failed → passed override where no sentence had realised the bank: only the coach's quote says which one does."""
    machine = override.machine
    return machine.get("status") == "failed" and override.coach_status == "passed" and machine.get("reason_code") == NEAREST_MISS


# A quote in a coach's comment: « … », “…” or "…".
_QUOTE = re.compile(r"«\s*([^»]+?)\s*»|“([^”]+)”|\"([^\"]+)\"")
MIN_QUOTE_WORDS = 2


def quoted_sentences(comment: str | None, transcript: str) -> list[str]:
    """The passages a comment quotes that the transcript holds (accents, case and punctuation aside), two words or more."""
    said = f" {normalize(transcript).text} "
    found = []
    for match in _QUOTE.finditer(comment or ""):
        quote = next(group for group in match.groups() if group)
        key = normalize(quote).text
        if len(key.split()) >= MIN_QUOTE_WORDS and f" {key} " in said:
            found.append(quote.strip())
    return found



def _sentences(texts: list[Any]) -> list[str]:
    cleaned = (_PLACEHOLDER.sub("", text).strip() for text in texts if isinstance(text, str))
    return [text for text in cleaned if text]


def lessons_from(rubric: Rubric, overrides: list[Override]) -> Lessons:
    """The examples the overrides teach the rubric's banks, without those already there or pointed at both ways."""
    wanted: dict[tuple[str, str], dict[str, str]] = {}  # (bank, normalised sentence) → side → sentence
    lessons = Lessons()
    for override in overrides:
        bank = _item_bank(rubric, override.item)
        side, sentences = taught_sentences(override)
        if bank is not None and not sentences and _nearest_miss(override):
            nearest = (override.machine.get("reason_params") or {}).get("text")
            lessons.skipped.append(f"{override.item} passed on {override.contact or 'a contact'}: quote the sentence that passes it in the"
                                   f" override's comment (« … »); the closest one, « {nearest} », is only a guess")
            continue
        if bank is None or not sentences:
            continue
        for sentence in sentences:
            wanted.setdefault((bank, normalize(sentence).text), {}).setdefault(side, sentence)
    known = {
        (name, normalize(sentence).text): side
        for name, spec in rubric.banks.items()
        for side, sentences in (("positive", spec.positive), ("negative", spec.negative))
        for sentence in sentences
    }
    for (bank, key), sides in wanted.items():
        if len(sides) > 1:
            lessons.skipped.append(f"bank {bank}: « {sides['positive']} » left out: overrides point at it both as a positive and as a negative")
            continue
        ((side, sentence),) = sides.items()
        if (bank, key) in known:
            lessons.skipped.append(f"bank {bank}: « {sentence} » left out: already a {known[bank, key]} example")
            continue
        getattr(lessons.banks.setdefault(bank, BankLesson()), side).append(sentence)
    return lessons


def bumped_version(version: str) -> str:
    """The next version: the last number incremented ("5" → "6", "2.3" → "2.4"), else ".1" appended."""
    numbers = list(re.finditer(r"\d+", version))
    if not numbers:
        return f"{version}.1"
    last = numbers[-1]
    return f"{version[: last.start()]}{int(last.group()) + 1}{version[last.end():]}"


def learned_rubric_text(text: str, rubric: Rubric, lessons: Lessons, note: str | None = None) -> str:
    """The rubric's YAML with the lessons appended to its banks and its version bumped; everything else as written.
    `note`: a comment line written above each block of examples added (not in a bank written `[a, b]`).

    Raises RubricError if the text written would not load (it always should)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure parser: its marks count characters
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in characters

    def offset(mark: yaml.Mark) -> int:
        return starts[mark.line] + mark.column

    top = _mapping(root)
    version = top["version"]
    edits.append((offset(version.start_mark), offset(version.end_mark), json.dumps(bumped_version(rubric.version))))
    banks = _mapping(top["banks"])
    for bank, lesson in lessons.banks.items():
        spec = _mapping(banks[bank])
        for side in ("positive", "negative"):
            sentences = getattr(lesson, side)
            if not sentences:
                continue
            sequence = spec[side]
            quoted = [json.dumps(sentence, ensure_ascii=False) for sentence in sentences]  # a JSON string is a YAML double-quoted scalar
            if sequence.flow_style:  # [a, b]: before the closing bracket
                at = offset(sequence.end_mark) - 1
                edits.append((at, at, "".join(f", {q}" for q in quoted)))
            else:  # one "- …" line each after the last example, at the dash's indentation
                last = sequence.value[-1].end_mark
                line = last.line if last.column else last.line - 1
                indent = " " * sequence.start_mark.column
                added = (f"{indent}# {note}\n" if note else "") + "".join(f"{indent}- {q}\n" for q in quoted)
                edits.append((starts[line + 1], starts[line + 1], added if lines[line].endswith("\n") else "\n" + added))
    for start, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    learned, problems = validate_rubric_text(text)
    if learned is None:
        raise RubricError(f"the learned rubric does not load: {problems[0]}")
    return text


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    return {key.value: value for key, value in node.value} if isinstance(node, yaml.MappingNode) else {}
