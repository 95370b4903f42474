"""How far two people labelling the same conversations from the spec agree, beside how far the machine agrees with each.

    python benchmarks/labeller_agreement.py [--set signals_blind16]

tests/data/<set>/whole/: `conversations.jsonl`, the writers' `labels.json`, and other labellings (`second_labels.json`,
`third_labels.json`…) by helpers who read the same spec and conventions, never the writers' labels nor the detectors
(the third with the ids replaced and the order shuffled). For each signal: each other labelling's precision and recall
taking the writers' labels as the truth (and Cohen's kappa), then the machine's against the writers; complaint_handling items and sentiment start/end as agreement rates. The machine's figures
against the writers here mix the set's halves (dev and held-out): this is no held-out measurement, it says what
ceiling human labels set on one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from signals import ITEMS, SIGNALS, band, prf  # noqa: E402


def kappa(pairs: list[tuple[object, object]]) -> float:
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    values = {v for pair in pairs for v in pair}
    expected = sum((sum(a == v for a, _ in pairs) / n) * (sum(b == v for _, b in pairs) / n) for v in values)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(pairs: list[tuple[object, object]]) -> str:
    return f"{sum(a == b for a, b in pairs) / len(pairs):.2f} (κ {kappa(pairs):.2f}, n {len(pairs)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="signals_blind16")
    args = parser.parse_args()
    from qualicall.core.interaction import Interaction
    from qualicall.scorer.engine import Scorer

    folder = ROOT / "tests" / "data" / args.set / "whole"
    conversations = [json.loads(line) for line in (folder / "conversations.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    first = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    others = {path.name.removesuffix("_labels.json"): json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*_labels.json"))}
    scorer = Scorer()
    machine = {}
    for record in conversations:
        result = scorer.score(Interaction.model_validate(record))
        machine[record["id"]] = {
            "signals": {name: {"present": result.signals[name].present} for name in SIGNALS},
            "complaint_handling": {item: {"status": result.criteria["complaint_handling"].items[item].status} for item in ITEMS},
            "sentiment": {"start": band(result.sentiment.start), "end": band(result.sentiment.end)},
        }
    print(f"{args.set}/whole: {len(conversations)} conversations, the writers' labels, {', '.join(others)} labellings and the machine")
    for language in ("fr", "en", None):
        ids = [c["id"] for c in conversations if language in (None, c["language"])]
        print(f"\n== {language or 'all'} ({len(ids)} conversations)")
        for name in SIGNALS:
            signal = lambda labels, i: labels[i]["signals"][name]["present"]  # noqa: E731
            for other, labels in others.items():
                humans = [(signal(first, i), signal(labels, i)) for i in ids]
                print(f"{name if other == next(iter(others)) else '':20s} {other + ' vs writers':18s} {prf(humans)} κ {kappa(humans):.2f}")
            print(f"{'':20s} machine vs writers {prf([(signal(first, i), signal(machine, i)) for i in ids])}")
        for item in ITEMS:
            status = lambda labels, i: labels[i]["complaint_handling"][item]["status"]  # noqa: E731
            humans = "; ".join(f"{other} vs writers {agreement([(status(first, i), status(labels, i)) for i in ids])}" for other, labels in others.items())
            print(f"{item:20s} {humans}; machine vs writers {agreement([(status(first, i), status(machine, i)) for i in ids])}")
        for end in ("start", "end"):
            mood = lambda labels, i: labels[i]["sentiment"][end]  # noqa: E731
            humans = "; ".join(f"{other} vs writers {agreement([(mood(first, i), mood(labels, i)) for i in ids])}" for other, labels in others.items())
            print(f"sentiment {end:10s} {humans}; machine vs writers {agreement([(mood(first, i), mood(machine, i)) for i in ids])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
