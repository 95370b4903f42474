"""Customer signals and sentiment (complaints-and-satisfaction.md), recognised by meaning.

Each signal (`complaint`, `escalation_request`, `churn_threat`, `repeat_contact`) and the
customer's sentiment are read from the rubric's example banks (`banks:` in the YAML,
qualicall.scorer.banks): every sentence of the customer's turns is judged against the
bank of the same name. A signal is present when one sentence realises its bank; the
earliest such sentences are its evidence. A churn threat or an escalation request is a
complaint too when the same sentence reads negative (« I'm going to the ombudsman », « j'en ai
assez, je résilie »); a calm one is not (« could I speak to a team leader, please », « they're
cheaper, I'll switch at renewal »). A repeat contact never is by itself: the sentiment reads a
calm follow-up as negative as often as an angry one (on the labelled halves, 19 of 27 repeat
contacts it made complaints were none); the complaint bank reads « third time I call and still
nothing » itself.

What the customer says against a complaint counts too: a sentence opening on negated
dissatisfaction (« je ne me plains pas, hein ») is none (the bank's `disclaimers`), and in a
conversation one sentence alone barely past the margin is weak evidence (its `lone_margin`):
`_disclaimed_rows`, `_signal`. A customer who clears the organisation for the whole contact (« rien à redire sur le
service », « c'est de ma faute », "that one's on me": the bank's `clearings`) in the first half of their turns leaves
a complaint only to a sentence nearly one of the bank's examples, and no other signal implies one (`_clearing`).
What speaks for a churn threat or an escalation request said in a long spoken turn: a sentence holding one of the
bank's cues, in a turn where a customer sentence reads negative, is read at the margin less the bank's
`negative_cue_shift` and without its floor (`_read_upset_cues`).

The sentences of one speaker are embedded once per interaction, in one batch that every
bank reads (`SpeakerSentences`); a bank's vectors once per process (`qualicall.scorer.banks.bank_model`), and
on disk by content (`encode_cached`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualicall.core.result import Evidence, SentimentResult, SignalResult, TurnSentiment
from qualicall.scorer.banks import Bank, BankMatch, BankModel, Compared, bank_model
from qualicall.scorer.reasons import Reason, reason, said

if TYPE_CHECKING:
    from qualicall.models.embeddings import Embedder
    from qualicall.scorer.context import TurnView

SIGNALS = ("complaint", "escalation_request", "churn_threat", "repeat_contact")
# The two banks behind the customer's sentiment: feelings against neutral sentences.
SENTIMENT_BANKS = ("sentiment_negative", "sentiment_positive")
# Signals that imply a complaint when the same sentence reads negative (the module's docstring).
IMPLIES_COMPLAINT = ("churn_threat", "escalation_request")

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# An unpunctuated ASR turn is judged in pieces of about this many words: one vector for a
# long monologue would average a complaint away among the account numbers.
PIECE_WORDS = 24


@dataclass(frozen=True)
class Unit:
    """A sentence (or a piece of an unpunctuated turn): its turn and its character span there."""

    turn: "TurnView"
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.turn.text[self.start : self.end]

    def evidence(self) -> Evidence:
        return Evidence(turn=self.turn.index, start_char=self.start, end_char=self.end, text=self.text, time=self.turn.time_at(self.start))

    def place(self) -> dict:
        """Where the sentence was said, as a reason's `span` parameter (qualicall.scorer.reasons)."""
        return {"turn": self.turn.index, "time": self.turn.time_at(self.start)}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of a turn's sentences; an unpunctuated run longer than PIECE_WORDS words is cut in pieces."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in [*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]:
        spans += _pieces(text, start, boundary)
        start = boundary
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    if not words:
        return []
    count = max(1, round(len(words) / PIECE_WORDS))
    size = -(-len(words) // count)
    return [(words[i][0], words[min(i + size, len(words)) - 1][1]) for i in range(0, len(words), size)]


# Where a sentence divides into clauses: a comma, a semicolon or a colon, or a coordinating word.
_CLAUSE_BREAK = re.compile(r"\s*[,;:]\s+(?:(?:and|but|et|mais|puis)\s+)?|\s+(?:and|but|et|mais|puis)\s+", re.IGNORECASE)
# A clause shorter than this many words says too little to be judged alone.
CLAUSE_WORDS = 3


def clauses_of(units: Sequence[Unit]) -> list[Unit]:
    """The clauses of sentences that have several (each a Unit of the same turn).

    A long agent sentence often does two things (« I'm sorry, and you'll have an answer within
    two days »): judged whole, its vector sits between both and near no example.
    """
    out = []
    for unit in units:
        text, cuts = unit.text, [0]
        for found in _CLAUSE_BREAK.finditer(text):
            cuts += [found.start(), found.end()]
        cuts.append(len(text))
        spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if len(text[a:b].split()) >= CLAUSE_WORDS]
        if len(spans) > 1:
            out += [Unit(unit.turn, unit.start + a, unit.start + b) for a, b in spans]
    return out


def units_of(turns: Sequence["TurnView"], parts: Callable[["TurnView"], list[tuple[int, int]]] | None = None) -> list[Unit]:
    """The sentences of turns; with `parts`, only within those character ranges of each turn (what the models read)."""
    units = []
    for turn in turns:
        for low, high in parts(turn) if parts else [(0, len(turn.text))]:
            units += [Unit(turn, low + start, low + end) for start, end in sentence_spans(turn.text[low:high])]
    return units


@dataclass
class SpeakerSentences:
    """Sentences of an interaction's turns and their vectors (row i is units[i])."""

    units: list[Unit]
    vectors: np.ndarray

    @classmethod
    def embed(
        cls, turns: Sequence["TurnView"], embedder: "Embedder", parts: Callable[["TurnView"], list[tuple[int, int]]] | None = None
    ) -> "SpeakerSentences":
        units = units_of(turns, parts)
        return cls(units, embedder.encode([u.text for u in units]))

    def by_turn(self) -> dict[int, "SpeakerSentences"]:
        """The sentences of each turn, by turn index."""
        rows: dict[int, list[int]] = {}
        for row, unit in enumerate(self.units):
            rows.setdefault(unit.turn.index, []).append(row)
        return {index: SpeakerSentences([self.units[r] for r in kept], self.vectors[kept]) for index, kept in rows.items()}

    @classmethod
    def join(cls, parts: list["SpeakerSentences"]) -> "SpeakerSentences":
        """Several turns' sentences as one, in the order given."""
        units = [u for part in parts for u in part.units]
        vectors = [part.vectors for part in parts if len(part.units)]
        return cls(units, np.vstack(vectors) if vectors else np.zeros((0, 0), np.float32))


def confidence(match: BankMatch, margin: float) -> float:
    """How far the deciding sentence stands from the bank's margin, as 0.5 (on it) to 1 (0.1 or more away)."""
    return round(min(1.0, 0.5 + 5 * abs(match.score - margin)), 2)


def detect_signals(
    banks: dict[str, Bank], sentences: SpeakerSentences, embedder: "Embedder", language: str, sentiment: list[tuple[str, float]] | None = None,
    compared: Compared | None = None,
) -> dict[str, SignalResult]:
    """Each signal whose bank the rubric has, judged on the customer's sentences; reasons worded in `language` (the rubric's).

    `sentiment`: each sentence's (label, score) (SentimentModel.judge), which the implied complaints
    and the churn threats read; without it, no other signal implies a complaint, and a churn threat
    is not checked against the turn's sentiment. `compared`: the sentences' similarities to the banks' examples
    (SharedExamples), when already computed."""
    models = {name: bank_model(banks[name], embedder) for name in SIGNALS if name in banks}
    texts = [unit.text for unit in sentences.units]
    matches = {name: model.judge_texts(sentences.vectors, texts, compared=compared) for name, model in models.items()}
    readings = {name: list(zip(sentences.units, found)) for name, found in matches.items()}
    _read_clauses(models, sentences, readings, embedder)
    upset = _read_upset_cues(models, sentences, readings, sentiment) if sentiment is not None else {}
    if sentiment is not None and "churn_threat" in readings:
        # Leaving because of the problem: a cancellation said in a turn that reads positive
        # (« je n'en ai plus besoin, merci ») is no threat, however close « je résilie » reads. (The sentence's own
        # sentiment is no exception: the sentiment reads « je n'en ai plus besoin » negative.)
        glad = _turns_reading(sentences, sentiment, "positive")
        readings["churn_threat"] = [(unit, _unrealised(m) if m.realises and unit.turn.index in glad else m) for unit, m in readings["churn_threat"]]
    aimed = {name: _aimed_elsewhere(model, readings[name]) for name, model in models.items()}
    for name, rows in aimed.items():
        # (realising the bank no more, they imply no complaint either)
        readings[name] = [(unit, _unrealised(match) if row in rows else match) for row, (unit, match) in enumerate(readings[name])]
    disclaimed = {name: _disclaimed_rows(model, sentences.units, embedder) for name, model in models.items()}
    cleared = {name: _clearing(model, readings[name]) for name, model in models.items()}
    signals = {name: _signal(name, models[name], readings[name], language, disclaimed[name], upset.get(name, frozenset()), cleared[name], aimed[name])
               for name in models}
    if "complaint" in signals and not signals["complaint"].present and cleared["complaint"] is None:
        implied = _implied_complaint(models, sentences, readings, sentiment, language, frozenset(disclaimed["complaint"]), upset)
        if implied is not None:
            signals["complaint"] = implied
    return signals


def _aimed_elsewhere(model: BankModel, readings: Sequence[tuple[Unit, BankMatch]]) -> dict[int, tuple[int, int]]:
    """The sentences realising the bank that aim its meaning at someone else (the bank's `elsewhere`: « s'il continue, je
    porte plainte contre lui », "I'm taking them to small claims court" of a landlord, an airline, an employer): the spec's
    third parties. Row → the words' span, for the reason."""
    return {row: span for row, (unit, match) in enumerate(readings) if match.realises and (span := model.aimed_elsewhere(unit.text)) is not None}


def _disclaimed_rows(model: BankModel, units: Sequence[Unit], embedder: "Embedder") -> dict[int, int]:
    """The sentences in which the customer disclaims the bank's meaning: the spec's negated dissatisfaction is no
    complaint (« je ne me plains pas, hein, le technicien a été parfait »). A sentence opening on a disclaimer
    (BankModel.disclaimer_end) is one unless what follows it, read alone, realises the bank: « je ne me plains pas,
    ça fait juste trois semaines que j'attends », « c'est pas une réclamation, c'est une plainte formelle » are
    complaints, and so is the rest of an unpunctuated ASR piece that goes on to one. Row → where its disclaimer ends."""
    ends = {row: end for row, unit in enumerate(units) if (end := model.disclaimer_end(unit.text)) is not None}
    rests = [(row, units[row].text[end:].strip(" ,;:.!?…-–—")) for row, end in ends.items()]
    said = [(row, rest) for row, rest in rests if len(rest.split()) >= CLAUSE_WORDS]  # shorter says nothing of its own
    for (row, _), match in zip(said, model.read([rest for _, rest in said], embedder)):
        if match.realises:
            del ends[row]
    return ends


@dataclass(frozen=True)
class Clearing:
    """Where the customer cleared the organisation of a bank's meaning: the sentence, and the clearing words' span in it."""

    unit: Unit
    start: int
    end: int

    @property
    def words(self) -> str:
        return self.unit.text[self.start : self.end]


def _clearing(model: BankModel, readings: Sequence[tuple[Unit, BankMatch]]) -> Clearing | None:
    """The first sentence in which the customer clears the organisation for the whole contact (the bank's
    `clearings`, BankModel.clearing): « j'ai oublié de recharger la carte, c'est de ma faute », "honestly, nothing
    wrong with the app". The spec's traps: a customer annoyed at their own mistake, angry at a third party, or
    asking calmly says so, and one sentence of a long contact then reads like a complaint by its topic alone.
    Their next sentence takes it back when it opens on a contrast (« Rien à redire sur l'accueil. » — « Mais la
    facture … ») or realises the bank itself: praise for one part, then the complaint (« Je ne vais pas me plaindre
    de l'accueil. » — « La facture est fausse, on m'a compté deux déplacements. »). `readings`: each customer
    sentence with the bank's reading of it. Only the first half of the customer's turns clears: at the end of a
    contact « rien à redire sur le service, merci » thanks for a complaint handled, it does not take one back."""
    if not model.bank.clearings:
        return None  # (every signal's bank but the complaint's: nothing to look for in each sentence)
    turns = list(dict.fromkeys(unit.turn.index for unit, _ in readings))
    opening = frozenset(turns[: -(-len(turns) // 2)])
    for row, (unit, _) in enumerate(readings):
        if unit.turn.index not in opening:
            break
        span = model.clearing(unit.text)
        if span is None:
            continue
        if row + 1 < len(readings):
            following, match = readings[row + 1]
            if model.opens_on_contrast(following.text) or match.realises:
                continue
        return Clearing(unit, *span)
    return None


def _turns_reading(sentences: SpeakerSentences, sentiment: list[tuple[str, float]], feeling: str) -> set[int]:
    """The customer turns in which a sentence reads `feeling` (each sentence's label, SentimentModel.judge)."""
    return {sentences.units[row].turn.index for row, (label, _) in enumerate(sentiment) if label == feeling}


def _read_upset_cues(
    models: dict[str, BankModel], sentences: SpeakerSentences, readings: dict[str, list[tuple[Unit, BankMatch]]], sentiment: list[tuple[str, float]]
) -> dict[str, frozenset[int]]:
    """Sentences holding one of a bank's cues in a customer turn where a sentence reads negative, judged again at the
    margin less the bank's `negative_cue_shift` and without its floor; bank → the rows this realised.

    « … franchement félicitations vous venez de perdre un client la prochaine fois je prends une autre compagnie »
    is a threat no example is near: a long spoken sentence is far from every short one (its closest positive at 0.3,
    under the floor), and its score sits just under the margin. Its leaving word says what it is about; a negative
    turn is the sign that the leaving is because of the problem, as the spec asks of a churn threat — a sign only:
    the sentiment reads regret and sorrow as negative too (« je dois résilier, je n'ai plus les moyens »)."""
    upset_turns = _turns_reading(sentences, sentiment, "negative")
    realised: dict[str, frozenset[int]] = {}
    for name, model in models.items():
        shift = model.bank.negative_cue_shift
        if shift is None or not upset_turns:
            continue
        needed = _upset_margin(model.bank)
        passed = [row for row, (unit, match) in enumerate(readings[name])
                  if not match.realises and match.score > needed and unit.turn.index in upset_turns and model.has_cue(unit.text)]
        for row in passed:
            unit, match = readings[name][row]
            readings[name][row] = (unit, BankMatch(True, match.score, match.closest, match.similarity))
        realised[name] = frozenset(passed)
    return realised


# A reading below the bank's floor (a cue said in a negative turn, a cue's lower floor) is never sure: its sentence
# may be far from every example.
FLOORLESS_CONFIDENCE = 0.75


def _upset_margin(bank: Bank) -> float:
    """The margin a sentence holding a cue is read at in a negative turn: its cue's margin less `negative_cue_shift`."""
    return bank.margin - bank.cue_shift - (bank.negative_cue_shift or 0.0)


def _upset_reading(name: str, model: BankModel, unit: Unit, match: BankMatch) -> tuple[Reason, float]:
    """Why a cue said in a negative turn realised the bank (_read_upset_cues), quoting the lowered margin, and how sure."""
    needed = _upset_margin(model.bank)
    because = reason("signal.upset_cue", signal=name, text=unit.text, at=unit.place(), closest=match.closest,
                     similarity=match.similarity, score=match.score, needed=needed)
    return because, min(FLOORLESS_CONFIDENCE, confidence(match, needed))


def _upset_signal(name: str, model: BankModel, unit: Unit, match: BankMatch, language: str, evidence: list[Unit]) -> SignalResult:
    """The signal as a cue said in a negative turn made it (_read_upset_cues)."""
    because, sure = _upset_reading(name, model, unit, match)
    return SignalResult(present=True, confidence=sure, **said(because, language), evidence=[found.evidence() for found in evidence])


def _unrealised(match: BankMatch) -> BankMatch:
    return BankMatch(False, match.score, match.closest, match.similarity)


def _read_clauses(models: dict[str, BankModel], sentences: SpeakerSentences, readings: dict[str, list[tuple[Unit, BankMatch]]], embedder: "Embedder") -> None:
    """Sentences that realise no bank whole, read again clause by clause for the banks with a `clause_margin`.

    « ça fait cinq fois que j'appelle je veux un responsable sinon je résilie » does three things:
    its one vector sits between them and near no bank. Only clauses holding one of the bank's cues
    are embedded (few sentences name a manager or a leaving), at the bank's margin plus
    `clause_margin`; a realising clause replaces its sentence's reading."""
    wanted: dict[str, list[tuple[int, Unit]]] = {}
    for name, model in models.items():
        if model.bank.clause_margin is None:
            continue
        found = [(row, clause) for row, (unit, match) in enumerate(readings[name]) if not match.realises
                 for clause in clauses_of([unit]) if model.has_cue(clause.text)]
        if found:
            wanted[name] = found
    texts = list(dict.fromkeys(clause.text for found in wanted.values() for _, clause in found))
    if not texts:
        return
    vectors = dict(zip(texts, embedder.encode(texts)))
    for name, found in wanted.items():
        model = models[name]
        judged = model.judge_texts(np.stack([vectors[clause.text] for _, clause in found]), [c.text for _, c in found], model.bank.clause_margin)
        for (row, clause), match in zip(found, judged):
            if match.realises and not readings[name][row][1].realises:
                readings[name][row] = (clause, match)


def _implied_complaint(
    models: dict[str, BankModel], sentences: SpeakerSentences, readings: dict[str, list[tuple[Unit, BankMatch]]], sentiment: list[tuple[str, float]] | None,
    language: str, disclaimed: frozenset[int], upset: dict[str, frozenset[int]],
) -> SignalResult | None:
    """The complaint that another signal's sentence makes (IMPLIES_COMPLAINT), the earliest one; None without.
    A sentence in which the customer disclaims a complaint (`disclaimed`, its rows) makes none; one that a cue said in a
    negative turn realised (`upset`, by signal) gives that reading's reason and confidence."""
    if sentiment is None:
        return None
    negative = [label == "negative" for label, _ in sentiment]
    implied = [(row, cause, unit, m) for cause in IMPLIES_COMPLAINT if cause in readings
               for row, (unit, m) in enumerate(readings[cause]) if m.realises and negative[row] and row not in disclaimed]
    if not implied:
        return None
    implied.sort(key=lambda found: found[0])
    row, cause, unit, match = implied[0]
    if row in upset.get(cause, frozenset()):
        because, sure = _upset_reading(cause, models[cause], unit, match)
    else:
        because = reason("signal.found", signal=cause, text=unit.text, at=unit.place(), closest=match.closest,
                         similarity=match.similarity, count=1, strongest=match.score)
        sure = confidence(match, models[cause].bank.margin)
    return SignalResult(
        present=True,
        confidence=sure,
        **said(reason("signal.implied", cause=cause, because={"code": because.code, "params": because.params}), language),
        evidence=[found_unit.evidence() for _, _, found_unit, _ in implied[:3]],
    )


def _signal(
    name: str, model: BankModel, readings: list[tuple[Unit, BankMatch]], language: str, disclaimed: dict[int, int], upset: frozenset[int] = frozenset(),
    cleared: Clearing | None = None, aimed: dict[int, tuple[int, int]] | None = None,
) -> SignalResult:
    """The signal from its bank's reading of each customer sentence; `disclaimed`: the rows the customer disclaimed,
    and where in each its disclaimer ends (_disclaimed_rows); `upset`: the rows realised by a cue in a turn that reads
    negative (_read_upset_cues); `cleared`: where the customer cleared the organisation (_clearing), after which only
    a sentence nearly one of the bank's examples (`lone_similarity`) realises it."""
    if not readings:
        return SignalResult(present=False, confidence=1.0, **said(reason("signal.no_turn"), language))
    bank = model.bank
    found_rows = [row for row, (_, match) in enumerate(readings) if match.realises and row not in disclaimed]
    if cleared is not None:
        near = [row for row in found_rows if readings[row][1].similarity >= bank.lone_similarity]
        if found_rows and not near:
            unit, match = max((readings[row] for row in found_rows), key=lambda reading: reading[1].score)
            return SignalResult(
                present=False,
                confidence=0.5,  # as a disclaimer: the bank reads the signal, the customer's words say there is none
                **said(reason("signal.cleared", signal=name, text=unit.text, at=unit.place(), closest=match.closest, words=cleared.words,
                              where=cleared.unit.place()), language),
            )
        found_rows = near
    found = [readings[row] for row in found_rows]
    counted = sum(len(unit.text.split()) >= bank.lone_words for unit, _ in readings)
    if (len(found) == 1 and bank.lone_margin is not None and counted >= bank.lone_after and found[0][1].score <= bank.margin + bank.lone_margin
            and found[0][1].similarity < bank.lone_similarity):
        # Of many sentences, one is likely to pass the margin by chance: alone, it must pass it by more, or be
        # nearly one of the bank's examples (« je ne suis pas du tout satisfait » scores little: the negatives
        # hold its words too).
        (unit, match), needed = found[0], bank.margin + bank.lone_margin
        return SignalResult(
            present=False,
            confidence=confidence(match, needed),
            **said(reason("signal.lone", signal=name, text=unit.text, at=unit.place(), closest=match.closest, score=match.score,
                          needed=needed, count=counted, words=bank.lone_words), language),
        )
    waived = [(row, unit, match) for row, (unit, match) in enumerate(readings) if match.realises and row in disclaimed]
    if not found and waived:
        row, unit, match = max(waived, key=lambda reading: reading[2].score)
        words = unit.text[: disclaimed[row]].strip(" ,;:.!?…")
        return SignalResult(
            present=False,
            confidence=0.5,  # the bank reads a complaint, the customer's words say none: no surer either way
            **said(reason("signal.disclaimed", signal=name, text=unit.text, at=unit.place(), closest=match.closest, words=words), language),
        )
    if found:
        first_unit, first = found[0]
        if upset.issuperset(found_rows):
            return _upset_signal(name, model, first_unit, first, language, [unit for unit, _ in found[:3]])
        strongest = max((m for _, m in found), key=lambda m: m.score)
        sure = confidence(strongest, bank.margin)
        return SignalResult(
            present=True,
            confidence=min(FLOORLESS_CONFIDENCE, sure) if strongest.similarity < bank.floor else sure,
            **said(
                reason("signal.found", signal=name, text=first_unit.text, at=first_unit.place(), closest=first.closest,
                       similarity=first.similarity, count=len(found), strongest=strongest.score),
                language,
            ),
            evidence=[unit.evidence() for unit, _ in found[:3]],
        )
    if aimed:
        row = max(aimed, key=lambda r: readings[r][1].score)
        unit, match = readings[row]
        return SignalResult(
            present=False,
            confidence=0.5,  # as a disclaimer: the bank reads the signal, the customer's words aim it elsewhere
            **said(reason("signal.elsewhere", signal=name, text=unit.text, at=unit.place(), closest=match.closest,
                          words=unit.text[slice(*aimed[row])]), language),
        )
    unit, match = max(readings, key=lambda reading: reading[1].score)
    return SignalResult(
        present=False,
        confidence=confidence(match, model.bank.margin),
        **said(reason("signal.absent", signal=name, text=unit.text, at=unit.place(), score=match.score), language),
    )


@dataclass
class SentimentModel:
    """The customer's sentiment from two banks: negative feelings, and positive ones, each against neutral sentences.

    A sentence's label is the bank it realises (the stronger of the two when it realises both),
    neutral when it realises neither; its score, the positive bank's score minus the negative
    bank's divided by `scale` (0 when neutral). A turn takes its most marked sentence, its score
    clipped to [−1, 1] then, not before: two sentences past ±1 are still told apart.
    """

    negative: BankModel
    positive: BankModel
    scale: float  # the rubric's `sentiment.scale`
    end_feelings_only: bool = False  # the rubric's `sentiment.end_feelings_only` (customer_sentiment)

    @classmethod
    def build(cls, banks: dict[str, Bank], embedder: "Embedder", scale: float, end_feelings_only: bool = False) -> "SentimentModel | None":
        if not all(name in banks for name in SENTIMENT_BANKS):
            return None
        return cls(bank_model(banks["sentiment_negative"], embedder), bank_model(banks["sentiment_positive"], embedder), scale, end_feelings_only)

    def judge(self, vectors: np.ndarray, compared: Compared | None = None) -> list[tuple[str, float]]:
        """(label, score) per sentence vector, the score not yet clipped; `compared` as BankModel.judge takes it."""
        out = []
        for negative, positive in zip(self.negative.judge(vectors, compared=compared), self.positive.judge(vectors, compared=compared)):
            score = (positive.score - negative.score) / self.scale
            if negative.realises and (not positive.realises or negative.score >= positive.score):
                label = "negative"
                score = min(score, 0.0)
            elif positive.realises:
                label = "positive"
                score = max(score, 0.0)
            else:
                # Realising neither bank is no feeling: at 0, not at the difference of two misses (« my customer
                # number is one two three » scored +1 at the scale of 0.15), which the thirds' means would add up.
                label, score = "neutral", 0.0
            out.append((label, round(score, 3)))
        return out

    def judge_turn(self, vectors: np.ndarray) -> tuple[str, float]:
        """A turn's label and score: those of its most marked sentence."""
        return most_marked(self.judge(vectors))


def most_marked(judged: list[tuple[str, float]]) -> tuple[str, float]:
    """Of a turn's judged sentences, the most marked one's label, and its score clipped to [−1, 1]; neutral for none."""
    if not judged:
        return "neutral", 0.0
    marked = [j for j in judged if j[0] != "neutral"] or judged
    label, score = max(marked, key=lambda j: abs(j[1]))
    return label, min(1.0, max(-1.0, score))


def customer_sentiment(model: SentimentModel, sentences: SpeakerSentences, judged: list[tuple[str, float]] | None = None) -> SentimentResult:
    """Per customer turn, then the means of the first and last thirds of the customer's speech (in words); with the
    model's `end_feelings_only`, the last third's mean is of its turns that carry a feeling (all of them when none does):
    « non c'est tout super merci » is four words after « c'est douze rue des tilleuls », and a satisfied end read at
    +0.2 among them. The start keeps its neutral turns: a calm report opens on one sentence the encoder reads negative
    by its topic among several that carry nothing.

    `judged`: the sentences already judged (model.judge, in one batch); judged here without it."""
    judged = model.judge(sentences.vectors) if judged is None else judged
    by_turn: dict[int, list[int]] = {}
    for row, unit in enumerate(sentences.units):
        by_turn.setdefault(unit.turn.index, []).append(row)
    turns: list[TurnSentiment] = []
    words: list[int] = []
    for index, rows in by_turn.items():
        turn = sentences.units[rows[0]].turn
        label, score = most_marked([judged[row] for row in rows])
        turns.append(TurnSentiment(turn=index, label=label, score=score, time=turn.start))
        words.append(max(1, len(turn.text.split())))
    if not turns:
        return SentimentResult()
    total = sum(words)
    middles = np.cumsum(words) - np.array(words) / 2
    weighted = list(zip(turns, words))
    first = [tw for tw, m in zip(weighted, middles) if m <= total / 3] or weighted[:1]
    last = [tw for tw, m in zip(weighted, middles) if m >= 2 * total / 3] or weighted[-1:]
    if model.end_feelings_only:
        last = [(turn, count) for turn, count in last if turn.label != "neutral"] or last
    start = _weighted([(t.score, w) for t, w in first])
    end = _weighted([(t.score, w) for t, w in last])
    return SentimentResult(start=start, end=end, shift=round(end - start, 3), turns=turns)


def _weighted(pairs: list[tuple[float, int]]) -> float:
    return round(sum(s * w for s, w in pairs) / sum(w for _, w in pairs), 3)
