"""What a deployment redacts: on by default, every type; a YAML file or environment variables change it.

Independent of the rubric: privacy is a deployment's policy, not a grid's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qualicall.core.errors import InputError
from qualicall.core.text import PERSONAL_DATA_TYPES

# The types of personal data found, which are also the placeholders' names ([CARD]…).
ENTITY_TYPES = PERSONAL_DATA_TYPES

CONFIG_ENV = "QUALICALL_PRIVACY_CONFIG"
ENABLED_ENV = "QUALICALL_REDACT"
TYPES_ENV = "QUALICALL_REDACT_TYPES"


class PrivacyConfigError(InputError):
    """A bad privacy configuration: one line naming the file or variable."""


class RedactionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    types: list[str] = Field(default_factory=lambda: list(ENTITY_TYPES), description="entity types to redact")
    audio: Literal["tone", "silence"] = "tone"
    # The service keeps and plays a redacted copy of each recording (tone or silence over the redacted words).
    recordings: bool = True
    # Run spaCy's NER on turns written with capitals (ASR text has none: names
    # there are found after the words that introduce them).
    ner: bool = True
    # Interaction fields holding names known to be personal (the customer's).
    known_name_fields: list[str] = Field(default_factory=lambda: ["customer_name"])
    min_score: float = 0.5

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: list[str]) -> list[str]:
        upper = [t.strip().upper() for t in types if t.strip()]
        unknown = sorted(set(upper) - set(ENTITY_TYPES))
        if unknown:
            raise ValueError(f"unknown type(s) {', '.join(unknown)} (known: {', '.join(ENTITY_TYPES)})")
        return upper

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RedactionSettings":
        """From `path` or $QUALICALL_PRIVACY_CONFIG (YAML), then $QUALICALL_REDACT and $QUALICALL_REDACT_TYPES."""
        import yaml

        data: dict = {}
        source = path or os.environ.get(CONFIG_ENV)
        if source:
            try:
                data = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise PrivacyConfigError(f"{source}: cannot read privacy settings: {exc}") from None
            if not isinstance(data, dict):
                raise PrivacyConfigError(f"{source}: privacy settings must be a mapping")
        enabled = os.environ.get(ENABLED_ENV)
        if enabled:
            if enabled.lower() not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
                raise PrivacyConfigError(f"{ENABLED_ENV}={enabled!r}: use on or off")
            data["enabled"] = enabled.lower() in ("1", "true", "on", "yes")
        types = os.environ.get(TYPES_ENV)
        if types:
            data["types"] = types.split(",")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "settings"
            message = str(first["msg"]).removeprefix("Value error, ")
            if field.split(".")[0] == "types" and types:  # (from the variable, not the file: it said « environment: types »)
                raise PrivacyConfigError(f"{TYPES_ENV}={types!r}: {message}") from None
            raise PrivacyConfigError(f"{source or 'environment'}: {field}: {message}") from None
