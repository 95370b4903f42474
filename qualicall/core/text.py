"""Text normalisation that survives ASR output, with a map back to the original.

Checks match phrases on a normalised form of each turn (lower case, no accents,
no punctuation, no hesitation fillers, apostrophes and hyphens as spaces), so
that « Que puis-je faire pour vous ? », « que puis je faire pour vous » and
« euh que puis-je euh faire pour vous » all match the same phrase. Evidence must
point at the original text, so every normalised character keeps the index of
the original character it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Hesitations and backchannel noises that ASR writes out and that break phrases.
FILLERS = frozenset({"euh", "euhh", "heu", "hum", "hmm", "mmh", "bah", "um", "uh", "uhm", "erm", "er", "hm"})

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_WORD = re.compile(r"[a-z0-9]+")


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
    """A normalised string and, for each of its characters, the original index."""

    original: str
    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) character span of a normalised span."""
        if not self.offsets:
            return 0, 0
        start = min(start, len(self.offsets) - 1)
        end = max(min(end, len(self.offsets)), start + 1)
        return self.offsets[start], self.offsets[end - 1] + 1

    def words(self) -> list[str]:
        return self.text.split()


@lru_cache(maxsize=65536)
def normalize(text: str) -> NormText:
    """Normalise a turn for matching: folded letters and digits separated by single spaces."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = fold_char(ch)
        for out in folded:
            if out.isalnum():
                chars.append(out)
                offsets.append(index)
            elif chars and chars[-1] != " ":
                # Punctuation, apostrophes and hyphens all separate words.
                chars.append(" ")
                offsets.append(index)
    # Drop fillers and the trailing space, keeping offsets aligned.
    out_chars: list[str] = []
    out_offsets: list[int] = []
    joined = "".join(chars)
    for match in _WORD.finditer(joined):
        if match.group() in FILLERS:
            continue
        if out_chars:
            out_chars.append(" ")
            out_offsets.append(offsets[match.start()] - 1 if match.start() else 0)
        out_chars.extend(match.group())
        out_offsets.extend(offsets[match.start() : match.end()])
    return NormText(text, "".join(out_chars), tuple(out_offsets))


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).text


def compile_phrases(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex matching any of the phrases on word boundaries of normalised text.

    A phrase may contain `*`, standing for any one word, so that a rubric can
    say « merci de votre * » without listing every noun.
    """
    alternatives = []
    for phrase in phrases:
        words = [w for w in normalize_phrase(phrase.replace("*", " STAR ")).split()]
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
