"""A signal read in the customer's sentences, confirmed by the whole contact.

The complaint's bank reads sentences, and some contacts whose sentences read like a complaint hold none: grief, anger
at a third party, a calm report of a fault, self-irony. On the labelled sets those contacts differ from complaints less
in the sentences than in the rest of the contact: what share of the customer's turns read negative, how they start,
whether they also ask for a manager, threaten to leave or say they got in touch before. A logistic model over those
measures of the contact (`FEATURES`), its weights in the rubric (`signal_confirmation`), keeps a signal read in the
sentences only where its probability reaches the rubric's threshold; a signal it does not keep says why, with the
sentences' reading and the probability. Two readings stand without it: a contact where the customer took fewer than
`min_customer_turns` turns (no rest to confirm anything by), and a signal said in the words of its bank's cues (« c'est
inadmissible », "this is unacceptable": the spec's own examples, which no calm rest of the contact takes back).

How the customer's sentiment *ends* is no feature, though it separates best on the labelled sets (false complaints end
lifted more often): it is what the agent made of the complaint, and reading a complaint the agent turned around as none
would take from good agents the complaint handling the coaches want to see.

The weights are fitted on labelled conversations (`fit`; `benchmarks/fit_confirmation.py` fits the default rubrics'
on the seen signals sets and chooses the threshold on sets left out one at a time): a deployment refits them on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from qualicall.core.result import SentimentResult, SignalResult
from qualicall.scorer.reasons import reason, said

# What the model reads of a contact, by name (the rubric's `weights` name them).
FEATURES: dict[str, str] = {
    "confidence": "the signal's confidence as read in the sentences (0.5–1)",
    "evidence": "how many of the customer's sentences are its evidence",
    "sentiment_start": "the customer's sentiment.start (0 when unknown)",
    "negative_share": "the share of the customer's turns that read negative",
    "negative_turns": "how many of the customer's turns read negative",
    "escalation_request": "1 when an escalation request is read, else 0",
    "churn_threat": "1 when a churn threat is read, else 0",
    "repeat_contact": "1 when a repeat contact is read, else 0",
}


class SignalConfirmation(BaseModel):
    """A logistic model confirming a signal: p = 1 / (1 + e^−(intercept + Σ weight × feature)), kept at p ≥ threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    threshold: float = Field(gt=0, lt=1, description="the least probability at which the signal is kept")
    min_customer_turns: int = Field(default=3, ge=1, description="the fewest customer turns of a contact the model judges")
    intercept: float
    weights: dict[str, float] = Field(min_length=1, description=f"per feature, of: {', '.join(FEATURES)}")

    @field_validator("weights")
    @classmethod
    def _known_features(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}; expected one of {', '.join(FEATURES)}")
        return weights

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(weight * features[name] for name, weight in self.weights.items())
        return 1 / (1 + math.exp(-z))


def contact_features(name: str, signals: Mapping[str, SignalResult], sentiment: SentimentResult | None) -> dict[str, float]:
    """`FEATURES` of the contact, for the signal `name` as read in the sentences."""
    turns = sentiment.turns if sentiment is not None else []
    negative = sum(1 for turn in turns if turn.label == "negative")
    present = lambda other: float(other in signals and signals[other].present)  # noqa: E731
    return {
        "confidence": signals[name].confidence,
        "evidence": float(len(signals[name].evidence)),
        "sentiment_start": (sentiment.start or 0.0) if sentiment is not None else 0.0,
        "negative_share": negative / len(turns) if turns else 0.0,
        "negative_turns": float(negative),
        "escalation_request": present("escalation_request"),
        "churn_threat": present("churn_threat"),
        "repeat_contact": present("repeat_contact"),
    }


def needs_confirming(
    name: str, signal: SignalResult, sentiment: SentimentResult | None, min_customer_turns: int, cued: Callable[[str, str], bool]
) -> bool:
    """A model judges the signal: the customer took `min_customer_turns` turns at least, and no evidence holds a cue."""
    turns = len(sentiment.turns) if sentiment is not None else 0
    return turns >= min_customer_turns and not any(cued(name, evidence.text) for evidence in signal.evidence)


def confirm_signals(
    signals: dict[str, SignalResult], sentiment: SentimentResult | None, models: Mapping[str, SignalConfirmation], language: str,
    cued: Callable[[str, str], bool],
) -> dict[str, SignalResult]:
    """The signals, each present one that has a model and falls short of its threshold made absent (every model reads the
    others as the sentences read them). `cued(name, text)`: the text holds one of the signal's bank's cues."""
    confirmed = dict(signals)
    for name, model in models.items():
        signal = signals.get(name)
        if signal is None or not signal.present or not needs_confirming(name, signal, sentiment, model.min_customer_turns, cued):
            continue
        probability = model.probability(contact_features(name, signals, sentiment))
        if probability >= model.threshold:
            continue
        because = {"code": signal.reason_code, "params": signal.reason_params} if signal.reason_code else None
        why = reason("signal.unconfirmed", signal=name, because=because, probability=probability, threshold=model.threshold)
        confirmed[name] = SignalResult(present=False, confidence=round(1 - probability, 2), **said(why, language))
    return confirmed


def fit(rows: list[tuple[Mapping[str, float], bool]], features: list[str]) -> tuple[float, dict[str, float]]:
    """The intercept and the weights (on the features as measured) of the logistic regression separating the contacts
    labelled with the signal from those without, among those where the sentences read it. Each feature is scaled to unit
    variance for the fit (the penalty then weighs them alike), the weights scaled back."""
    from qualicall.scorer.banks import fit_logistic

    x = np.array([[row[name] for name in features] for row, _ in rows], dtype=np.float64)
    truth = np.array([label for _, label in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (x - mean) / scale
    weights, intercept = fit_logistic(standard[truth], standard[~truth])
    raw = weights.astype(np.float64) / scale
    return float(intercept - raw @ mean), {name: float(w) for name, w in zip(features, raw)}
