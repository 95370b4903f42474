"""The `qualicall` command. Heavy modules are imported inside commands, so `--help` is instant."""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, NoReturn, Optional

import typer
from pydantic_core import ValidationError

from qualicall.core.errors import InputError, QualicallError

app = typer.Typer(
    name="qualicall",
    help="Score contact-centre interactions against a quality grid, with evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

rubric_app = typer.Typer(help="List, print and check rubrics.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")

# Modules that add their own commands with a `register(app)` function.
COMMAND_MODULES: list[str] = [
    "qualicall.cli.privacy",
    "qualicall.cli.serve",
    "qualicall.cli.users",
    "qualicall.cli.reports",
    "qualicall.cli.audio",
    "qualicall.cli.models",
    "qualicall.cli.batch",
]


class UserError(InputError):
    """Bad input: printed as one line on stderr, exit status 2."""


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"qualicall: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """The one place where the project's errors become one-line messages (exit status 2) instead of tracebacks."""
    try:
        yield
    except QualicallError as exc:
        fail(str(exc))
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        fail(settings_problem(exc))
    except BrokenPipeError:
        # Whoever read the output stopped (`| head`): nothing is wrong and nothing more can be written. The output goes
        # nowhere from now on (the final flush would fail again), and the status is a pipe's reader leaving's (128 + SIGPIPE).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(141) from None
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


def settings_problem(exc: ValidationError) -> str:
    """A setting refused, as the operator wrote it: « QUALICALL_MAX_UPLOAD_MB='abc': Input should be a valid number » (it was
    a traceback of pydantic's, naming the field only)."""
    error = exc.errors(include_url=False)[0]
    name = "QUALICALL_" + str(error["loc"][0]).upper() if error["loc"] else "QUALICALL_*"
    return f"{name}={error['input']!r}: {error['msg']} (the environment, .env, or the command's option of that name)"


def skip_unreadable(error: InputError, inputs: int, redactor=None) -> None:  # type: ignore[no-untyped-def]
    """Report a record or input that cannot be used: a one-line error (exit status 2) when it is a
    command's only input and cannot be read at all; otherwise skipped, named on stderr, the values it quotes redacted
    with `redactor` (the deployment's, when it redacts)."""
    from qualicall.core.interaction import SourceError
    from qualicall.privacy import redact_message

    if isinstance(error, SourceError) and inputs == 1:
        fail(str(error))
    typer.echo(f"qualicall: skipped: {redact_message(redactor, str(error))}", err=True)


def warn_truncated(interaction) -> None:  # type: ignore[no-untyped-def]
    """Say on stderr that a recording was shorter than its header states: its result says so too (`asr.truncated`),
    but a table or a score read alone would pass for the whole call's."""
    asr = getattr(interaction, "asr", None)
    if isinstance(asr, dict) and asr.get("truncated"):
        from qualicall.audio.decode import duration

        typer.echo(
            f"qualicall: warning: {interaction.recording}: the file holds {duration(asr.get('audio_seconds') or 0)} of the"
            f" {duration(asr.get('stated_seconds') or 0)} its header states (an upload or a copy that stopped): scored on what it"
            " holds, its end lost (asr.truncated)",
            err=True,
        )


@contextmanager
def open_output(out: Optional[Path]) -> Iterator:
    if out is None:
        yield sys.stdout
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as stream:
        yield stream


FormatOption = Annotated[str, typer.Option("--format", "-f", help="json | jsonl | csv | table")]
# Options of the audio pipeline (recordings), shared by `score` and `transcribe`.
AgentChannelOption = Annotated[str, typer.Option("--agent-channel", help="stereo recordings: the agent's channel, auto (from what each says; the default) | left | right")]
LangOption = Annotated[str, typer.Option("--lang", help="recordings: fr | en | auto (detected on the agent's speech)")]
EngineOption = Annotated[Optional[str], typer.Option("--engine", help="speech engine: faster-whisper (default) | openai-whisper")]
ModelOption = Annotated[Optional[str], typer.Option("--model", help="Whisper model: a name (base, tiny.en…) or a path")]


def audio_options(agent_channel: str, lang: str, engine: Optional[str], model: Optional[str], threads: Optional[int] = None):  # type: ignore[no-untyped-def]
    """The audio pipeline's options from the command line, checked (AudioOptionError) before any model loads."""
    from qualicall.audio.pipeline import AudioOptions

    return AudioOptions.choose(agent_channel=agent_channel, lang=lang, engine=engine, model=model, threads=threads)


@app.command()
def score(
    inputs: Annotated[list[Path], typer.Argument(help="interaction .json / .jsonl files (or audio files, when the audio extra is installed)")],
    rubric: Annotated[Optional[str], typer.Option(help="rubric id (default-fr, default-en…) or YAML file; default: by language")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="write here instead of stdout")] = None,
    fmt: FormatOption = "json",
    redact: Annotated[Optional[bool], typer.Option("--redact/--no-redact", help="redact personal data in the output (default: the deployment's privacy settings, on)")] = None,
    agent_channel: AgentChannelOption = "auto",
    lang: Annotated[str, typer.Option("--lang", help="recordings: fr | en | auto (detected on the agent's speech); the language of --format table too (auto: each result's)")] = "auto",
    engine: EngineOption = None,
    model: ModelOption = None,
) -> None:
    """Score interactions: one result JSON for one interaction, JSONL for several. Recordings are transcribed first."""
    from qualicall.scorer.output import FORMATS, ResultWriter

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    failures = 0
    if fmt == "json" and out is not None and out.suffix.lower() == ".jsonl":
        fmt = "jsonl"  # a .jsonl file is one line per result, even for one result (what `report` reads)
    with user_errors():
        from qualicall.core.interaction import InteractionError
        from qualicall.service.scoring import ScoringService
        from qualicall.service.sources import AudioSource, iter_sources

        audio = AudioSource(audio_options(agent_channel, lang, engine, model))
        service = ScoringService(rubric, redact, concurrency=1)
        table_language, rubrics = None, []
        if fmt == "table":  # worded in --lang when given, else in each result's language; labels from the rubrics
            from qualicall.scorer import labels

            table_language, rubrics = (lang if lang in ("fr", "en") else None), labels.label_rubrics(rubric)
        with open_output(out) as stream:
            writer = ResultWriter(stream, fmt, table_language, rubrics)
            for item in iter_sources(inputs, audio):
                if isinstance(item, InteractionError):
                    skip_unreadable(item, len(inputs), service.redactor)
                    failures += 1
                    continue
                warn_truncated(item)
                try:
                    # Scored on the clear text; what is written is redacted (unless --no-redact).
                    _, result = service.score(item)
                    writer.write(result)
                except InteractionError as exc:
                    failures += 1
                    skip_unreadable(exc, 0, service.redactor)
            writer.close()
    if failures:
        typer.echo(f"qualicall: {failures} record(s) could not be scored", err=True)
        raise typer.Exit(1)


@rubric_app.command("list")
def rubric_list() -> None:
    """List the rubrics that `--rubric` accepts by id."""
    from qualicall.scorer.rubric import RubricError, list_rubrics, load_rubric

    broken = 0
    with user_errors():
        for rubric_id, path in list_rubrics():
            try:
                rubric = load_rubric(str(path))
            except RubricError as exc:  # listed as broken, the others still listed
                broken += 1
                typer.echo(f"qualicall: error: {exc}", err=True)
                continue
            typer.echo(f"{rubric_id}\tv{rubric.version}\t{rubric.language}\t{rubric.name}")
    if broken:
        raise typer.Exit(1)


@rubric_app.command("show")
def rubric_show(rubric: Annotated[str, typer.Argument(help="rubric id or YAML file")]) -> None:
    """Print a rubric's YAML (copy it to make a deployment's own)."""
    from qualicall.scorer.rubric import read_rubric_text, rubric_path

    with user_errors():
        typer.echo(read_rubric_text(rubric_path(rubric)), nl=False)


@rubric_app.command("validate")
def rubric_validate(files: Annotated[list[str], typer.Argument(help="rubric ids or YAML files")]) -> None:
    """Check rubrics and report every problem with its path in the YAML."""
    from qualicall.scorer.rubric import read_rubric_text, rubric_path, validate_rubric_text

    bad = 0
    with user_errors():
        for name in files:
            path = rubric_path(name)
            rubric, problems = validate_rubric_text(read_rubric_text(path))
            if problems:
                bad += 1
                for problem in problems:
                    typer.echo(f"{path}: {problem}", err=True)
            else:
                items = sum(len(c.items) for c in rubric.criteria.values())
                typer.echo(f"{path}: ok ({rubric.id} v{rubric.version}, {len(rubric.criteria)} criteria, {items} items)")
                _print_bank_accuracies(rubric)
    if bad:
        raise typer.Exit(1)


def _print_bank_accuracies(rubric) -> None:  # type: ignore[no-untyped-def]
    """Each bank's cross-validated accuracy on its own examples (BankModel.cross_validated_accuracy): how well it
    separates what it should."""
    from qualicall.scorer.banks import bank_model

    banks = rubric.example_banks()
    if not banks:
        return
    embedder = rubric.embeddings.embedder()
    for name, bank in banks.items():
        accuracy = bank_model(bank, embedder).cross_validated_accuracy()
        typer.echo(
            f"  bank {name}: cross-validated accuracy {accuracy:.2f} ({len(bank.positives)} positive, {len(bank.negatives)} negative examples)"
        )


@rubric_app.command("learn")
def rubric_learn(
    out: Annotated[Path, typer.Option("--out", "-o", help="where the new rubric version is written (YAML)")],
    from_reviews: Annotated[bool, typer.Option("--from-reviews", help="learn from the coaches' overrides in the store (the only source today)")] = False,
    rubric: Annotated[Optional[str], typer.Option(help="rubric id or YAML file the reviews were made on; default: theirs")] = None,
    database_url: Annotated[Optional[str], typer.Option("--database-url", help="the store (default $QUALICALL_DATABASE_URL, else the data folder's SQLite file)")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="the data folder (default $QUALICALL_DATA_DIR)")] = None,
) -> None:
    """Write a new rubric version whose banks hold the sentences the coaches' overrides point at."""
    if not from_reviews:
        fail("say where to learn from: --from-reviews")
    with user_errors():
        from qualicall.service.learning import learn_from_reviews, summary, write_learned
        from qualicall.settings import Settings
        from qualicall.store.db import Store

        overrides = {k: v for k, v in {"database_url": database_url, "data_dir": data_dir}.items() if v is not None}
        store = Store.for_command(Settings(**overrides).url)
        try:
            with store.session() as session:
                learned = learn_from_reviews(session, rubric)
        finally:
            store.close()
        write_learned(learned, out)
        for line in summary(learned):
            typer.echo(line)
        typer.echo(f"written to {out}")


@rubric_app.command("checks")
def rubric_checks() -> None:
    """List the checks a rubric item can name."""
    from qualicall.scorer.registry import all_checks

    for name, check in all_checks().items():
        typer.echo(f"{name}\t{check.doc}")


# Commands after which the process ends without freeing its objects one by one (see `exit_now`).
QUICK_EXIT = ("score",)


def main() -> None:
    # What any command writes (results, a batch's failures, learned rubrics, reports, the database, uploads) may hold
    # personal data: readable by its user only, 0600 files and 0700 folders (a batch's results and a learned rubric
    # quoting a customer were world-readable: a data protection officer's review).
    os.umask(0o077)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(app)
    if sys.argv[1:2] and sys.argv[1] in QUICK_EXIT:
        try:
            app()
        except SystemExit as done:
            exit_now(done.code)
        exit_now(0)
    app()


def exit_now(status: object) -> NoReturn:
    """End the process as `sys.exit(status)` would, less the interpreter's teardown.

    After a score, freeing the models object by object (spaCy's vocabulary and tables, the
    encoder's) costs 0.7 s of CPU that nobody waits for. What an exit must do still happens:
    the atexit handlers run (logging, temporary folders, multiprocessing), and the standard
    streams are flushed; `score` has closed its output file itself."""
    import atexit
    import os

    atexit._run_exitfuncs()
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (`| head`): nothing more can be written
    os._exit(status or 0)
