"""Scores with a coach's verdicts in place, computed by hand from the rubric YAML's weights (not with the code under test)."""

from __future__ import annotations

import yaml

from conftest import ROOT

SHORT_CALL = [  # fails closing items: no recap, no other needs asked, no farewell
    ("agent", "Service client Énergie Plus, bonjour. Je m'appelle Julie. Que puis-je faire pour vous ?"),
    ("customer", "Bonjour, ma facture de mars est deux fois plus élevée que d'habitude."),
    ("agent", "Si je comprends bien, votre facture de mars a doublé par rapport aux mois précédents. C'est bien cela ?"),
    ("customer", "Oui, c'est ça."),
    ("agent", "Je vérifie votre compte. Vous avez consommé davantage en février, la facture est donc juste. Merci de votre appel."),
]


def rubric_weights(rubric_id: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Criterion weights, item weights ("criterion.item") and the combination, read from the YAML file itself."""
    spec = yaml.safe_load((ROOT / "qualicall" / "rubrics" / f"{rubric_id}.yaml").read_text(encoding="utf-8"))
    criteria = {cid: float(c["weight"]) for cid, c in spec["criteria"].items()}
    items = {f"{cid}.{iid}": float(i.get("weight", 1)) for cid, c in spec["criteria"].items() for iid, i in c["items"].items()}
    return criteria, items, {k: float(v) for k, v in spec.get("combination", {"quality": 70, "operational": 30}).items()}


def scores_by_hand(result: dict, overrides: dict[str, str]) -> dict:
    """Criterion, quality and overall scores of `result` with `overrides` ("criterion.item" → status) in place."""
    criterion_weights, item_weights, combination = rubric_weights(result["rubric"]["id"])
    criteria = {}
    for cid, criterion in result["criteria"].items():
        passed = applicable = 0.0
        for iid, item in criterion["items"].items():
            status = overrides.get(f"{cid}.{iid}", item["status"])
            if status != "not_applicable":
                applicable += item_weights[f"{cid}.{iid}"]
                passed += item_weights[f"{cid}.{iid}"] if status == "passed" else 0
        criteria[cid] = 100 * passed / applicable if applicable else None
    present = {cid: s for cid, s in criteria.items() if s is not None}
    quality = sum(criterion_weights[c] * s for c, s in present.items()) / sum(criterion_weights[c] for c in present)
    operational = result["operational_score"]
    if operational is None:
        overall = quality
    else:
        overall = (combination["quality"] * quality + combination["operational"] * operational) / (combination["quality"] + combination["operational"])
    return {"criteria": criteria, "quality": quality, "overall": overall}


def failed(result: dict) -> list[str]:
    return [f"{c}.{i}" for c, crit in result["criteria"].items() for i, item in crit["items"].items() if item["status"] == "failed"]
