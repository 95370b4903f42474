"""The result (output) format of `interaction-format.md`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["passed", "failed", "not_applicable"]


class Evidence(BaseModel):
    """Where a verdict comes from: a turn, a character span of its text, a time."""

    turn: int
    start_char: int
    end_char: int
    text: str
    time: float | None = None


class ItemResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: Status
    reason: str  # in the rubric's language
    # The reason as a stable code and its parameters (qualicall.scorer.reasons), to word it in any language.
    reason_code: str | None = None
    reason_params: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    # Figures the verdict rests on (a readability score, a similarity…), so
    # that a coach can see how close to its threshold an item was.
    measures: dict[str, Any] = Field(default_factory=dict)


class CriterionResult(BaseModel):
    model_config = ConfigDict(extra="allow")  # a coach's result adds `machine_score` (qualicall.core.scores)
    score: float | None
    weight: float
    items: dict[str, ItemResult]


class IndicatorResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: Any
    score: float | None
    source: Literal["input", "measured"]


class SignalResult(BaseModel):
    """A customer signal of complaints-and-satisfaction.md (complaint, escalation_request, churn_threat,
    repeat_contact): present or not, how sure, and the customer's words behind it."""

    present: bool
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = ""
    reason_code: str | None = None
    reason_params: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)


SentimentLabel = Literal["negative", "neutral", "positive"]


class TurnSentiment(BaseModel):
    turn: int
    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0)
    time: float | None = None


class SentimentResult(BaseModel):
    """The customer's sentiment: per customer turn, and the means of the first and last thirds of their speech."""

    start: float | None = None
    end: float | None = None
    shift: float | None = None  # end - start: above 0, the agent turned the call around
    turns: list[TurnSentiment] = Field(default_factory=list)


class RubricRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    version: str
    thresholds: dict[str, Any] = Field(default_factory=dict)


class Result(BaseModel):
    model_config = ConfigDict(extra="allow")
    interaction_id: str
    rubric: RubricRef
    language: str
    channel: str
    criteria: dict[str, CriterionResult]
    quality_score: float | None
    indicators: dict[str, IndicatorResult] = Field(default_factory=dict)
    operational_score: float | None = None
    overall_score: float | None = None
    # How the overall score was made: the parts used, their weights, the absent indicators.
    combination: dict[str, Any] = Field(default_factory=dict)
    agent_id: str | None = None
    team: str | None = None
    queue: str | None = None
    started_at: str | None = None
    abandoned: bool = False
    # complaints-and-satisfaction.md: customer signals and sentiment (absent from results made before them).
    signals: dict[str, SignalResult] = Field(default_factory=dict)
    sentiment: SentimentResult | None = None
    # A transcribed recording's speaker roles (the interaction's `roles`): which channel or voice is the agent,
    # how that was decided, how sure, and whether a coach should check it (`review`). None for typed contacts.
    roles: dict[str, Any] | None = None
    qualicall_version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)
