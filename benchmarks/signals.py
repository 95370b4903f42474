"""Customer signals, sentiment and complaint handling against the blind labelled set.

    python benchmarks/signals.py [--set signals_blind|…|signals_blind5|signals_blind6|churn_blind|escalation_blind|repeat_blind] [--split dev|heldout] [--show-errors]

tests/data/<set>/<split>/: utterances (each judged as a one-turn customer
contact, with the default rubric of its language) and whole conversations (scored by
the Scorer: the result's `signals`, `sentiment` and `complaint_handling` items).
Prints per language: each signal's precision, recall and F1 on utterances and on
conversations; sentiment accuracy and macro-F1 on utterances, and the start/end labels
of conversations (negative below −0.3, positive above 0.3); complaint_handling item
accuracy (not_applicable included, so a missed or invented complaint counts against it).
Develop on `dev`; `heldout` is measured once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIGNALS = ("complaint", "escalation_request", "churn_threat", "repeat_contact")
ITEMS = ("acknowledges", "takes_ownership", "next_step")
LABELS = ("negative", "neutral", "positive")


def prf(pairs: list[tuple[bool, bool]]) -> str:
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f"P {precision:.2f} R {recall:.2f} F1 {f1:.2f} (tp {tp} fp {fp} fn {fn})"


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(t == p == label for t, p in pairs)
        wrong = sum((t == label) != (p == label) for t, p in pairs)
        scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return sum(scores) / len(scores)


def band(score: float | None) -> str:
    return "neutral" if score is None or -0.3 <= score <= 0.3 else "negative" if score < 0 else "positive"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    blind_sets = sorted(p.name for p in (ROOT / "tests" / "data").iterdir() if (p / "dev" / "utterances.jsonl").exists())  # every split set
    parser.add_argument("--set", default="signals_blind", choices=blind_sets)
    parser.add_argument("--split", default="dev", choices=["dev", "heldout"])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()

    from qualicall.core.interaction import Interaction
    from qualicall.scorer.engine import Scorer

    folder = ROOT / "tests" / "data" / args.set / args.split
    read = lambda name: [json.loads(l) for l in (folder / name).read_text(encoding="utf-8").splitlines() if l.strip()]  # noqa: E731
    utterances, conversations = read("utterances.jsonl"), read("conversations.jsonl")
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    scorer = Scorer()
    print(f"{args.set}/{args.split}: {len(utterances)} utterances, {len(conversations)} conversations")
    for language in ("fr", "en"):
        print(f"\n== {language}")
        signal_pairs: dict[str, list[tuple[bool, bool]]] = {name: [] for name in SIGNALS}
        sentiment_pairs: list[tuple[str, str]] = []
        for row in (r for r in utterances if r["language"] == language):
            one = Interaction.model_validate({"id": row["id"], "language": language, "channel": "chat", "turns": [{"speaker": "customer", "text": row["text"]}]})
            result = scorer.score(one)
            for name in (name for name in SIGNALS if name in row):  # a set may label some signals only (churn_blind, …)
                signal_pairs[name].append((row[name], result.signals[name].present))
                if args.show_errors and row[name] != result.signals[name].present:
                    print(f"  utterance {row['id']} {name} labelled {row[name]}: {result.signals[name].reason}")
            if "sentiment" in row:
                predicted = result.sentiment.turns[0].label if result.sentiment and result.sentiment.turns else "neutral"
                sentiment_pairs.append((row["sentiment"], predicted))
        for name in SIGNALS:  # a set may hold conversations only (signals_blind5)
            if signal_pairs[name]:
                print(f"utterances    {name:20s} {prf(signal_pairs[name])}")
        count = len(sentiment_pairs)
        if count:
            accuracy = sum(t == p for t, p in sentiment_pairs) / count
            print(f"utterances    sentiment            accuracy {accuracy:.3f} macro-F1 {macro_f1(sentiment_pairs):.3f} (n {count})")

        conversation_pairs: dict[str, list[tuple[bool, bool]]] = {name: [] for name in SIGNALS}
        item_pairs: dict[str, list[tuple[str, str]]] = {item: [] for item in ITEMS}
        ends: list[tuple[str, str]] = []
        for record in (c for c in conversations if c["language"] == language):
            truth = labels[record["id"]]
            result = scorer.score(Interaction.model_validate(record))
            for name in SIGNALS:
                conversation_pairs[name].append((truth["signals"][name]["present"], result.signals[name].present))
                if args.show_errors and truth["signals"][name]["present"] != result.signals[name].present:
                    print(f"  conversation {record['id']} {name} labelled {truth['signals'][name]['present']}: {result.signals[name].reason}")
            for item in ITEMS:
                got = result.criteria["complaint_handling"].items[item]
                item_pairs[item].append((truth["complaint_handling"][item]["status"], got.status))
                if args.show_errors and truth["complaint_handling"][item]["status"] != got.status:
                    print(f"  conversation {record['id']} {item} labelled {truth['complaint_handling'][item]['status']}: {got.status}, {got.reason}")
            ends.append((truth["sentiment"]["start"], band(result.sentiment.start)))
            ends.append((truth["sentiment"]["end"], band(result.sentiment.end)))
        if not ends:  # a set may hold utterances only (churn_blind)
            continue
        for name in SIGNALS:
            print(f"conversations {name:20s} {prf(conversation_pairs[name])}")
        for item in ITEMS:
            pairs = item_pairs[item]
            print(f"conversations {item:20s} accuracy {sum(t == p for t, p in pairs) / len(pairs):.2f} (n {len(pairs)})")
        print(f"conversations sentiment start/end  accuracy {sum(t == p for t, p in ends) / len(ends):.2f} (n {len(ends)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
