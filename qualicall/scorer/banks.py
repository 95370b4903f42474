"""Example banks: a grid item (or a signal) recognised by meaning rather than by listed phrases.

A bank holds sentences that realise the item (positives) and sentences that do
not (negatives: hard ones above all — the customer's version of the phrase, a
check that is not about understanding, a neutral question). A sentence is
judged by its nearest examples in a multilingual sentence-embedding space:

    score = mean similarity to the k nearest positives − mean similarity to the k nearest negatives

and realises the item when `score > margin` and its closest positive is at
least `floor` similar (far from every example, it is not judged a match). The
closest positive and its similarity are the evidence a coach reads
(« closest example: « … » (0.84) »).

A deployment teaches its rubric by adding sentences to a bank; no code. The
banks' vectors are computed once per bank content and embedder and cached on
disk (`models.embeddings.encode_cached`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from qualicall.core.text import normalize

if TYPE_CHECKING:
    from qualicall.models.embeddings import Embedder


@dataclass(frozen=True)
class Bank:
    """A named example bank for one language, as the rubric YAML declares it."""

    name: str
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    k: int = 3
    margin: float = 0.0
    floor: float = 0.5


@dataclass(frozen=True)
class BankMatch:
    """How one sentence reads against a bank."""

    realises: bool
    score: float  # positive minus negative similarity (see the module's docstring)
    closest: str  # the closest positive example
    similarity: float  # its cosine similarity


def bank_problems(bank: Bank) -> list[str]:
    """What is wrong with a bank's content, one line each: duplicates, contradictions, too few examples."""
    problems: list[str] = []
    seen: dict[str, tuple[str, str]] = {}
    for side, sentences in (("positive", bank.positives), ("negative", bank.negatives)):
        for sentence in sentences:
            key = normalize(sentence).text
            if not key:
                problems.append(f"bank {bank.name}: an empty {side} example")
                continue
            if key in seen:
                first_side, first = seen[key]
                if first_side == side:
                    problems.append(f"bank {bank.name}: duplicate {side} example « {sentence} »")
                else:
                    problems.append(f"bank {bank.name}: « {sentence} » is both a positive and a negative example")
                continue
            seen[key] = (side, sentence)
    for side, sentences in (("positive", bank.positives), ("negative", bank.negatives)):
        if len(sentences) < bank.k:
            problems.append(f"bank {bank.name}: {len(sentences)} {side} examples, at least k={bank.k} needed")
    return problems


@dataclass
class BankModel:
    """A bank with its example vectors, ready to judge sentences."""

    bank: Bank
    positive_vectors: np.ndarray
    negative_vectors: np.ndarray
    _k_pos: int = field(init=False)
    _k_neg: int = field(init=False)

    def __post_init__(self) -> None:
        self._k_pos = max(1, min(self.bank.k, len(self.positive_vectors)))
        self._k_neg = max(1, min(self.bank.k, len(self.negative_vectors)))

    @classmethod
    def build(cls, bank: Bank, embedder: "Embedder") -> "BankModel":
        from qualicall.models.embeddings import encode_cached

        vectors = encode_cached(embedder, [*bank.positives, *bank.negatives])
        return cls(bank, vectors[: len(bank.positives)], vectors[len(bank.positives) :])

    def judge(self, vectors: np.ndarray) -> list[BankMatch]:
        """One match per row of `vectors` (L2-normalised sentence embeddings)."""
        if len(vectors) == 0:
            return []
        to_pos = vectors @ self.positive_vectors.T
        to_neg = vectors @ self.negative_vectors.T if len(self.negative_vectors) else np.zeros((len(vectors), 1), np.float32)
        scores = _top_mean(to_pos, self._k_pos) - _top_mean(to_neg, self._k_neg)
        nearest = to_pos.argmax(axis=1)
        similarity = to_pos[np.arange(len(to_pos)), nearest]
        realises = (scores > self.bank.margin) & (similarity >= self.bank.floor)
        # Whole rows at once, then plain Python values: the scorer judges thousands of sentences a minute.
        return [
            BankMatch(realised, score, self.bank.positives[index], closest)
            for realised, score, index, closest in zip(realises.tolist(), scores.tolist(), nearest.tolist(), similarity.tolist())
        ]

    def cross_validated_accuracy(self) -> float:
        """Leave-one-out accuracy on the bank's own examples: each is judged by all the others."""
        vectors = np.vstack([self.positive_vectors, self.negative_vectors])
        truth = np.array([True] * len(self.positive_vectors) + [False] * len(self.negative_vectors))
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -np.inf)  # an example never votes for itself
        positive = truth
        to_pos, to_neg = similarity[:, positive], similarity[:, ~positive]
        k_pos = max(1, min(self.bank.k, to_pos.shape[1] - 1))
        k_neg = max(1, min(self.bank.k, to_neg.shape[1] - 1))
        scores = _top_mean(to_pos, k_pos) - _top_mean(to_neg, k_neg)
        closest = np.where(np.isfinite(to_pos), to_pos, -1.0).max(axis=1)
        predicted = (scores > self.bank.margin) & (closest >= self.bank.floor)
        return float((predicted == truth).mean())


@lru_cache(maxsize=256)
def bank_model(bank: Bank, embedder: "Embedder") -> BankModel:
    """A bank's vectors, computed once per process (and once per content on disk): for the grid's checks,
    the signals, sentiment and `rubric validate` alike."""
    return BankModel.build(bank, embedder)


def _top_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k largest finite values (the diagonal excluded as -inf counts only where k allows)."""
    finite = np.where(np.isfinite(similarity), similarity, -1.0)
    if finite.shape[1] <= k:
        return finite.mean(axis=1)
    top = np.partition(finite, finite.shape[1] - k, axis=1)[:, -k:]
    return top.mean(axis=1)
