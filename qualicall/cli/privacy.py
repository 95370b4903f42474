"""`qualicall redact FILE…`: redacted transcripts (JSON/JSONL) and, with --redact-audio, recordings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from qualicall.core.text import PERSONAL_DATA_TYPES


def settings_from_options(config: Optional[Path], types: Optional[str]):
    """The deployment's privacy settings, with the command line's --types on top."""
    from pydantic import ValidationError

    from qualicall.privacy.settings import PrivacyConfigError, RedactionSettings

    settings = RedactionSettings.load(config)
    if types is not None:
        try:
            settings = RedactionSettings.model_validate({**settings.model_dump(), "types": types.split(","), "enabled": True})
        except ValidationError as exc:
            raise PrivacyConfigError(f"--types: {exc.errors()[0]['msg']}") from None
    return settings


def _recording_path(recording: str, source: Path) -> Path:
    path = Path(recording)
    if path.is_absolute() or path.exists():
        return path
    return source.parent / path


def register(app: typer.Typer) -> None:
    @app.command()
    def redact(
        inputs: Annotated[list[Path], typer.Argument(help="interaction .json / .jsonl files (or audio files, when the audio extra is installed)")],
        out: Annotated[Optional[Path], typer.Option("--out", "-o", help="write the redacted interactions here (JSONL) instead of stdout")] = None,
        redact_audio: Annotated[bool, typer.Option("--redact-audio", help="also write a copy of each recording with the redacted words blanked")] = False,
        audio_dir: Annotated[Optional[Path], typer.Option("--audio-dir", help="where the redacted recordings go (default: next to each recording)")] = None,
        audio_mode: Annotated[Optional[str], typer.Option("--audio-mode", help="tone | silence (default: the settings', tone)")] = None,
        types: Annotated[Optional[str], typer.Option("--types", help=f"comma-separated types to redact ({','.join(PERSONAL_DATA_TYPES)})")] = None,
        config: Annotated[Optional[Path], typer.Option("--config", help="privacy settings YAML (default: $QUALICALL_PRIVACY_CONFIG)")] = None,
    ) -> None:
        """Replace personal data (cards, IBANs, phones, e-mails, names…) with typed placeholders."""
        from qualicall.cli import fail, open_output, skip_unreadable, user_errors

        if audio_mode not in (None, "tone", "silence"):
            fail(f"unknown --audio-mode {audio_mode!r} (use tone or silence)")
        failures = 0
        with user_errors():
            from qualicall.privacy.audio import AudioRedactionError, merge_spans, redact_recording, redacted_copy_path
            from qualicall.privacy.redactor import Redactor
            from qualicall.privacy.transcripts import redact_interaction
            from qualicall.core.interaction import InteractionError
            from qualicall.service.sources import iter_sources

            settings = settings_from_options(config, types)
            redactor = Redactor(settings)
            with open_output(out) as stream:
                for source in inputs:
                    for item in iter_sources([source]):
                        if isinstance(item, InteractionError):
                            skip_unreadable(item, len(inputs), redactor)
                            failures += 1
                            continue
                        redacted = redact_interaction(item, redactor=redactor)
                        interaction = redacted.interaction
                        summary = f"{item.id}: {redacted.count} redaction(s)"
                        if redact_audio:
                            if not item.recording:
                                typer.echo(f"qualicall: {item.id}: no recording to redact", err=True)
                            else:
                                recording = _recording_path(item.recording, source)
                                target = redacted_copy_path(recording, audio_dir)
                                try:
                                    interaction = redact_recording(redacted, recording, target, audio_mode or settings.audio)
                                except AudioRedactionError as exc:
                                    failures += 1
                                    typer.echo(f"qualicall: skipped audio: {exc}", err=True)
                                else:
                                    summary += f", {len(merge_spans(redacted.audio_spans))} audio span(s) blanked in {target}"
                        stream.write(json.dumps(interaction.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
                        typer.echo(f"qualicall: {summary}", err=True)
        if failures:
            raise typer.Exit(1)
