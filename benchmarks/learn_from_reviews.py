"""Learning from coaches' overrides, measured: half a labelled set's labels stored as coaches' reviews, learned, the other half scored.

    python benchmarks/learn_from_reviews.py [DATASET_DIR] [--seed N]

DATASET_DIR (default tests/data/grid_blind/dev) holds `interactions.jsonl` and `labels.json`. It is split with
a fixed seed, by language and channel, into a coached half and an evaluated half. The coached half is scored,
redacted and stored in a fresh SQLite store as the service does; wherever its label differs from the machine's
verdict, the label is recorded as a coach's review (`add_reviews`). `qualicall rubric learn --from-reviews`'s
function (`learn_from_reviews`) then writes a learned version of each language's default rubric, and the
evaluated half is scored with the default and with the learned rubric: item accuracy before and after,
overall, per language and per item that a bank judges. Then the halves swap roles (two folds), and both
folds are summed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualicall.core.errors import InputError  # noqa: E402
from qualicall.core.interaction import Interaction, InteractionError, read_interactions  # noqa: E402
from qualicall.scorer.engine import Scorer  # noqa: E402
from qualicall.scorer.rubric import load_rubric  # noqa: E402
from qualicall.service.learning import learn_from_reviews, overrides_by_rubric, summary, write_learned  # noqa: E402
from qualicall.service.scoring import ScoringService  # noqa: E402
from qualicall.store.db import Store  # noqa: E402
from qualicall.store.repository import ItemReview, Reviewer, add_reviews  # noqa: E402

SEED = 12
LANGUAGES = ("fr", "en")


def split(interactions: list[Interaction], seed: int) -> tuple[list[Interaction], list[Interaction]]:
    """(coached, evaluated): each language-and-channel group shuffled with the seed and cut in the middle."""
    groups: dict[tuple[str, str], list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        groups[interaction.language or "", interaction.channel].append(interaction)
    rng = random.Random(seed)
    coached, evaluated = [], []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda i: i.id)
        rng.shuffle(group)
        coached += group[: len(group) // 2]
        evaluated += group[len(group) // 2 :]
    return coached, evaluated


def store_coached(store: Store, service: ScoringService, coached: list[Interaction], labels: dict) -> int:
    """Score and store the coached half; each label that differs from the machine's verdict becomes a review. Returns how many."""
    reviews = 0
    for interaction in coached:
        with store.session() as session:
            row, _ = service.score_and_store(session, interaction, api_key_id=None)
            criteria = row.data["criteria"]
            overrides = [
                ItemReview(item_id, label["status"])
                for criterion_id, items in labels[interaction.id].items()
                for item_id, label in items.items()
                if item_id in criteria.get(criterion_id, {}).get("items", {}) and criteria[criterion_id]["items"][item_id]["status"] != label["status"]
            ]
            if overrides:
                add_reviews(session, row.interaction, overrides, Reviewer("benchmark-coach"))
                reviews += len(overrides)
    return reviews


def verdicts(scorer: Scorer, interaction: Interaction) -> dict[str, str]:
    result = scorer.score(interaction)
    return {f"{cid}.{iid}": item.status for cid, c in result.criteria.items() for iid, item in c.items.items()}


def accuracy(rows: list[tuple[str, str, str]]) -> str:
    """rows: (label, before, after)."""
    n = len(rows)
    before = sum(label == got for label, got, _ in rows) / n
    after = sum(label == got for label, _, got in rows) / n
    return f"{n:>4} {before:>7.3f} {after:>7.3f} {after - before:>+7.3f}"


def run_fold(default: Scorer, service: ScoringService, coached: list[Interaction], evaluated: list[Interaction], labels: dict) -> list[dict]:
    """Store the coached half's overrides, learn each language's rubric from them, score the evaluated half with both."""
    started = time.perf_counter()
    learned: dict[str, Scorer] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'qualicall.db'}")
        try:
            print(f"reviews stored (labels that differ from the machine's verdict): {store_coached(store, service, coached, labels)}")
            with store.session() as session:
                overrides = [o for found in overrides_by_rubric(session).values() for o in found]
            reasons = Counter(o.machine.get("reason_code") for o in overrides)
            print("overrides by the machine's reason: " + ", ".join(f"{code} {count}" for code, count in reasons.most_common()))
            for language in LANGUAGES:
                with store.session() as session:
                    try:
                        lesson = learn_from_reviews(session, f"default-{language}")
                    except InputError as refused:
                        print(f"default-{language}: {refused}")
                        continue
                out = Path(folder) / f"learned-{language}.yaml"
                write_learned(lesson, out)
                print("\n".join(summary(lesson)))
                learned[language] = Scorer(str(out))
        finally:
            store.close()
        rows: list[dict] = []
        for interaction in evaluated:
            before = verdicts(default, interaction)
            after = verdicts(learned[interaction.language], interaction) if interaction.language in learned else before
            for criterion_id, items in labels[interaction.id].items():
                for item_id, label in items.items():
                    key = f"{criterion_id}.{item_id}"
                    if key in before:
                        rows.append({"language": interaction.language, "item": key, "pair": (label["status"], before[key], after[key])})
    print(f"scored in {time.perf_counter() - started:.0f} s")
    return rows


def table(rows: list[dict], banked: set[str]) -> None:
    print(f"item accuracy on the evaluated half, default → learned\n{'':<44} {'n':>4} {'before':>7} {'after':>7} {'change':>7}")
    print(f"{'all items':<44} {accuracy([r['pair'] for r in rows])}")
    for language in LANGUAGES:
        print(f"{'  ' + language:<44} {accuracy([r['pair'] for r in rows if r['language'] == language])}")
    print(f"{'items a bank judges':<44} {accuracy([r['pair'] for r in rows if r['item'] in banked])}")
    for item in sorted(banked & {r["item"] for r in rows}):
        print(f"{'  ' + item:<44} {accuracy([r['pair'] for r in rows if r['item'] == item])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=ROOT / "tests" / "data" / "grid_blind" / "dev")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if "heldout" in args.dataset.parts:
        print("learn_from_reviews: the held-out half is measured once, at the end of the work it checks; not here", file=sys.stderr)
        return 2
    labels = json.loads((args.dataset / "labels.json").read_text(encoding="utf-8"))
    interactions = [i for i in read_interactions(args.dataset / "interactions.jsonl") if not isinstance(i, InteractionError) and i.id in labels]
    first, second = split(interactions, args.seed)
    print(f"{args.dataset.relative_to(ROOT) if args.dataset.is_relative_to(ROOT) else args.dataset}: {len(interactions)} interactions, "
          f"seed {args.seed}: halves of {len(first)} and {len(second)}; each half coached in turn, the other evaluated")
    default = Scorer()
    service = ScoringService()
    service.scorer = default
    banked = {
        f"{cid}.{iid}"
        for language in LANGUAGES
        for cid, c in load_rubric(f"default-{language}").criteria.items()
        for iid, item in c.items.items()
        if isinstance(item.params.get("bank"), str)
    }
    every: list[dict] = []
    for fold, (coached, evaluated) in enumerate(((first, second), (second, first)), start=1):
        print(f"\n=== fold {fold}: {len(coached)} coached, {len(evaluated)} evaluated ===")
        rows = run_fold(default, service, coached, evaluated, labels)
        table(rows, banked)
        every += rows
    print("\n=== both folds ===")
    table(every, banked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
