"""Scoring and storing one interaction: shared by the JSON route and the audio job workers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qualicall.scorer.engine import Scorer
from qualicall.scorer.interaction import Interaction
from qualicall.scorer.result import Result
from qualicall.store.models import ResultRow
from qualicall.store.repository import save_scored


class ScoringService:
    """One scorer (models load once, on first use) and the deployment's redactor."""

    def __init__(self, rubric: str | None = None, redact: bool | None = None) -> None:
        from qualicall.privacy import deployment_redactor

        self.scorer = Scorer(rubric)
        self.redactor = deployment_redactor(redact)

    def warm_up(self) -> None:
        """Load the models (spaCy, embeddings) at start-up rather than during the first request."""
        for language, text in (("fr", "Bonjour, je vous écoute."), ("en", "Hello, how can I help you?")):
            turns = [{"speaker": "agent", "text": text, "start": 0.0, "end": 2.0}]
            self.score(Interaction.model_validate({"id": "warm-up", "language": language, "turns": turns}))

    def score(self, interaction: Interaction, measured: dict[str, Any] | None = None) -> tuple[Interaction, Result]:
        """Score on the clear text; return what may be stored (redacted where the deployment redacts)."""
        result = self.scorer.score(interaction, measured=measured)
        if self.redactor is not None:
            from qualicall.privacy import redact_scored

            return redact_scored(interaction, result, redactor=self.redactor)
        return interaction, result

    def score_and_store(
        self,
        session: Session,
        interaction: Interaction,
        *,
        api_key_id: int | None,
        measured: dict[str, Any] | None = None,
        recording: str | None = None,
    ) -> tuple[ResultRow, Result]:
        stored, result = self.score(interaction, measured)
        return save_scored(session, stored, result, api_key_id=api_key_id, recording=recording), result
