"""Joins the written parts and splits them, with a fixed seed, into a development half and a held-out half.

    python tests/data/grid_blind/split.py

Stratified by language and channel. The held-out half is measured once, at the end of the work it checks.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("fr-a", "fr-b", "en")
SEED = 20261203


def split(here: Path, parts: tuple[str, ...], seed: int) -> None:
    """Joins `here`/parts/PART.jsonl and PART.labels.json and writes `here`/dev and `here`/heldout."""
    records, labels = [], {}
    for part in parts:
        records += [json.loads(line) for line in (here / "parts" / f"{part}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        labels.update(json.loads((here / "parts" / f"{part}.labels.json").read_text(encoding="utf-8")))
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for record in records:
        strata[(record["language"], record.get("channel", "voice"))].append(record)
    rng = random.Random(seed)
    halves: dict[str, list[dict]] = {"dev": [], "heldout": []}
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda r: r["id"])
        rng.shuffle(group)
        middle = (len(group) + rng.randint(0, 1)) // 2
        halves["dev"] += group[:middle]
        halves["heldout"] += group[middle:]
    for name, half in halves.items():
        folder = here / name
        folder.mkdir(exist_ok=True)
        half.sort(key=lambda r: r["id"])
        (folder / "interactions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in half), encoding="utf-8")
        (folder / "labels.json").write_text(json.dumps({r["id"]: labels[r["id"]] for r in half}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        by = defaultdict(int)
        for r in half:
            by[(r["language"], r.get("channel", "voice"))] += 1
        print(name, len(half), dict(sorted(by.items())))


if __name__ == "__main__":
    split(HERE, PARTS, SEED)
