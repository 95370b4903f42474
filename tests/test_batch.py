"""`qualicall batch` (issue 7): text batch end to end, corrupt input, resume after kill -9, workers 1 = 2,
CSV manifests, the journal, Ray. Runs are in process (the `cli` fixture; the worker processes are real), but
for the one killed with -9 and the Ray runs: real `qualicall batch` command lines. The corpus is made here
from the bundled examples (ids and indicators varied, so every record has its own content)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

RECORDS = 36


def make_corpus(folder: Path, records: int = RECORDS) -> dict[str, int]:
    """A night's transcripts and the faults a night brings; returns how many of each there are."""
    folder.mkdir(parents=True, exist_ok=True)
    base = [json.loads(line) for line in (EXAMPLES / "interactions.jsonl").read_text().splitlines() if line.strip()]
    lines = []
    for number in range(records):
        record = json.loads(json.dumps(base[number % len(base)]))
        record["id"] = f"night-{number:03d}-{record['id']}"
        record["indicators"] = {**record.get("indicators", {}), "wait_time_s": 5 + 7 * number}
        lines.append(json.dumps(record, ensure_ascii=False))
    (folder / "calls.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    single = json.loads((EXAMPLES / "call-fr.json").read_text())
    single["id"] = "single-file-call"
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "single.json").write_text(json.dumps(single, ensure_ascii=False, indent=2), encoding="utf-8")
    # Faults: a line cut in the middle, a record without turns or recording, a file that is not text.
    broken = json.dumps(base[1])[:80]
    no_content = json.dumps({"id": "no-content", "channel": "voice"})
    good = dict(base[2], id="good-after-bad-lines")
    (folder / "damaged.jsonl").write_text(f"{broken}\n{no_content}\n{json.dumps(good)}\n", encoding="utf-8")
    (folder / "garbage.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe not json")
    (folder / "notes.txt").write_text("not a source: ignored\n")
    return {"good": records + 2, "failed": 3}


def read_results(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_key(results: list[dict]) -> dict[str, dict]:
    keyed = {r["batch"]["key"]: r for r in results}
    assert len(keyed) == len(results), "a record was written twice"
    return keyed


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("night")
    return folder, make_corpus(folder)


@pytest.fixture(scope="module")
def clean_run(cli, corpus, tmp_path_factory):
    """One uninterrupted run with one worker: the reference the other runs must equal."""
    folder, counts = corpus
    out = tmp_path_factory.mktemp("clean") / "results.jsonl"
    done = cli("batch", str(folder), "--out", str(out), "--workers", "1", "--no-progress")
    return out, done


@pytest.mark.slow
def test_text_batch_scores_every_good_record_and_reports_the_bad_ones(corpus, clean_run):
    from qualicall.scorer.rubric import load_rubric

    # Rubrics chosen by language: the key names every default rubric's version, so that a new one rescores.
    # Each default rubric's id@version and the start of its text's hash.
    rubric_tag = r"\+".join(rf"{r.id}@{r.version}#[0-9a-f]{{12}}" for r in map(load_rubric, ("default-fr", "default-en")))
    folder, counts = corpus
    out, done = clean_run
    assert done.returncode == 1, done.stderr  # some records failed
    results = read_results(out)
    keyed = by_key(results)
    ids = sorted(r["interaction_id"] for r in results)
    assert len(ids) == counts["good"] and len(set(ids)) == len(ids)
    assert "single-file-call" in ids and "good-after-bad-lines" in ids
    for result in results:
        assert set(result["criteria"]) == {"greeting", "comprehensible_language", "reformulation", "closing", "complaint_handling"}
        key = result["batch"]["key"]
        assert re.fullmatch(rf"[0-9a-f]{{32}}/{rubric_tag}/text", key) and key in keyed, key
    # Indicators of each record are its own: wait times vary, so do operational scores.
    night = sorted((r for r in results if r["interaction_id"].startswith("night-")), key=lambda r: r["interaction_id"])
    waits = [r["indicators"]["wait_time_s"]["value"] for r in night]
    assert waits == [5 + 7 * n for n in range(RECORDS)]
    # Redaction is on by default, as in `qualicall score`: the agents' first names are not left in the evidence.
    written = out.read_text(encoding="utf-8")
    assert "Sophie" not in written and "Karim" not in written and "[NAME]" in written
    # The summary and the failures file name each bad record.
    assert f"scored {counts['good']}, skipped 0 already done, failed {counts['failed']}" in done.stderr
    failures = [json.loads(line) for line in (out.parent / "results.failures.jsonl").read_text().splitlines()]
    sources = {f["source"]: f["reason"] for f in failures}
    assert "invalid JSON" in sources[f"{folder / 'damaged.jsonl'}:1"]
    assert "needs 'turns' or 'recording'" in sources[f"{folder / 'damaged.jsonl'}:2"]
    assert str(folder / "garbage.json") in sources
    assert "1 file(s) of other types" in done.stderr  # notes.txt


@pytest.mark.slow
def test_rerun_skips_what_is_done_and_writes_nothing(cli, corpus, clean_run):
    folder, counts = corpus
    out, _ = clean_run
    before = out.read_bytes()
    # The good files only: a re-run retries failed records, and these have none.
    done = cli("batch", str(folder / "calls.jsonl"), str(folder / "sub"), "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert f"scored 0, skipped {RECORDS + 1} already done, failed 0" in done.stderr
    assert out.read_bytes() == before


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def _started_batch(folder: Path, out: Path) -> subprocess.Popen:
    """`qualicall batch` as a real command line, once it has written a first result beyond what `out` held."""
    held = out.stat().st_size if out.exists() else 0
    command = [sys.executable, "-m", "qualicall", "batch", str(folder), "--out", str(out), "--workers", "1", "--no-progress"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and out.stat().st_size > held:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be stopped"
    return process


def test_kill_9_mid_run_then_resume_on_two_workers_equals_a_clean_run_on_one(cli, corpus, clean_run, tmp_path):
    """Also the smoke test of `batch`: the stopped and killed runs are real command lines."""
    folder, counts = corpus
    out = tmp_path / "results.jsonl"
    # A service manager's stop (SIGTERM): as Ctrl-C, the summary and status 128 + 15 (it died at once, leaking the pool's
    # semaphores, with no summary).
    process = _started_batch(folder, out)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert "(interrupted: run the same command again to go on)" in stderr and "leaked" not in stderr and "Traceback" not in stderr
    process = _started_batch(folder, out)
    workers = [c for c in _children(process.pid)]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    # The workers die with it (none goes on scoring into a file nobody will write).
    for pid in workers:
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        assert not _alive(pid), f"worker {pid} outlived the killed batch"
    partial = read_results(out)
    assert 0 < len(partial) < counts["good"]
    # As if the kill had cut a line in the middle of its write: the resume repairs it.
    with out.open("a", encoding="utf-8") as stream:
        stream.write('{"interaction_id": "night-0')
    # Resumed on two workers: the result set is the one-worker clean run's, line for line.
    done = cli("batch", str(folder), "--out", str(out), "--workers", "2", "--no-progress")
    assert done.returncode == 1, done.stderr
    assert f"scored {counts['good'] - len(partial)}, skipped {len(partial)} already done" in done.stderr
    assert "last line was cut" in done.stderr
    final = read_results(out)
    assert final[: len(partial)] == partial  # what was written before the kill is kept as it was
    assert by_key(final) == by_key(read_results(clean_run[0]))


def test_ctrl_c_twice_stops_at_once_without_a_traceback(corpus, tmp_path):
    """A night operator's review: a second Ctrl-C printed a traceback of concurrent.futures' exit, then the batch waited
    for its workers' current recordings (ten minutes). The workers ignore SIGINT: they are ended now."""
    folder, _ = corpus
    process = _started_batch(folder, tmp_path / "results.jsonl")
    workers = _children(process.pid)
    try:
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=60)
    finally:  # a batch left waiting must not outlive the test (it did, with its worker)
        for pid in (process.pid, *workers):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    assert time.monotonic() - started < 15 and "(interrupted: run the same command again to go on)" in stderr


def test_a_worker_killed_mid_run_costs_no_record(corpus, clean_run, tmp_path):
    """A night operator's review: one worker killed with -9 failed every record in flight with it (« a worker process died
    while on it »), a recording the decoder refuses losing its own reason. Now those are run again one at a time in a new
    pool: a record that kills its worker alone fails; the others are scored."""
    folder, counts = corpus
    out = tmp_path / "results.jsonl"
    process = _started_batch(folder, out)
    workers = [pid for pid in _children(process.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(workers) == 1, workers
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, stderr  # the corpus's damaged records, as in a clean run
    assert f"scored {counts['good']}, skipped 0 already done" in stderr and "worker process died" not in stderr, stderr
    assert by_key(read_results(out)) == by_key(read_results(clean_run[0]))


@pytest.mark.slow
def test_ray_backend_and_store_write_once_through_the_same_resume_logic(corpus, clean_run, tmp_path):
    pytest.importorskip("ray")
    folder, _ = corpus
    out = tmp_path / "results.jsonl"
    database = f"sqlite:///{tmp_path / 'qualicall.db'}"
    env = {**os.environ, "QUALICALL_DATABASE_URL": database, "QUALICALL_DATA_DIR": str(tmp_path / "data")}
    sources = [str(folder / "sub" / "single.json"), str(folder / "damaged.jsonl")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "qualicall", "batch", *sources, "--out", str(out), "--store", "--no-progress", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    clean = by_key(read_results(clean_run[0]))
    single = next(r for r in clean.values() if r["interaction_id"] == "single-file-call")
    # One record already there: Ray scores the other good one (the damaged file's last line) and skips it.
    out.write_text(json.dumps(single, ensure_ascii=False) + "\n")
    done = run("--backend", "ray", "--workers", "1")
    assert "scored 1, skipped 1 already done, failed 2, stored 1 in the database" in done.stderr, done.stderr
    results = by_key(read_results(out))
    assert results == {k: clean[k] for k in results}
    assert {r["interaction_id"] for r in results.values()} == {"single-file-call", "good-after-bad-lines"}

    from qualicall.store.db import Store
    from qualicall.store.repository import get_interaction, result_versions

    def stored() -> tuple[dict, list]:
        store = Store(database)
        with store.session() as session:
            row = get_interaction(session, "good-after-bad-lines")
            found = (dict(row.data), [dict(v.data) for v in result_versions(session, row.id)])
        store.close()
        return found

    interaction, versions = stored()
    # Stored as the API stores it: redacted transcript, the result as written to the output.
    assert "Karim" not in json.dumps(interaction) and "[NAME]" in json.dumps(interaction)
    assert [v["batch"]["key"] for v in versions] == [r["batch"]["key"] for r in results.values() if r["interaction_id"] == "good-after-bad-lines"]
    # Killed after the database and before the output: the re-run scores it again, and stores no second version.
    lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(line for line in lines if '"good-after-bad-lines"' not in line) + "\n", encoding="utf-8")
    done = run("--workers", "1")
    assert "scored 1, skipped 1 already done, failed 2 in" in done.stderr, done.stderr
    assert len(stored()[1]) == 1
    assert by_key(read_results(out)) == results


# --- no models: planning, manifests, the journal -------------------------------------------------

def planner(indicators=("wait_time_s", "csat", "resolved_first_contact")):
    from qualicall.batch.items import Planner

    return Planner("r@1", lambda: "engine-model", (".wav",), set(indicators))


def test_recordings_of_one_name_in_several_folders_are_several_interactions(tmp_path):
    # Folders per agent or per day are the usual layout: their 0001.wav were one interaction, its versions mixed.
    from qualicall.batch.items import Planner

    for relative in ("agentA/0001.wav", "agentB/0001.wav", "agentB/0002.wav", "days/mon/call.wav", "days/mon/call.ogg", "days/tue/call.wav"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(f"RIFF {relative}".encode())
    plan_maker = Planner("r@1", lambda: "engine-model", (".wav", ".ogg"), set())
    plan_maker.add(tmp_path)
    ids = {str(Path(i.path).relative_to(tmp_path)): i.metadata["id"] for i in plan_maker.finish().items}
    assert ids == {"agentA/0001.wav": "agentA_0001", "agentB/0001.wav": "agentB_0001", "agentB/0002.wav": "0002",
                   "days/mon/call.wav": "mon_call.wav", "days/mon/call.ogg": "mon_call.ogg", "days/tue/call.wav": "tue_call"}


def test_ids_made_from_folders_are_ids_and_each_once(tmp_path):
    # A fresh-eyes review: a file named « agentA_0001.wav » beside agentA/0001.wav took the same id; a folder « a\b »
    # gave an id the project refuses, two folders of 120 characters one of 246 characters.
    from qualicall.batch.items import Planner
    from qualicall.core.interaction import id_problem

    deep = tmp_path / ("d" * 120) / ("e" * 120)
    for path in (tmp_path / "agentA" / "0001.wav", tmp_path / "agentB" / "0001.wav", tmp_path / "agentA_0001.wav",
                 tmp_path / "a\\b" / "0003.wav", tmp_path / "x" / "0003.wav", deep / "0005.wav", tmp_path / "y" / "0005.wav"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"RIFF {path}".encode())
    plan_maker = Planner("r@1", lambda: "engine-model", (".wav",), set())
    plan_maker.add(tmp_path)
    ids = {str(Path(i.path).relative_to(tmp_path)): i.metadata["id"] for i in plan_maker.finish().items}
    assert len(set(ids.values())) == len(ids) == 7 and all(id_problem(i) is None for i in ids.values()), ids
    assert ids["a\\b/0003.wav"] == "a_b_0003" and ids["agentA/0001.wav"] == "agentA_0001" and ids["agentA_0001.wav"] == "agentA_0001-2"
    assert len(ids[str(deep.relative_to(tmp_path) / "0005.wav")]) == 200 and ids[str(deep.relative_to(tmp_path) / "0005.wav")].endswith("e_0005")


def test_csv_manifest_joins_recordings_to_metadata_and_indicators(tmp_path):
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "a.wav").write_bytes(b"RIFF fake audio a")
    (tmp_path / "audio" / "b.wav").write_bytes(b"RIFF fake audio b")
    (tmp_path / "lone.wav").write_bytes(b"RIFF fake audio lone")
    for name in ("c.wav", "d.wav"):
        (tmp_path / "audio" / name).write_bytes(b"RIFF fake audio " + name.encode())
    manifest = tmp_path / "night.csv"
    manifest.write_text(
        "recording;id;agent_id;team;wait_time_s;csat;resolved_first_contact;customer_name;abandoned\n"
        "audio/a.wav;call-a;A-1;billing;35;4,5;oui;Marie Durand;\n"
        "audio/b.wav;;A-2;billing;;;non;;\n"
        ";call-abandoned;;;140;;;;true\n"
        "audio/missing.wav;call-missing;A-3;;;;;;\n"
        ";call-nothing;;;;;;;\n",
        encoding="utf-8",
    )
    # refused when planned, not after hours of transcription: a chat given as a recording, a bad field
    (tmp_path / "more.csv").write_text(
        "recording;id;channel;started_at\naudio/c.wav;call-c;chat;\naudio/d.wav;call-d;voice;le 3 novembre\n", encoding="utf-8"
    )
    plan_maker = planner()
    plan_maker.add(tmp_path)
    plan = plan_maker.finish()
    audio = {Path(i.path).name: i for i in plan.items if i.kind == "audio"}
    assert set(audio) == {"a.wav", "b.wav", "lone.wav"}  # the lone recording too, not a.wav twice; c and d refused
    assert audio["a.wav"].metadata == {
        "id": "call-a", "agent_id": "A-1", "team": "billing", "customer_name": "Marie Durand",
        "indicators": {"wait_time_s": 35, "csat": 4.5, "resolved_first_contact": True},
    }
    assert audio["b.wav"].metadata == {"id": "b", "agent_id": "A-2", "team": "billing", "indicators": {"resolved_first_contact": False}}
    assert audio["lone.wav"].metadata == {"id": "lone"}
    assert all(i.key.endswith("/r@1/engine-model") for i in audio.values())
    abandoned = [json.loads(i.record_text()) for i in plan.items if i.kind == "text"]
    assert abandoned == [{"id": "call-abandoned", "abandoned": True, "indicators": {"wait_time_s": 140}}]
    problems = {p.source.rsplit(":", 1)[1]: p.reason for p in plan.problems if p.source.startswith(str(manifest))}
    assert "no such file" in problems["5"] and "no recording" in problems["6"]
    more = sorted(str(p) for p in plan.problems if "more.csv" in p.source)
    assert more == [
        f"{tmp_path / 'more.csv'}:2 (id 'call-c'): record: channel: 'chat' with a recording and no turns: a recording is"
        " transcribed as a call (expected 'voice', or the written contact's turns)",
        f"{tmp_path / 'more.csv'}:3 (id 'call-d'): started_at: 'le 3 novembre' is not an ISO 8601 date and time"
        " (2026-11-02T09:14:03+01:00)",
    ], more


def test_keys_change_with_content_rubric_and_model(tmp_path):
    from qualicall.batch.items import Planner

    (tmp_path / "a.jsonl").write_text('{"id": "x", "turns": []}\n{"id": "x", "turns": [] }\n')
    (tmp_path / "a.wav").write_bytes(b"RIFF")

    def keys(rubric: str, model: str) -> list[str]:
        maker = Planner(rubric, lambda: model, (".wav",), set())
        maker.add(tmp_path)
        return [i.key for i in maker.finish().items]

    first = keys("r@1", "m1")
    assert len(set(first)) == 3  # the two lines differ by a space: two contents
    assert keys("r@1", "m1") == first
    assert keys("r@2", "m1")[1:] != first[1:]
    assert keys("r@1", "m2")[0] != first[0] and keys("r@1", "m2")[1:] == first[1:]  # text keys ignore the model


def test_a_rubric_edited_under_the_same_version_tags_other_keys(tmp_path):
    """(A deployment changed a threshold and kept its version: the re-run skipped every record as done, keeping results
    its rubric contradicts.)"""
    from qualicall.batch.runner import rubric_tag
    from qualicall.scorer.rubric import rubric_path

    text = rubric_path("default-fr").read_text(encoding="utf-8")
    first, edited = tmp_path / "acme.yaml", tmp_path / "acme-edited.yaml"
    first.write_text(text, encoding="utf-8")
    edited.write_text(text.replace("min_score: 60", "min_score: 10", 1), encoding="utf-8")
    assert text.count("min_score: 60") >= 1
    tags = [rubric_tag(str(path))[0] for path in (first, edited, first)]
    assert tags[0] == tags[2] != tags[1]
    assert tags[0].startswith("default-fr@27#") and tags[1].startswith("default-fr@27#")
    # A line written before keys held the text's hash counts as done under the same id@version: an upgrade scores nothing
    # again (a fresh-eyes review saw every record scored twice into the same output).
    from qualicall.batch.items import make_key, without_text_hash

    assert without_text_hash(make_key("c" * 64, tags[0], "text")) == make_key("c" * 64, "default-fr@27", "text")


def test_results_written_before_keys_held_the_rubric_text_hash_are_done(cli, tmp_path):
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "k1", "language": "fr", "turns": [{"speaker": "agent", "text": "Bonjour, au revoir."}]}) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert cli("batch", calls, "--out", out, "--no-progress", "--workers", "1").returncode == 0
    line = json.loads(out.read_text(encoding="utf-8"))
    assert "#" in line["batch"]["key"]
    content, rubrics, kind = line["batch"]["key"].split("/")
    line["batch"]["key"] = "/".join([content, "+".join(rubric.split("#")[0] for rubric in rubrics.split("+")), kind])
    out.write_text(json.dumps(line) + "\n", encoding="utf-8")  # as the version before wrote it: id@version alone
    again = cli("batch", calls, "--out", out, "--no-progress", "--workers", "1")
    assert "scored 0, skipped 1 already done" in again.stderr and len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_journal_repairs_a_torn_line_refuses_foreign_files_and_a_second_writer(tmp_path):
    from qualicall.batch.journal import JournalError, ResultJournal

    path = tmp_path / "out.jsonl"
    with ResultJournal(path) as journal:
        journal.append([json.dumps({"batch": {"key": "k1"}}), json.dumps({"batch": {"key": "k2"}})])
        with pytest.raises(JournalError, match="another qualicall batch"):
            ResultJournal(path).open()
    with path.open("ab") as stream:
        stream.write(b'{"batch": {"key": "k3"')
    journal = ResultJournal(path).open()
    assert journal.done == {"k1", "k2"} and journal.repaired_bytes == len(b'{"batch": {"key": "k3"')
    journal.append([json.dumps({"batch": {"key": "k3"}})])
    journal.close()
    assert [json.loads(line)["batch"]["key"] for line in path.read_text().splitlines()] == ["k1", "k2", "k3"]
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"interaction_id": "a"}\n{"interaction_id": "b"}\n')
    with pytest.raises(JournalError, match="foreign.jsonl:1: not a line written by qualicall batch"):
        ResultJournal(foreign).open()


def test_bad_options_are_one_line_errors(cli, tmp_path):
    done = cli("batch", str(tmp_path), "--out", str(tmp_path / "o.jsonl"), "--backend", "spark")
    assert done.returncode == 2 and done.stderr.strip() == "qualicall: error: unknown backend 'spark' (use local or ray)"
    done = cli("batch", str(tmp_path), "--out", str(tmp_path / "o.jsonl"), "--rubric", "no-such-rubric")
    assert done.returncode == 2 and "no-such-rubric" in done.stderr and "Traceback" not in done.stderr


def test_summary_of_cut_transcripts_blames_the_decoder_pass_budget_not_the_load():
    # The budget counts decoder passes since a13bb79: telling the user to lower the load or the workers would
    # send them after a cause that no longer cuts anything.
    from qualicall.batch.runner import Summary

    lines = Summary(scored=3, audio_seconds=540.0, wall_seconds=60.0, asr_cut=2).lines()
    cut = next(line for line in lines if line.startswith("2 recording(s) transcribed only in part"))
    assert "decoder passes" in cut and "batch.asr_cut" in cut
    assert "overloaded" not in cut and "workers" not in cut and "time budget" not in cut
    assert not any("transcribed only in part" in line for line in Summary(scored=3, audio_seconds=540.0, wall_seconds=60.0).lines())


def test_a_done_records_copy_is_counted_as_a_duplicate_on_the_next_run(cli, tmp_path):
    """(The resume counted it « already done »: more records done than the output held.)"""
    record = json.dumps({"id": "d1", "language": "fr", "turns": [{"speaker": "agent", "text": "Bonjour, au revoir."}]})
    calls = tmp_path / "calls.jsonl"
    calls.write_text(record + "\n" + record + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = cli("batch", calls, "--out", out, "--no-progress", "--workers", "1")
    assert "scored 1, skipped 0 already done and 1 duplicate(s) of another record" in first.stderr
    again = cli("batch", calls, "--out", out, "--no-progress", "--workers", "1")
    assert "scored 0, skipped 1 already done and 1 duplicate(s) of another record" in again.stderr, again.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "id(s) given to records of different content" not in first.stderr  # one record, twice: no shared id


def test_an_id_given_to_two_different_records_is_said(cli, tmp_path):
    """A night operator's review: « nuit-007 » twice, with other turns, scored twice in silence; the report counted an agent
    two contacts for one."""
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(json.dumps({"id": rid, "language": "fr", "turns": [{"speaker": "agent", "text": text}]}) + "\n"
                             for rid, text in (("nuit-007", "Bonjour, au revoir."), ("nuit-008", "Bonjour."), ("nuit-007", "Bonsoir, au revoir."))),
                     encoding="utf-8")
    done = cli("batch", calls, "--out", tmp_path / "out.jsonl", "--no-progress", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert ("qualicall: 1 id(s) given to records of different content (nuit-007): each scored, and a report counts one contact"
            " per id, its last result") in done.stderr


def test_a_missing_source_is_a_one_line_error_and_an_empty_folder_is_said(cli, tmp_path):
    """A night operator's review: a missing source was « failed 1 », exit 1 as for a bad record (the README: 2 for an
    unusable input); an empty folder (an unmounted share) scored 0 in silence, exit 0."""
    missing = cli("batch", tmp_path / "nope", "--out", tmp_path / "out.jsonl", "--no-progress")
    assert missing.returncode == 2 and missing.stderr == f"qualicall: error: {tmp_path / 'nope'}: no such file or folder\n"
    (tmp_path / "empty").mkdir()
    empty = cli("batch", tmp_path / "empty", "--out", tmp_path / "out.jsonl", "--no-progress")
    assert empty.returncode == 0 and f"qualicall: warning: nothing to score in {tmp_path / 'empty'}" in empty.stderr, empty.stderr
