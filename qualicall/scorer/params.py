"""What every check's params share: unknown settings refused, regular expressions checked, phrase lists compiled once.

A rubric is validated once, when it loads (`qualicall.scorer.rubric`): each item's
`params` become an instance of its check's `Params` model, a subclass of
`CheckParams`. Every `cached_property` of that model (a compiled phrase list, a
pattern, a set of normalised words) is computed right then and kept with the
rubric, so checks never compile or re-validate anything per interaction, and a
bad regular expression is a rubric problem reported with its YAML line, never an
error in the middle of scoring.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, PrivateAttr, ValidationInfo, model_validator

from qualicall.core.text import DEFAULT_HESITATIONS, compile_phrases, normalize


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return pattern


# A regular expression on normalised text, checked when the rubric loads.
Regex = Annotated[str, AfterValidator(_compiles)]

def _wording(value: object) -> str | dict[str, str]:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value and set(value) <= {"fr", "en"} and all(isinstance(v, str) for v in value.values()):
        return value
    raise ValueError("expected one string, or one per language: {fr: …, en: …}")


# Words of the rubric that reasons show (`what: {fr: proposition d'aide, en: offer of help}`): one
# string for both languages, or one per language (qualicall.scorer.reasons renders the coach's).
Wording = Annotated[str | dict[Literal["fr", "en"], str], PlainValidator(_wording)]


class CheckParams(BaseModel):
    """Base of a check's settings. Validate with `context={"hesitations": …, "contractions": …}`: the rubric's normalisation."""

    model_config = ConfigDict(extra="forbid")
    _hesitations: frozenset[str] = PrivateAttr(default=DEFAULT_HESITATIONS)
    _contractions: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="after")
    def _compile(self, info: ValidationInfo) -> "CheckParams":
        hesitations = (info.context or {}).get("hesitations")
        if hesitations is not None:
            self._hesitations = frozenset(hesitations)
        self._contractions = frozenset((info.context or {}).get("contractions") or ())
        for name in _compiled_properties(type(self)):
            try:
                getattr(self, name)
            except re.error as exc:  # patterns that compile alone but not together (a group name used twice)
                raise ValueError(f"invalid regular expression: {exc}") from None
        return self

    def phrase_matcher(self, phrases: list[str]) -> re.Pattern[str] | None:
        """Phrases as one regex on normalised text (`*` is any one word)."""
        return compile_phrases(phrases, self._hesitations)

    def formula_matcher(self, phrases: list[str], patterns: list[str]) -> re.Pattern[str] | None:
        """Phrases and raw patterns as one regex on normalised text."""
        literal = self.phrase_matcher(phrases)
        parts = ([literal.pattern] if literal else []) + [f"(?:{p})" for p in patterns]
        return re.compile("|".join(parts)) if parts else None

    def normal_words(self, words: list[str]) -> frozenset[str]:
        """Words as they read in normalised text (« Voilà » → « voila »); one that normalises to nothing is left out."""
        return frozenset(w for w in (self.normal(word) for word in words) if w)

    def normal(self, text: str) -> str:
        """Text as it reads normalised with the rubric's hesitations."""
        return normalize(text, *self.normalisation).text

    @cached_property
    def normalisation(self) -> tuple[frozenset[str], frozenset[str]]:
        """The rubric's hesitations and contractions, kept where reading them is cheap: `normal` runs for every short
        word a jargon check weighs (18,000 times on 60 long calls), and each read of a pydantic private attribute
        costs as much as the cached normalisation itself."""
        return self._hesitations, self._contractions


class ExclusionParams(CheckParams):
    """Phrases that cancel a match they overlap: what the formula checks, the organisation and the courtesy share
    (« merci de patienter » thanks nobody, « à votre service » names no service, « à plus de huit mètres » takes no
    leave). Their callers drop such matches with `qualicall.scorer.context.without_overlaps`."""

    exclude: list[str] = Field(default_factory=list, description="phrases that cancel a match they overlap")

    @cached_property
    def excluded(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.exclude)


def _compiled_properties(model: type) -> list[str]:
    return [name for cls in model.__mro__ for name, value in vars(cls).items() if isinstance(value, cached_property)]
