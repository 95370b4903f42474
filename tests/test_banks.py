"""Example banks (qualicall.scorer.banks) on the real sentence encoder: judging sentences that are in no
bank, the evidence, problems of a bank's content, the disk cache of its vectors."""

from __future__ import annotations

import pytest

from qualicall.scorer.banks import Bank, BankModel, bank_problems, fit_logistic

POSITIVES = (
    "Est-ce que c'est clair pour vous ?",
    "Vous avez bien compris ?",
    "Ai-je été assez clair ?",
    "Est-ce que mes explications vous conviennent ?",
    "Vous voyez ce que je veux dire ?",
    "C'est compréhensible pour vous ?",
    "Est-ce que tout est clair de votre côté ?",
    "Ça vous paraît clair ?",
)
NEGATIVES = (
    "Est-ce que vous avez votre numéro de client ?",
    "Pouvez-vous me donner votre adresse ?",
    "Je ne comprends pas pourquoi ma facture a doublé.",
    "Avez-vous reçu notre courrier ?",
    "Voulez-vous que je vous envoie un mail ?",
    "C'est clair, merci beaucoup.",
    "Vous êtes bien monsieur Martin ?",
    "Quel est votre code postal ?",
)


@pytest.fixture(scope="module")
def embedder():
    from qualicall.models.embeddings import get_embedder

    return get_embedder()


@pytest.fixture(scope="module")
def model(embedder, tmp_path_factory) -> BankModel:
    return BankModel.build(Bank("checks_understanding", POSITIVES, NEGATIVES), embedder)


@pytest.mark.parametrize(
    "sentence, realises",
    [
        ("ça vous va comme explication ?", True),
        ("je me suis bien fait comprendre ?", True),
        ("quelle est votre date de naissance ?", False),
        ("est-ce que vous avez un stylo ?", False),
    ],
)
def test_sentences_in_no_bank_are_judged_by_meaning(model: BankModel, embedder, sentence: str, realises: bool) -> None:
    (match,) = model.judge(embedder.encode([sentence]))
    assert match.realises is realises, match


def test_the_evidence_is_the_closest_positive_with_its_similarity(model: BankModel, embedder) -> None:
    (match,) = model.judge(embedder.encode(["Est-ce que mes explications vous conviennent ?"]))
    assert match.closest == "Est-ce que mes explications vous conviennent ?"
    assert match.similarity == pytest.approx(1.0, abs=1e-3)
    assert match.realises


def test_leave_one_out_accuracy_of_a_separable_bank(model: BankModel) -> None:
    assert model.cross_validated_accuracy() >= 0.9


def test_the_linear_vote_is_the_minimum_of_the_penalised_loss() -> None:
    import math

    import numpy as np

    # One example a side, mirror images: the intercept is 0 and the weight w on the first axis solves
    # w = 2 σ(−w) (the loss's derivative: the two examples' pulls, each σ(−w), against the penalty w).
    low, high = 0.0, 2.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if middle - 2 / (1 + math.exp(middle)) < 0 else (low, middle)
    weights, intercept = fit_logistic(np.array([[1.0, 0.0]]), np.array([[-1.0, 0.0]]))
    assert weights.tolist() == pytest.approx([low, 0.0], abs=1e-6)
    assert intercept == pytest.approx(0.0, abs=1e-6)


def test_a_linear_vote_adds_the_regressions_probability_to_the_nearest_examples_score(model: BankModel, embedder) -> None:
    import numpy as np

    voting = BankModel.build(Bank("checks_understanding", POSITIVES, NEGATIVES, linear=0.4), embedder)
    assert model.regression is None and voting.regression is not None
    vectors = embedder.encode(["ça vous va comme explication ?", "quelle est votre date de naissance ?"])
    weights, intercept = voting.regression
    probability = 1 / (1 + np.exp(-(vectors @ weights + intercept)))
    alone, voted = model.judge(vectors), voting.judge(vectors)
    assert [v.score - a.score for a, v in zip(alone, voted)] == pytest.approx((0.4 * (probability - 0.5)).tolist(), abs=1e-6)
    # The regression sides with the bank: the check above its middle, the question about data below.
    assert probability[0] > 0.5 > probability[1]


def test_cross_validation_judges_each_example_by_a_regression_fitted_without_its_fold(model: BankModel) -> None:
    import numpy as np

    from qualicall.scorer.banks import CROSS_VALIDATION_FOLDS, _held_out_probabilities

    vectors = np.vstack([model.positive_vectors, model.negative_vectors])
    truth = np.array([True] * len(model.positive_vectors) + [False] * len(model.negative_vectors))
    held_out = _held_out_probabilities(vectors, truth)
    for example in (0, 5, 9, 12):
        others = np.arange(len(vectors)) % CROSS_VALIDATION_FOLDS != example % CROSS_VALIDATION_FOLDS
        weights, intercept = fit_logistic(vectors[others & truth], vectors[others & ~truth])
        assert held_out[example] == pytest.approx(1 / (1 + np.exp(-(vectors[example] @ weights + intercept))), abs=1e-6)
    # Fitted on every example instead, the regression would know the one it judges: its probabilities differ.
    weights, intercept = fit_logistic(model.positive_vectors, model.negative_vectors)
    assert not np.allclose(held_out, 1 / (1 + np.exp(-(vectors @ weights + intercept))), atol=1e-3)


def test_a_bank_with_a_contradiction_and_a_duplicate_is_reported() -> None:
    bank = Bank("thanks", ("Merci beaucoup.", "merci  beaucoup", "Je vous remercie."), ("Je vous remercie !", "Au revoir.", "Bonjour."))
    problems = bank_problems(bank)
    assert "bank thanks: duplicate positive example « merci  beaucoup »" in problems
    assert "bank thanks: « Je vous remercie ! » is both a positive and a negative example" in problems
    assert bank_problems(Bank("ok", POSITIVES, NEGATIVES)) == []


def test_a_bank_with_too_few_examples_is_reported() -> None:
    assert bank_problems(Bank("tiny", ("Merci.",), ("Bonjour.", "Salut.", "Allô."))) == [
        "bank tiny: 1 positive examples, at least k=3 needed"
    ]


def test_a_linear_vote_needs_ten_examples_a_side() -> None:
    assert bank_problems(Bank("few", POSITIVES, NEGATIVES, linear=0.4)) == [
        "bank few: 8 positive examples, at least 10 needed for a linear vote",
        "bank few: 8 negative examples, at least 10 needed for a linear vote",
    ]
    assert bank_problems(Bank("few", POSITIVES, NEGATIVES)) == []


def test_bank_vectors_are_read_back_from_the_disk_cache(embedder, tmp_path, monkeypatch) -> None:
    from qualicall.models.embeddings import encode_cached

    monkeypatch.setenv("QUALICALL_CACHE_DIR", str(tmp_path))
    first = encode_cached(embedder, list(POSITIVES))
    (cached,) = list((tmp_path / "embeddings").glob("*.npy"))
    # A changed file on disk is what a second call returns: it was read, not recomputed.
    import numpy as np

    np.save(cached, first * 0.5)
    again = encode_cached(embedder, list(POSITIVES))
    assert np.allclose(again, first * 0.5)
    assert encode_cached(embedder, [*POSITIVES, "Autre chose ?"]).shape[0] == len(POSITIVES) + 1
