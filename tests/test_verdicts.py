"""Every verdict on the labelled sets is what tests/data/verdicts/ recorded: a refactoring or a speed-up
changes none. A change meant to change verdicts rewrites those files (make.py there) and says why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

VERDICTS = Path(__file__).resolve().parent / "data" / "verdicts"
sys.path.insert(0, str(VERDICTS))

from make import SETS, verdicts  # noqa: E402


@pytest.mark.parametrize("name", sorted(SETS))
def test_verdicts_are_the_recorded_ones(name: str, scorer) -> None:  # type: ignore[no-untyped-def]
    if not SETS[name].exists():
        pytest.skip(f"{SETS[name]} is absent")
    recorded = json.loads((VERDICTS / f"{name}.json").read_text(encoding="utf-8"))
    now = verdicts(SETS[name], scorer)
    changed = [
        f"{interaction_id} {criterion_id}: {recorded[interaction_id][criterion_id]} → {now[interaction_id][criterion_id]}"
        for interaction_id in recorded
        for criterion_id in recorded[interaction_id]
        if now.get(interaction_id, {}).get(criterion_id) != recorded[interaction_id][criterion_id]
    ]
    assert set(now) == set(recorded)
    assert not changed, f"{len(changed)} verdicts changed:\n" + "\n".join(changed[:20])
