"""Language of an interaction when the input does not say: the words of `languages.yaml`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from qualicall.core.text import normalize


@lru_cache(maxsize=1)
def language_words() -> dict[str, frozenset[str]]:
    """Each language's telling words, normalised, in the file's order (the first wins a tie)."""
    data = yaml.safe_load((resources.files("qualicall.scorer") / "languages.yaml").read_text(encoding="utf-8"))
    return {language: frozenset(normalize(str(word)).text for word in words) for language, words in data.items()}


def detect_language(texts: list[str]) -> str:
    counts = dict.fromkeys(language_words(), 0)
    for text in texts:
        for word in normalize(text).text.split():
            for language, words in language_words().items():
                counts[language] += word in words
    return max(counts, key=lambda language: counts[language])
