"""Writes the scorer's verdicts on the labelled sets, to compare against later (tests/test_verdicts.py).

    python tests/data/verdicts/make.py

Run it only when a change of verdicts is intended, and say in the commit which verdicts changed and why:
a refactoring or a speed-up must leave this file as it is. Per interaction: each item's status and each
criterion's score (no text, so the shared dev set's sentences stay out of the repository).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))

SETS = {
    "dev": ROOT.parent / "shared" / "data" / "dev" / "interactions.jsonl",
    "core_blind": ROOT / "tests" / "data" / "core_blind" / "interactions.jsonl",
    "core_heldout": ROOT / "tests" / "data" / "core_heldout" / "interactions.jsonl",
}


def verdicts(path: Path, scorer) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    from qualicall.core.interaction import Interaction, read_interactions

    out = {}
    for interaction in read_interactions(path):
        assert isinstance(interaction, Interaction), interaction
        result = scorer.score(interaction)
        out[interaction.id] = {
            criterion_id: {
                "score": criterion.score,
                "items": {item_id: item.status for item_id, item in criterion.items.items()},
            }
            for criterion_id, criterion in result.criteria.items()
        }
    return out


def main() -> None:
    from qualicall.scorer.engine import Scorer

    scorer = Scorer()
    for name, path in SETS.items():
        if not path.exists():
            print(f"{name}: {path} absent, left as it is")
            continue
        target = HERE / f"{name}.json"
        target.write_text(json.dumps(verdicts(path, scorer), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{name}: {target}")


if __name__ == "__main__":
    main()
