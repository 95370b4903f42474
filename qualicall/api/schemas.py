"""What the API returns (request bodies are the public interaction format, `qualicall.core.interaction`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qualicall.core.result import Result, Status
from qualicall.store.models import InteractionRow, JobRow, ResultRow, ReviewRow, WebhookDelivery
from qualicall.store.repository import as_utc


class Problem(BaseModel):
    detail: str


class Unprocessable(BaseModel):
    """422: where the request is wrong — located errors where the request's shape is (`loc`, `msg`), or one
    line where a value is one the service refuses (an unknown item, a recording outside the recordings root)."""

    detail: str | list[dict[str, Any]]


class ReviewOut(BaseModel):
    id: int
    criterion_id: str | None
    item_id: str | None
    status: Status | None
    comment: str | None
    reviewer: str = Field(description="name of the API key or coach account that made the review")
    reviewer_key_id: int | None = Field(description="the API key that made it (GET from `qualicall apikey list`)")
    reviewer_user_id: int | None = Field(description="the coach account that made it, on the coach pages")
    result_version: int | None
    private: bool = Field(False, description="a note for coaches only, never shown to the agent (a contact's comment)")
    created_at: datetime

    @classmethod
    def of(cls, row: ReviewRow, versions: dict[int, int]) -> "ReviewOut":
        return cls(
            id=row.id, criterion_id=row.criterion_id, item_id=row.item_id, status=row.status, comment=row.comment,
            reviewer=row.reviewer, reviewer_key_id=row.reviewer_key_id, reviewer_user_id=row.reviewer_user_id,
            result_version=versions.get(row.result_id) if row.result_id else None, private=bool(row.private),
            created_at=as_utc(row.created_at),
        )


class DisputeOut(BaseModel):
    """An agent's dispute of an item's verdict of record, and the coach's resolution (comments redacted where the
    deployment redacts)."""

    id: int
    interaction_id: str
    item: str = Field(description='"criterion.item"')
    criterion_id: str
    item_id: str
    agent_id: str
    author: str = Field(description="the agent account that opened it")
    disputed_status: Status = Field(description="the verdict of record when it was disputed")
    requested_status: Status = Field(description="the verdict the agent asked for")
    comment: str
    created_at: datetime
    state: Literal["open", "upheld", "rejected"]
    resolution_comment: str | None
    resolved_by: str | None = Field(description="the coach account or API key that resolved it")
    resolved_at: datetime | None
    review_id: int | None = Field(description="the coach's review the resolution recorded (upheld: the status asked for; rejected: the disputed one)")


class ResultVersion(BaseModel):
    version: int
    # machine: a scoring; coach: the latest machine scoring with the coaches' verdicts applied (the verdict of record)
    source: Literal["machine", "coach"] = "machine"
    rubric_id: str
    rubric_version: str
    overall_score: float | None
    created_at: datetime

    @classmethod
    def of(cls, row: ResultRow) -> "ResultVersion":
        return cls(version=row.version, source=row.data.get("source", "machine"), rubric_id=row.rubric_id, rubric_version=row.rubric_version,
                   overall_score=row.overall_score, created_at=as_utc(row.created_at))


class InteractionOut(BaseModel):
    """An interaction with its latest result, the list of its result versions and the coaches' reviews."""

    interaction: dict[str, Any]
    result: Result | None
    result_version: int | None
    versions: list[ResultVersion]
    reviews: list[ReviewOut]


def failed_items(result: ResultRow | None) -> list[str]:
    if result is None:
        return []
    return [item_id for c in result.data.get("criteria", {}).values() for item_id, item in c.get("items", {}).items() if item.get("status") == "failed"]


class InteractionSummary(BaseModel):
    id: str
    channel: str
    language: str | None
    agent_id: str | None
    team: str | None
    queue: str | None
    started_at: str | None
    contact_time: datetime
    updated_at: datetime  # last received or changed: what `changed_since` compares
    result_version: int | None
    rubric_id: str | None
    quality_score: float | None
    operational_score: float | None
    overall_score: float | None
    failed_items: list[str]

    @classmethod
    def of(cls, row: InteractionRow, result: ResultRow | None) -> "InteractionSummary":
        return cls(
            id=row.id, channel=row.channel, language=row.language, agent_id=row.agent_id, team=row.team, queue=row.queue,
            started_at=row.started_at, contact_time=as_utc(row.contact_time), updated_at=as_utc(row.updated_at),
            result_version=result.version if result else None, rubric_id=result.rubric_id if result else None,
            quality_score=result.quality_score if result else None,
            operational_score=result.operational_score if result else None,
            overall_score=result.overall_score if result else None, failed_items=failed_items(result),
        )


class InteractionPage(BaseModel):
    items: list[InteractionSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


COMMENT_MAX_CHARS = 5000  # a review's comment, through the API or the coach pages


class ItemReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: str = Field(min_length=1, max_length=100)
    status: Status
    comment: str | None = Field(None, max_length=COMMENT_MAX_CHARS)


class ReviewIn(BaseModel):
    """A coach's overrides of items of the latest result, and/or a comment on the contact (one at least).
    Its author is the API key that posts it: a `reviewer` field is refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": ["items"], "properties": {"items": {"minItems": 1}}},
                                     {"required": ["comment"], "properties": {"comment": {"type": "string"}}}]},
    )
    items: list[ItemReviewIn] = Field(default_factory=list, max_length=100)
    comment: str | None = Field(None, min_length=1, max_length=COMMENT_MAX_CHARS)
    private: bool = Field(False, description="the comment is a note for coaches only: never shown to the agent (items' comments are feedback)")

    @model_validator(mode="before")
    @classmethod
    def _no_reviewer(cls, data: Any) -> Any:
        if isinstance(data, dict) and "reviewer" in data:
            raise ValueError("reviewer: not accepted: the author of a review is the API key that posts it")
        return data

    @model_validator(mode="after")
    def _something(self) -> "ReviewIn":
        if not self.items and not self.comment:
            raise ValueError("give items to override or a comment")
        if self.private and not self.comment:
            raise ValueError("private: says the comment is a note for coaches only, and there is no comment")
        return self


class WebhookOut(BaseModel):
    """The callback of a job: `pending` (retried, `next_attempt_at`), `delivered`, or `failed` once its attempts are spent."""

    id: str  # the X-Qualicall-Delivery a receiver de-duplicates on
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, row: WebhookDelivery) -> "WebhookOut":
        return cls(id=row.id, status=row.status, attempts=row.attempts, last_error=row.last_error,
                   next_attempt_at=as_utc(row.next_attempt_at) if row.status == "pending" else None,
                   delivered_at=as_utc(row.delivered_at) if row.delivered_at else None)


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    interaction_id: str
    filename: str
    error: str | None
    attempts: int
    audio_seconds: float | None
    processing_seconds: float | None
    result_version: int | None = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    webhook: WebhookOut | None = None  # where a callback_url was given: a delivery given up on was seen nowhere

    @classmethod
    def of(cls, row: JobRow, result_version: int | None = None, webhook: WebhookDelivery | None = None) -> "JobOut":
        return cls(
            id=row.id, status=row.status, interaction_id=row.interaction_id, filename=row.filename, error=row.error,
            attempts=row.attempts, audio_seconds=row.audio_seconds, processing_seconds=row.processing_seconds,
            result_version=result_version, created_at=as_utc(row.created_at),
            started_at=as_utc(row.started_at) if row.started_at else None,
            finished_at=as_utc(row.finished_at) if row.finished_at else None,
            webhook=WebhookOut.of(webhook) if webhook is not None else None,
        )


class WebhookPayload(BaseModel):
    """What a job's `callback_url` receives when the job ends (POST, JSON; the headers say its delivery, event, time and
    signature: README, "Audio jobs and webhooks")."""

    event: Literal["job.succeeded", "job.failed"]
    delivery_id: str  # as X-Qualicall-Delivery: the same on every retry of one delivery
    job: JobOut
    result: Result | None  # the result of record, as GET /v1/interactions/{id} gives it; null for a failed job


class RubricSummary(BaseModel):
    id: str
    version: str
    language: str
    name: str
    description: str


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str
    version: str
    schema_revision: str | None = Field(None, description="the database schema's migration (0012): what an upgrade or a restore left")
    queued_jobs: int | None = None
    worker: int | None = Field(None, description="the process id of the HTTP worker that answered (`serve --workers N` runs N)")
    runs_jobs: bool | None = Field(None, description="whether this worker runs the audio jobs and webhooks (one worker of the service does)")


class AggregateOut(BaseModel):
    """One aggregate of indicators.md: value = numerator ÷ denominator (× 100 for rates); null when the denominator is 0."""

    model_config = ConfigDict(extra="allow")  # nps adds promoters and detractors
    value: float | None
    numerator: int | float
    denominator: int
    target: dict[str, float] = Field(description="min and/or max the value should reach")
    met: bool | None = Field(description="target reached; null without a value")


class CriterionMeanOut(BaseModel):
    mean: float | None
    sum: int | float
    count: int


class ItemRateOut(BaseModel):
    pass_rate: float | None
    passed: int
    applicable: int


class IndicatorMeanOut(BaseModel):
    """Mean of one per-contact indicator (or of the operational / overall score) over the handled contacts that have it."""

    mean: float | None
    sum: int | float
    count: int
    score_mean: float | None = Field(None, description="mean of the indicator's 0–100 scores")
    score_sum: int | float | None = None
    scored: int | None = None


class ReportGroupOut(BaseModel):
    key: dict[str, str | None] = Field(description="the grouping fields and the period of this group; empty for the total")
    contacts: int
    handled: int
    abandoned: int
    indicators: dict[str, AggregateOut]
    criteria: dict[str, CriterionMeanOut]
    items: dict[str, ItemRateOut]
    means: dict[str, IndicatorMeanOut]


class DriverSideOut(BaseModel):
    n: int = Field(description="handled contacts with a survey answer on this side")
    mean: float | None
    sd: float | None


class DriverOut(BaseModel):
    """One grid item (passed vs failed) or customer signal (present vs absent) and the survey answers on each side."""

    driver: str = Field(description="item id (criterion.item) or signal id")
    kind: Literal["item", "signal"]
    sides: dict[str, str] = Field(description="what `with` and `without` are: passed / failed, present / absent")
    with_: DriverSideOut = Field(alias="with")
    without: DriverSideOut
    effect: float | None = Field(None, description="mean with − mean without; ranked drivers only")
    ci95: list[float] | None = Field(None, description="95 % confidence interval of the effect (Welch)")
    p: float | None = None
    p_holm: float | None = Field(None, description="p-value after Holm's correction for the number of drivers ranked")
    significant: bool | None = Field(None, description="p_holm < 0.05")


class DriversSurveyOut(BaseModel):
    answers: int
    note: str | None = None
    effect_unit: str | None = None
    ranked: list[DriverOut] | None = Field(None, description="by the size of the effect, largest first")
    too_few: list[DriverOut] | None = Field(None, description="fewer than min_contacts answers on a side: not ranked")


class DriversOut(BaseModel):
    """What moves satisfaction, over all the contacts of the report (complaints-and-satisfaction.md)."""

    min_contacts: int
    csat: DriversSurveyOut
    nps: DriversSurveyOut


class ReportOut(BaseModel):
    by: list[str]
    period: str | None
    settings: dict[str, Any] = Field(description="service-level threshold, short abandons, e-mail delay and targets used")
    labels: dict[str, str]
    groups: list[ReportGroupOut]
    total: ReportGroupOut
    drivers: DriversOut | None = Field(None, description="with drivers=true")
