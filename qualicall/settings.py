"""The service's settings, in one place: environment variables `QUALICALL_*` (or a `.env` file).

    QUALICALL_DATABASE_URL   sqlite:///… (default: a file in the data folder) or postgresql+psycopg://user@host/db
    QUALICALL_DATA_DIR       where the default database and the uploaded recordings live
    QUALICALL_MAX_UPLOAD_MB  largest audio upload accepted (413 above)
    QUALICALL_MAX_RECORDING_HOURS  longest recording accepted (413 above, from the file's header)
    QUALICALL_RECORDINGS_ROOT  the folder JSON `recording` references are read in (none: refused)
    QUALICALL_WORKERS        HTTP worker processes (default: the number of cores), each scoring in a process of its own
    QUALICALL_AUDIO_WORKERS  audio jobs run at once, each in a worker process of its own
    QUALICALL_QUEUE_SIZE     audio jobs waiting at most (429 with Retry-After above)
    QUALICALL_WEBHOOK_ALLOWED_HOSTS  internal hosts that webhooks may reach (others must be public addresses)
    QUALICALL_SESSION_HOURS  how long a coach's sign-in lasts
    QUALICALL_COOKIE_SECURE, QUALICALL_COOKIE_SAMESITE  the coaches' cookie policy (qualicall.api.web.sessions)
    QUALICALL_SIGNIN_*       the throttle on failed sign-ins (per user name, per address, window)
    QUALICALL_MAX_TURN_CHARS, QUALICALL_MAX_TURNS, QUALICALL_MAX_INTERACTION_CHARS
                             the most one posted interaction may hold (413 above): what bounds the cost of a request
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "qualicall"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUALICALL_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="default database and uploaded recordings")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite file qualicall.db in data_dir")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    max_upload_mb: float = Field(200.0, gt=0, description="largest audio upload accepted, in MB (413 above)")
    max_json_mb: float = Field(10.0, gt=0, description="largest JSON body accepted, in MB (413 above)")
    max_turn_chars: int = Field(100_000, ge=1, description="longest text of one turn (or of any other text field), in characters (413 above)")
    max_turns: int = Field(5_000, ge=1, description="most turns in one interaction (413 above)")
    max_interaction_chars: int = Field(1_000_000, ge=1, description="most characters of text in one interaction, all fields together (413 above)")
    max_recording_hours: float = Field(4.0, gt=0, description="longest recording accepted, in hours (413 above, read from its header before decoding)")
    recordings_root: Path | None = Field(None, description="folder in which JSON `recording` references are resolved; unset: references are refused (422), upload the audio instead")
    workers: int | None = Field(None, ge=1, description="HTTP worker processes; default: the number of cores")
    audio_workers: int = Field(1, ge=0, description="audio jobs run at once, each in a worker process of its own; 0: accept jobs but run none")
    queue_size: int = Field(32, ge=1, description="audio jobs waiting at most before 429")
    retry_after_s: int = Field(30, ge=1, description="Retry-After sent with a 429")
    warm_up: bool = Field(True, description="load the scoring models at start-up rather than on the first request")
    rubric: str | None = Field(None, description="rubric id or file for every interaction; default: by language")
    redact: bool | None = Field(None, description="redact personal data before storing; default: the deployment's privacy settings")
    webhook_attempts: int = Field(8, ge=1, description="webhook deliveries tried at most")
    webhook_backoff_s: float = Field(2.0, gt=0, description="first retry delay; doubles at each attempt")
    webhook_timeout_s: float = Field(10.0, gt=0)
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="hosts inside the network that webhooks may reach (comma-separated names or addresses)")
    page_size_max: int = Field(200, ge=1)
    session_hours: float = Field(12.0, gt=0, description="how long a coach's sign-in lasts (the session cookie's Max-Age)")
    time_zone: str | None = Field(None, description="IANA time zone (Europe/Paris) in which the pages write what the server records (reviews, disputes, sessions); default: the server's own")
    cookie_secure: bool = Field(True, description="coaches' cookies over HTTPS only (and http://localhost); false: plain HTTP too, on a trusted network")
    cookie_samesite: Literal["lax", "strict"] = Field("lax", description="the session cookie's SameSite: lax lets links from mails and chats open signed in")
    signin_failures_per_user: int = Field(5, ge=1, description="failed sign-ins allowed per user name in the window")
    signin_failures_per_address: int = Field(20, ge=1, description="failed sign-ins allowed per client address in the window")
    signin_window_min: float = Field(15.0, gt=0, description="the window of the sign-in throttle, in minutes")
    retention_days: int | None = Field(None, ge=1, le=36500, description="the server erases the contacts older than this many days, at start-up and daily (qualicall db purge); unset: kept until erased")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r} (an IANA name: Europe/Paris, America/Montreal, UTC)") from None
        return zone

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [host.strip() for host in value.split(",") if host.strip()] if isinstance(value, str) else value

    @property
    def http_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'qualicall.db'}"

    @property
    def max_json_bytes(self) -> int:
        return int(self.max_json_mb * 1024 * 1024)

    def local_file(self, stored: str) -> Path:
        """A file of the service's own whose path the store keeps (an upload, a redacted copy): a relative one in this
        data folder; an absolute one that is no longer there but was in a folder of the service's own kind, the same
        name in this data folder's — a data folder moved or restored elsewhere kept the old absolute paths (an upgrade
        operator's review: its recordings answered 404, its queued jobs failed « no such file »)."""
        path = Path(stored)
        if not path.is_absolute():
            return self.data_dir / path
        if not path.exists():
            for folder in (self.uploads_dir, self.redacted_recordings_dir):
                if path.parent.name == folder.name:
                    return folder / path.name
        return path

    @property
    def sealing_key(self) -> Path:
        """The key that seals what must not rest in clear in the store (audio jobs' metadata, webhook secrets)."""
        return self.data_dir / "sealing.key"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def redacted_recordings_dir(self) -> Path:
        """Where the service keeps the redacted copies of recordings that the coach pages play."""
        return self.data_dir / "redacted-recordings"

    @property
    def waveforms_dir(self) -> Path:
        """Where the call page keeps each recording's peak envelope (qualicall.audio.waveform), measured once."""
        return self.data_dir / "waveforms"

    @property
    def max_recording_seconds(self) -> float:
        return self.max_recording_hours * 3600

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
