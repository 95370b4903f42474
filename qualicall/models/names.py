"""First names, so that an agent's name is recognised in lower-case ASR text.

spaCy's NER needs capitals; ASR output has none. `gender-guesser` ships a list
of about 45,000 first names from many countries (French and English among
them, accented ones included: « Maëlle », « Côme », « Anaïs »), which is enough
to tell « je suis nadia » from « je suis désolée ». Its file is UTF-8 (read as
Latin-1, every accented name was lost); a '+' joins the parts of a compound
name, which is kept joined by a space and by a hyphen (« Gaëlle-Marie » is
« gaelle marie » once normalised).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from qualicall.core.text import normalize

# Line layout of nam_dict.txt: a gender code (M, 1M, ?M, F, 1F, ?F, ?), then the name.
_GENDER_CODES = frozenset({"M", "1M", "?M", "F", "1F", "?F", "?"})


def _read_first_names(data: Path) -> frozenset[str]:
    names: set[str] = set()
    with data.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 2 or parts[0] not in _GENDER_CODES:
                continue  # comments and the file's header
            name = normalize(parts[1].replace("+", " ")).text
            if name:
                names.add(name)
    return frozenset(names)


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The lexicon, normalised once per installation (0.4 s of CPU each time otherwise)."""
    from importlib import resources

    from qualicall.core import text
    from qualicall.models.derived import derived

    data = Path(str(resources.files("gender_guesser") / "data" / "nam_dict.txt"))
    return derived("first-names", [data, Path(text.__file__), Path(__file__)], lambda: _read_first_names(data))


def is_first_name(word: str) -> bool:
    """Whether `word` (any case, accents or not, compound names joined by a space or a hyphen) is a first name."""
    return normalize(word).text in _first_names()
