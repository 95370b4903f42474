"""Ordinary words of a language, from the spaCy pipeline's lemmatizer tables (no extra download).

Two checks ask whether a word is an ordinary word of the language rather than a
name or a code: the agent's name (« Claire », « Pierre », « Rose » are first names
*and* words: alone in lower-case speech they are not taken for a name) and
jargon (« pdl », « mpan »: letters no dictionary holds, read as an acronym).

The dictionary is what the pipeline's rule lemmatizer knows: for French its
lookup table (217,000 inflected forms and their 36,000 lemmas) and the lemma
index of adjectives, adverbs and verbs (its noun index also lists first names:
« laurent », « julie »); for English WordNet's lemma index (nouns, verbs,
adjectives, adverbs) and its exceptions (irregular forms), with the regular
inflections the lemmatizer's rules undo.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from qualicall.core.text import normalize

if TYPE_CHECKING:
    from spacy.language import Language

# The lemma-index parts of speech read per language (see the module's docstring).
_INDEX_POS = {"fr": ("adj", "adv", "verb"), "en": ("adj", "adv", "noun", "verb")}


class Dictionary:
    """Membership of words (any case, accents as written or folded) in a language's dictionary."""

    def __init__(self, nlp: "Language") -> None:
        from qualicall.models.derived import derived

        lookups = nlp.get_pipe("lemmatizer").lookups
        # French's lookup table holds every inflected form; English's rules undo regular inflections.
        self._forms = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else None
        self._rules = [rule for rules in lookups.get_table("lemma_rules").values() for rule in rules] if self._forms is None else []
        version = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"
        self._words = derived(f"dictionary-{nlp.lang}", [version, Path(__file__)], lambda: _words(lookups, nlp.lang))
        # Counting 200,000 words' beginnings takes a quarter of a second: derived once, with the words.
        self._onsets = frozenset(derived(f"onsets-{nlp.lang}", [version, Path(__file__)], lambda: sorted(_onsets(self._words))))

    def __contains__(self, word: str) -> bool:
        """`word` as written (lower case, accents kept) or as normalised text reads it (accents folded)."""
        word = word.lower()
        if self._forms is not None and word in self._forms:
            return True
        word = normalize(word).text
        if word in self._words:
            return True
        # An inflected form whose lemma, by the lemmatizer's own suffix rules, is a known word.
        return any(old and word.endswith(old) and len(word) > len(old) + 1 and word[: -len(old)] + new in self._words for old, new in self._rules)

    def onsets(self) -> frozenset[str]:
        """The two-letter beginnings of the language's words (folded): « mp », « ms » begin none."""
        return self._onsets


def _words(lookups, language: str) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """The dictionary's words, normalised (accents folded), derived once per pipeline."""
    words: set[str] = set()
    forms = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else None
    if forms is not None:
        words.update(lemma for lemmas in forms.values() for lemma in lemmas)
    index = lookups.get_table("lemma_index") if lookups.has_table("lemma_index") else {}
    for pos in _INDEX_POS.get(language, ("adj", "adv", "noun", "verb")):
        words.update(index.get(pos, ()))
    exceptions = lookups.get_table("lemma_exc") if lookups.has_table("lemma_exc") else {}
    for pos in ("adj", "adv", "noun", "verb"):
        for form, lemmas in exceptions.get(pos, {}).items():
            words.add(form)
            words.update(lemmas)
    return frozenset(normalize(w.replace("_", " ")).text for w in words)


def _onsets(words: frozenset[str]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for word in words:
        if len(word) >= 3 and word.isalpha():
            counts[word[:2]] = counts.get(word[:2], 0) + 1
    # A beginning shared by a handful of loanwords does not make a readable word.
    return frozenset(onset for onset, n in counts.items() if n >= 5)


@lru_cache(maxsize=4)
def dictionary(nlp: "Language") -> Dictionary:
    return Dictionary(nlp)
