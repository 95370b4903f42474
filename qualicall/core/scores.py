"""Score arithmetic of quality-grid.md on item statuses, and the verdict of record.

One place for the arithmetic, used twice: by the scorer on the machine's verdicts, and by the
store when a coach overrides items (`with_verdicts`): the coach's result is scored exactly as
if the machine had given the coach's verdicts.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# What a result's rubric weighs when it records no weight (rubrics' defaults, scorer.rubric.ItemSpec).
DEFAULT_ITEM_WEIGHT = 1.0
DEFAULT_COMBINATION = {"quality": 70.0, "operational": 30.0}


def criterion_score(statuses: Mapping[str, str], weights: Mapping[str, float]) -> float | None:
    """100 × weight of passed items / weight of applicable items; None if none applies."""
    applicable = [(weights[i], status == "passed") for i, status in statuses.items() if status != "not_applicable"]
    total = sum(w for w, _ in applicable)
    if not applicable or total == 0:
        return None
    return round(100.0 * sum(w for w, ok in applicable if ok) / total, 2)


def weighted_mean(pairs: list[tuple[float, float | None]]) -> float | None:
    present = [(w, s) for w, s in pairs if s is not None]
    total = sum(w for w, _ in present)
    return round(sum(w * s for w, s in present) / total, 2) if total else None


def combine(quality: float | None, operational: float | None, weights: Mapping[str, float]) -> tuple[float | None, dict[str, Any]]:
    """Overall score from the quality and operational scores (`weights`: quality, operational), and a record of how it was made."""
    recorded = {"quality": weights["quality"], "operational": weights["operational"]}
    if quality is not None and operational is not None:
        overall = weighted_mean([(weights["quality"], quality), (weights["operational"], operational)])
        return overall, {"used": ["quality", "operational"], "weights": recorded}
    if quality is not None:
        return quality, {"used": ["quality"], "weights": recorded, "note": "no operational data: the overall score is the quality score"}
    if operational is not None:
        return operational, {"used": ["operational"], "weights": recorded, "note": "no conversation to judge: the overall score is the operational score"}
    return None, {"used": [], "weights": recorded, "note": "nothing to score"}


@dataclass(frozen=True)
class Verdict:
    """A coach's verdict on one item ("criterion.item"), the one of record."""

    status: str
    reviewer: str


def with_verdicts(result: dict[str, Any], verdicts: Mapping[str, Verdict], machine_version: int) -> dict[str, Any]:
    """The result of record: a machine result (JSON) with the coaches' verdicts in place of the machine's,
    and every score recomputed from them with the weights the result records (`rubric.thresholds`).

    Marked `source: "coach"`; the machine's figures stay beside the coach's: `machine` (its result version
    and scores), each criterion's `machine_score`, each reviewed item's `machine_status` and `reviewed_by`.
    Verdicts on items the result does not have are ignored.
    """
    out = copy.deepcopy(result)
    thresholds = (out.get("rubric") or {}).get("thresholds") or {}
    item_settings = thresholds.get("items") or {}
    for criterion_id, criterion in (out.get("criteria") or {}).items():
        items = criterion.get("items") or {}
        for item_id, item in items.items():
            verdict = verdicts.get(f"{criterion_id}.{item_id}")
            if verdict is not None:
                item["machine_status"] = item["status"]
                item["status"] = verdict.status
                item["reviewed_by"] = verdict.reviewer
        weights = {
            item_id: float((item_settings.get(f"{criterion_id}.{item_id}") or {}).get("weight", DEFAULT_ITEM_WEIGHT))
            for item_id in items
        }
        criterion["machine_score"] = criterion.get("score")
        criterion["score"] = criterion_score({item_id: item["status"] for item_id, item in items.items()}, weights)
    quality = weighted_mean([(float(c.get("weight") or 0), c.get("score")) for c in (out.get("criteria") or {}).values()])
    machine_combination = out.get("combination") or {}
    weights = machine_combination.get("weights") or thresholds.get("combination") or DEFAULT_COMBINATION
    overall, combination = combine(quality, out.get("operational_score"), weights)
    if "indicators_absent" in machine_combination:
        combination["indicators_absent"] = machine_combination["indicators_absent"]
    out["machine"] = {
        "version": machine_version,
        **{name: result.get(name) for name in ("quality_score", "operational_score", "overall_score")},
    }
    out["source"] = "coach"
    out["quality_score"], out["overall_score"], out["combination"] = quality, overall, combination
    return out


def recorded_verdicts(result: dict[str, Any]) -> dict[str, Verdict]:
    """The coaches' verdicts a result of record holds ("criterion.item" → Verdict): what `with_verdicts` put in."""
    return {
        f"{cid}.{iid}": Verdict(item["status"], item["reviewed_by"])
        for cid, c in (result.get("criteria") or {}).items()
        for iid, item in (c.get("items") or {}).items()
        if "reviewed_by" in item
    }
