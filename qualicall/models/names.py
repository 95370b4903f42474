"""First names, so that an agent's name is recognised in lower-case ASR text.

spaCy's NER needs capitals; ASR output has none. `gender-guesser` ships a list
of about 45,000 first names from many countries (French and English among
them), which is enough to tell « je suis nadia » from « je suis désolée ».
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from qualicall.core.text import normalize


def _read_first_names(data: Path) -> frozenset[str]:
    names: set[str] = set()
    with data.open(encoding="iso8859-1") as handle:
        for line in handle:
            if line.startswith("#") or len(line) < 30:
                continue
            # Columns: gender code, then the name (a '+' joins compound names).
            name = line[3:29].strip().replace("+", " ")
            if name:
                names.add(normalize(name).text)
    return frozenset(names)


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The lexicon, normalised once per installation (0.4 s of CPU each time otherwise)."""
    from importlib import resources

    from qualicall.core import text
    from qualicall.models.derived import derived

    data = Path(str(resources.files("gender_guesser") / "data" / "nam_dict.txt"))
    return derived("first-names", [data, Path(text.__file__)], lambda: _read_first_names(data))


def is_first_name(word: str) -> bool:
    return normalize(word).text in _first_names()
