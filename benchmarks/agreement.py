"""Agreement with coaches: score a labelled set and compare item by item.

    python benchmarks/agreement.py [DATASET_DIR] [--rubric ID_OR_FILE] [--show-errors]

DATASET_DIR holds `interactions.jsonl` and `labels.json` (the format of
`../shared/data/dev/`); default: ../shared/data/dev next to the repository.
Prints, overall, per language and per channel: per-item accuracy, Cohen's kappa and
confusion counts (label → scored), per-criterion score MAE (criterion scores
recomputed from the labels with the rubric's weights), and overall accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualicall.scorer.engine import Scorer, criterion_score  # noqa: E402
from qualicall.core.interaction import InteractionError, read_interactions  # noqa: E402
from qualicall.core.result import ItemResult  # noqa: E402

STATUSES = ("passed", "failed", "not_applicable")
SHORT = {"passed": "P", "failed": "F", "not_applicable": "N"}


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (label, scored) pairs; None when undefined (one class only on both sides)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[c] * right[c] for c in set(left) | set(right)) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(title: str, rows: list[dict]) -> None:
    """rows: one per (interaction, item): language, criterion, item, label, scored."""
    print(f"\n== {title}: {len({r['id'] for r in rows})} interactions, {len(rows)} item labels ==")
    by_item: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        by_item[(r["criterion"], r["item"])].append((r["label"], r["scored"]))
    print(f"{'item':<40} {'acc':>5} {'kappa':>6}  confusion label→scored")
    for (criterion, item), pairs in by_item.items():
        accuracy = sum(a == b for a, b in pairs) / len(pairs)
        confusion = Counter(f"{SHORT[a]}→{SHORT[b]}" for a, b in pairs)
        cells = " ".join(f"{k}:{confusion[k]}" for k in sorted(confusion))
        print(f"{criterion + '.' + item:<40} {accuracy:>5.2f} {_fmt(cohen_kappa(pairs)):>6}  {cells}")
    all_pairs = [(r["label"], r["scored"]) for r in rows]
    print(f"{'overall item accuracy':<40} {sum(a == b for a, b in all_pairs) / len(all_pairs):>5.3f} {_fmt(cohen_kappa(all_pairs)):>6}")
    errors: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r["item"] == "__criterion__":
            continue
    for (interaction_id, criterion), (expected, got) in _criterion_scores(rows).items():
        if expected is None and got is None:
            errors[criterion].append(0.0)
        elif expected is None or got is None:
            errors[criterion].append(100.0)  # one side says nothing applies
        else:
            errors[criterion].append(abs(expected - got))
    print("criterion score MAE (0–100): " + ", ".join(f"{c} {sum(e) / len(e):.1f}" for c, e in errors.items()))


def _criterion_scores(rows: list[dict]) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        grouped[(r["id"], r["criterion"])].append(r)
    out = {}
    for key, items in grouped.items():
        weights = {r["item"]: r["weight"] for r in items}
        labelled = {r["item"]: ItemResult(status=r["label"], reason="") for r in items}
        scored = {r["item"]: ItemResult(status=r["scored"], reason="") for r in items}
        out[key] = (criterion_score(labelled, weights), criterion_score(scored, weights))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "dev")
    parser.add_argument("--rubric", help="rubric id or file (default: default-<language>)")
    parser.add_argument("--show-errors", action="store_true", help="list every disagreement with the scorer's reason")
    args = parser.parse_args()
    interactions_path, labels_path = args.dataset / "interactions.jsonl", args.dataset / "labels.json"
    for path in (interactions_path, labels_path):
        if not path.is_file():
            print(f"agreement: {path} not found", file=sys.stderr)
            return 2
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    scorer = Scorer(args.rubric)
    rows: list[dict] = []
    disagreements: list[str] = []
    started = time.perf_counter()
    count = 0
    for interaction in read_interactions(interactions_path):
        if isinstance(interaction, InteractionError):
            print(f"agreement: skipped: {interaction}", file=sys.stderr)
            continue
        if interaction.id not in labels:
            continue
        result = scorer.score(interaction)
        rubric = scorer.rubric_for(interaction)
        count += 1
        for criterion_id, items in labels[interaction.id].items():
            for item_id, label in items.items():
                item = result.criteria.get(criterion_id, None)
                got = item.items.get(item_id) if item else None
                if got is None:
                    continue  # an item the rubric does not have
                rows.append(
                    {
                        "id": interaction.id,
                        "language": result.language,
                        "channel": result.channel,
                        "criterion": criterion_id,
                        "item": item_id,
                        "weight": rubric.criteria[criterion_id].items[item_id].weight,
                        "label": label["status"],
                        "scored": got.status,
                    }
                )
                if got.status != label["status"]:
                    disagreements.append(
                        f"{interaction.id} {criterion_id}.{item_id}: label {label['status']} ({label.get('why', '')}) / scored {got.status}: {got.reason}"
                    )
    elapsed = time.perf_counter() - started
    print(f"scored {count} interactions in {elapsed:.1f} s (models loaded on first use)")
    report("all", rows)
    for language in sorted({r["language"] for r in rows}):
        report(f"language {language}", [r for r in rows if r["language"] == language])
    for channel in sorted({r["channel"] for r in rows}):
        report(f"channel {channel}", [r for r in rows if r["channel"] == channel])
    if args.show_errors:
        print(f"\n== {len(disagreements)} disagreements ==")
        print("\n".join(disagreements))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
