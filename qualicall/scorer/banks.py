"""Example banks: a grid item (or a signal) recognised by meaning rather than by listed phrases.

A bank holds sentences that realise the item (positives) and sentences that do
not (negatives: hard ones above all — the customer's version of the phrase, a
check that is not about understanding, a neutral question). A sentence is
judged by its nearest examples in a multilingual sentence-embedding space:

    score = mean similarity to the k nearest positives − mean similarity to the k nearest negatives

and realises the item when `score > margin` and its closest positive is at
least `floor` similar (far from every example, it is not judged a match).

A bank may add a linear vote (`linear`, a weight): a logistic regression fitted on
the bank's examples gives each sentence a probability p of realising it, and

    score = nearest-examples score + linear × (p − 0.5)

The nearest examples decide by the few sentences closest to the one judged; the
regression by a direction the whole bank agrees on, which carries to phrasings no
example is near (a churn threat or a repeat contact in words of its own). Both sides
weigh alike in its fit, so p = 0.5 is its boundary: a sentence unlike every positive
gets p well below it, and the vote lowers its score. The
closest positive and its similarity are the evidence a coach reads
(« closest example: « … » (0.84) »).

The encoder places sentences by topic more than by intent: a calm question
about cancelling sits near « je vais résilier ». A bank may name `cues`, words
that its meaning needs in some form (an earlier contact: « déjà », "again"; a
leaving: « résilier », "switch"): a sentence holding one realises the bank at
`margin − cue_shift`, a sentence holding none only at `margin + cue_shift`, and with
`cue_floor` at that floor rather than the bank's (a long sentence about an earlier
call is far from every short example, yet says what it is about). A cue
within three words after one of the bank's `cue_negations` is none (« je ne vais pas
résilier », "I'm not leaving"), unless one of its `cue_subjects` opens a clause
between them (« si c'est pas réglé je résilie »; not right after one of its `cue_binders`: « ne nous résiliez pas »).
A customer signal's bank may also set
`negative_cue_shift`: a sentence holding a cue, in a customer turn where a
sentence reads negative, realises it at the margin less this and without the
floor (qualicall.scorer.signals).

A deployment teaches its rubric by adding sentences to a bank; no code. The
banks' vectors are computed once per bank content and embedder and cached on
disk (`models.embeddings.encode_cached`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from qualicall.core.text import normalize

if TYPE_CHECKING:
    from qualicall.models.embeddings import Embedder


# How far before a cue a negation still negates it (« je ne vais pas résilier »: two words).
CUE_NEGATION_WORDS = 3
# How many words may open a sentence before its disclaimer (« bon, honnêtement, je ne me plains pas »).
DISCLAIMER_WORDS = 3
_PUNCTUATION = re.compile(r"[,;:.!?…]")


@dataclass(frozen=True)
class Bank:
    """A named example bank for one language, as the rubric YAML declares it."""

    name: str
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    k: int = 3
    margin: float = 0.0
    floor: float = 0.5
    cues: tuple[str, ...] = ()  # regular expressions on normalised text
    cue_shift: float = 0.0
    cue_negations: tuple[str, ...] = ()  # words, on normalised text
    cue_subjects: tuple[str, ...] = ()  # words, on normalised text: a negation before one reaches no cue from it on
    cue_binders: tuple[str, ...] = ()  # words, on normalised text: a subject right after one opens no clause
    # Set: the floor for a sentence holding a cue (BankModel.floors): the cue says what the sentence is about.
    cue_floor: float | None = None
    # Set: a sentence that does not realise the bank is read clause by clause, each clause holding a cue
    # judged at this much above the margin its cue gives it, margin − cue_shift (qualicall.scorer.signals).
    clause_margin: float | None = None
    linear: float = 0.0  # weight of the logistic regression's vote (module docstring); 0: the nearest examples alone
    contractions: frozenset[str] = frozenset()  # the rubric's `text.contractions`: « dont » reads « don t » for the cues
    # Words opening a sentence by which the customer says the bank's meaning is not theirs (« je ne me plains pas »),
    # and words that take it back (« mais »): regular expressions on normalised text (BankModel.disclaimer_end).
    disclaimers: tuple[str, ...] = ()
    contrasts: tuple[str, ...] = ()
    # Words by which the customer clears the organisation for the whole contact (« rien à redire sur le service »,
    # "that one's on me"): regular expressions on normalised text (BankModel.clearing, qualicall.scorer.signals).
    clearings: tuple[str, ...] = ()
    # Words aiming the bank's meaning at someone else (« je l'attaque en justice », "I'm taking him to court"): a
    # sentence holding one does not realise the bank: regular expressions on normalised text (BankModel.aimed_elsewhere).
    elsewhere: tuple[str, ...] = ()
    # Set: in a contact where the customer said at least `lone_after` sentences of `lone_words` words or more, one
    # sentence alone realising the bank must score above margin + this, unless its closest positive example is at
    # least `lone_similarity` similar (qualicall.scorer.signals).
    lone_margin: float | None = None
    lone_after: int = 2
    lone_words: int = 1
    lone_similarity: float = 1.0
    # Set: a sentence holding a cue, in a customer turn that reads negative, realises the bank at margin − this
    # (its cue's margin), whatever its closest example's similarity (qualicall.scorer.signals).
    negative_cue_shift: float | None = None


def any_of(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """A bank's patterns (cues, disclaimers, …) as one regex, each in its own group; None for none. (Patterns that compile
    alone may not together: a group name used twice. The rubric checks them so when it loads.)"""
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns)) if patterns else None


@dataclass(frozen=True)
class BankMatch:
    """How one sentence reads against a bank."""

    realises: bool
    score: float  # positive minus negative similarity, plus the linear vote if any (see the module's docstring)
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
    if (bank.cue_shift or bank.clause_margin is not None) and not bank.cues:
        problems.append(f"bank {bank.name}: cue_shift and clause_margin need cues")
    if bank.negative_cue_shift is not None and not bank.cues:
        problems.append(f"bank {bank.name}: negative_cue_shift needs cues")
    if bank.cue_floor is not None and not bank.cues:
        problems.append(f"bank {bank.name}: cue_floor needs cues")
    if bank.cue_floor is not None and bank.cue_floor > bank.floor:
        problems.append(f"bank {bank.name}: cue_floor {bank.cue_floor:g} is above the floor {bank.floor:g}: a cue would raise it")
    if bank.contrasts and not (bank.disclaimers or bank.clearings):
        problems.append(f"bank {bank.name}: contrasts take a disclaimer or a clearing back: they need disclaimers or clearings")
    if bank.lone_margin is not None and bank.cues and bank.cue_shift:
        # The lone sentence is held to margin + lone_margin, not to the margin its cue would shift.
        problems.append(f"bank {bank.name}: lone_margin is counted from the margin, which cues shift: not both")
    for side, sentences in (("positive", bank.positives), ("negative", bank.negatives)):
        if len(sentences) < bank.k:
            problems.append(f"bank {bank.name}: {len(sentences)} {side} examples, at least k={bank.k} needed")
        elif bank.linear and len(sentences) < CROSS_VALIDATION_FOLDS:
            # Fewer, and a regression fitted on them is noise; its cross-validation would leave a fold without the side.
            problems.append(f"bank {bank.name}: {len(sentences)} {side} examples, at least {CROSS_VALIDATION_FOLDS} needed for a linear vote")
    return problems


@dataclass
class BankModel:
    """A bank with its example vectors, ready to judge sentences."""

    bank: Bank
    positive_vectors: np.ndarray
    negative_vectors: np.ndarray
    # The logistic regression's weights and intercept when the bank has a linear vote.
    regression: tuple[np.ndarray, float] | None = None
    _k_pos: int = field(init=False)
    _k_neg: int = field(init=False)

    def __post_init__(self) -> None:
        self._k_pos = max(1, min(self.bank.k, len(self.positive_vectors)))
        self._k_neg = max(1, min(self.bank.k, len(self.negative_vectors)))
        self._cues = any_of(self.bank.cues)
        self._negations = frozenset(self.bank.cue_negations)
        self._subjects = frozenset(self.bank.cue_subjects)
        self._binders = frozenset(self.bank.cue_binders)
        self._disclaimers = any_of(self.bank.disclaimers)
        self._contrasts = any_of(self.bank.contrasts)
        self._clearings = any_of(self.bank.clearings)
        self._elsewhere = any_of(self.bank.elsewhere)

    def aimed_elsewhere(self, text: str) -> tuple[int, int] | None:
        """The span, in `text`, of words aiming the bank's meaning at someone else (one of the bank's `elsewhere`: « s'il
        continue, je porte plainte contre lui », "I'll see them in court"); None without."""
        if self._elsewhere is None:
            return None
        normal = normalize(text, contractions=self.bank.contractions)
        found = self._elsewhere.search(normal.text)
        return None if found is None else normal.span(found.start(), found.end())

    def disclaimer_end(self, text: str) -> int | None:
        """Where, in `text`, the disclaimer the sentence opens on ends: one of the bank's disclaimers with at most
        DISCLAIMER_WORDS words before it (« bon, honnêtement, je ne me plains pas ») and no contrast after it; None
        without. Said later (« je veux faire une réclamation, je ne me plains pas pour le plaisir ») or after a
        contrast, it disclaims nothing. What follows it is the customer's to judge (qualicall.scorer.signals)."""
        if self._disclaimers is None:
            return None
        normal = normalize(text, contractions=self.bank.contractions)
        found = self._disclaimers.search(normal.text)
        if found is None or len(normal.text[: found.start()].split()) > DISCLAIMER_WORDS or self._contrasted(normal.text, found.end()):
            return None
        return normal.span(found.start(), found.end())[1]

    def clearing(self, text: str) -> tuple[int, int] | None:
        """The span, in `text`, of the words by which the customer clears the organisation of the bank's meaning
        (one of the bank's `clearings`) said as a statement: not in a question (« vous me dites que c'est de ma
        faute ? »), with no contrast after it (« rien à redire sur l'accueil, mais la facture… ») nor a cue (« vous n'y
        êtes pour rien, votre service est une honte »); None without."""
        if self._clearings is None or text.rstrip(" \"')»”").endswith("?"):
            return None
        normal = normalize(text, contractions=self.bank.contractions)
        found = self._clearings.search(normal.text)
        if found is None or self._contrasted(normal.text, found.end()) or self.has_cue(normal.text[found.end() :]):
            return None
        return normal.span(found.start(), found.end())

    def _contrasted(self, normal: str, after: int) -> bool:
        """One of the bank's contrasts in normalised text past `after` (« …, mais … »): it takes back what came before."""
        return self._contrasts is not None and self._contrasts.search(normal, after) is not None

    def opens_on_contrast(self, text: str) -> bool:
        """The sentence opens on one of the bank's contrasts, at most DISCLAIMER_WORDS words before it (« Mais … », « Le
        produit, par contre, … », "That said, …")."""
        if self._contrasts is None:
            return False
        normal = normalize(text, contractions=self.bank.contractions).text
        found = self._contrasts.search(normal)
        return found is not None and len(normal[: found.start()].split()) <= DISCLAIMER_WORDS

    def has_cue(self, text: str) -> bool:
        """The sentence holds one of the bank's cues, not negated (always false for a bank without)."""
        if self._cues is None:
            return False
        for normal in _normal_parts(text, self.bank.contractions):
            if any(not self._negated(normal, found) for found in self._cues.finditer(normal)):
                return True
        return False

    def _negated(self, normal: str, cue: re.Match[str]) -> bool:
        """One of `cue_negations` among the CUE_NEGATION_WORDS words before the cue, no subject word (`cue_subjects`) after
        it opening a clause of its own, the cue's first word included (« si c'est pas réglé je résilie »); a subject word right
        after one of `cue_binders` is the negated clause's own, an object or an inverted subject (« ce n'est pas que j'en ai
        marre », « ne nous résiliez pas », "why don't I just switch")."""
        before = normal[: cue.start()].split()[-CUE_NEGATION_WORDS:]
        last = max((i for i, word in enumerate(before) if word in self._negations), default=None)
        if last is None:
            return False
        after = before[last:] + normal[cue.start() : cue.end()].split()[:1]
        return not any(word in self._subjects and after[i - 1] not in self._binders for i, word in enumerate(after) if i)

    def floors(self, texts: Sequence[str]) -> np.ndarray | None:
        """The floor each sentence is judged at: `cue_floor` for a sentence holding a cue, the bank's floor for the
        others; None where the bank sets no `cue_floor` (every sentence at the bank's floor)."""
        return self._floors(self._cued(texts))

    def margins(self, texts: Sequence[str], extra: float = 0.0) -> np.ndarray:
        """The margin each sentence is judged at: shifted down by a cue, up without one (module docstring)."""
        return self._margins(self._cued(texts), len(texts), extra)

    def judge_texts(self, vectors: np.ndarray, texts: Sequence[str], extra: float = 0.0, compared: "Compared | None" = None) -> list[BankMatch]:
        """`judge`, each sentence of `texts` (its vector the same row of `vectors`) at its margin (`margins`, `extra`
        above it) and its floor (`floors`); each sentence's cues looked for once."""
        cued = self._cued(texts)
        return self.judge(vectors, self._margins(cued, len(texts), extra), self._floors(cued), compared)

    def _cued(self, texts: Sequence[str]) -> list[bool] | None:
        """Whether each sentence holds a cue; None for a bank without cues."""
        return None if self._cues is None else [self.has_cue(text) for text in texts]

    def _margins(self, cued: list[bool] | None, count: int, extra: float) -> np.ndarray:
        if cued is None:
            return np.full(count, self.bank.margin + extra)
        shift = self.bank.cue_shift
        return np.array([self.bank.margin + extra + (-shift if cue else shift) for cue in cued])

    def _floors(self, cued: list[bool] | None) -> np.ndarray | None:
        if self.bank.cue_floor is None or cued is None:
            return None
        return np.array([self.bank.cue_floor if cue else self.bank.floor for cue in cued])

    @classmethod
    def build(cls, bank: Bank, embedder: "Embedder") -> "BankModel":
        from qualicall.models.embeddings import encode_cached

        vectors = encode_cached(embedder, [*bank.positives, *bank.negatives])
        positive, negative = vectors[: len(bank.positives)], vectors[len(bank.positives) :]
        return cls(bank, positive, negative, fit_logistic(positive, negative) if bank.linear else None)

    def judge(
        self, vectors: np.ndarray, margins: np.ndarray | None = None, floors: np.ndarray | None = None, compared: "Compared | None" = None
    ) -> list[BankMatch]:
        """One match per row of `vectors` (L2-normalised sentence embeddings), each at its margin (`margins`, else the
        bank's) and its floor (`floors`, else the bank's). `compared`: the same rows' similarities to the examples of
        several banks, this one's among them (SharedExamples), so that they are not computed again."""
        if len(vectors) == 0:
            return []
        if compared is not None:
            to_pos, to_neg = compared.of(self.bank.name)
        else:
            to_pos = vectors @ self.positive_vectors.T
            to_neg = vectors @ self.negative_vectors.T if len(self.negative_vectors) else np.empty((len(vectors), 0), np.float32)
        if not to_neg.shape[1]:
            to_neg = np.zeros((len(vectors), 1), np.float32)
        scores = _top_mean(to_pos, self._k_pos) - _top_mean(to_neg, self._k_neg)
        if self.regression is not None:
            scores += self.bank.linear * (_probability(vectors, *self.regression) - 0.5)
        nearest = to_pos.argmax(axis=1)
        similarity = to_pos[np.arange(len(to_pos)), nearest]
        realises = (scores > (self.bank.margin if margins is None else margins)) & (similarity >= (self.bank.floor if floors is None else floors))
        # Whole rows at once, then plain Python values: the scorer judges thousands of sentences a minute.
        return [
            BankMatch(realised, score, self.bank.positives[index], closest)
            for realised, score, index, closest in zip(realises.tolist(), scores.tolist(), nearest.tolist(), similarity.tolist())
        ]

    def read(self, texts: Sequence[str], embedder: "Embedder", extra: float = 0.0) -> list[BankMatch]:
        """Texts not embedded yet (a clause, what follows a disclaimer), embedded and judged, each at its margin
        (`margins`: its cues shift it) plus `extra`."""
        return self.judge_texts(embedder.encode(list(texts)), texts, extra) if texts else []

    def cross_validated_accuracy(self) -> float:
        """Accuracy on the bank's own examples, each judged by the others: its nearest examples all but
        itself; its linear vote (if any) from a regression fitted without its tenth of the bank."""
        vectors = np.vstack([self.positive_vectors, self.negative_vectors])
        truth = np.array([True] * len(self.positive_vectors) + [False] * len(self.negative_vectors))
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -np.inf)  # an example never votes for itself
        positive = truth
        to_pos, to_neg = similarity[:, positive], similarity[:, ~positive]
        k_pos = max(1, min(self.bank.k, to_pos.shape[1] - 1))
        k_neg = max(1, min(self.bank.k, to_neg.shape[1] - 1))
        scores = _top_mean(to_pos, k_pos) - _top_mean(to_neg, k_neg)
        if self.regression is not None:
            scores += self.bank.linear * (_held_out_probabilities(vectors, truth) - 0.5)
        closest = np.where(np.isfinite(to_pos), to_pos, -1.0).max(axis=1)
        predicted = (scores > self.bank.margin) & (closest >= self.bank.floor)
        return float((predicted == truth).mean())


# The regression's L2 penalty: 1/C with C = 1, so that the weights stay small and the vote follows what the
# whole bank agrees on rather than a few examples (the examples are unit vectors of 512 components).
L2_PENALTY = 1.0
CROSS_VALIDATION_FOLDS = 10


def fit_logistic(positive: np.ndarray, negative: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and intercept of an L2-penalised logistic regression separating `positive` rows from `negative`
    ones, each class weighted to count as much as the other, fitted by Newton's method (the loss is convex:
    five or six steps reach the minimum to float precision on the default banks, the same weights at every start)."""
    x = np.vstack([positive, negative]).astype(np.float64)
    x = np.hstack([x, np.ones((len(x), 1))])  # the intercept's column, not penalised
    y = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    balance = np.where(y == 1, len(x) / (2 * max(1, len(positive))), len(x) / (2 * max(1, len(negative))))
    penalty = np.full(x.shape[1], L2_PENALTY)
    penalty[-1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = _probability(x, w, 0.0)  # the intercept is x's last column
        gradient = x.T @ (balance * (p - y)) + penalty * w
        hessian = (x * (balance * p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w[:-1].astype(np.float32), float(w[-1])


def _probability(vectors: np.ndarray, weights: np.ndarray, intercept: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(vectors @ weights + intercept)))


def _held_out_probabilities(vectors: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Each example's probability from a regression fitted on the other folds (every tenth example in turn)."""
    out = np.empty(len(vectors))
    fold = np.arange(len(vectors)) % CROSS_VALIDATION_FOLDS
    for held in range(CROSS_VALIDATION_FOLDS):
        kept = fold != held
        model = fit_logistic(vectors[kept & truth], vectors[kept & ~truth])
        out[~kept] = _probability(vectors[~kept], *model)
    return out


@lru_cache(maxsize=4096)
def _normal_parts(text: str, contractions: frozenset[str]) -> tuple[str, ...]:
    """A sentence's parts between punctuation marks, normalised: a negation negates within its own part
    (« …qui ne marche pas, je résilie »). Cached: every bank with cues reads the same sentences."""
    return tuple(normalize(part, contractions=contractions).text for part in _PUNCTUATION.split(text))


@dataclass(frozen=True)
class SharedExamples:
    """The example vectors of several banks, each once, so that a sentence is compared with each once.

    The customer's banks share many of their examples: a sentence learned from a labelled set is often an
    example of a signal's bank and of both feelings' (1,930 distinct among the French banks' 3,030 in v17;
    10,900 and 3,700 with the larger banks of a first version, one product per bank costing 12 % of the
    throughput). One product with the distinct ones, each bank then reading its columns."""

    vectors: np.ndarray  # distinct example vectors, one per row
    columns: dict[str, tuple[np.ndarray, np.ndarray]]  # bank name → rows of `vectors` holding its positives, its negatives

    def compare(self, vectors: np.ndarray) -> "Compared":
        if len(vectors) == 0:  # no sentence (an empty array may have no width either)
            return Compared(np.zeros((0, len(self.vectors)), np.float32), self.columns)
        return Compared(vectors @ self.vectors.T, self.columns)


@dataclass(frozen=True)
class Compared:
    """Sentences' similarities to the examples of SharedExamples."""

    similarities: np.ndarray
    columns: dict[str, tuple[np.ndarray, np.ndarray]]

    def of(self, bank: str) -> tuple[np.ndarray, np.ndarray]:
        """The similarities to `bank`'s positives and to its negatives, in the bank's order of examples."""
        positive, negative = self.columns[bank]
        return self.similarities[:, positive], self.similarities[:, negative]


@lru_cache(maxsize=16)
def shared_examples(banks: tuple[Bank, ...], embedder: "Embedder") -> SharedExamples:
    """The banks' examples, each distinct vector once (the same sentence has the same vector in every bank)."""
    rows: dict[bytes, int] = {}
    distinct: list[np.ndarray] = []
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def place(vectors: np.ndarray) -> np.ndarray:
        out = []
        for vector in vectors:
            key = vector.tobytes()
            if key not in rows:
                rows[key] = len(distinct)
                distinct.append(vector)
            out.append(rows[key])
        return np.array(out, dtype=np.intp)

    for bank in banks:
        model = bank_model(bank, embedder)
        columns[bank.name] = (place(model.positive_vectors), place(model.negative_vectors))
    width = bank_model(banks[0], embedder).positive_vectors.shape[1] if banks else 0
    return SharedExamples(np.array(distinct, dtype=np.float32).reshape(len(distinct), width), columns)


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
