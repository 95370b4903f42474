"""Interaction files as CRMs and spreadsheets export them: a UTF-8 byte-order mark (Windows tools write one) is no
part of the first record, in `qualicall score`'s reader, the batch planner's read-back and the report's reader."""

from __future__ import annotations

import json
from pathlib import Path

from qualicall.core.interaction import InteractionError, read_interactions

BOM = "\ufeff"
RECORD = {"id": "bom-1", "language": "fr", "turns": [{"speaker": "agent", "text": "Bonjour, je vous écoute."}]}
OTHER = {**RECORD, "id": "bom-2"}


def test_a_json_file_with_a_byte_order_mark_reads_as_without(tmp_path):
    one_line = tmp_path / "one.json"
    one_line.write_text(BOM + json.dumps(RECORD), encoding="utf-8")
    indented = tmp_path / "indented.json"
    indented.write_text(BOM + json.dumps(RECORD, indent=2), encoding="utf-8")
    lines = tmp_path / "two.jsonl"
    lines.write_text(BOM + json.dumps(RECORD) + "\n" + json.dumps(OTHER) + "\n", encoding="utf-8")
    read = {path.name: list(read_interactions(path)) for path in (one_line, indented, lines)}
    assert not [r for records in read.values() for r in records if isinstance(r, InteractionError)], read
    assert {name: [r.id for r in records] for name, records in read.items()} == {
        "one.json": ["bom-1"], "indented.json": ["bom-1"], "two.jsonl": ["bom-1", "bom-2"],
    }


def test_the_batch_reads_back_the_first_line_of_a_file_with_a_byte_order_mark(tmp_path):
    from qualicall.batch.items import Planner

    lines = tmp_path / "night.jsonl"
    lines.write_text(BOM + json.dumps(RECORD) + "\n" + json.dumps(OTHER) + "\n", encoding="utf-8")
    planner = Planner("r@1", lambda: "engine-model", (".wav",), set())
    planner.add(lines)
    plan = planner.finish()
    assert not plan.problems
    assert [json.loads(item.record_text())["id"] for item in plan.items] == ["bom-1", "bom-2"]


def test_results_with_a_byte_order_mark_are_read_by_the_report(tmp_path):
    from qualicall.reports.frame import read_results

    results = tmp_path / "results.jsonl"
    results.write_text(BOM + json.dumps({"interaction_id": "a"}) + "\n" + json.dumps({"interaction_id": "b"}) + "\n", encoding="utf-8")
    assert [r["interaction_id"] for r in read_results([results])] == ["a", "b"]
