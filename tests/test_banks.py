"""Example banks (qualicall.scorer.banks) on the real sentence encoder: judging sentences that are in no
bank, the evidence, problems of a bank's content, the disk cache of its vectors."""

from __future__ import annotations

import pytest

from qualicall.scorer.banks import Bank, BankModel, bank_problems

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
