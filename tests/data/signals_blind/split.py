"""Splits a blind signals set, with its own fixed seed, into a development half and a held-out half.

    python tests/data/signals_blind/split.py [SET]      (default: signals_blind)

Utterances and conversations are each split per language. The held-out half is measured once, at the end.
Every set of this shape is split here, each with the seed its README names (SEEDS).
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each set's seed, fixed when it was written: the same halves whenever it is split again.
SEEDS = {
    "signals_blind": 20261203, "signals_blind2": 20261204, "signals_blind3": 20261206, "signals_blind4": 20261214,
    "signals_blind5": 20261218, "signals_blind6": 20261222, "churn_blind": 20261219, "escalation_blind": 20261220,
    "repeat_blind": 20261221, "signals_blind7": 20261227, "signals_blind8": 20261228, "signals_blind9": 20261230, "signals_blind10": 20261232, "signals_blind11": 20261234, "signals_blind12": 20261237, "signals_blind13": 20261239, "signals_blind14": 20261241, "signals_blind15": 20261244, "signals_blind16": 20261246, "signals_blind17": 20261248,
}


def halves(records: list[dict], rng: random.Random) -> tuple[list[dict], list[dict]]:
    by_language: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_language[record["language"]].append(record)
    dev, heldout = [], []
    for language in sorted(by_language):
        group = sorted(by_language[language], key=lambda r: r["id"])
        rng.shuffle(group)
        dev += group[: len(group) // 2]
        heldout += group[len(group) // 2 :]
    return sorted(dev, key=lambda r: r["id"]), sorted(heldout, key=lambda r: r["id"])


def split(root: Path, seed: int) -> None:
    """`root`/whole/ into `root`/dev/ and `root`/heldout/."""
    rng = random.Random(seed)
    read = lambda name: [json.loads(l) for l in (root / "whole" / name).read_text(encoding="utf-8").splitlines() if l.strip()]  # noqa: E731
    utterances = halves(read("utterances.jsonl"), rng)
    conversations = halves(read("conversations.jsonl"), rng)
    labels = json.loads((root / "whole" / "labels.json").read_text(encoding="utf-8"))
    for index, name in enumerate(("dev", "heldout")):
        folder = root / name
        folder.mkdir(exist_ok=True)
        write = lambda file, rows: (folder / file).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")  # noqa: E731
        write("utterances.jsonl", utterances[index])
        write("conversations.jsonl", conversations[index])
        chosen = {c["id"]: labels[c["id"]] for c in conversations[index]}
        (folder / "labels.json").write_text(json.dumps(chosen, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(name, len(utterances[index]), "utterances,", len(conversations[index]), "conversations")


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else HERE.name
    if name not in SEEDS:
        raise SystemExit(f"split.py: unknown set {name!r}; expected one of {', '.join(SEEDS)}")
    split(HERE.parent / name, SEEDS[name])
