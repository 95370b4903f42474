"""Every item verdict of the labelled sets (every half, core_blind, core_heldout, shared/data/dev), with the default rubrics
of the tree it runs from, into a JSON file: run it from two checkouts and compare the files, item by item, against the
labels (what a rule change moves, everywhere at once).

    cd CHECKOUT && PYTHONPATH=. python benchmarks/every_verdict.py /tmp/verdicts.json
"""
import glob
import json
import sys
from pathlib import Path

from qualicall.core.interaction import read_interactions, Interaction
from qualicall.scorer.engine import Scorer

scorer = Scorer()
verdicts = {}
files = sorted(glob.glob("tests/data/*/dev/interactions.jsonl") + glob.glob("tests/data/*/heldout/interactions.jsonl")
               + glob.glob("tests/data/*/dev/conversations.jsonl") + glob.glob("tests/data/*/heldout/conversations.jsonl")
               + ["../shared/data/dev/interactions.jsonl", "tests/data/core_blind/interactions.jsonl", "tests/data/core_heldout/interactions.jsonl"])
for f in files:
    try:
        items = list(read_interactions(Path(f)))
    except Exception:
        continue
    for it in items:
        if not isinstance(it, Interaction):
            continue
        r = scorer.score(it)
        verdicts[f + "|" + it.id] = {f"{c}.{i}": v.status for c, cr in r.criteria.items() for i, v in cr.items.items()}
json.dump(verdicts, open(sys.argv[1], "w"))
print(len(verdicts))
