"""Redacting interactions and results: the one call the rest of the product makes.

Scoring runs on the clear text, in memory; then the turns are redacted and
every evidence span of the result is moved onto the redacted text, and every
other string of the result (reasons, measures) loses the clear values. What
is stored, shown or exported never holds them, and the verdicts stand: an
agent who gave their name still passes `agent_name`, with « je m'appelle
[NAME] » as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualicall.privacy.redactor import RedactedText, Redactor, placeholder
from qualicall.privacy.settings import RedactionSettings
from qualicall.privacy.spoken import within, written_moments
from qualicall.core.interaction import AGENT, COMPLAINT_TIMES, CUSTOMER, Interaction, Turn, Word
from qualicall.core.result import Result
from qualicall.core.text import NUMBER


@dataclass
class RedactedInteraction:
    """The redacted interaction, each turn's redactions, and the times to blank in the recording."""

    interaction: Interaction
    texts: list[RedactedText]
    # (start, end) seconds of each redacted span in the recording.
    audio_spans: list[tuple[float, float]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(t.redactions) for t in self.texts)


def known_names(interaction: Interaction, settings: RedactionSettings) -> tuple[str, ...]:
    names: list[str] = []
    extra = interaction.model_extra or {}
    for name in settings.known_name_fields:
        value = extra.get(name, getattr(interaction, name, None))
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names.extend(v for v in value if isinstance(v, str))
    return tuple(names)


def _word_offsets(words: list[Word], text: str) -> list[tuple[int, int] | None]:
    """Where each recognised word lies in the turn text (the recogniser wrote both)."""
    offsets: list[tuple[int, int] | None] = []
    lower = text.lower()
    cursor = 0
    for word in words:
        needle = word.word.strip().lower()
        at = lower.find(needle, cursor) if needle else -1
        if at < 0:
            offsets.append(None)
            continue
        offsets.append((at, at + len(needle)))
        cursor = at + len(needle)
    return offsets


def _redact_words(turn: Turn, redacted: RedactedText) -> tuple[list[Word] | None, list[tuple[float, float]]]:
    """The turn's words with each redaction's words collapsed into one placeholder word, and their times."""
    if not redacted.redactions:
        return turn.words, []
    if not turn.words:
        # No word times: the whole turn is blanked in the recording rather than risk a leak.
        whole = [(turn.start, turn.end)] if turn.start is not None and turn.end is not None else []
        return turn.words, whole
    offsets = _word_offsets(turn.words, turn.text)
    words: list[Word] = []
    spans: list[tuple[float, float]] = []
    covered: dict[int, int] = {}
    for r_index, r in enumerate(redacted.redactions):
        hit = [i for i, o in enumerate(offsets) if o is not None and o[0] < r.end and r.start < o[1]]
        if not hit:
            # A word the aligner could not place: blank the whole turn.
            if turn.start is not None and turn.end is not None:
                spans.append((turn.start, turn.end))
            continue
        for i in hit:
            covered[i] = r_index
        spans.append((turn.words[hit[0]].start, turn.words[hit[-1]].end))
    done: set[int] = set()
    for i, word in enumerate(turn.words):
        if i not in covered:
            words.append(word)
        elif covered[i] not in done:
            done.add(covered[i])
            r = redacted.redactions[covered[i]]
            last = max(j for j, k in covered.items() if k == covered[i])
            words.append(word.model_copy(update={"word": " " + placeholder(r.type), "end": turn.words[last].end}))
    return words, spans


# Outside the conversation no words come before a number to say what it is (« numéro de carte ? »):
# there, every run of six digits or more (spaces, dots, slashes or dashes between them allowed) is masked.
_DIGIT_RUN = re.compile(r"\d(?:[ ./\-]?\d){5,}")  # (with slashes: « 12/05/1985 » was kept, a date of birth)
_SPEAKERS = frozenset({AGENT, CUSTOMER})


def redact_free_text(redactor: Redactor, text: str, language: str, names: tuple[str, ...] = ()) -> str:
    """A string kept apart from the turns (an extra field, a coach's or an agent's comment) with its personal data
    replaced, and every run of six digits or more masked: nothing around it says what a number is."""
    if not redactor.settings.enabled:
        return text
    # A field may open on a name (« Jean Dupont »), where a turn opens a sentence with any capitalised
    # word: redacted as if a space came first, the redactor looks for names there too.
    redacted = redactor.redact(" " + text, language, known_names=names).text.removeprefix(" ")
    moments = written_moments(redacted)
    return _DIGIT_RUN.sub(lambda run: run.group() if within(moments, run.start(), run.end()) else placeholder(NUMBER), redacted)


def redact_message(redactor: Redactor | None, message: str) -> str:
    """A message about a refused record (printed, kept in a batch's failures file) with the personal data its quoted
    values hold replaced: « indicators.nps: expected a number, got 'FR76 3000 …' » quoted an IBAN in clear. Its language
    is unknown: read as French, then as English. Unchanged where the deployment does not redact (`redactor` None)."""
    if redactor is None or not redactor.settings.enabled:
        return message

    def redacted(quoted: re.Match[str]) -> str:
        value = quoted.group()[1:-1]
        if _DATE_TRIED.fullmatch(value):
            return quoted.group()  # a date and time that did not parse (« 2026-13-01 »): what the operator must see
        for language in ("fr", "en"):
            value = redact_free_text(redactor, value, language)
        return quoted.group()[0] + value + quoted.group()[-1]

    # Only what the message quotes (the record's values, as Python quotes them): its own words are none
    # (« an ISO 8601 date and time (2026-11-02T09:14:03+01:00) »).
    return _QUOTED.sub(redacted, message)


_DATE_TRIED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T][\d:.]*(?:Z|[+-]\d{1,2}:?\d{2})?)?")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def redact_interaction(interaction: Interaction, settings: RedactionSettings | None = None, redactor: Redactor | None = None) -> RedactedInteraction:
    """The interaction with personal data replaced by typed placeholders: in turns and their words, in known-name
    fields, and in every other string kept with it (extra fields, extra keys of turns, text indicator values)."""
    redactor = redactor or Redactor(settings)
    settings = redactor.settings
    turns = interaction.turns or []
    if not settings.enabled:
        return RedactedInteraction(interaction, [RedactedText(t.text) for t in turns])
    from qualicall.scorer.language_id import detect_language

    language = interaction.language or detect_language([t.text for t in turns])
    names = known_names(interaction, settings) if "NAME" in settings.types else ()

    def free_text(text: str) -> str:
        return redact_free_text(redactor, text, language, names)

    texts: list[RedactedText] = []

    def redacted_turn(index: int, known: tuple[str, ...]) -> RedactedText:
        # The two turns before, redacted: « numéro de carte ? », then « [CARD] », « oui »… keep
        # a card dictated in pieces across turns a card.
        context = " ".join(t.text for t in texts[max(0, index - 2) : index])
        return redactor.redact(turns[index].text, language, context=context, known_names=known)

    for index in range(len(turns)):
        texts.append(redacted_turn(index, names))
    # A name found in one turn is redacted in every other ("Priya speaking", then the customer's "Hi Priya"): those turns
    # again, with the names found as known ones.
    found = _names_found(texts, language, names)
    if found:
        for index, turn in enumerate(turns):
            if found.search(turn.text):
                texts[index] = redacted_turn(index, names + tuple(found.names))

    new_turns: list[Turn] = []
    audio: list[tuple[float, float]] = []
    for turn, redacted in zip(turns, texts):
        words, spans = _redact_words(turn, redacted)
        audio.extend(spans)
        # The format's own fields are ids, enumerations, times and the turns' text; any other is free text.
        changes = _scrub(turn.model_extra or {}, free_text)
        if turn.speaker not in _SPEAKERS:
            changes["speaker"] = free_text(turn.speaker)
        if words and any(word.model_extra for word in words):
            changes["words"] = [word.model_copy(update=_scrub(word.model_extra or {}, free_text)) for word in words]
        if redacted.redactions:
            # Where each placeholder is in the redacted text, for a viewer to highlight.
            placed = [{"type": r.type, "start_char": r.new_start, "end_char": r.new_end} for r in redacted.redactions]
            changes.update(text=redacted.text, words=changes.get("words", words), redactions=placed)
        new_turns.append(turn.model_copy(update=changes) if changes else turn)
    update: dict[str, Any] = {"turns": new_turns} if interaction.turns is not None else {}
    update.update(_scrub(interaction.model_extra or {}, free_text))
    update.update({name: placeholder("NAME") for name in settings.known_name_fields if (interaction.model_extra or {}).get(name)})
    # A written complaint's times are times, checked at the door, that the reports read: not free text.
    update["indicators"] = {name: value if name in COMPLAINT_TIMES else _scrub(value, free_text, _names_a_birth(name)) for name, value in interaction.indicators.items()}
    redacted_interaction = interaction.model_copy(update=update)
    return RedactedInteraction(redacted_interaction, texts, sorted(audio))


@dataclass(frozen=True)
class FoundNames:
    """Words of the names the redactor found in a contact's turns, and a pattern finding them as words."""

    names: list[str]
    pattern: re.Pattern[str]

    def search(self, text: str) -> bool:
        return self.pattern.search(text) is not None


def _names_found(texts: list[RedactedText], language: str, known: tuple[str, ...]) -> FoundNames | None:
    """The words of the names found in the turns that are no word of the language (« Priya », « Durand »; not « Grace »,
    "Will", « Marc », which a transcript says as words too) nor already known."""
    from qualicall.privacy.names import in_dictionary, is_stop_word
    from qualicall.privacy.spoken import FILLERS, fold

    already = {fold(part) for name in known for part in name.split()}
    # Not a particle, a filler or a function word either (« monsieur ben ali »: « ben oui » elsewhere is a filler).
    found = sorted({part for text in texts for r in text.redactions if r.type == "NAME"
                    for part in re.findall(r"[^\W\d_]{3,}", r.text)
                    if fold(part) not in already and not in_dictionary(part, language) and fold(part) not in FILLERS
                    and not is_stop_word(fold(part), language)})
    if not found:
        return None
    return FoundNames(found, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, found)) + r")(?!\w)", re.IGNORECASE))


def _replacer(pairs: dict[str, str]):
    """A function replacing each clear value (case and accents ignored) by its redacted form, longest first."""
    from qualicall.core.text import normalize

    variants: dict[str, str] = {}
    for clear, redacted in pairs.items():
        for form in {clear, normalize(clear).text}:
            if len(form.strip()) >= 2:
                variants.setdefault(form.strip(), redacted)
    if not variants:
        return lambda s: s
    ordered = sorted(variants, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, v.split())) for v in ordered)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    lookup = {v.lower(): variants[v] for v in ordered}

    def replace(text: str) -> str:
        return pattern.sub(lambda m: lookup.get(" ".join(m.group().lower().split()), "[REDACTED]"), text)

    return replace


# A field named for a date of birth (`customer_birth_date`, `dob`, `dateOfBirth`, `date_naissance`): its value is one,
# whatever its form (a written date is otherwise kept: a fresh-eyes review found « 1985-05-12 » kept in such a field).
# The name must end so: `dob_verified`, `country_of_birth`, `birthday_offer_eligible` are no dates (a second review).
_BIRTH_FIELD = re.compile(r"(?:^|_)(?:dob|date_?of_?birth|birth_?date|birthday|date_?(?:de_?)?naissance|ddn)$")


def _names_a_birth(key: str) -> bool:
    return bool(_BIRTH_FIELD.search(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower()))


def _scrub(value: Any, replace, birth: bool = False) -> Any:
    if birth and isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
        return placeholder("DOB")
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_scrub(v, replace, birth) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, replace, birth or _names_a_birth(k)) for k, v in value.items()}
    return value


def redact_result(result: Result, redacted: RedactedInteraction) -> Result:
    """The result with evidence moved onto the redacted turns and no clear value left in any string."""
    data = result.to_json()
    # An indicator given as text is shown as the interaction keeps it: redacted.
    for name, indicator in data.get("indicators", {}).items():
        if indicator.get("source") == "input" and isinstance(indicator.get("value"), str):
            indicator["value"] = redacted.interaction.indicators.get(name)
    if not redacted.count:
        return Result.model_validate(data)
    pairs: dict[str, str] = {}
    for text in redacted.texts:
        for r in text.redactions:
            pairs.setdefault(r.text, placeholder(r.type))
    # Everything that carries evidence: the grid's items and the customer signals.
    holders = [item for criterion in data.get("criteria", {}).values() for item in criterion.get("items", {}).values()]
    holders += list((data.get("signals") or {}).values())
    for holder in holders:
        for evidence in holder.get("evidence", []):
            turn = evidence.get("turn")
            if not isinstance(turn, int) or not 0 <= turn < len(redacted.texts):
                continue
            text = redacted.texts[turn]
            start, end = text.map_span(evidence["start_char"], evidence["end_char"])
            new = text.text[start:end]
            if new != evidence["text"]:
                pairs.setdefault(evidence["text"], new)
            evidence.update(start_char=start, end_char=end, text=new)
    replace = _replacer(pairs)
    for holder in holders:
        evidence = holder.pop("evidence", [])
        holder.update(_scrub(holder, replace))
        holder["evidence"] = evidence
    return Result.model_validate(data)


def redact_scored(interaction: Interaction, result: Result, settings: RedactionSettings | None = None, redactor: Redactor | None = None) -> tuple[Interaction, Result]:
    """Redact a scored interaction and its result together (score first, on the clear text)."""
    redacted = redact_interaction(interaction, settings, redactor)
    return redacted.interaction, redact_result(result, redacted)
