"""Personal-data redaction: recall and precision per type, and the cost next to scoring.

    python benchmarks/pii.py                   # held-out half (split "test") of tests/data/pii_utterances.jsonl
    python benchmarks/pii.py --split dev       # the half the recognizers were tuned on
    python benchmarks/pii.py --split blind     # 70 more, written after the last change, measured once
    python benchmarks/pii.py --cost            # + redaction vs scoring time per interaction

A planted value counts as found when a span of its type overlaps it; it
"leaks" when any of its letters or digits is left outside every redacted
span. A redacted span is correct when it overlaps a planted value of its type.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's qualicall, not another installed one
DATA = ROOT / "tests" / "data" / "pii_utterances.jsonl"
DEV_SET = ROOT.parent / "shared" / "data" / "dev" / "interactions.jsonl"


def evaluate(records: list[dict]) -> dict:
    from qualicall.privacy import Redactor

    redactor = Redactor()
    planted, found, leaked = Counter(), Counter(), Counter()
    predicted, correct = Counter(), Counter()
    misses: list[str] = []
    for record in records:
        spans = redactor.find(record["text"], record["language"])
        gold = record["pii"]
        for g in gold:
            planted[g["type"]] += 1
            if any(k == g["type"] and s < g["end"] and g["start"] < e for k, s, e in spans):
                found[g["type"]] += 1
            else:
                misses.append(f"  missed {g['type']}: {record['text']!r}")
            uncovered = [i for i in range(g["start"], g["end"]) if record["text"][i].isalnum() and not any(s <= i < e for _, s, e in spans)]
            if uncovered:
                leaked[g["type"]] += 1
                misses.append(f"  leaked {g['type']} {''.join(record['text'][i] for i in uncovered)!r}: {record['text']!r}")
        for kind, start, end in spans:
            predicted[kind] += 1
            if any(g["type"] == kind and start < g["end"] and g["start"] < end for g in gold):
                correct[kind] += 1
            else:
                misses.append(f"  false {kind} {record['text'][start:end]!r}: {record['text']!r}")
    return {"planted": planted, "found": found, "leaked": leaked, "predicted": predicted, "correct": correct, "misses": misses}


def report(figures: dict, verbose: bool) -> None:
    planted, found, leaked, predicted, correct = (figures[k] for k in ("planted", "found", "leaked", "predicted", "correct"))
    print(f"{'type':<8} {'planted':>7} {'recall':>7} {'leaked':>6} {'flagged':>7} {'precision':>9}")
    for kind in sorted(set(planted) | set(predicted)):
        recall = found[kind] / planted[kind] if planted[kind] else float("nan")
        precision = correct[kind] / predicted[kind] if predicted[kind] else float("nan")
        print(f"{kind:<8} {planted[kind]:>7} {recall:>7.3f} {leaked[kind]:>6} {predicted[kind]:>7} {precision:>9.3f}")
    total_recall = sum(found.values()) / max(1, sum(planted.values()))
    total_precision = sum(correct.values()) / max(1, sum(predicted.values()))
    print(f"{'all':<8} {sum(planted.values()):>7} {total_recall:>7.3f} {sum(leaked.values()):>6} {sum(predicted.values()):>7} {total_precision:>9.3f}")
    if verbose:
        print("\n".join(figures["misses"]))


def cost() -> None:
    """Redaction time per interaction against scoring time, on the dev set (or the examples)."""
    from qualicall.privacy import Redactor, redact_scored
    from qualicall.scorer.engine import Scorer
    from qualicall.core.interaction import read_interactions

    source = DEV_SET if DEV_SET.exists() else ROOT / "examples" / "interactions.jsonl"
    interactions = [i for i in read_interactions(source) if not isinstance(i, Exception) and i.turns]
    scorer, redactor = Scorer(), Redactor()
    results = [scorer.score(i) for i in interactions]  # warm-up: models, lexicons
    for interaction, result in zip(interactions, results):
        redact_scored(interaction, result, redactor=redactor)
    rounds = 3
    start = time.perf_counter()
    for _ in range(rounds):
        results = [scorer.score(i) for i in interactions]
    scoring = (time.perf_counter() - start) / (rounds * len(interactions))
    start = time.perf_counter()
    for _ in range(rounds):
        for interaction, result in zip(interactions, results):
            redact_scored(interaction, result, redactor=redactor)
    redaction = (time.perf_counter() - start) / (rounds * len(interactions))
    turns = sum(len(i.turns) for i in interactions) / len(interactions)
    print(f"\ncost on {source.name} ({len(interactions)} interactions, {turns:.1f} turns each, one core):")
    print(f"  scoring   {scoring * 1000:6.1f} ms / interaction ({1 / scoring:.0f} /s)")
    print(f"  redaction {redaction * 1000:6.1f} ms / interaction ({1 / redaction:.0f} /s), {redaction / scoring:.2f}× scoring")
    print(f"  both      {(scoring + redaction) * 1000:6.1f} ms / interaction ({1 / (scoring + redaction):.0f} /s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("test", "dev", "blind", "all"), default="test")
    parser.add_argument("--cost", action="store_true", help="also time redaction against scoring")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.split != "all":
        records = [r for r in records if r["split"] == args.split]
    with_pii = sum(1 for r in records if r["pii"])
    languages = Counter(r["language"] for r in records)
    print(f"{DATA.relative_to(ROOT)}, split {args.split}: {len(records)} utterances ({with_pii} with personal data, {len(records) - with_pii} without; {dict(languages)})")
    report(evaluate(records), args.verbose)
    if args.cost:
        cost()


if __name__ == "__main__":
    main()
