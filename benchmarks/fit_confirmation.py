"""Fits a default rubric's complaint confirmation (qualicall.scorer.confirmation) on labelled signals sets.

    python benchmarks/fit_confirmation.py fr [--exclude signals_blind14/heldout ...]

Scores every conversation of tests/data/*/{dev,heldout}/conversations.jsonl in the language (less the halves
excluded: those still held out) with the rubric less its confirmation, keeps the contacts whose sentences read a
complaint (the contacts the model judges: three customer turns at least, no cue in the evidence), and fits the logistic model on them. The threshold is chosen on sets left out one at a time (the model
fitted on the others: a set is one group of writers), as the one that gives the best complaint F1 over all the
conversations (those whose sentences read none count as before). Prints that table and the rubric's YAML.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIN_CUSTOMER_TURNS = 3  # SignalConfirmation's default
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def contacts(language: str, excluded: set[str]) -> tuple[list[tuple[str, dict[str, float], bool]], int]:
    """(set, features — None for a contact too short to judge —, labelled a complaint) of each contact whose sentences read
    a complaint, and the complaints they missed."""
    from qualicall.core.interaction import Interaction
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.banks import bank_model
    from qualicall.scorer.confirmation import contact_features, needs_confirming
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.rubric import default_rubric_id, load_rubric

    rubric = load_rubric(default_rubric_id(language))
    scorer = Scorer(rubric.model_copy(update={"signal_confirmation": {}}))
    bank = bank_model(rubric.example_banks()["complaint"], get_embedder(rubric.embeddings.backend, rubric.embeddings.model))
    cued = lambda _, text: bank.has_cue(text)  # noqa: E731
    rows, missed = [], 0
    halves = [*(ROOT / "tests/data").glob("*/dev/conversations.jsonl"), *(ROOT / "tests/data").glob("*/heldout/conversations.jsonl")]
    for half in sorted(halves):  # (not a set's `whole/`, which holds both halves)
        name = f"{half.parent.parent.name}/{half.parent.name}"
        if name in excluded:
            continue
        labels = json.loads((half.parent / "labels.json").read_text(encoding="utf-8"))
        for line in half.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            label = labels.get(record["id"], {}).get("signals", {}).get("complaint")
            if record.get("language") != language or label is None:
                continue
            result = scorer.score(Interaction.model_validate(record))
            complaint = result.signals["complaint"]
            if complaint.present:
                # (a shorter contact, or a complaint in the words of its cues, keeps the reading)
                judged = needs_confirming("complaint", complaint, result.sentiment, MIN_CUSTOMER_TURNS, cued)
                features = contact_features("complaint", result.signals, result.sentiment) if judged else None
                rows.append((half.parent.parent.name, features, bool(label["present"])))
            else:
                missed += bool(label["present"])
    return rows, missed


def main() -> int:
    from qualicall.scorer.confirmation import FEATURES, SignalConfirmation, fit

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language", choices=["fr", "en"])
    parser.add_argument("--exclude", nargs="*", default=[], help="halves left out (set/half), those still held out")
    args = parser.parse_args()
    rows, missed = contacts(args.language, set(args.exclude))
    features = list(FEATURES)
    held: list[tuple[float, bool]] = []  # each contact's probability from a model fitted without its set
    for left_out in sorted({group for group, _, _ in rows}):
        intercept, weights = fit([(f, label) for group, f, label in rows if group != left_out and f is not None], features)
        model = SignalConfirmation(threshold=0.5, intercept=intercept, weights=weights)
        held += [(model.probability(f) if f is not None else 1.0, label) for group, f, label in rows if group == left_out]
    short = sum(f is None for _, f, _ in rows)
    print(f"{len(rows)} contacts read as complaints ({sum(l for _, _, l in rows)} labelled so; {short} kept unjudged), "
          f"{missed} complaints the sentences missed")
    print("threshold  precision  recall  F1   (sets left out one at a time)")
    best = (0.0, 0.0)
    for threshold in (0.0, *THRESHOLDS):
        tp = sum(1 for p, label in held if p >= threshold and label)
        fp = sum(1 for p, label in held if p >= threshold and not label)
        fn = missed + sum(1 for p, label in held if p < threshold and label)
        f1 = 2 * tp / (2 * tp + fp + fn)
        print(f"{threshold:9.2f}  {tp / (tp + fp):9.3f}  {tp / (tp + fn):6.3f}  {f1:.3f}{'   (none)' if threshold == 0 else ''}")
        if threshold and f1 > best[1]:
            best = (threshold, f1)
    intercept, weights = fit([(f, label) for _, f, label in rows if f is not None], features)
    print("\nsignal_confirmation:\n  complaint:")
    print(f"    threshold: {best[0]}\n    intercept: {intercept:.4f}\n    weights:")
    for name, weight in weights.items():
        print(f"      {name}: {weight:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
