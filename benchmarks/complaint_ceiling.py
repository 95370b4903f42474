"""How far a classifier trained on the labelled sets can read `complaint` from the sentence encoder's vectors.

    python benchmarks/complaint_ceiling.py [--sets signals_blind signals_blind2 …]

Every conversation of the signals sets (both halves of each, default: every `tests/data/signals_blind*` split in two)
gives its customer sentences, embedded by the scorer's encoder. A classifier of one sentence is trained on the other
sets (leave one set out): negatives are every customer sentence of a contact labelled without a complaint, positives
the sentences of the customer turn the label names, then, twice, the one sentence of that turn the model reads most
as a complaint (the labels name a turn, not a sentence). A contact is a complaint when its strongest sentence reaches a
threshold. Two models: a logistic regression (classes weighted) and a small perceptron (128 hidden units). Printed
per language beside the scorer's own `complaint` on the same contacts, which was developed on these sets (a figure in
its favour), alone and as "and" (both say complaint).

The question it answers is not which model to ship: it is whether the encoder's vectors hold what tells a complaint
from the spec's traps (calm reports, anger at a third party, negated or ironic dissatisfaction), whatever reads them.
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from signals import prf  # noqa: E402

THRESHOLDS = (0.5, 0.7, 0.8, 0.9)
MULTIPLE_INSTANCE_ROUNDS = 2


def contacts(sets: list[str]) -> list[dict]:
    from qualicall.core.interaction import Interaction
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.signals import sentence_spans

    scorer, embedder, out = Scorer(), get_embedder("use"), []
    for name in sets:
        for half in ("dev", "heldout"):
            folder = ROOT / "tests" / "data" / name / half
            labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
            for line in (folder / "conversations.jsonl").read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                sentences = [(index, turn["text"][a:b]) for index, turn in enumerate(record["turns"]) if turn["speaker"] == "customer" for a, b in sentence_spans(turn["text"])]
                if not sentences:
                    continue
                label = labels[record["id"]]["signals"]["complaint"]
                out.append({
                    "set": name, "language": record["language"], "label": label["present"], "turn": label["turn"],
                    "scorer": scorer.score(Interaction.model_validate(record)).signals["complaint"].present,
                    "turns": [index for index, _ in sentences], "vectors": embedder.encode([text for _, text in sentences]),
                })
    return out


def training(rows: list[dict], model=None) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    vectors, targets = [], []
    for row in rows:
        if not row["label"]:
            vectors.append(row["vectors"])
            targets += [0] * len(row["vectors"])
            continue
        named = [k for k, turn in enumerate(row["turns"]) if turn == row["turn"]]
        if not named:
            continue
        if model is not None:
            named = [named[int(np.argmax(model.predict_proba(row["vectors"][named])[:, 1]))]]
        vectors.append(row["vectors"][named])
        targets += [1] * len(named)
    return np.vstack(vectors), np.array(targets)


def fitted(make, rows: list[dict]):  # type: ignore[no-untyped-def]
    model = make().fit(*training(rows))
    for _ in range(MULTIPLE_INSTANCE_ROUNDS):
        model = make().fit(*training(rows, model))
    return model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = sorted(p.name for p in (ROOT / "tests" / "data").glob("signals_blind*") if (p / "heldout" / "labels.json").exists())
    parser.add_argument("--sets", nargs="+", default=default)
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    warnings.filterwarnings("ignore")
    rows = contacts(args.sets)
    models = {
        "logistic regression": lambda: LogisticRegression(max_iter=2000, class_weight="balanced"),
        "perceptron (128)": lambda: MLPClassifier(hidden_layer_sizes=(128,), alpha=0.001, max_iter=300, early_stopping=True, random_state=1),
    }
    strongest: dict[str, list[float]] = {name: [0.0] * len(rows) for name in models}
    for left_out in args.sets:
        train = [row for row in rows if row["set"] != left_out]
        for name, make in models.items():
            model = fitted(make, train)
            for k, row in enumerate(rows):
                if row["set"] == left_out:
                    strongest[name][k] = float(model.predict_proba(row["vectors"])[:, 1].max())
    print(f"{len(rows)} contacts of {len(args.sets)} sets, each judged by models trained on the other sets")
    for language in ("fr", "en"):
        chosen = [k for k, row in enumerate(rows) if row["language"] == language]
        print(f"\n== {language} ({len(chosen)} contacts)")
        print(f"{'the scorer (developed on these sets)':42s} {prf([(rows[k]['label'], rows[k]['scorer']) for k in chosen])}")
        for name in models:
            for threshold in THRESHOLDS:
                alone = prf([(rows[k]["label"], strongest[name][k] >= threshold) for k in chosen])
                both = prf([(rows[k]["label"], strongest[name][k] >= threshold and rows[k]["scorer"]) for k in chosen])
                print(f"{name + ' ≥ ' + str(threshold):42s} {alone}   and the scorer: {both}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
