"""Joins the second blind grid set's written parts and splits them, with its own fixed seed, into a development half
and a held-out half, as tests/data/grid_blind/split.py splits the first.

    python tests/data/grid_blind2/split.py

Two things the writers did are read the way the interaction format and the first blind set read them (README.md
says why); the parts stay as written:
- `"abandoned": true` on five of `fr-b`'s cut conversations: the format keeps that flag for contacts that never
  reached an agent (no recording, counted in the aggregates only), so a cut conversation is `false`.
- The 14 contacts cut before their closing phase: their writers labelled the four closing items `failed`, having
  been told (wrongly: the grid is silent) to do so; the first blind set's writers chose `not_applicable`, as the
  scorer does. Both figures are reported; the split holds `not_applicable`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("fr-a", "fr-b", "en")
SEED = 20261205
# The writers' own lists of the contacts cut before any closing (their reports).
CUT = {
    "gb2-fr-a-05", "gb2-fr-a-13", "gb2-fr-a-20", "gb2-fr-a-29", "gb2-fr-a-38",
    "gb2-fr-b-06", "gb2-fr-b-11", "gb2-fr-b-20", "gb2-fr-b-29", "gb2-fr-b-37",
    "gb2-en-03", "gb2-en-09", "gb2-en-16", "gb2-en-30",
}

sys.path.insert(0, str(HERE.parent / "grid_blind"))
from split import split  # noqa: E402


def read_as_the_format_does(folder: Path) -> None:
    records = [json.loads(line) for line in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in records:
        if record.get("turns"):
            record["abandoned"] = False
    (folder / "interactions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    for contact in CUT & labels.keys():
        for item in labels[contact]["closing"].values():
            item["status"] = "not_applicable"
            item["why"] = f"cut before the closing phase (written as failed: {item['why']})"
    (folder / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    split(HERE, PARTS, SEED)
    if "--as-written" not in sys.argv:
        for half in ("dev", "heldout"):
            read_as_the_format_does(HERE / half)
