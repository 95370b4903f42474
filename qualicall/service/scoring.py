"""Score, then redact, then store when asked: the one path every entry point takes.

The CLI (`qualicall score`), the batch workers and the API (JSON route and
audio jobs) all score through `ScoringService`, so that what is written or
stored is redacted alike everywhere: scored on the clear text, redacted after.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualicall.scorer.engine import Scorer
from qualicall.service.recordings import RecordingRefused, RecordingsRoot, is_url, redacted_copy_stem
from qualicall.core.interaction import Interaction
from qualicall.core.result import Result

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qualicall.privacy import RedactedInteraction
    from qualicall.store.models import ResultRow

logger = logging.getLogger(__name__)


class ScoringService:
    """One scorer (models load once, on first use) and the deployment's redactor.

    `recordings_dir`: where redacted copies of recordings go when results are stored (the API's data
    folder); without it a stored interaction keeps pointing at its recording as given.
    `recordings_root`: where the interactions' `recording` references may point (the API's clients);
    None: they are the operator's own paths, taken as given (the CLI and batch).
    """

    def __init__(
        self, rubric: str | None = None, redact: bool | None = None, recordings_dir: Path | None = None, concurrency: int | None = None,
        recordings_root: RecordingsRoot | None = None,
    ) -> None:
        from qualicall.privacy import deployment_redactor

        self.scorer = Scorer(rubric)
        self.redactor = deployment_redactor(redact)
        # Where redacted copies of recordings go, so that what the coach pages play holds no card number either.
        self.recordings_dir = recordings_dir
        self.recordings_root = recordings_root
        # Scoring is CPU work under the GIL: more threads at once only lengthen every request.
        self._slots = threading.BoundedSemaphore(concurrency or os.cpu_count() or 1)

    def warm_up(self) -> None:
        """Load the models (spaCy, embeddings, the redactor) and embed every example bank at start-up rather than during
        the first requests; what is derived once per installation (`qualicall.models.derived`, the banks' vectors) is
        written to the cache folder on the way (`qualicall models warm`)."""
        for language, text in (("fr", "Bonjour, je vous écoute."), ("en", "Hello, how can I help you?")):
            turns = [{"speaker": "agent", "text": text, "start": 0.0, "end": 2.0}]
            self.score(Interaction.model_validate({"id": "warm-up", "language": language, "turns": turns}))
            self.scorer.embed_banks(language)

    def score(
        self, interaction: Interaction, measured: dict[str, Any] | None = None, recording: Path | None = None
    ) -> tuple[Interaction, Result]:
        """Score on the clear text; return what may be stored (redacted where the deployment redacts).

        `recording`: the recording's file when the service made it (an upload); otherwise the interaction's
        `recording` reference is resolved in the recordings root, and refused (RecordingRefused) before
        anything is scored."""
        if recording is not None:
            interaction = interaction.model_copy(update={"recording": str(recording)})
        elif self.recordings_root is not None and interaction.recording and not is_url(interaction.recording):
            # The file as resolved: what the redacted copy is made from and what the coach pages play.
            interaction = interaction.model_copy(update={"recording": str(self.recordings_root.resolve(interaction.recording))})
        with self._slots:
            result = self.scorer.score(interaction, measured=measured)
            if self.redactor is None:
                return interaction, result
            from qualicall.privacy import redact_interaction, redact_result

            redacted = redact_interaction(interaction, redactor=self.redactor)
            return self._redacted_recording(redacted, referenced=recording is None), redact_result(result, redacted)

    def redact_comment(self, text: str, language: str) -> str:
        """A coach's or an agent's comment as it may be stored: redacted where the deployment redacts."""
        if self.redactor is None:
            return text
        from qualicall.privacy import redact_free_text

        with self._slots:
            return redact_free_text(self.redactor, text, language)

    def _redacted_recording(self, redacted: "RedactedInteraction", referenced: bool) -> Interaction:
        """The interaction pointing at a redacted copy of its recording; with no copy possible, at no recording — or, for
        a file the client referenced (`referenced`), refused: « recording: … cannot decode audio » (it was stored without
        its recording, a 201 saying nothing)."""
        recording = redacted.interaction.recording
        if not recording or is_url(recording) or self.recordings_dir is None or not self.redactor.settings.recordings:
            return redacted.interaction
        from qualicall.privacy.audio import AudioRedactionError, UndecodableRecording, redact_recording

        source = Path(recording).expanduser()
        if not source.is_absolute():
            source = self.recordings_dir.parent / source
        target = self.recordings_dir / f"{redacted_copy_stem(redacted.interaction.id)}{source.suffix or '.wav'}"
        try:
            return redact_recording(redacted, source, target, self.redactor.settings.audio)
        except AudioRedactionError as exc:
            if referenced and isinstance(exc, UndecodableRecording):  # (not a missing decoder, not a full disk: the server's)
                # (the decoder's words, without the server's path of the file)
                raise RecordingRefused(f"recording: {Path(recording).name} cannot be decoded as audio ({str(exc).rsplit(': ', 1)[-1]})") from None
            logger.warning("recording of %s not kept: %s", redacted.interaction.id, exc)
            return redacted.interaction.model_copy(update={"recording": None})

    def score_and_store(
        self,
        session: Session,
        interaction: Interaction,
        *,
        api_key_id: int | None,
        measured: dict[str, Any] | None = None,
        recording: Path | None = None,
    ) -> tuple[ResultRow, Interaction]:
        """Score, store; returns the new result row and the interaction as stored (redacted).
        The store is imported here: `qualicall score` never stores, and SQLAlchemy costs 0.3 s to import."""
        from qualicall.store.repository import save_scored

        stored, result = self.score(interaction, measured, recording)
        return save_scored(session, stored, result, api_key_id=api_key_id), stored
