"""Joins a blind grid set's written parts and splits them, with the set's own fixed seed, into a development half and a
held-out half.

    python tests/data/grid_blind/split.py [SET]      (default: grid_blind)

Stratified by language and channel. The held-out half is measured once, at the end of the work it checks. Every set of
this shape is split here, each with the parts and the seed its README names (SETS); grid_blind2 has a script of its own
(it rereads some labels).
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("fr-a", "fr-b", "en")
FIVE_PARTS = ("fr-a", "fr-b", "fr-c", "en-a", "en-b")
# Each set's parts and seed, fixed when it was written: the same halves whenever it is split again.
SETS = {
    "grid_blind": (PARTS, 20261203), "grid_blind3": (PARTS, 20261206), "grid_blind4": (PARTS, 20261207),
    "grid_blind5": (PARTS, 20261212), "grid_blind6": (PARTS, 20261213), "grid_blind7": (FIVE_PARTS, 20261215),
    "grid_blind8": (FIVE_PARTS, 20261216), "grid_blind9": (FIVE_PARTS, 20261217), "grid_blind10": (FIVE_PARTS, 20261223),
    "grid_blind11": (FIVE_PARTS, 20261224), "grid_blind12": (FIVE_PARTS, 20261225),
    "grid_blind13": (FIVE_PARTS, 20261226), "grid_blind14": (FIVE_PARTS, 20261229), "grid_blind15": (FIVE_PARTS, 20261231),
    "grid_blind16": (FIVE_PARTS, 20261233), "grid_blind17": (PARTS, 20261235), "grid_blind18": (PARTS, 20261236), "grid_blind19": (PARTS, 20261238),
    "grid_blind20": (("fr-a", "fr-b", "mix-c", "en"), 20261240), "grid_blind21": (("fr-a", "fr-b", "mix-c", "en"), 20261242),
    "grid_blind22": (("fr-a", "fr-b", "mix-c", "en"), 20261243), "grid_blind23": (("fr-a", "fr-b", "mix-c", "en"), 20261245),
}


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
    name = sys.argv[1] if len(sys.argv) > 1 else HERE.name
    if name not in SETS:
        raise SystemExit(f"split.py: unknown set {name!r}; expected one of {', '.join(SETS)}")
    split(HERE.parent / name, *SETS[name])
