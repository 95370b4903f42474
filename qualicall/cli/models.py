"""`qualicall models`: model preparation run ahead of time (derive the cache folder's files once per installation; convert a
CTranslate2 Whisper model for openai-whisper)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

models_app = typer.Typer(help="Prepare the models ahead of time (offline).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")


@models_app.command("warm")
def warm(
    rubric: Annotated[Optional[str], typer.Option(help="rubric id or YAML file; default: the default rubric of each language")] = None,
) -> None:
    """Derive now what a first command would: spaCy's compiled patterns, the lexicons, every example bank's vectors (kept
    in the cache folder), so that the first score after installing answers as fast as the later ones."""
    from qualicall.cli import fail, user_errors
    from qualicall.models.derived import UNWRITTEN
    from qualicall.models.whisper_models import cache_dir
    from qualicall.service.scoring import ScoringService

    started = time.monotonic()
    with user_errors():
        ScoringService(rubric, concurrency=1).warm_up()
    if UNWRITTEN:
        # (it said « models ready … derived files in … » of a read-only or full folder that kept none)
        fail(f"the cache folder {cache_dir()} did not take {len(UNWRITTEN)} derived file(s) ({UNWRITTEN[0]}): a first score will derive "
             "them again; make it writable, or set QUALICALL_CACHE_DIR")
    typer.echo(f"models ready in {time.monotonic() - started:.0f} s; derived files in {cache_dir()}")


@models_app.command("convert")
def convert(
    model: Annotated[str, typer.Option("--model", help="a Whisper model name found offline (base…) or a CTranslate2 model folder")] = "base",
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="the .pt checkpoint to write (default: in the cache, where --engine openai-whisper looks)")] = None,
) -> None:
    """Convert a CTranslate2 (faster-whisper) Whisper model into an openai-whisper checkpoint; kept, and reused while the model is unchanged."""
    from qualicall.cli import fail

    if importlib.util.find_spec("torch") is None:
        fail("conversion needs torch (the 'openai-whisper' extra): see the README, 'openai-whisper engine'")
    from qualicall.models.convert import ConversionError, convert_model

    started = time.monotonic()
    try:
        converted = convert_model(model, out)
    except ConversionError as exc:
        fail(str(exc))
    dims = converted.dims
    what = "already converted" if converted.reused else f"converted in {time.monotonic() - started:.1f} s"
    typer.echo(
        f"{converted.checkpoint} ({what}; {dims.n_audio_layer}+{dims.n_text_layer} layers, width {dims.n_audio_state}, "
        f"{'multilingual' if dims.n_vocab >= 51865 else 'English-only'})"
    )
