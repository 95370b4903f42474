"""Numbers as speech recognisers write them, turned back into digits with their offsets.

A card number reaches the transcript as « quatre neuf sept deux, euh, cinq
trois… », "four nine seven two", « 4972 5310 … » or a mix of them. Redaction
must work on the digits (to check a Luhn or IBAN key, to count them) while
replacing the original characters, so every number keeps the character span
it came from, and fillers (« euh », "um") and punctuation between numbers do
not break a run of digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Words, digit strings, and the symbols an e-mail or phone number needs.
# Irish and Italian surnames (O'Brien, D'Angelo) stay one word.
_TOKEN = re.compile(r"[OD]['’][A-Z][^\W_]+|[^\W_]+|[@+]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    key: str  # lower case without accents, for matching against word lists


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]


FILLERS = frozenset(
    "euh heu euhm hum hm hmm ben bah eh um uh uhm er erm ah mm mmm".split()
)

_FR_UNITS = {"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9}
_FR_TEENS = {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}
_FR_TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_EN_UNITS = {"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_REPEAT = {"double": 2, "triple": 3}

NUMBER_WORDS = frozenset(
    [*_FR_UNITS, *_FR_TEENS, *_FR_TENS, "cent", "cents", "mille", *_EN_UNITS, *_EN_TEENS, *_EN_TENS, "hundred", "thousand"]
)


@dataclass(frozen=True)
class Number:
    """One spoken or written number: its digits (leading zeros kept) and its span."""

    digits: str
    start: int
    end: int
    first: int  # index of its first and last token
    last: int


class _Reader:
    """Reads one number at a time from the tokens, French and English words alike."""

    def __init__(self, tokens: list[Token], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.keys = [t.key for t in tokens]

    def hyphenated(self, i: int) -> bool:
        """Token i and the next are written as one compound (« quatre-vingt »)."""
        return i + 1 < len(self.tokens) and self.text[self.tokens[i].end : self.tokens[i + 1].start] == "-"

    def at(self, i: int) -> str:
        return self.keys[i] if i < len(self.keys) else ""

    def below_100(self, i: int) -> tuple[int, int] | None:
        """(value, next index) for a number under 100 starting at token i."""
        w = self.at(i)
        if w in _FR_UNITS or (w in _EN_UNITS and (w != "oh" or self._is_number_at(i + 1) or self._is_number_at(i - 1))):
            value = _FR_UNITS.get(w, _EN_UNITS.get(w, 0))
            if value == 4 and self.at(i + 1) in ("vingt", "vingts"):
                return self._tens_tail(80, i + 2)
            return value, i + 1
        if w in _FR_TEENS:
            value = _FR_TEENS[w]
            if value == 10 and self.at(i + 1) in ("sept", "huit", "neuf"):
                return 10 + _FR_UNITS[self.at(i + 1)], i + 2
            return value, i + 1
        if w in _EN_TEENS:
            return _EN_TEENS[w], i + 1
        if w in _FR_TENS or w in _EN_TENS:
            return self._tens_tail(_FR_TENS.get(w) or _EN_TENS[w], i + 1)
        return None

    def _is_number_at(self, i: int) -> bool:
        return 0 <= i < len(self.keys) and (self.keys[i].isdigit() or (self.keys[i] in NUMBER_WORDS and self.keys[i] != "oh"))

    def _tens_tail(self, tens: int, j: int) -> tuple[int, int]:
        k = j + 1 if self.at(j) == "et" else j
        w = self.at(k)
        # « soixante quatre-vingt-quatorze » is 60, 94: « quatre » before « vingt » starts a number.
        if w == "quatre" and self.at(k + 1) in ("vingt", "vingts") and self.hyphenated(k) and not self.hyphenated(k - 1):
            return tens, j
        if w in _FR_UNITS and _FR_UNITS[w] > 0 and not (tens == 80 and k > j):
            return tens + _FR_UNITS[w], k + 1
        if w in _EN_UNITS and 0 < _EN_UNITS[w] and tens >= 20 and k == j:
            return tens + _EN_UNITS[w], k + 1
        if tens in (60, 80) and w in _FR_TEENS:
            if w == "dix" and self.at(k + 1) in ("sept", "huit", "neuf"):
                return tens + 10 + _FR_UNITS[self.at(k + 1)], k + 2
            return tens + _FR_TEENS[w], k + 1
        return tens, j

    def below_1000(self, i: int) -> tuple[int, int] | None:
        if self.at(i) in ("cent", "cents"):
            head, j = 1, i
        else:
            first = self.below_100(i)
            if first is None:
                return None
            head, j = first
        if self.at(j) in ("cent", "cents", "hundred") and head > 0:
            value, j = head * 100, j + 1
            if self.at(j) == "and":
                j += 1
            rest = self.below_100(j)
            if rest is not None and rest[0] > 0:
                value, j = value + rest[0], rest[1]
            return value, j
        return head, j

    def number(self, i: int) -> tuple[int, int] | None:
        """A number up to 999,999 in words: « quatre mille neuf cent soixante-douze »."""
        if self.at(i) == "mille":
            head, j = 1, i
        else:
            first = self.below_1000(i)
            if first is None:
                return None
            head, j = first
        if self.at(j) in ("mille", "thousand") and head > 0:
            value, j = head * 1000, j + 1
            if self.at(j) == "and":
                j += 1
            rest = self.below_1000(j)
            if rest is not None and rest[0] > 0:
                value, j = value + rest[0], rest[1]
            return value, j
        return head, j


def read_numbers(tokens: list[Token], text: str) -> list[Number]:
    """Every number in the tokens, in order: digit strings as written, words as values.

    Units never merge with a following unit (« quatre neuf » is 4, 9), tens do
    (« quarante neuf » is 49, "forty nine" too), so both digit-by-digit and
    grouped dictation come out as the digits that were meant.
    """
    reader = _Reader(tokens, text)
    numbers: list[Number] = []
    i = 0
    while i < len(tokens):
        key = reader.keys[i]
        if key.isdigit():
            numbers.append(Number(key, tokens[i].start, tokens[i].end, i, i))
            i += 1
            continue
        if key in _EN_REPEAT and i + 1 < len(tokens):
            unit = reader.below_100(i + 1)
            if unit is not None and unit[0] < 10 and unit[1] == i + 2:
                numbers.append(Number(str(unit[0]) * _EN_REPEAT[key], tokens[i].start, tokens[i + 1].end, i, i + 1))
                i += 2
                continue
        parsed = reader.number(i)
        if parsed is None:
            i += 1
            continue
        value, j = parsed
        numbers.append(Number(str(value), tokens[i].start, tokens[j - 1].end, i, j - 1))
        i = j
    return numbers


# What may stand between two numbers of one dictated run.
_GAP = re.compile(r"[\s,.;:/\-–—…()'’\"«»*#]*")


@dataclass(frozen=True)
class Run:
    """Numbers dictated one after the other: their digits joined, their span, the parts."""

    numbers: tuple[Number, ...]

    @property
    def digits(self) -> str:
        return "".join(n.digits for n in self.numbers)

    @property
    def start(self) -> int:
        return self.numbers[0].start

    @property
    def end(self) -> int:
        return self.numbers[-1].end

    def prefix(self, length: int) -> "Run | None":
        """The shortest leading part of the run holding exactly `length` digits, if one does."""
        count = 0
        for index, number in enumerate(self.numbers):
            count += len(number.digits)
            if count == length:
                return Run(self.numbers[: index + 1])
            if count > length:
                return None
        return None

    def padded(self) -> str | None:
        """The digits of a number read in groups of four, each group padded back to four digits.

        « …, trois cent quarante-trois, … » is the group 0343 of a card number.
        """
        groups = [n.digits for n in self.numbers]
        if len(groups) < 3 or any(len(g) > 4 for g in groups) or sum(len(g) == 4 for g in groups) < len(groups) // 2:
            return None
        padded = "".join(g.zfill(4) for g in groups)
        return padded if padded != self.digits else None

    def windows(self, lengths: range) -> list["Run"]:
        """Every sub-run, starting at a number boundary, whose digit count is in `lengths`."""
        found = []
        for first in range(len(self.numbers)):
            count = 0
            for last in range(first, len(self.numbers)):
                count += len(self.numbers[last].digits)
                if count in lengths:
                    found.append(Run(self.numbers[first : last + 1]))
                if count > lengths.stop:
                    break
        return found


def _joinable(text: str, tokens: list[Token], left: Number, right: Number) -> bool:
    """Only punctuation and fillers between two numbers: they belong to one run."""
    between = tokens[left.last + 1 : right.first]
    if any(t.key not in FILLERS for t in between) or len(between) > 2:
        return False
    cursor = left.end
    for token in between:
        if not _GAP.fullmatch(text, cursor, token.start):
            return False
        cursor = token.end
    return _GAP.fullmatch(text, cursor, right.start) is not None


# A date or a time written as systems write them — a clock time or a duration (« 10:30 », « 00:05:12 »), or a date or an
# ISO 8601 instant of this business's years (« 2026-11-05 », « 05.11.2026 », "2026-11-02T10:00:00+01:00") — is no
# personal data: its digits were read as a phone number (« fixé au 2026-11-05 à 10:30 ») or a dictated identifier, a
# CRM's `closed_at` was stored « [NUMBER]-02T10:00:00+01:00 » (an integrator's review). Dates and instants are spared
# only within BUSINESS_YEARS of today: further back one may be a date of birth (« 1985-05-12 c'est ma date de
# naissance », "DOB 1985-05-12T00:00:00Z": fresh-eyes reviews), read as before. Not next to more digits
# (« 2012-12-12-3456 » is none).
_WRITTEN_MOMENT = re.compile(
    r"(?<!\d)(?<!\d[-./:])(?:"
    r"(?P<iso>(?:19|20)\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?"
    r"|(?:0?[1-9]|[12]\d|3[01])(?P<sep>[./-])(?:0?[1-9]|1[0-2])(?P=sep)(?P<year>(?:19|20)\d\d)"
    r"|(?P<clock>(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)"
    r")(?!\d)(?![-./:]\d)"
)
# A year before the current one and two after: appointments, due dates, what a contact is about.
BUSINESS_YEARS = (-1, 2)


def written_moments(text: str) -> list[tuple[int, int]]:
    """The spans of the dates and times written as systems write them in `text` that are no personal data
    (_WRITTEN_MOMENT): every clock time, the dates and instants of the years around this one."""
    from datetime import date

    year = date.today().year
    spans = []
    for found in _WRITTEN_MOMENT.finditer(text):
        dated = found.group("iso") or found.group("year")
        if found.group("clock") or year + BUSINESS_YEARS[0] <= int(dated) <= year + BUSINESS_YEARS[1]:
            spans.append(found.span())
    return spans


def within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside one of `spans`."""
    return any(low <= start and end <= high for low, high in spans)


def digit_runs(text: str, tokens: list[Token] | None = None) -> list[Run]:
    tokens = tokenize(text) if tokens is None else tokens
    runs: list[list[Number]] = []
    moments = written_moments(text)
    for number in read_numbers(tokens, text):
        if within(moments, number.start, number.end):
            runs.append([])  # a written date or time: no digits of a run, and it parts the numbers on each side
            continue
        if runs and runs[-1] and _joinable(text, tokens, runs[-1][-1], number):
            runs[-1].append(number)
        else:
            runs.append([number])
    return [Run(tuple(r)) for r in runs if r]


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


@lru_cache(maxsize=1)
def month_words() -> dict[str, int]:
    fr = "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split()
    en = "january february march april may june july august september october november december".split()
    months = {w: i + 1 for i, w in enumerate(fr)}
    months.update({w: i + 1 for i, w in enumerate(en)})
    months.update({w[:3]: i + 1 for i, w in enumerate(en) if w != "may"})
    return months
