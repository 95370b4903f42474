"""The database tables (SQLAlchemy 2). Changing them needs an Alembic migration in `migrations/versions/`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class ApiKey(Base):
    """A client of the API. Only a hash of the key is kept; the webhook secret signs this client's callbacks."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # crm | coach | admin
    prefix: Mapped[str] = mapped_column(String(32), unique=True)  # public part of the key, for look-up
    key_hash: Mapped[str] = mapped_column(String(128))  # sha256 of the whole key
    webhook_secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class InteractionRow(Base):
    """One contact, as received (after redaction where the deployment redacts). `id` is the CRM's id."""

    __tablename__ = "interactions"
    # With the latest result's id: SQLite reads a column stored after the row's JSON (`data`) only through the JSON's
    # overflow pages, so the lists (newest first, per agent, per team) read it from these indexes instead.
    __table_args__ = (
        Index("ix_interactions_time_latest", "contact_time", "id", "latest_result_id"),
        Index("ix_interactions_agent_latest", "agent_id", "latest_result_id"),
        Index("ix_interactions_team_latest", "team", "latest_result_id"),
    )
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(10))
    agent_id: Mapped[str | None] = mapped_column(String(200), index=True)
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    queue: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[str | None] = mapped_column(String(64))  # as given
    # When the contact happened (started_at, else when it was received): what from/to filter on.
    contact_time: Mapped[datetime] = mapped_column(index=True)
    recording: Mapped[str | None] = mapped_column(Text)  # path of the stored recording, or the CRM's reference
    data: Mapped[dict[str, Any]] = mapped_column()  # the whole interaction JSON
    # The result lists and filters use (no foreign key: results already point here, and SQLite cannot add one later).
    latest_result_id: Mapped[int | None] = mapped_column(Integer, index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)  # (the purge reads it)

    results: Mapped[list["ResultRow"]] = relationship(
        back_populates="interaction", foreign_keys="ResultRow.interaction_id", order_by="ResultRow.version"
    )
    reviews: Mapped[list["ReviewRow"]] = relationship(back_populates="interaction", order_by="ReviewRow.id")


class TranscriptText(Base):
    """What transcript search reads of a contact: the folded words (`qualicall.core.text.folded_words`) of its turns
    as stored, so redacted where the deployment redacts. Indexed by SQLite FTS5 (the table `transcript_search_fts`,
    kept by triggers) or by a PostgreSQL full-text GIN index, both made by migration 0007 (`qualicall.store.search`)."""

    __tablename__ = "transcript_search"
    id: Mapped[int] = mapped_column(primary_key=True)  # FTS5's rowid: an INTEGER PRIMARY KEY keeps it through VACUUM
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text)


class ResultRow(Base):
    """One scoring of an interaction. Every version is kept: re-scoring adds a row, never overwrites."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("interaction_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2… per interaction
    rubric_id: Mapped[str] = mapped_column(String(200))
    rubric_version: Mapped[str] = mapped_column(String(50))
    quality_score: Mapped[float | None] = mapped_column(Float)
    operational_score: Mapped[float | None] = mapped_column(Float)
    overall_score: Mapped[float | None] = mapped_column(Float, index=True)
    data: Mapped[dict[str, Any]] = mapped_column()  # the whole result JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[InteractionRow] = relationship(back_populates="results", foreign_keys=[interaction_id])
    items: Mapped[list["ResultItemRow"]] = relationship(cascade="all, delete-orphan")
    figures: Mapped[list["ResultFigureRow"]] = relationship(cascade="all, delete-orphan")


class ResultDigest(Base):
    """What the review queue reads of a result (its score, failed items, priority and signals), made from its `data`
    and its contact the first time a list needs it (qualicall.api.web.data.result_digest): a version never changes.
    A table of its own: SQLite reads a column stored after a row's large JSON only through that JSON's overflow pages."""

    __tablename__ = "result_digests"
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[dict[str, Any]] = mapped_column(JSON)


class ResultItemRow(Base):
    """Each item's status in a result, as a row, so that lists can filter on failed items."""

    __tablename__ = "result_items"
    __table_args__ = (Index("ix_result_items_item_status", "item_id", "status"),)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    criterion_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))


class ResultFigureRow(Base):
    """A result's scores, its criteria's scores and its indicators' values as rows (as ResultItemRow holds its items'
    statuses), so that the agent and team pages average them per period in SQL instead of reading every result.
    Clustered by result on SQLite (no rowid): a contact's figures are read together."""

    __tablename__ = "result_figures"
    __table_args__ = {"sqlite_with_rowid": False}
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # score | criterion | indicator
    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # quality, overall, operational; a criterion's id; an indicator's name
    value: Mapped[float | None] = mapped_column(Float)  # None: no score, or an indicator that is not a number
    yes_no: Mapped[bool] = mapped_column(default=False)  # an indicator given as true/false, its value 100 or 0


class TrendDay(Base):
    """One day of an agent's or a team's contacts as their trend page sums it from `result_figures` and `result_items`
    over the results of record (qualicall.api.web.data.group_trends), kept until that day's contacts change: a page
    sums again only the days whose count of contacts or sum of latest result ids differs from what is kept here.
    Result ids only grow and a contact changes agent, team or day only with a new result version, so any change
    to a day's contacts changes one or the other."""

    __tablename__ = "trend_days"
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # agent | team
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the agent's id or the team
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO, as repository.contact_day makes it
    contacts: Mapped[int] = mapped_column(Integer)
    results: Mapped[int] = mapped_column(BigInteger)  # the sum of the contacts' latest result ids
    figures: Mapped[list[Any]] = mapped_column()  # [kind, name, sum, count, yes_no] per series
    items: Mapped[list[Any]] = mapped_column()  # [criterion, item, passed, applicable] per item


class ReviewRow(Base):
    """A coach's override of one item of a result (or, with no item, a comment on the whole contact)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id", ondelete="SET NULL"))
    criterion_id: Mapped[str | None] = mapped_column(String(100))
    item_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(20))  # passed | failed | not_applicable
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))  # the key's or the user's name when the review was made
    # Who made it, as the server authenticated them: an API key, or a coach account on the pages. No foreign key:
    # the record of who reviewed outlives a deleted account (and reviews made before 0003 have neither).
    reviewer_key_id: Mapped[int | None] = mapped_column(Integer)
    reviewer_user_id: Mapped[int | None] = mapped_column(Integer)
    # A note for coaches only (a contact's comment, not an item's): never shown to the agent (migration 0013)
    private: Mapped[bool] = mapped_column(Boolean, server_default=false())  # (no Python default: an insert into an older schema names no such column)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    interaction: Mapped[InteractionRow] = relationship(back_populates="reviews")


class JobRow(Base):
    """An audio recording waiting to be transcribed and scored. Persisted, so a restart picks it up again."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # queued | running | succeeded | failed
    interaction_id: Mapped[str] = mapped_column(String(200))
    upload_path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(500))
    metadata_json: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    options: Mapped[dict[str, Any]] = mapped_column()
    callback_url: Mapped[str | None] = mapped_column(Text)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id"))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a worker started it
    audio_seconds: Mapped[float | None] = mapped_column(Float)
    processing_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(Base):
    """A callback to send; `id` is the delivery id the receiver de-duplicates on."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # exactly the bytes signed and sent (UTF-8)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The response given to a POST with an Idempotency-Key, replayed when the same key comes again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column()
    headers: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)  # (none for responses remembered before 0011)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """An account for the web workspace (`qualicall user create`). Only an scrypt hash of the password is kept."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # coach | admin | agent
    # An agent's account sees the contacts of this agent id only (the interactions' `agent_id`); None for the others.
    agent_id: Mapped[str | None] = mapped_column(String(200), default=None)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisputeRow(Base):
    """An agent's dispute of one item's verdict of record on one of their contacts, and a coach's resolution.

    Upheld, the resolution is also a coach's review giving the item the status the agent asked for (`review_id`):
    the verdict of record. Comments are stored redacted, like the transcripts (the service's redactor)."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_resolution_created", "resolution", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id", ondelete="SET NULL"))  # the result of record disputed
    criterion_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    disputed_status: Mapped[str] = mapped_column(String(20))  # the verdict of record when the agent disputed it
    requested_status: Mapped[str] = mapped_column(String(20))  # the verdict the agent asks for
    comment: Mapped[str] = mapped_column(Text)
    agent_id: Mapped[str] = mapped_column(String(200), index=True)
    # The agent's account, by id and name (no foreign key: the record outlives a deleted account).
    author: Mapped[str] = mapped_column(String(200))
    author_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(20), default=None)  # None (open) | upheld | rejected
    resolution_comment: Mapped[str | None] = mapped_column(Text, default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    resolved_by_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resolved_by_key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"), default=None)


class WebSession(Base):
    """A coach signed in to the workspace. The cookie carries a random token; only its SHA-256 is kept here.
    It ends at logout, at expiry, and as soon as its user is disabled, deleted or given a new password,
    or its API key revoked (`qualicall.store.signins`)."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # posted back by every form of the session
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInFailure(Base):
    """A failed sign-in, kept for the throttle's window only. `subject` is the SHA-256 of `user:<name>` or
    `address:<ip>` (an address is personal data: not kept in clear)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_subject_at", "subject", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SavedFilter(Base):
    """A coach's named set of queue filters (search included), the query string of /queue; each coach's own:
    a user account's, or an API key's where the coach signed in with a key."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name"), UniqueConstraint("api_key_id", "name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalibrationSession(Base):
    """A lead's calibration session (AFNOR-style double marking): the same calls scored blind by several coaches,
    whose agreement with each other and with the machine the session's page shows (`qualicall.store.calibration_sessions`).
    `sample` says how its calls were chosen (a seeded random sample per agent and ISO week, or the queue's filters),
    so that the choice can be checked and made again. The name is stored redacted, like comments."""

    __tablename__ = "calibration_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sample: Mapped[dict[str, Any]] = mapped_column()
    # The lead who created it, by name and account or key (no foreign key: the record outlives the account).
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by_key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    coaches: Mapped[list["CalibrationCoach"]] = relationship(cascade="all, delete-orphan", order_by="CalibrationCoach.username")
    calls: Mapped[list["CalibrationCall"]] = relationship(cascade="all, delete-orphan", order_by="CalibrationCall.position")


class CalibrationCoach(Base):
    """A coach taking part in a session. The name is kept: their verdicts outlive a deleted account."""

    __tablename__ = "calibration_coaches"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(200))


class CalibrationCall(Base):
    """A call of a session, with the machine's result the coaches' verdicts are compared with (the machine's
    scoring of record when the session was made: every coach judges the same one)."""

    __tablename__ = "calibration_calls"
    __table_args__ = (UniqueConstraint("session_id", "interaction_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_sessions.id", ondelete="CASCADE"), index=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the order coaches are given the calls in


class CalibrationVerdict(Base):
    """One coach's blind verdict on one item of one call of a session: theirs alone, never the call's verdict of
    record (the reviews are). The comment is stored redacted, like the reviews'."""

    __tablename__ = "calibration_verdicts"
    __table_args__ = (UniqueConstraint("call_id", "coach_id", "criterion_id", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calibration_calls.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("calibration_coaches.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # passed | failed | not_applicable
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
