"""The `qualicall` command end to end, on the bundled example and on malformed input: in process (the `cli`
fixture), but for one real command line per command group (score, rubric)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import EXAMPLES, run_cli


@pytest.mark.slow
def test_score_example_table_shows_scorecard_with_evidence():
    """The smoke test of `score`: the installed entry point, UTF-8 through a real pipe."""
    done = run_cli("score", str(EXAMPLES / "call-fr.json"), "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "exemple-fr-001" in done.stdout
    assert "Salutation" in done.stdout and "✔ conforme" in done.stdout  # a French call's scorecard is in French
    assert "« bonjour » — tour 0 (" in done.stdout  # evidence text


def test_score_one_interaction_prints_one_json_object(cli):
    done = cli("score", str(EXAMPLES / "call-fr.json"))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["interaction_id"] == "exemple-fr-001"
    assert result["rubric"]["id"] == "default-fr" and result["rubric"]["version"] == "27"
    assert set(result["criteria"]) == {"greeting", "comprehensible_language", "reformulation", "closing", "complaint_handling"}
    salutation = result["criteria"]["greeting"]["items"]["salutation"]
    evidence = salutation["evidence"][0]
    turn_text = json.loads((EXAMPLES / "call-fr.json").read_text())["turns"][evidence["turn"]]["text"]
    assert turn_text[evidence["start_char"] : evidence["end_char"]] == evidence["text"] == "bonjour"
    assert 0.5 <= evidence["time"] <= 6.2


def test_score_jsonl_writes_one_line_per_interaction(cli, tmp_path):
    out = tmp_path / "results.jsonl"
    done = cli("score", str(EXAMPLES / "interactions.jsonl"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["interaction_id"] for r in lines] == ["exemple-fr-001", "example-en-001", "exemple-chat-001"]
    assert lines[1]["language"] == "en" and lines[1]["rubric"]["id"] == "default-en"


def test_csv_has_a_row_per_interaction_and_item_columns(cli):
    done = cli("score", str(EXAMPLES / "interactions.jsonl"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert "greeting.salutation" in header.split(",") and "overall_score" in header.split(",")
    assert len(rows) == 3


def test_csv_writes_ids_a_spreadsheet_would_run_as_text(cli, tmp_path):
    record = json.loads((EXAMPLES / "interactions.jsonl").read_text().splitlines()[0])
    record |= {"agent_id": "=HYPERLINK(\"x\")", "team": "@SUM(1+1)", "queue": "-2+3"}
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    done = cli("score", str(path), "--format", "csv")
    assert done.returncode == 0, done.stderr
    row = next(csv.DictReader(io.StringIO(done.stdout)))
    assert (row["agent_id"], row["team"], row["queue"]) == ("'=HYPERLINK(\"x\")", "'@SUM(1+1)", "'-2+3")
    assert float(row["overall_score"]) > 0


def test_bad_records_are_reported_with_line_and_skipped(cli, tmp_path):
    good = (EXAMPLES / "interactions.jsonl").read_text().splitlines()[0]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text(
        "\n".join(
            [
                good,
                "{not json",
                json.dumps({"turns": [{"speaker": "agent", "text": "bonjour"}]}),
                json.dumps({"id": "x2", "turns": [{"text": "bonjour"}]}),
                json.dumps({"id": "x3", "channel": "fax", "turns": []}),
            ]
        )
        + "\n"
    )
    done = cli("score", str(bad), "--format", "jsonl")
    assert done.returncode == 1
    assert [json.loads(line)["interaction_id"] for line in done.stdout.splitlines()] == ["exemple-fr-001"]
    errors = done.stderr.splitlines()
    assert any(":2: invalid JSON" in e for e in errors)
    assert any(":3:" in e and "id: field required" in e for e in errors)
    assert any(":4 (id 'x2')" in e and "turns[0].speaker: field required" in e for e in errors)
    assert any(":5 (id 'x3')" in e and "channel" in e and "'fax'" in e for e in errors)
    assert not any("Traceback" in e for e in errors)


def test_unknown_rubric_and_missing_file_give_one_line_errors(cli, tmp_path):
    done = cli("score", str(EXAMPLES / "call-fr.json"), "--rubric", "nope")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "unknown rubric 'nope'" in done.stderr
    done = cli("score", str(tmp_path / "absent.json"))
    assert done.returncode == 2 and "no such file" in done.stderr and "Traceback" not in done.stderr  # README: unusable input


def test_rubric_list_show_validate(cli):
    listed = cli("rubric", "list")
    assert listed.returncode == 0 and "default-fr" in listed.stdout and "default-en" in listed.stdout
    shown = cli("rubric", "show", "default-en")
    assert shown.returncode == 0 and shown.stdout == (EXAMPLES.parent / "qualicall" / "rubrics" / "default-en.yaml").read_text(encoding="utf-8")
    valid = cli("rubric", "validate", "default-fr", "default-en")
    assert valid.returncode == 0 and valid.stdout.count(": ok") == 2


def test_rubric_validate_reports_every_problem_with_its_yaml_path(tmp_path):
    """The smoke test of `rubric`: a real command line, its exit status and stderr."""
    text = (EXAMPLES.parent / "qualicall" / "rubrics" / "default-fr.yaml").read_text()
    text = text.replace("check: organization", "check: no_such_check", 1)
    text = text.replace("weight: 20", "weight: lots", 1)
    text = text.replace("min_score: 60", "min_score: sixty", 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    done = run_cli("rubric", "validate", str(broken))
    assert done.returncode == 1
    assert "criteria.greeting.items.organization.check" in done.stderr and "unknown check 'no_such_check'" in done.stderr
    assert "criteria.greeting.weight" in done.stderr
    assert "criteria.comprehensible_language.items.readability.params.min_score" in done.stderr
    assert "(line " in done.stderr


def test_custom_rubric_changes_weights_without_code(cli, tmp_path):
    text = (EXAMPLES.parent / "qualicall" / "rubrics" / "default-en.yaml").read_text()
    custom = tmp_path / "acme.yaml"
    custom.write_text(text.replace("id: default-en", "id: acme-en").replace("combination: {quality: 70, operational: 30}", "combination: {quality: 50, operational: 50}"))
    done = cli("score", str(EXAMPLES / "call-fr.json"), "--rubric", str(custom))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rubric"]["id"] == "acme-en"
    # (the two scores are printed rounded to 0.01: their mean is the overall score within that)
    assert abs(result["overall_score"] - (result["quality_score"] + result["operational_score"]) / 2) <= 0.01


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """`qualicall score … | head -1`: the pipe's reader leaves after one line; the command stops without an error message
    (it once printed « error: Broken pipe » and exited 2), with the status of a process a closed pipe ends (141)."""
    import subprocess
    import sys

    from conftest import ROOT

    records = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    many = tmp_path / "many.jsonl"  # results well beyond a pipe's 64 kB buffer
    many.write_text("".join(json.dumps({**r, "id": f"{r['id']}-{n}"}) + "\n" for n in range(12) for r in records), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "qualicall", "score", str(many), "--format", "jsonl"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 141 and json.loads(first)["interaction_id"].endswith("-0")
    assert stderr == ""


def test_what_a_command_writes_is_its_users_alone(tmp_path):
    """A result, like a batch's results and failures or a learned rubric, may quote a customer: written 0600 in 0700
    folders whatever the shell's umask (they were world-readable: a data protection officer's review)."""
    import os
    import stat

    previous = os.umask(0o022)  # the usual shell's, inherited by the command
    try:
        done = run_cli("score", str(EXAMPLES / "call-fr.json"), "--out", str(tmp_path / "new" / "result.json"))
    finally:
        os.umask(previous)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "new" / "result.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
