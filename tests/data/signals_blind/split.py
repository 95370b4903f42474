"""Splits the blind signals and sentiment set, with a fixed seed, into a development half and a held-out half.

    python tests/data/signals_blind/split.py

Utterances and conversations are each split per language. The held-out half is measured once, at the end.
`split` serves the other sets of the same shape (tests/data/signals_blind2/split.py).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261203


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
    split(HERE, SEED)
