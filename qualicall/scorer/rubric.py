"""Rubrics: YAML grids naming criteria, items, their checks, windows and thresholds.

The built-in rubrics live in `qualicall/rubrics/` (shipped in the wheel); a
deployment copies one, changes words, weights and thresholds, and points
`--rubric` at its file, or puts it in `$QUALICALL_RUBRICS_DIR`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from qualicall.core.errors import InputError
from qualicall.core.text import DEFAULT_HESITATIONS, compile_phrases, folded_words, normalize
from qualicall.models.lifetime import long_lived
from qualicall.models.regex_cache import compiled_once
from qualicall.scorer.banks import Bank, any_of, bank_problems
from qualicall.scorer.params import Regex
from qualicall.scorer.registry import get_check
from qualicall.scorer.signals import SIGNALS

if TYPE_CHECKING:
    from qualicall.models.embeddings import Embedder

WindowName = Literal["opening", "closing", "agent", "conversation"]
LanguageName = Literal["fr", "en"]
def _label_shape(value: Any) -> Any:
    """One message for a label that is neither form (pydantic's two union branches gave two, naming its internals)."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in get_args(LanguageName)]
        if unknown:
            raise ValueError(f"a label's languages are fr and en, not {unknown[0]!r}")
        if not all(isinstance(text, str) for text in value.values()):
            raise ValueError("a label's words are text: {fr: Accueil, en: Greeting}")
    elif not isinstance(value, str):
        raise ValueError("a label is a text, or one per language: {fr: Accueil, en: Greeting}")
    return value


# A label in each language the coach pages speak ({fr: Accueil, en: Greeting}), or one for all.
Label = Annotated[str | dict[LanguageName, str], BeforeValidator(_label_shape)]


class RubricError(InputError):
    """A rubric that cannot be found or loaded; the message is one line."""


class _Strict(BaseModel):
    # No infinite or NaN number (`weight: .inf` wrote « Infinity » and « NaN » scores, which JSON has not).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


# A weight: a number (`20`, `'20'`), not `true` (which pydantic would read as 1).
Weight = Annotated[float, BeforeValidator(_not_a_boolean), Field(ge=0)]


class Window(_Strict):
    agent_turns: int = Field(ge=0)
    seconds: float = Field(ge=0)


class Windows(_Strict):
    opening: Window = Window(agent_turns=2, seconds=20)
    closing: Window = Window(agent_turns=3, seconds=30)
    # Words in the last turns (any speaker, bots included) that show the contact
    # ended before its closing phase: the closing items are then not applicable.
    interrupted: list[str] = Field(default_factory=list)
    # The same, counted only in a system's turn (« aucune activité depuis 10 min »): an agent may speak of an account's
    # inactivity ("there was no activity for two years").
    system_ended: list[str] = Field(default_factory=list)
    # Words no sentence ends on (« et », "and"): the contact's last turn ending on one
    # was cut in the middle of a sentence, whoever was speaking.
    unfinished: list[str] = Field(default_factory=list)
    # Words asking the customer to wait (« un instant », "bear with me"): the agent's last turn
    # closing on one, with only the customer's words after it, was cut while the agent worked.
    holding: list[str] = Field(default_factory=list)
    # Words of a customer asking the agent to wait (« attendez, une seconde », "hang on a sec"): their last turn holding one near
    # its end, with no closing formula from either, was cut while they stepped away.
    waiting: list[str] = Field(default_factory=list)
    # Words of a customer breaking off (« je dois partir », "I'll ring you back"): their last turn holding one near its end, with no
    # closing formula from the agent's turn before (thanks said mid-call aside) nor leave-taking in theirs, ends the contact
    # before its closing.
    breaking_off: list[str] = Field(default_factory=list)
    # The same words in another sense (« je vous rappelle que … », « je dois partir à quatorze heures »).
    breaking_off_exclude: list[str] = Field(default_factory=list)
    # Words a speaker restarts a sentence on (« je », "i'll"): a last turn of raw speech ending on a group of up to three
    # words said twice that opens on one (« ok euh je vais je vais ») was cut while they spoke.
    restarting: list[str] = Field(default_factory=list)
    # Words of a bare acknowledgement (« d'accord », « ok super », "sounds good"): a customer's last turn made of them alone
    # leaves the agent to close, and an agent who did not is judged on it; any other last turn of the customer's, with no
    # closing formula from either side, ends a contact before its closing (answering, asking, stepping away, giving up).
    acknowledging: list[str] = Field(default_factory=list)
    # Words closing the customer's last turn that wind the contact up (« j'attends le courrier alors », "I'll keep an eye
    # out for it then"): as after an acknowledgement, the agent had to close, and is judged on it.
    winding_up: list[str] = Field(default_factory=list)
    # Words closing a request (« s'il vous plaît », "please"): the agent's last turn ending on one, answered by the customer
    # with nothing after it and no closing formula from either, was cut while the agent handled the contact, as after a
    # question (raw speech has no question mark: « je vais prendre votre nom s'il vous plaît »).
    requesting: list[str] = Field(default_factory=list)
    # Read by nothing since v24, accepted so that a rubric written for v22–v23 still loads: a customer's last turn with no
    # closing formula from either side ends a contact before its closing unless it only acknowledges (`acknowledging`).
    leaving: list[str] = Field(default_factory=list, deprecated="read by nothing since v24")


# The word lists of `Windows` (the spans are its other fields), and those of them that must close the text they are read in.
WINDOW_WORD_LISTS = tuple(name for name, field in Windows.model_fields.items() if field.annotation == list[str] and not field.deprecated)
_CLOSING_WORD_LISTS = frozenset({"unfinished", "requesting", "winding_up"})


class TextSettings(_Strict):
    """How turns are read: what normalisation drops, how much of a turn the models read."""

    hesitations: list[str] = Field(
        default_factory=lambda: sorted(DEFAULT_HESITATIONS),
        description="hesitations and backchannel noises dropped from turns and phrases before matching (« euh », \"um\")",
    )
    contractions: list[str] = Field(
        default_factory=list,
        description="words with an apostrophe that ASR writes without it (\"you're\" as « youre »): read as if written with it; "
        "only those no other word is spelt like (not \"we're\": « were »)",
    )
    spellings: dict[str, str] = Field(
        default_factory=dict,
        description="chat shorthand read as the words it stands for (\"u\": \"you\", « stp »: « s'il te plaît »), in chats' turns; "
        "only shorthand no word of the language is spelt like",
    )
    model_chars: int = Field(
        default=10_000,
        ge=1000,
        description="the models (spaCy, sentence embeddings) read at most this many characters of a turn: its first and last halves",
    )

    @model_validator(mode="after")
    def _contractions_are_two_words(self) -> "TextSettings":
        odd = next((word for word in self.contractions if len(folded_words(word).split()) != 2), None)
        if odd is not None:
            raise ValueError(f"contractions: « {odd} » is not two words joined by an apostrophe (\"you're\")")
        return self

    @model_validator(mode="after")
    def _shorthand_is_one_word(self) -> "TextSettings":
        odd = next((short for short, full in self.spellings.items() if len(folded_words(short).split()) != 1 or not folded_words(full)), None)
        if odd is not None:
            raise ValueError(f"spellings: « {odd} » is not one word read as some words (\"u\": \"you\")")
        # Read before the shorthand, these would hide it: it would never be read.
        hidden = self.hesitation_set | {"".join(folded_words(word).split()) for word in self.contractions}
        seen: set[str] = set()
        for short in self.spellings:
            folded = folded_words(short)
            if folded in hidden:
                raise ValueError(f"spellings: « {short} » is a hesitation or a contraction, dropped or split before it is read")
            if folded in seen:
                raise ValueError(f"spellings: « {short} » is given twice (case and accents aside)")
            seen.add(folded)
        return self

    @cached_property
    def contraction_set(self) -> frozenset[str]:
        return frozenset(self.contractions)

    @cached_property
    def spelling_pairs(self) -> tuple[tuple[str, str], ...]:
        """The shorthand and its words as normalised text, as `normalize` takes them."""
        return tuple(sorted((folded_words(short), folded_words(full)) for short, full in self.spellings.items()))

    @cached_property
    def params_context(self) -> dict[str, frozenset[str]]:
        """What the checks' params are validated with (`CheckParams`): the normalisation their phrases and sentences are read with."""
        return {"hesitations": self.hesitation_set, "contractions": self.contraction_set}

    @cached_property
    def hesitation_set(self) -> frozenset[str]:
        """The hesitations as words of normalised text (« Hèm » → « hem »)."""
        return frozenset(normalize(word, frozenset()).text for word in self.hesitations)


class ItemSpec(_Strict):
    check: str
    label: Label = ""
    weight: Weight = 1.0
    window: WindowName = "agent"
    channels: list[Literal["voice", "chat", "email"]] | None = None
    # This item's formulas take leave of the customer: a contact whose agent said one
    # before a « line dropped » marker did reach its closing (see `Windows.interrupted`).
    closes_contact: bool = False
    # A closing item whose formulas are said mid-call too (thanks: « merci de la question »): alone, they do not show that
    # the closing began when the agent asks the customer to wait or leaves the customer's last question unanswered.
    said_mid_call: bool = False
    params: dict[str, Any] = Field(default_factory=dict)
    # The params validated and compiled, kept from the rubric's load (see Rubric.checked_params).
    _checked: BaseModel | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _leave_taking(self) -> "ItemSpec":
        if self.closes_contact and self.check != "formula":
            raise ValueError("closes_contact: only a formula item closes the contact (its phrases and patterns are the leave-taking)")
        if self.said_mid_call and self.window != "closing":
            raise ValueError("said_mid_call: only an item of the closing window (window: closing) shows that the closing began")
        return self


class CriterionSpec(_Strict):
    label: Label = ""
    weight: Weight
    items: dict[str, ItemSpec] = Field(min_length=1)
    # A conditional criterion: judged only when this customer signal is present, on the
    # agent's turns after it was first expressed; otherwise its items are not applicable
    # and its score is null (complaint_handling: `applies_if: complaint`).
    applies_if: Literal["complaint", "escalation_request", "churn_threat", "repeat_contact"] | None = None

    @model_validator(mode="after")
    def _items_weigh_something(self) -> "CriterionSpec":
        if not any(item.weight > 0 for item in self.items.values()):
            raise ValueError("every item weighs 0: the criterion would never have a score")
        return self


class BankSpec(_Strict):
    """An example bank (qualicall.scorer.banks): sentences that realise an item or a signal, and sentences that do not.

    A bank named after a signal (`complaint`, `escalation_request`, `churn_threat`,
    `repeat_contact`) or the sentiment (`sentiment_negative`, `sentiment_positive`) is
    judged on the customer's sentences; a check names the others (`params: {bank: …}`).
    """

    speaker: Literal["customer", "agent"]
    k: int = Field(default=3, ge=1, description="nearest examples averaged on each side")
    margin: float = Field(default=0.0, description="a sentence realises the bank when its score is above this")
    floor: float = Field(default=0.5, ge=-1, le=1, description="… and its closest positive example at least this similar")
    cues: list[Regex] = Field(default_factory=list, description="patterns on normalised text, words the bank's meaning needs in some form")
    cue_shift: float = Field(default=0.0, ge=0, description="a sentence with a cue realises the bank at margin − this, one without at margin + this")
    cue_negations: list[str] = Field(default_factory=list, description="words that make a cue up to three words after them no cue")
    cue_subjects: list[str] = Field(
        default_factory=list,
        description="subject words that open a clause of their own (« je », \"I\"): a negation before one of them does not reach a cue from it on "
        "(« si la ligne n'est pas rétablie demain je porte mon numéro ailleurs »: the condition is negated, not the leaving)",
    )
    cue_binders: list[str] = Field(
        default_factory=list,
        description="with `cue_subjects`: words right after which a subject word opens no clause, an object or the negated clause's own "
        "(« ne nous résiliez pas », « ce n'est pas que j'en ai marre », \"why don't I just switch\")",
    )
    cue_floor: float | None = Field(
        default=None, ge=-1, le=1,
        description="set: the floor for a sentence holding a cue (a long sentence about an earlier call is far from every short example)",
    )
    clause_margin: float | None = Field(
        default=None,
        description="set: a sentence that does not realise the bank is read clause by clause, only the clauses holding a cue, "
        "each at margin − cue_shift + this",
    )
    linear: float = Field(
        default=0.0, ge=0,
        description="weight of a logistic regression's vote: score + linear × (p − 0.5), p its probability that the sentence "
        "realises the bank, fitted on the bank's examples; 0: the nearest examples alone",
    )
    disclaimers: list[Regex] = Field(
        default_factory=list,
        description="patterns on normalised text by which the customer says the meaning is not theirs (« je ne me plains pas »): "
        "a sentence opening on one (at most three words before it) does not realise the bank, unless a contrast follows it "
        "or what follows it, read alone, realises the bank",
    )
    contrasts: list[Regex] = Field(default_factory=list, description="patterns on normalised text that take a disclaimer or a clearing back (« mais », \"but\")")
    clearings: list[Regex] = Field(
        default_factory=list,
        description="patterns on normalised text by which the customer clears the organisation for the whole contact (« rien à redire "
        "sur votre service », \"that one's on me\"): said in the first half of the customer's turns as a statement (no question, no "
        "contrast after it in its sentence) and not taken back by their next sentence (opening on a contrast, or realising the bank), "
        "the bank's sentences realise it only when nearly one of its examples (lone_similarity), and no other signal implies it",
    )
    elsewhere: list[Regex] = Field(
        default_factory=list,
        description="patterns on normalised text aiming the bank's meaning at someone else (« je l'attaque en justice », \"I'm taking "
        "him to court\"): a sentence holding one does not realise the bank",
    )
    lone_margin: float | None = Field(
        default=None, ge=0,
        description="set: in a contact where the customer said at least lone_after sentences of lone_words words or more, one "
        "sentence alone realising the bank must score above margin + this (one sentence among many barely past the margin is weak evidence)",
    )
    lone_after: int = Field(default=2, ge=2, description="sentences of the customer from which lone_margin applies")
    lone_words: int = Field(default=1, ge=1, description="words a sentence needs to count among lone_after (« oui merci » could not pass by chance)")
    lone_similarity: float = Field(default=1.0, ge=-1, le=1, description="a lone sentence at least this similar to a positive example is enough")
    negative_cue_shift: float | None = Field(
        default=None, ge=0,
        description="set: a sentence holding a cue, in a customer turn that reads negative, realises the bank at margin − this "
        "whatever its closest example's similarity (floor): a leaving word said upset is a threat in words no example is near",
    )
    positive: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _patterns_compile_together(self) -> "BankSpec":
        for field, patterns in (("cues", self.cues), ("disclaimers", self.disclaimers), ("contrasts", self.contrasts), ("clearings", self.clearings),
                                ("elsewhere", self.elsewhere)):
            try:  # as BankModel joins them: patterns that compile alone but not together (a group name used twice)
                any_of(patterns)
            except re.error as exc:
                raise ValueError(f"invalid regular expression in {field}: {exc}") from None
            empty = next((pattern for pattern in patterns if re.fullmatch(pattern, "")), None)
            if empty is not None:
                raise ValueError(f"the {field.removesuffix('s')} « {empty} » matches empty text: every sentence would hold it")
        return self

    def bank(self, name: str, contractions: frozenset[str] = frozenset()) -> Bank:
        """The bank as the scorer judges it; `contractions` are the rubric's (`text.contractions`): its cues read sentences as turns are read."""
        return Bank(
            name, tuple(self.positive), tuple(self.negative), k=self.k, margin=self.margin, floor=self.floor,
            cues=tuple(self.cues), cue_shift=self.cue_shift, cue_negations=tuple(normalize(w).text for w in self.cue_negations),
            cue_subjects=tuple(normalize(w).text for w in self.cue_subjects),
            cue_binders=tuple(normalize(w).text for w in self.cue_binders), clause_margin=self.clause_margin,
            cue_floor=self.cue_floor,
            linear=self.linear, contractions=contractions, disclaimers=tuple(self.disclaimers), contrasts=tuple(self.contrasts),
            clearings=tuple(self.clearings), elsewhere=tuple(self.elsewhere),
            lone_margin=self.lone_margin, lone_after=self.lone_after, lone_words=self.lone_words, lone_similarity=self.lone_similarity,
            negative_cue_shift=self.negative_cue_shift,
        )


ChannelName = Literal["voice", "chat", "email"]


class IndicatorOverride(_Strict):
    """Settings of one indicator that differ on one channel (e-mail answers in hours, chats in seconds)."""

    weight: Weight | None = None
    target: float | None = None
    limit: float | None = None
    band: tuple[float, float] | None = None


class IndicatorSpec(_Strict):
    """How one operational indicator is scored 0–100.

    `target` scores 100 and `limit` scores 0, linear between (either may be the
    larger: lower-is-better or higher-is-better). A `band` [low, high] scores
    100 inside and falls to 0 at `limit` outside it (`limit` is then a distance).
    `boolean`: true = 100. `nps`: never scored per contact, only aggregated.
    `channels`: where the indicator is expected (an absent one is listed only
    there; a value given elsewhere is still scored). `by_channel`: settings that
    differ on a channel, e.g. `{email: {target: 86400, limit: 172800}}`;
    `by_queue`: settings that differ on a queue (the contact's `queue`), applied
    after the channel's, e.g. a handle-time band per queue `{professionnels: {band: [300, 900]}}`.
    """

    kind: Literal["linear", "band", "boolean", "nps"] = "linear"
    weight: Weight = 1.0
    target: float | None = None
    limit: float | None = None
    band: tuple[float, float] | None = None
    label: str = ""
    channels: list[ChannelName] | None = None
    by_channel: dict[ChannelName, IndicatorOverride] = Field(default_factory=dict)
    by_queue: dict[str, IndicatorOverride] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> "IndicatorSpec":
        if self.kind == "linear" and (self.target is None or self.limit is None or self.target == self.limit):
            raise ValueError("a linear indicator needs a target and a different limit")
        if self.kind == "band" and (self.band is None or self.limit is None or self.limit <= 0):
            raise ValueError("a band indicator needs band: [low, high] and a positive limit (distance)")
        if self.band is not None and self.band[0] > self.band[1]:
            raise ValueError("band low is above band high")
        for channel, override in self.by_channel.items():
            try:
                self.for_channel(channel)
            except ValidationError as exc:
                raise ValueError(f"by_channel.{channel}: {exc.errors()[0]['msg']}") from None
        for queue in self.by_queue:
            try:
                self.for_contact("voice", queue)
            except ValidationError as exc:
                raise ValueError(f"by_queue.{queue}: {exc.errors()[0]['msg']}") from None
        return self

    def applies_to(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels

    def for_channel(self, channel: str) -> "IndicatorSpec":
        """This spec with the channel's overrides applied (itself when there are none)."""
        override = self.by_channel.get(channel)  # type: ignore[call-overload]
        if override is None:
            return self
        changes = override.model_dump(exclude_none=True)
        return IndicatorSpec.model_validate({**self.model_dump(exclude={"by_channel"}), **changes})

    def for_contact(self, channel: str, queue: str | None = None) -> "IndicatorSpec":
        """This spec with the channel's, then the queue's overrides applied."""
        spec = self.for_channel(channel)
        override = self.by_queue.get(queue) if queue is not None else None
        if override is None:
            return spec
        changes = override.model_dump(exclude_none=True)
        return IndicatorSpec.model_validate({**spec.model_dump(exclude={"by_channel", "by_queue"}), **changes})


class Target(_Strict):
    """What an aggregate should reach: at least `min` or more than `above`, at most `max` or less than `below` (any may
    be left out; none: the aggregate is tracked, with no target, and neither met nor missed). indicators.md's NPS
    target is "> 30": 30 itself misses it."""

    min: float | None = None
    above: float | None = None
    max: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound_a_side(self) -> "Target":
        if self.min is not None and self.above is not None:
            raise ValueError("give min or above, not both")
        if self.max is not None and self.below is not None:
            raise ValueError("give max or below, not both")
        return self

    def met(self, value: float | None) -> bool | None:
        if value is None or (self.min, self.above, self.max, self.below) == (None, None, None, None):
            return None
        return ((self.min is None or value >= self.min) and (self.above is None or value > self.above)
                and (self.max is None or value <= self.max) and (self.below is None or value < self.below))


# The common targets of indicators.md; rates are percentages, NPS runs from -100 to 100.
DEFAULT_TARGETS: dict[str, Target] = {
    "service_level": Target(min=80),
    "abandon_rate": Target(max=5),
    "asa_s": Target(max=20),
    "aht_s": Target(min=120, max=600),
    "fcr_rate": Target(min=75),
    "csat_avg": Target(min=4.2),
    "csat_top2": Target(min=85),
    "nps": Target(above=30),
    "transfer_rate": Target(max=10),
    "quality_avg": Target(min=85),
    "email_within_48h": Target(min=95),
    # complaints-and-satisfaction.md: "tracked" aggregates have no target.
    "complaint_rate": Target(),
    "complaint_fcr_rate": Target(min=70),
    "complaint_ack_within_48h": Target(min=95),
    "complaint_answer_within_15d": Target(min=90),
    "escalation_rate": Target(),
    "churn_threat_rate": Target(),
    "repeat_contact_rate": Target(),
    "sentiment_end_avg": Target(),
    "sentiment_shift_avg": Target(above=0),  # "shift > 0"
    "turnaround_rate": Target(),
}


class ReportSettings(_Strict):
    """Settings of the aggregated indicators (`qualicall report`); targets not named keep their default."""

    service_level_s: float = Field(default=20, ge=0, description="answered within this wait counts for the service level")
    short_abandon_s: float = Field(default=5, ge=0, description="abandons after at most this wait are not counted as offered")
    email_answer_s: float = Field(default=48 * 3600, gt=0, description="e-mails answered within this count for email_within_48h")
    complaint_ack_s: float = Field(default=48 * 3600, gt=0, description="written complaints acknowledged within this count for complaint_ack_within_48h")
    complaint_answer_s: float = Field(default=15 * 86400, gt=0, description="written complaints answered within this count for complaint_answer_within_15d")
    negative_sentiment: float = Field(default=-0.3, ge=-1, le=1, description="a sentiment.start below this is a negative start (turnaround_rate)")
    drivers_min_contacts: int = Field(default=30, ge=2, description="satisfaction drivers: surveyed contacts needed on each side to rank a driver")
    targets: dict[str, Target] = Field(default_factory=lambda: dict(DEFAULT_TARGETS))
    # Targets that differ on a queue (its AHT band, say), used for the groups of that one queue.
    by_queue: dict[str, dict[str, Target]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _defaults(self) -> "ReportSettings":
        for where, targets in [("targets", self.targets), *((f"by_queue.{q}", t) for q, t in self.by_queue.items())]:
            unknown = sorted(set(targets) - set(DEFAULT_TARGETS))
            if unknown:
                raise ValueError(f"unknown aggregate in {where}: {', '.join(unknown)} (known: {', '.join(DEFAULT_TARGETS)})")
        self.targets = {**DEFAULT_TARGETS, **self.targets}
        return self

    def target_for(self, name: str, queue: str | None = None) -> Target:
        """The target of an aggregate for a group (its queue's when it has one)."""
        return (self.by_queue.get(queue, {}) if queue is not None else {}).get(name) or self.targets[name]


class Combination(_Strict):
    quality: Weight = 70
    operational: Weight = 30

    @model_validator(mode="after")
    def _weighs_something(self) -> "Combination":
        if self.quality + self.operational <= 0:
            raise ValueError("quality and operational both weigh 0: no contact would have an overall score")
        return self


class EmbeddingSettings(_Strict):
    backend: str = "use"
    model: str | None = None

    def embedder(self) -> "Embedder":
        """The sentence encoder these settings name (loaded once per process)."""
        from qualicall.models.embeddings import get_embedder

        return get_embedder(self.backend, self.model)


class SentimentSettings(_Strict):
    """How the customer's sentiment is scored from its two banks (qualicall.scorer.signals.SentimentModel)."""

    scale: float = Field(
        default=0.25, gt=0,
        description="a marked sentence's score is (positive bank's score − negative bank's) ÷ this, a turn's clipped to [−1, 1]; "
        "sentiment.start and .end are means of the turns' over a third of the customer's words (the default rubrics: 0.15)",
    )
    end_feelings_only: bool = Field(
        default=False,
        description="sentiment.end averages only the turns of the last third that carry a feeling (all of them when none does): "
        "a satisfied customer's closing thanks is short among an address and a slot, which carry none (off in the default rubrics: "
        "the spec's end is the mean of the last third, and routine thanks closing an unresolved call would read as a turnaround)",
    )


class Rubric(_Strict):
    id: str = Field(min_length=1)
    version: str
    language: Literal["fr", "en"]
    name: str = ""
    description: str = ""
    windows: Windows = Windows()
    text: TextSettings = TextSettings()
    criteria: dict[str, CriterionSpec] = Field(min_length=1)
    indicators: dict[str, IndicatorSpec] = Field(default_factory=dict)
    combination: Combination = Combination()
    reports: ReportSettings = ReportSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    sentiment: SentimentSettings = SentimentSettings()
    banks: dict[str, BankSpec] = Field(default_factory=dict)
    # The SHA-256 of the YAML text it was loaded from (None when made otherwise): what tells two texts under one id@version
    # apart (a deployment that edits its grid and forgets the version; `batch` keys results by it).
    _text_digest: str | None = PrivateAttr(default=None)

    @property
    def text_digest(self) -> str | None:
        return self._text_digest

    @model_validator(mode="after")
    def _criteria_weigh_something(self) -> "Rubric":
        if not any(criterion.weight > 0 for criterion in self.criteria.values() if criterion.applies_if is None):
            raise ValueError("criteria: every criterion that always applies weighs 0: no contact would have a quality score")
        return self

    def example_banks(self) -> dict[str, Bank]:
        """The rubric's banks, by name, as the scorer judges them."""
        return self._banks

    @cached_property
    def _banks(self) -> dict[str, Bank]:
        return {name: spec.bank(name, self.text.contraction_set) for name, spec in self.banks.items()}

    def thresholds(self) -> dict[str, Any]:
        """Every setting a score depends on, written into each result."""
        return {
            "windows": self.windows.model_dump(exclude=set(WINDOW_WORD_LISTS)),
            "criteria_weights": {cid: c.weight for cid, c in self.criteria.items()},
            "items": {
                f"{cid}.{iid}": {"weight": item.weight, **_numeric(item.params)}
                for cid, c in self.criteria.items()
                for iid, item in c.items.items()
            },
            "combination": self.combination.model_dump(),
            "embeddings": self.embeddings.model_dump(),
            "sentiment": self.sentiment.model_dump(),
            "banks": {
                name: {"k": b.k, "margin": b.margin, "floor": b.floor, **({"cue_shift": b.cue_shift, "clause_margin": b.clause_margin} if b.cues else {}),
                       **({"linear": b.linear} if b.linear else {}),
                       **({"lone_margin": b.lone_margin, "lone_after": b.lone_after, "lone_words": b.lone_words, "lone_similarity": b.lone_similarity}
                          if b.lone_margin is not None else {}),
                       **({"negative_cue_shift": b.negative_cue_shift} if b.negative_cue_shift is not None else {}),
                       **({"cue_floor": b.cue_floor} if b.cue_floor is not None else {})}
                for name, b in self.banks.items()
            },
        }

    def checked_params(self, item: ItemSpec) -> BaseModel:
        """An item's params as its check's model, validated and compiled once (at load for a loaded rubric)."""
        if item._checked is None:
            check = get_check(item.check)
            if check is None:
                raise RubricError(f"rubric {self.id}: unknown check {item.check!r}")
            try:
                item._checked = check.params.model_validate(item.params, context=self.text.params_context)
            except ValidationError as exc:
                error = exc.errors()[0]
                raise RubricError(f"rubric {self.id}: {item.check} params {_dotted(tuple(error['loc']))}: {_message(error)}") from None
        return item._checked

    def window_words(self, name: str) -> re.Pattern[str] | None:
        """A word list of `windows` (`interrupted`, `system_ended`, `unfinished`, `holding`, `waiting`, `breaking_off`,
        `breaking_off_exclude`, `restarting`, `acknowledging`, `winding_up`, `requesting`) as one regex on normalised text,
        compiled once; `unfinished`, `winding_up` and `requesting` must close the text (« et pour » ends no sentence inside a turn)."""
        return self._window_patterns[name]

    @cached_property
    def _window_patterns(self) -> dict[str, re.Pattern[str] | None]:
        patterns = {}
        for name in WINDOW_WORD_LISTS:
            words = compile_phrases(getattr(self.windows, name), self.text.hesitation_set)
            patterns[name] = re.compile(words.pattern + "$") if words and name in _CLOSING_WORD_LISTS else words
        return patterns

    def closes_contact(self) -> list[ItemSpec]:
        """The items flagged `closes_contact`: their formulas take leave of the customer."""
        return [item for criterion in self.criteria.values() for item in criterion.items.values() if item.closes_contact]

    def closing_items(self) -> list[ItemSpec]:
        """The items judged on the closing window (recap, other needs, thanks, farewell…)."""
        return [item for criterion in self.criteria.values() for item in criterion.items.values() if item.window == "closing"]

    def label(self, key: str, language: str) -> str | None:
        """The label of a criterion (`greeting`) or an item (`greeting.salutation`) in a language.

        A label given per language falls back on the rubric's own language, then on any
        language; a label given as one string serves every language; None when the rubric
        has no such criterion or item, or no label for it.
        """
        criterion_id, _, item_id = key.partition(".")
        criterion = self.criteria.get(criterion_id)
        spec = criterion if criterion is None or not item_id else criterion.items.get(item_id)
        if spec is None or not spec.label:
            return None
        if isinstance(spec.label, str):
            return spec.label
        return spec.label.get(language) or spec.label.get(self.language) or next(iter(spec.label.values()), None)  # type: ignore[call-overload]

    def keys(self) -> list[str]:
        """Criteria and items (`criterion.item`) in the grid's order."""
        return [key for cid, c in self.criteria.items() for key in (cid, *(f"{cid}.{iid}" for iid in c.items))]


def _numeric(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if isinstance(v, (int, float, bool)) or (isinstance(v, list) and v and all(isinstance(x, (int, float)) for x in v))}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path or '<root>'}{where}: {self.message}"


def _line_of(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the YAML node at `path`, or of its nearest existing parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _message(error: Any) -> str:
    """A pydantic error as a rubric problem: without pydantic's « Value error, » prefix."""
    if error["type"] == "missing":
        return "field required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return error["msg"]


def _text_context(data: dict[str, Any]) -> dict[str, frozenset[str]]:
    """The rubric's hesitations and contractions, or the defaults when its `text` block is itself wrong (reported apart)."""
    try:
        return TextSettings.model_validate(data.get("text") or {}).params_context
    except ValidationError:
        return {"hesitations": DEFAULT_HESITATIONS, "contractions": frozenset()}


# libyaml's parser, where PyYAML was built with it: the default rubrics (86 kB of YAML each) parse in
# 17 ms of CPU instead of 250 at every start; the same nodes, lines and data (tests/test_startup.py).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """A rubric's node tree (for line numbers) and its data. A text libyaml refuses is parsed again by
    PyYAML's own parser, whose error messages the problems quote."""
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER), yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - the safe loader
        except yaml.YAMLError:
            pass
    return yaml.compose(text), yaml.safe_load(text)


def read_rubric_text(path: Path) -> str:
    """A rubric file's text: UTF-8 (a byte-order mark allowed), or a one-line RubricError saying where it is not."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricError(f"rubric {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise RubricError(f"rubric {path} cannot be read: {exc.strerror}") from None


def _duplicate_keys(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> list[Problem]:
    """Keys given twice in one mapping: YAML keeps the last one, and a criterion or an item said first vanished unseen."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            name, line = str(key.value), key.start_mark.line + 1
            if name in first:
                problems.append(Problem(_dotted(path + (name,)), f"duplicate key {name!r} (lines {first[name]} and {line}): the first would be lost", line))
            first.setdefault(name, line)
            problems += _duplicate_keys(value, path + (name,))
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            problems += _duplicate_keys(value, path + (index,))
    return problems


def validate_rubric_text(text: str) -> tuple[Rubric | None, list[Problem]]:
    """Parse and check a rubric; return it (when valid) and every problem found."""
    try:
        root, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem("", f"invalid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)]
    if not isinstance(data, dict):
        return None, [Problem("", "a rubric is a mapping with id, version, language and criteria")]
    problems: list[Problem] = _duplicate_keys(root)
    rubric: Rubric | None = None
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(Problem(_dotted(loc), _message(error), _line_of(root, loc)))
    # Checks and their params are validated (regexes compiled) even when other fields are wrong.
    context = _text_context(data)
    checked: dict[tuple[str, str], BaseModel] = {}
    for cid, criterion in (data.get("criteria") or {}).items() if isinstance(data.get("criteria"), dict) else []:
        items = criterion.get("items") if isinstance(criterion, dict) else None
        for iid, item in (items or {}).items() if isinstance(items, dict) else []:
            if not isinstance(item, dict) or not isinstance(item.get("check"), str):
                continue
            base = ("criteria", cid, "items", iid)
            check = get_check(item["check"])
            if check is None:
                problems.append(Problem(_dotted(base + ("check",)), f"unknown check {item['check']!r}", _line_of(root, base + ("check",))))
                continue
            try:
                checked[cid, iid] = check.params.model_validate(item.get("params") or {}, context=context)
            except ValidationError as exc:
                for error in exc.errors():
                    loc = base + ("params",) + tuple(error["loc"])
                    message = "unknown setting" if error["type"] == "extra_forbidden" else _message(error)
                    problems.append(Problem(_dotted(loc), message, _line_of(root, loc)))
    problems += _bank_problems(data, root, checked)
    problems += _earlier_item_problems(data, root, checked)
    if rubric is None or problems:
        return None, problems
    for (cid, iid), params in checked.items():
        rubric.criteria[cid].items[iid]._checked = params
    return rubric, problems


# Params of a check that name a rubric bank (the `example_bank` check's `bank` and `unless`, no_jargon's `meaning_bank`).
BANK_PARAMS = ("bank", "unless", "meaning_bank")


def _bank_problems(data: dict[str, Any], root: yaml.Node | None, checked: dict[tuple[str, str], BaseModel]) -> list[Problem]:
    """The banks' content (duplicates, contradictions, too few examples) and every reference to a bank or a signal."""
    problems: list[Problem] = []
    banks = data.get("banks") if isinstance(data.get("banks"), dict) else {}
    for name, spec in banks.items():
        if not isinstance(spec, dict):
            continue
        try:
            bank = BankSpec.model_validate(spec).bank(name)
        except ValidationError:
            continue  # reported with the rubric's fields
        for message in bank_problems(bank):
            problems.append(Problem(_dotted(("banks", name)), message.removeprefix(f"bank {name}: "), _line_of(root, _bank_line(spec, name, message))))
        if name not in SIGNALS:
            # Read by the customer signals alone (qualicall.scorer.signals): on another bank they would change nothing.
            for field_name in ("disclaimers", "clearings", "elsewhere", "lone_margin", "negative_cue_shift"):
                if field_name in spec:
                    loc = ("banks", name, field_name)
                    problems.append(Problem(_dotted(loc), f"{field_name}: only a customer signal's bank ({', '.join(SIGNALS)}) reads it", _line_of(root, loc)))
    for (cid, iid), params in checked.items():
        for field_name in BANK_PARAMS:
            named = getattr(params, field_name, None)
            if isinstance(named, str) and named not in banks:
                loc = ("criteria", cid, "items", iid, "params", field_name)
                problems.append(Problem(_dotted(loc), f"no bank {named!r} in this rubric's banks", _line_of(root, loc)))
    for cid, criterion in (data.get("criteria") or {}).items() if isinstance(data.get("criteria"), dict) else []:
        signal = criterion.get("applies_if") if isinstance(criterion, dict) else None
        if isinstance(signal, str) and signal not in banks:
            loc = ("criteria", cid, "applies_if")
            problems.append(Problem(_dotted(loc), f"no bank {signal!r} in this rubric's banks: the signal cannot be recognised", _line_of(root, loc)))
    return problems


# Params of a check that name an item of the same criterion scored before it (the formula check's `tag_after`).
EARLIER_ITEM_PARAMS = ("tag_after",)


def _earlier_item_problems(data: dict[str, Any], root: yaml.Node | None, checked: dict[tuple[str, str], BaseModel]) -> list[Problem]:
    """Every reference to another item: it must be of the same criterion and come before (items are scored in order)."""
    problems: list[Problem] = []
    for (cid, iid), params in checked.items():
        order = list(data["criteria"][cid]["items"])
        for field_name in EARLIER_ITEM_PARAMS:
            named = getattr(params, field_name, None)
            if isinstance(named, str) and (named not in order or order.index(named) >= order.index(iid)):
                loc = ("criteria", cid, "items", iid, "params", field_name)
                problems.append(Problem(_dotted(loc), f"no item {named!r} before {iid!r} in criterion {cid!r}", _line_of(root, loc)))
    return problems


def _bank_line(spec: dict[str, Any], name: str, message: str) -> tuple[Any, ...]:
    """Where in the YAML a bank problem lies: the (last) example it quotes, else the bank."""
    quoted = [
        ("banks", name, side, index)
        for side in ("positive", "negative")
        for index, sentence in enumerate(spec.get(side) or [])
        if isinstance(sentence, str) and f"« {sentence} »" in message
    ]
    return quoted[-1] if quoted else ("banks", name)


def _builtin_dir() -> Path:
    return Path(str(resources.files("qualicall") / "rubrics"))


def _search_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("QUALICALL_RUBRICS_DIR"):
        dirs.append(Path(os.environ["QUALICALL_RUBRICS_DIR"]))
    dirs.append(_builtin_dir())
    return dirs


def list_rubrics() -> list[tuple[str, Path]]:
    """The rubrics `--rubric` accepts by id: each file of the rubrics folders by its name without `.yaml`, the deployment's
    folder first (its `default-fr.yaml` stands for the built-in one; a file named otherwise shadows none)."""
    seen: dict[str, Path] = {}
    for directory in _search_dirs():
        for path in sorted(directory.glob("*.yaml")):
            seen.setdefault(path.stem, path)
    return sorted(seen.items())


@lru_cache(maxsize=64)
def _declared_id(path: Path, mtime: float) -> str | None:
    """The `id` a rubric file declares, read by the YAML parser (None when it cannot be read)."""
    try:
        data = yaml.load(read_rubric_text(path), Loader=_FAST_LOADER or yaml.SafeLoader)  # noqa: S506 - a safe loader
    except (RubricError, yaml.YAMLError):
        return None
    return str(data["id"]) if isinstance(data, dict) and data.get("id") is not None else None


def rubric_path(id_or_file: str) -> Path:
    """A rubric's file: a path, a file's name in the rubrics folders, or else the id a file there declares (`acme1.yaml`
    saying `id: acme-fr` is `acme-fr` too, as its results say; the first such file, the deployment's folder first)."""
    path = Path(id_or_file)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if path.is_dir():
            raise RubricError(f"{id_or_file} is a folder: give a rubric's YAML file, or its id with QUALICALL_RUBRICS_DIR={id_or_file}")
        if not path.is_file():
            raise RubricError(f"rubric file not found: {id_or_file}")
        return path
    known = list_rubrics()
    by_name = dict(known)
    if id_or_file in by_name:
        return by_name[id_or_file]
    declared = next((found for _, found in known if _declared_id(found, found.stat().st_mtime) == id_or_file), None)
    if declared is not None:
        return declared
    raise RubricError(f"unknown rubric {id_or_file!r} (known: {', '.join(by_name)})")


@lru_cache(maxsize=32)
@long_lived()
def _load_path(path: Path, mtime: float) -> Rubric:
    text = read_rubric_text(path)
    # A default rubric's phrase lists join into some 360 patterns of up to 5,000 characters: about 0.1 s of `re`'s
    # parsing at every start, kept on disk per rubric text as spaCy's tokenizer patterns are.
    digest = hashlib.sha256(text.encode()).hexdigest()
    with compiled_once("rubric", digest):
        rubric, problems = validate_rubric_text(text)
    if rubric is None:
        more = f" (and {len(problems) - 1} more; run 'qualicall rubric validate {path}')" if len(problems) > 1 else ""
        raise RubricError(f"invalid rubric {path}: {problems[0]}{more}")
    rubric._text_digest = digest
    return rubric


def load_rubric(id_or_file: str) -> Rubric:
    path = rubric_path(id_or_file).resolve()
    return _load_path(path, path.stat().st_mtime)


def default_rubric_id(language: str) -> str:
    return f"default-{language}"
