"""Customer sentiment: candidates side by side on the same labelled utterances.

    python benchmarks/sentiment.py [--split dev|heldout]

Labelled utterances: tests/data/signals_blind/<split>/utterances.jsonl (negative, neutral,
positive, written blind). Candidates, per language:

- `vader`: vaderSentiment (English) or vaderSentiment_fr (French), compound score, the
  usual ±0.05 thresholds.
- `banks`: the rubric's two sentiment banks (`sentiment_negative`, `sentiment_positive`)
  judged as grid items are (qualicall.scorer.banks), what qualicall.scorer.sentiment uses.
- `knn3`: the same example sentences as three classes (negative, neutral, positive), the
  class whose k nearest examples are the most similar.
- `logreg`: a softmax regression on the sentence embeddings of those examples.
- `banks+vader`: the mean of the bank score and the VADER compound.
- `banks, vader on neutral`: the banks' label, VADER's where the banks find no feeling
  and VADER a strong one (|compound| ≥ 0.5).

Prints accuracy and macro-F1 per language (French decides), and the mean absolute
error of the score against the labelled score.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ("negative", "neutral", "positive")


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(t == p == label for t, p in zip(truth, predicted))
        fp = sum(p == label != t for t, p in zip(truth, predicted))
        fn = sum(t == label != p for t, p in zip(truth, predicted))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def label_of(score: float, threshold: float) -> str:
    return "negative" if score < -threshold else "positive" if score > threshold else "neutral"


def vader(language: str):
    warnings.filterwarnings("ignore", module="fuzzywuzzy")
    if language == "fr":
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    else:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


def pools(rubric) -> dict[str, list[str]]:
    """The sentiment banks' sentences as three classes (a neutral sentence may stand in both banks)."""
    from qualicall.core.text import normalize

    banks = rubric.example_banks()
    negative, positive = banks["sentiment_negative"], banks["sentiment_positive"]
    emotional = {normalize(s).text for s in (*negative.positives, *positive.positives)}
    neutral = {normalize(s).text: s for s in (*negative.negatives, *positive.negatives) if normalize(s).text not in emotional}
    return {"negative": list(negative.positives), "neutral": list(neutral.values()), "positive": list(positive.positives)}


def turn_of(text: str):
    """An utterance as a customer turn."""
    from qualicall.core.text import normalize
    from qualicall.scorer.context import TurnView

    return TurnView(0, "customer", text, None, None, normalize(text))


def softmax_regression(x: np.ndarray, y: np.ndarray, classes: int, l2: float = 1e-3, steps: int = 400) -> np.ndarray:
    weights = np.zeros((x.shape[1] + 1, classes))
    design = np.hstack([x, np.ones((len(x), 1))])
    onehot = np.eye(classes)[y]
    for _ in range(steps):
        logits = design @ weights
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        weights -= 1.0 * (design.T @ (probabilities - onehot) / len(x) + l2 * weights)
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="dev", choices=["dev", "heldout"])
    args = parser.parse_args()

    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.rubric import default_rubric_id, load_rubric
    from qualicall.scorer.signals import SentimentModel, units_of

    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "signals_blind" / args.split / "utterances.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    embedder = get_embedder()
    print(f"{args.split}: {len(rows)} utterances")
    print(f"| candidate | language | n | accuracy | macro-F1 | score MAE |")
    print(f"|---|---|---|---|---|---|")
    for language in ("fr", "en"):
        rubric = load_rubric(default_rubric_id(language))
        mine = [r for r in rows if r["language"] == language]
        truth = [r["sentiment"] for r in mine]
        gold = np.array([r["sentiment_score"] for r in mine])
        vectors = embedder.encode([r["text"] for r in mine])
        lexicon = vader(language)
        lexicon_scores = np.array([lexicon(r["text"]) for r in mine])

        model = SentimentModel.build(rubric.example_banks(), embedder, rubric.sentiment.scale, rubric.sentiment.end_feelings_only)
        bank_turns = [model.judge_turn(embedder.encode([u.text for u in units_of([turn_of(r["text"])])])) for r in mine]
        bank_scores = np.array([score for _, score in bank_turns])

        classes = pools(rubric)
        examples = [s for label in LABELS for s in classes[label]]
        example_labels = np.array([i for i, label in enumerate(LABELS) for _ in classes[label]])
        example_vectors = embedder.encode(examples)
        similarity = vectors @ example_vectors.T
        k = 3
        nearest = np.stack([np.sort(similarity[:, example_labels == i], axis=1)[:, -k:].mean(axis=1) for i in range(3)], axis=1)
        knn = [LABELS[i] for i in nearest.argmax(axis=1)]
        weights = softmax_regression(example_vectors, example_labels, 3)
        logits = np.hstack([vectors, np.ones((len(vectors), 1))]) @ weights
        logreg = [LABELS[i] for i in logits.argmax(axis=1)]
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        logreg_scores = probabilities[:, 2] - probabilities[:, 0]
        combined = (bank_scores + lexicon_scores) / 2

        candidates = {
            "vader": ([label_of(s, 0.05) for s in lexicon_scores], lexicon_scores),
            "banks": ([label for label, _ in bank_turns], bank_scores),
            "knn3": (knn, nearest[:, 2] - nearest[:, 0]),
            "logreg": (logreg, logreg_scores),
            "banks+vader": ([label_of(s, 0.05) for s in combined], combined),
            "banks, vader on neutral": (
                [label if label != "neutral" else label_of(v, 0.5) for (label, _), v in zip(bank_turns, lexicon_scores)],
                np.where(np.array([label == "neutral" for label, _ in bank_turns]) & (np.abs(lexicon_scores) >= 0.5), lexicon_scores, bank_scores),
            ),
        }
        for name, (predicted, scores) in candidates.items():
            accuracy = float(np.mean([t == p for t, p in zip(truth, predicted)]))
            mae = float(np.mean(np.abs(np.clip(scores, -1, 1) - gold)))
            print(f"| {name} | {language} | {len(mine)} | {accuracy:.3f} | {macro_f1(truth, predicted):.3f} | {mae:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
