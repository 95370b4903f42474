"""`qualicall transcribe`: recordings to interaction JSON (turns with times, speakers, words)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from qualicall.cli import AgentChannelOption, EngineOption, LangOption, ModelOption


def register(app: typer.Typer) -> None:
    @app.command()
    def transcribe(
        inputs: Annotated[list[Path], typer.Argument(help="recordings (wav, opus, mp3, flac, ogg, m4a…; 8 kHz telephone audio too)")],
        out: Annotated[Optional[Path], typer.Option("--out", "-o", help="write here instead of stdout")] = None,
        agent_channel: AgentChannelOption = "auto",
        lang: LangOption = "auto",
        engine: EngineOption = None,
        model: ModelOption = None,
        threads: Annotated[Optional[int], typer.Option("--threads", min=1, help="CPU threads for the speech engine (default: all cores)")] = None,
        redact: Annotated[Optional[bool], typer.Option("--redact/--no-redact", help="redact personal data in the transcript (default: the deployment's privacy settings, on)")] = None,
    ) -> None:
        """Transcribe recordings: one interaction JSON for one file, JSONL for several. Unreadable files are reported and skipped."""
        from qualicall.cli import audio_options, fail, open_output, user_errors, warn_truncated

        failures = 0
        with user_errors():
            options = audio_options(agent_channel, lang, engine, model, threads)
            from qualicall.audio.pipeline import AUDIO_SUFFIXES
            from qualicall.privacy import deployment_redactor, redact_interaction
            from qualicall.core.interaction import InteractionError
            from qualicall.service.sources import AudioSource

            for path in inputs:
                if path.suffix.lower() not in AUDIO_SUFFIXES and path.is_file():
                    fail(f"{path}: not a recording ({' '.join(sorted(AUDIO_SUFFIXES))})")
            redactor = deployment_redactor(redact)
            source = AudioSource(options)
            with open_output(out) as stream:
                for path in inputs:
                    item = source.transcribe(path, {"id": path.stem})
                    if isinstance(item, InteractionError):
                        if len(inputs) == 1:
                            fail(str(item))
                        failures += 1
                        typer.echo(f"qualicall: skipped: {item}", err=True)
                        continue
                    warn_truncated(item)
                    if out is not None:
                        # "the path is relative to the JSON file" (where score and redact read it from): it was written
                        # relative to the current folder, lost once the JSON went to another folder.
                        item = item.model_copy(update={"recording": os.path.relpath(path.resolve(), out.resolve().parent)})
                    if redactor is not None:
                        item = redact_interaction(item, redactor=redactor).interaction
                    data = item.model_dump(mode="json", exclude_none=True)
                    if len(inputs) == 1:
                        stream.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
                    else:
                        stream.write(json.dumps(data, ensure_ascii=False) + "\n")
                    stream.flush()
        if failures:
            typer.echo(f"qualicall: {failures} recording(s) could not be transcribed", err=True)
            raise typer.Exit(1)
