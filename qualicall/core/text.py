"""Text normalisation that survives ASR output, with a map back to the original.

Checks match phrases on a normalised form of each turn (lower case, no accents,
no punctuation, no hesitations, apostrophes and hyphens as spaces), so that
« Que puis-je faire pour vous ? », « que puis je faire pour vous » and
« euh que puis-je euh faire pour vous » all match the same phrase. Evidence must
point at the original text, so every normalised character keeps the index of
the original character it came from.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from collections.abc import Mapping
from functools import lru_cache
from itertools import chain

# Hesitations and backchannel noises that ASR writes out and that break phrases. A rubric
# states its own list (`text.hesitations`); this one serves text read before a rubric is chosen.
DEFAULT_HESITATIONS = frozenset({"euh", "euhh", "heu", "hum", "hmm", "mmh", "bah", "um", "uh", "uhm", "erm", "er", "hm"})

# NUMBER: an identifier no other type names (an account, a contract, a reference: a dictated run of digits in a turn),
# and every long run of digits in free text.
NUMBER = "NUMBER"
# The types of personal data redaction finds, which name its placeholders (« [CARD] »).
PERSONAL_DATA_TYPES = ("CARD", "CVV", "EXPIRY", "IBAN", "NIR", "PHONE", "EMAIL", "ADDRESS", "DOB", "NAME", NUMBER, "HEALTH")
# What redaction writes in place of personal data (« [NAME] », « [PHONE] »). A stored transcript is redacted, and
# scoring it again (a contact posted again as the API returned it) reads its placeholders: each is quoted whole in
# evidence (`NormText.span`), is no jargon, and « this is [NAME] » gives a name. Only these: « [ONT] » is an acronym.
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PERSONAL_DATA_TYPES) + r")\]")


def placeholder(kind: str) -> str:
    """The placeholder of a type of personal data: « [NAME] »."""
    return f"[{kind}]"


def is_placeholder(text: str, start: int, end: int, kind: str | None = None) -> bool:
    """Whether text[start:end] is one placeholder (of that `kind`, if given)."""
    return PLACEHOLDER.fullmatch(text, start, end) is not None and (kind is None or text[start + 1 : end - 1] == kind)


_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_WORD = re.compile(r"[a-z0-9]+")


# What an e-mail reply carries that its writer did not write: the message it quotes, from its header to the text's end —
# a reply header ending its line with the date's time or the sender's address in it (« Le 3 nov. 2026 à 08:00,
# cliente@example.com a écrit : », "On Tue, 3 Nov 2026 at 09:12, John <j@example.com> wrote:"), « -----Message
# d'origine----- », or an Outlook block (« De : », then « Envoyé : » or « Date : », then « Objet : » within four lines).
# Not the agent's own « Le 3 novembre, notre technicien vous a écrit : » nor "From: London Heathrow / Date: 12 May" (a
# fresh-eyes review: the reply after them was blanked), nor « > » lines alone (an agent's own steps). The signature
# stays: an agent signs with their name.
_QUOTE_OPENERS = re.compile(
    r"^[ \t]*(?:(?:le|on)\b(?=[^\n]*(?:\d{1,2}[:h]\d{2}|@))[^\n]{4,200}?(?:a écrit|a ecrit|wrote)[ \t]*:[ \t]*$"
    r"|-{2,}[ \t]*(?:message d'origine|original message|forwarded message|message transféré)[ \t]*-{2,}"
    r"|(?:de|from)[ \t]*:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:envoyé|sent|date)[ \t]*:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:objet|subject)[ \t]*:)",
    re.IGNORECASE | re.MULTILINE,
)


def without_quoted(text: str) -> str:
    """An e-mail's own words: the message it quotes blanked out, every other character where it was (evidence spans
    stay true of the text as written). A reply judged with the message it quoted failed « Formulations positives » on
    the customer's « C'est pas possible », and took its salutation from a quoted « Hello »."""
    opener = _QUOTE_OPENERS.search(text)
    if opener is None:
        return text
    return text[: opener.start()] + re.sub(r"[^\n]", " ", text[opener.start() :])


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """Lower-case a character and strip its accents (« É » → « e », « œ » → « oe »)."""
    ch = _APOSTROPHES.get(ch, ch).lower()
    if ch in "œ":
        return "oe"
    if ch == "æ":
        return "ae"
    if ch == "ß":
        return "ss"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class NormText:
    """A normalised string and, for each of its characters, the original index.

    The offsets never decrease, so a span of the original maps to the normalised
    text by binary search: every lookup below is logarithmic or bounded by the
    words it returns, never a scan of the whole turn.
    """

    original: str
    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) character span of a normalised span."""
        if not self.offsets:
            return 0, 0
        start = min(start, len(self.offsets) - 1)
        end = max(min(end, len(self.offsets)), start + 1)
        first, last = self.offsets[start], self.offsets[end - 1] + 1
        if (first and self.original[first - 1] == "[") or self.original[last : last + 1] == "]":
            # A placeholder is quoted whole: its brackets are punctuation to the normalised text (« [NAME] » reads « name »).
            for found in PLACEHOLDER.finditer(self.original, max(0, first - 1), last + 1):
                if found.start() < last and found.end() > first:
                    first, last = min(first, found.start()), max(last, found.end())
        return first, last

    def norm_span(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """Normalised (start, end) span of the characters that come from original[start_char:end_char]; None if none do."""
        first = bisect_left(self.offsets, start_char)
        last = bisect_left(self.offsets, end_char, first)
        return (first, last) if first < last else None

    def words(self) -> list[str]:
        return self.text.split()

    def words_before(self, position: int, count: int) -> list[str]:
        """The last `count` words of text[:position] (as `text[:position].split()[-count:]`, without the copy)."""
        words: list[str] = []
        end = position
        while len(words) < count:
            while end > 0 and self.text[end - 1] == " ":
                end -= 1
            if end == 0:
                break
            start = self.text.rfind(" ", 0, end) + 1
            words.append(self.text[start:end])
            end = start
        return words[::-1]

    def words_after(self, position: int, count: int) -> list[str]:
        """The first `count` words of text[position:] (as `text[position:].split()[:count]`, without the copy)."""
        words: list[str] = []
        start = position
        size = len(self.text)
        while len(words) < count:
            while start < size and self.text[start] == " ":
                start += 1
            if start >= size:
                break
            end = self.text.find(" ", start)
            end = size if end < 0 else end
            words.append(self.text[start:end])
            start = end
        return words


@lru_cache(maxsize=65536)
def normalize(
    text: str,
    hesitations: frozenset[str] = DEFAULT_HESITATIONS,
    contractions: frozenset[str] = frozenset(),
    spellings: tuple[tuple[str, str], ...] = (),
) -> NormText:
    """Normalise a turn for matching: folded letters and digits separated by single spaces, hesitations dropped.

    `contractions` are words with an apostrophe (« you're », "don't") that ASR writes without it (« youre »): written
    so, the word is read as two, as the apostrophe would have made it (« you re »), and matches the same phrases.
    `spellings` are (shorthand, words) pairs of normalised text, chat shorthand read as the words it stands for
    ("u" → "you", « stp » → « s il te plait »): the words take the shorthand's place, their characters mapped onto it.
    """
    normal = _normalize(text, hesitations, contractions)
    return _respell(normal, dict(spellings)) if spellings else normal


def _respell(normal: NormText, spellings: Mapping[str, str]) -> NormText:
    """`normal` with each word that `spellings` holds replaced by its words; a replacement's characters map onto the
    shorthand's, first onto first and last onto last, so that evidence still points at what was written. Not a word
    of an initialism ("U.S.", "U.K.") nor of a hyphenated word ("U-turn"): no shorthand."""
    words = normal.text.split(" ")
    if not normal.text or spellings.keys().isdisjoint(words):
        return normal
    text: list[str] = []
    offsets: list[int] = []
    start = 0
    for word in words:
        if text:
            text.append(" ")
            offsets.append(normal.offsets[start - 1])
        full = spellings.get(word)
        if full is None or _not_shorthand(normal.original, normal.offsets[start], normal.offsets[start + len(word) - 1] + 1):
            full = word
        last = len(full) - 1
        offsets.extend(normal.offsets[start + (i * (len(word) - 1)) // max(last, 1)] for i in range(len(full)))
        text.append(full)
        start += len(word) + 1
    return NormText(normal.original, "".join(text), tuple(offsets))


# Glued to the next word: by a hyphen to a letter, or by a dot to one letter, an initialism's ("U.S.").
_GLUED_AFTER = re.compile(r"-[^\W\d_]|\.[^\W\d_](?![^\W\d_])")
_GLUED_BEFORE = re.compile(r"(?:[^\W\d_]-|(?<![^\W\d_])[^\W\d_]\.)$")


def _not_shorthand(original: str, start: int, end: int) -> bool:
    """original[start:end] is a letter of an initialism ("U.S.") or a part of a hyphenated word ("U-turn"), not
    chat shorthand; a missing space after a sentence's dot ("ok.thx") does not count."""
    return _GLUED_AFTER.match(original, end) is not None or _GLUED_BEFORE.search(original[max(0, start - 3) : start]) is not None


def _normalize(text: str, hesitations: frozenset[str], contractions: frozenset[str]) -> NormText:
    folded = _fold_one_to_one(text)
    joined, offsets = (folded, None) if folded is not None else _fold_each(text)
    # Words without hesitations, joined by one space; a space takes the index of the character before its word.
    words = [m.span() for m in _WORD.finditer(joined) if m.group() not in hesitations]
    if contractions:
        splits = _apostrophe_positions(contractions)
        words = list(chain.from_iterable(_split_contraction(joined, start, end, splits) for start, end in words))
    normalised = " ".join(joined[start:end] for start, end in words)
    if offsets is None:
        # Each character folded to one: the folded text kept the original's positions.
        spans = (range(start - (i > 0), end) for i, (start, end) in enumerate(words))
    else:
        spans = ((*((offsets[start] - 1,) if i else ()), *offsets[start:end]) for i, (start, end) in enumerate(words))
    return NormText(text, normalised, tuple(chain.from_iterable(spans)))


@lru_cache(maxsize=16)
def _apostrophe_positions(contractions: frozenset[str]) -> dict[str, int]:
    """Each contraction as ASR writes it (« youre ») and where its apostrophe was (3)."""
    positions = {}
    for word in contractions:
        parts = folded_words(word).split()
        if len(parts) == 2:
            positions["".join(parts)] = len(parts[0])
    return positions


def _split_contraction(joined: str, start: int, end: int, positions: Mapping[str, int]) -> tuple[tuple[int, int], ...]:
    """A word's span, or its two parts' spans where it is a contraction written without its apostrophe."""
    at = positions.get(joined[start:end])
    return ((start, start + at), (start + at, end)) if at else ((start, end),)


# Every character met so far that folds to exactly one, with its folding (a space for a separator): a text's characters
# are looked up as a set, not folded one call each per text (a rubric's 4,600 bank examples, every word a check weighs).
_ONE_TO_ONE: dict[int, str] = {}
_FOLDS_TO_ONE: set[str] = set()


def _fold_one_to_one(text: str) -> str | None:
    """The text with each character folded (separators as spaces), when every character folds to exactly one; else None."""
    for ch in set(text) - _FOLDS_TO_ONE:
        folded = fold_char(ch)
        if len(folded) != 1:
            return None  # « œ » → « oe », a combining accent → nothing: offsets must be kept one by one
        _ONE_TO_ONE[ord(ch)] = folded if folded.isalnum() else " "
        _FOLDS_TO_ONE.add(ch)  # (after its folding: a reader in another thread finds both)
    return text.translate(_ONE_TO_ONE)


def _fold_each(text: str) -> tuple[str, list[int]]:
    """The text folded character by character, separators collapsed to one space, with each character's original index."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        for out in fold_char(ch):
            if out.isalnum():
                chars.append(out)
                offsets.append(index)
            elif chars and chars[-1] != " ":
                # Punctuation, apostrophes and hyphens all separate words.
                chars.append(" ")
                offsets.append(index)
    return "".join(chars), offsets


def folded_words(text: str) -> str:
    """The text's words folded as `normalize` folds them (hesitations kept), joined by one space, without
    the offsets: what transcript search indexes and looks for (« Réclamation ! » → « reclamation »)."""
    folded = _fold_one_to_one(text)
    return " ".join(_WORD.findall(folded if folded is not None else _fold_each(text)[0]))


def normalize_phrase(phrase: str, hesitations: frozenset[str] = DEFAULT_HESITATIONS) -> str:
    return normalize(phrase, hesitations).text


def compile_phrases(phrases: list[str], hesitations: frozenset[str] = DEFAULT_HESITATIONS) -> re.Pattern[str] | None:
    """One regex matching any of the phrases on word boundaries of normalised text.

    A phrase may contain `*`, standing for any one word, so that a rubric can
    say « merci de votre * » without listing every noun.
    """
    alternatives = []
    for phrase in phrases:
        words = normalize_phrase(phrase.replace("*", " STAR "), hesitations).split()
        if not words:
            continue
        parts = [r"[a-z0-9]+" if w == "star" else re.escape(w) for w in words]
        alternatives.append(r"\s".join(parts))
    if not alternatives:
        return None
    # Longest first, so that evidence covers the whole formula.
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


def sentences(text: str) -> list[str]:
    """Split a turn at sentence punctuation; unpunctuated ASR turns stay whole."""
    parts = re.split(r"(?<=[.!?…])\s+", text.strip())
    return [p for p in parts if p]
