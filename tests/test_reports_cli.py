"""`qualicall report` in each format, on the hand-made fixture and on the generated example month."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import EXAMPLES, run_cli
from reports_fixture import fixture_results, result

from qualicall.reports import aggregate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in fixture_results()), encoding="utf-8")
    return path


def test_json(results_file):
    """The smoke test of `report`: a real command line, JSON on a real pipe."""
    done = run_cli("report", str(results_file), "--by", "agent", "--period", "month", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["by"], report["period"]) == (["agent"], "month")
    groups = {(g["key"]["agent"], g["key"]["period"]): g for g in report["groups"]}
    assert list(groups) == [("A", "2026-11"), ("B", "2026-11"), ("C", "2026-11"), ("C", "2026-12")]
    assert groups[("C", "2026-12")]["indicators"]["email_within_48h"] == {
        "value": 0.0, "numerator": 0, "denominator": 1, "target": {"min": 95.0}, "met": False}
    assert report["total"]["indicators"]["service_level"]["numerator"] == 2


def test_csv_and_cli_settings(cli, results_file):
    done = cli("report", str(results_file), "--by", "team,channel", "-f", "csv", "--service-level-s", "30", "--short-abandon-s", "0")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["team"], r["channel"]) for r in rows] == [("T1", "chat"), ("T1", "voice"), ("T2", "email"), ("(total)", "(total)")]
    total = rows[-1]
    assert (total["service_level.numerator"], total["service_level.denominator"]) == ("3", "8")  # every abandon offered; 30 s
    assert total["item.greeting.salutation"] == "50.0"


def test_csv_writes_ids_a_spreadsheet_would_run_as_text(cli, tmp_path):
    results = fixture_results()
    for result, (agent, team) in zip(results, [("=cmd|' -C calc'!A0", "+1+1"), ("@SUM(1+1)", "-2+3")] * len(results)):
        result["agent_id"], result["team"] = agent, team
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    done = cli("report", str(path), "--by", "agent,team", "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["agent"], r["team"]) for r in rows] == [("'=cmd|' -C calc'!A0", "'+1+1"), ("'@SUM(1+1)", "'-2+3"), ("(total)", "(total)")]
    negative = [value for row in rows for value in row.values() if value.startswith("-")]
    assert negative and all(float(value) < 0 for value in negative)  # a negative number stays a number


def test_a_french_table_by_period_names_contacts_without_a_date(cli, tmp_path):
    results = fixture_results()
    del results[0]["started_at"]
    path = tmp_path / "undated.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    done = cli("report", str(path), "--period", "week", "--lang", "fr")
    assert done.returncode == 0 and not done.stderr, done.stderr
    rows = [line.split("│") for line in done.stdout.splitlines() if line.startswith("│")]
    assert [cells[1].strip() for cells in rows if cells[1].strip() in ("—", "total")] == ["—", "total"]


def test_a_value_is_shown_on_the_side_of_its_target_it_lies(cli, tmp_path):
    """399 of 499 answered within 20 s is 79.96 %: « 80,0 » in red beside « ≥ 80 » read as a target met and marked
    missed. A CSAT of 83 / 20 = 4.15 likewise against 4.2; 74.75 % of first-contact resolution needs no more."""
    rows = [result(str(i), "A", "2026-11-02T09:00:00+01:00", quality=80, wait_time_s=10 if i < 399 else 30, handle_time_s=3333.5,
                   csat=(5 if i < 3 else 4) if i < 20 else None, resolved_first_contact=i < 749 * 499 // 1000)
            for i in range(499)]
    path = tmp_path / "near.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = cli("report", str(path), "--lang", "fr")
    assert table.returncode == 0, table.stderr
    total = [cell.strip() for cell in next(line for line in table.stdout.splitlines() if "│ total" in line).split("│")]
    assert total[4] == "79,96" and total[9] == "4,15" and total[8] == "74,8"
    page = cli("report", str(path), "-f", "html", "-o", str(tmp_path / "near.html"))
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "near.html").read_text(encoding="utf-8")
    assert 'class="ko" title="399 / 499">79,96<br>' in html
    assert 'title="1\u202f663\u202f416,5 / 499"' in html  # the numerator as it is (it read « 1,66342e+06 »), grouped


def test_every_form_of_date_the_door_takes_has_its_period(cli, tmp_path):
    """Basic ISO 8601, a week date, a space for the T: accepted at the door, then counted in no period."""
    record = json.loads((EXAMPLES / "interactions.jsonl").read_text().splitlines()[0])
    forms = {"basic": "20261102T093000+0100", "week": "2026-W45-1", "compact": "20261102", "space": "2026-11-02 09:30"}
    (tmp_path / "dates.jsonl").write_text("".join(json.dumps(record | {"id": name, "started_at": value}) + "\n" for name, value in forms.items()))
    scored = cli("score", str(tmp_path / "dates.jsonl"), "--format", "jsonl")
    assert scored.returncode == 0, scored.stderr
    results = [json.loads(line) for line in scored.stdout.splitlines()]
    assert [r["started_at"] for r in results] == ["2026-11-02T09:30:00+01:00", "2026-11-02", "2026-11-02", "2026-11-02T09:30:00"]
    # Results written before the door rewrote them are read the same.
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r | {"started_at": forms[r["interaction_id"]]}) + "\n" for r in results))
    (tmp_path / "scored.jsonl").write_text(scored.stdout)
    for path in ("scored.jsonl", "results.jsonl"):
        report = cli("report", str(tmp_path / path), "--period", "week", "-f", "json")
        assert report.returncode == 0, report.stderr
        assert [(g["key"], g["contacts"]) for g in json.loads(report.stdout)["groups"]] == [({"period": "2026-W45"}, 4)]


def test_from_and_to_keep_the_contacts_of_their_days(cli, tmp_path):
    """A month's file holds the end of the month before and the start of the next (a manager filtered it by hand): --from
    and --to keep each contact's own days, --to exclusive as the API's; an undated result is left out, and said; a range
    that holds no day is one line naming the options."""
    results = [result("oct", "A", "2026-10-31T23:50:00+01:00", quality=50), result("nov", "A", "2026-11-15T10:00:00+01:00", quality=70),
               result("chicago", "A", "2026-11-30T23:30:00-05:00", quality=90), result("dec", "A", "2026-12-01T00:20:00+01:00", quality=10),
               {k: v for k, v in result("undated", "A", "2026-11-02T09:00:00+01:00", quality=30).items() if k != "started_at"}]
    path = tmp_path / "month.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    done = cli("report", str(path), "--from", "2026-11-01", "--to", "2026-12-01", "-f", "json")
    assert done.returncode == 0, done.stderr
    total = json.loads(done.stdout)["total"]
    assert total["contacts"] == 2 and total["indicators"]["quality_avg"]["value"] == 80.0  # (70 + 90) / 2
    assert "1 result(s) without started_at left out of --from/--to" in done.stderr
    only_from = cli("report", str(path), "--from", "2026-11-30", "-f", "json")
    assert json.loads(only_from.stdout)["total"]["contacts"] == 2  # Chicago's 30 November, and December
    same_day = cli("report", str(path), "--from", "2026-11-30", "--to", "2026-11-30")
    assert same_day.returncode == 2 and "--to is exclusive" in same_day.stderr and "give --to 2026-12-01" in same_day.stderr
    bad = cli("report", str(path), "--from", "mardi")
    assert bad.returncode == 2 and "--from 'mardi': expected a day, 2026-11-01" in bad.stderr


def test_table(cli, results_file):
    """In English on request; in French by default here, since nine of the ten results are French."""
    english = cli("report", str(results_file), "--by", "agent", "--lang", "en")
    assert english.returncode == 0, english.stderr
    lines = english.stdout.splitlines()
    assert any(line.split("│")[1].strip() == "total" for line in lines if "│" in line)
    row_c = next(line for line in lines if "│ C" in line)
    assert "45.0" in row_c and "50.0" in row_c  # quality average and e-mails within 48 h of agent C
    french = cli("report", str(results_file), "--by", "agent")
    assert "Service et qualité par agent" in french.stdout and "Service and quality" not in french.stdout
    row_c = next(line for line in french.stdout.splitlines() if "│ C" in line)
    assert "45,0" in row_c and "50,0" in row_c and "45.0" not in row_c


def test_rubric_settings(cli, results_file, tmp_path):
    from qualicall.scorer.rubric import rubric_path

    text = rubric_path("default-fr").read_text(encoding="utf-8").replace("service_level_s: 20", "service_level_s: 30")
    (tmp_path / "mine.yaml").write_text(text, encoding="utf-8")
    done = cli("report", str(results_file), "-f", "json", "--rubric", str(tmp_path / "mine.yaml"))
    assert json.loads(done.stdout)["total"]["indicators"]["service_level"]["numerator"] == 3  # 10, 30 and 20 s


@pytest.fixture(scope="module")
def html_report(cli, results_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "report.html"
    done = cli("report", str(results_file), "--by", "agent", "--period", "week", "-f", "html", "-o", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    return out


def test_html_is_one_self_contained_file(html_report):
    page = html_report.read_text(encoding="utf-8")
    assert page.count("<svg") == 3  # quality and service level over time, item pass rates
    assert not re.search(r'(src|href)="(?!#)', page) and "@import" not in page  # nothing fetched from elsewhere
    assert "agent: A" in page and "2026-W45" in page
    assert 'class="ko"' in page and 'class="ok"' in page



def test_names_with_dollar_signs_are_drawn_as_written(cli, tmp_path):
    """An id may hold "$": matplotlib would read "A$^$" as TeX and fail on it (the API's HTML report answered 500)."""
    names = {"A": "A$^$", "B": "B$\\frac$", "C": "C$x_"}
    results = tmp_path / "dollars.jsonl"
    results.write_text("".join(json.dumps({**r, "agent_id": names[r["agent_id"]]}) + "\n" for r in fixture_results()), encoding="utf-8")
    out = tmp_path / "report.html"
    done = cli("report", str(results), "--by", "agent", "--period", "week", "-f", "html", "-o", str(out), "--lang", "en")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-500:]
    page = out.read_text(encoding="utf-8")
    assert all(f"agent: {name}" in page for name in names.values())

@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (./install.sh --dev installs it)")
def test_html_cells_are_drawn_in_a_browser(html_report, tmp_path):
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1200,1600", html_report.as_uri()],
                   capture_output=True, timeout=120, check=True)
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    counts = {rgb: n for n, rgb in colours}
    assert counts.get((0xD9, 0xF2, 0xDD), 0) > 500 and counts.get((0xF9, 0xDC, 0xDC), 0) > 500  # green and red cells drawn


def test_bad_input_is_one_line(cli, results_file, tmp_path):
    for args, message in [
        ((str(tmp_path / "absent.jsonl"),), "no such file"),
        ((str(results_file), "--by", "site"), "unknown grouping 'site'"),
        ((str(results_file), "--period", "year"), "unknown period"),
        ((str(results_file), "-f", "pdf"), "unknown format"),
        ((str(results_file), "-f", "html", "--lang", "de"), "unknown language 'de' (use fr, en)"),
    ]:
        done = cli("report", *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr, (args, done.stderr)
    done = cli("report", str(results_file), "--by", "agent,week", "--period", "month")
    assert done.returncode == 2 and "one period at a time" in done.stderr


def test_bad_records_are_reported_and_skipped(cli, results_file, tmp_path):
    broken = tmp_path / "broken.jsonl"
    lines = [json.dumps(r) for r in fixture_results()]
    broken.write_text("\n".join([lines[0], "{not json", *lines[1:], "[1, 2]"]) + "\n", encoding="utf-8")
    done = cli("report", str(broken), "-f", "json", "--by", "agent,week")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{broken}:2: invalid JSON" in done.stderr and f"{broken}:12: expected a JSON object" in done.stderr
    report = json.loads(done.stdout)  # the report of the good records is still written
    assert (report["by"], report["period"]) == (["agent"], "week")
    assert report == json.loads(cli("report", str(results_file), "-f", "json", "--by", "agent", "--period", "week").stdout)


def test_an_interaction_given_for_a_result_is_named_as_such(cli):
    """`qualicall report examples/call-fr.json` (an interaction, not scored): once a contact of dashes, exit 0."""
    done = cli("report", str(EXAMPLES / "call-fr.json"))
    assert done.returncode == 1 and "an interaction, not a result: score it first (qualicall score)" in done.stderr


def test_interactions_without_turns_are_no_handled_contacts(cli, tmp_path):
    """(A recording's record and an abandoned call's, given for results, were counted as handled contacts.)"""
    calls = tmp_path / "calls.jsonl"
    calls.write_text('{"id": "a2", "recording": "x.wav", "indicators": {"csat": 3}}\n{"id": "a3", "indicators": {"abandoned": true}}\n',
                     encoding="utf-8")
    done = cli("report", str(calls), "-f", "json")
    assert done.returncode == 1 and done.stderr.count("an interaction, not a result") == 2
    assert json.loads(done.stdout)["total"]["contacts"] == 0


def test_a_contact_scored_again_counts_once_and_a_batchs_failures_file_not_at_all(cli, results_file, tmp_path):
    """A night operator's review: `report out/*.jsonl` took the batch's failures file (49 contacts for 43), and a
    contact scored again by a later batch, or a file given twice, counted each time (`GET /v1/reports` counts a
    contact's latest result)."""
    base = json.loads(cli("report", str(results_file), "-f", "json").stdout)["total"]
    again = tmp_path / "out" / "night-2.jsonl"
    again.parent.mkdir()
    first = fixture_results()[0]
    assert first["indicators"]["csat"]["value"] == 5
    rescored = {**first, "indicators": {**first["indicators"], "csat": {**first["indicators"]["csat"], "value": 1}}}
    again.write_text(json.dumps(rescored) + "\n", encoding="utf-8")
    (again.parent / "night-2.failures.jsonl").write_text('{"source": "in/bad.wav", "reason": "empty file"}\n', encoding="utf-8")
    done = cli("report", str(results_file), *sorted(str(p) for p in again.parent.glob("*.jsonl")), str(results_file), "-f", "json")
    assert done.returncode == 0, done.stderr
    assert "night-2.failures.jsonl: a batch's failures file, not results: left out" in done.stderr
    # every fixture result given a second time, and contact 1 a third (rescored between)
    assert f"qualicall: {len(fixture_results()) + 1} result(s) of contacts given again" in done.stderr
    total = json.loads(done.stdout)["total"]
    assert total["contacts"] == base["contacts"]
    # the last result of contact 1 is the fixture's own (the file given again last): its CSAT 5, as alone
    assert total["indicators"]["csat_avg"] == base["indicators"]["csat_avg"]
    done = cli("report", str(results_file), str(again), "-f", "json")
    csat = json.loads(done.stdout)["total"]["indicators"]["csat_avg"]
    assert (csat["numerator"], csat["denominator"]) == (base["indicators"]["csat_avg"]["numerator"] - 4, base["indicators"]["csat_avg"]["denominator"])
    # a failure's line inside a results file is no contact
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(results_file.read_text() + '{"source": "in/bad.wav", "reason": "empty file"}\n', encoding="utf-8")
    done = cli("report", str(mixed), "-f", "json")
    assert done.returncode == 1 and "a batch's failure (source, reason), not a result" in done.stderr
    assert json.loads(done.stdout)["total"]["contacts"] == base["contacts"]


def test_generated_month(tmp_path):
    sys.path.insert(0, str(EXAMPLES))
    try:
        import generate_month
    finally:
        sys.path.remove(str(EXAMPLES))
    month = generate_month.generate(seed=3)
    assert month == generate_month.generate(seed=3)  # seeded
    assert 300 <= len(month) <= 500
    assert {r["channel"] for r in month} == {"voice", "chat", "email"} and {r["language"] for r in month} == {"fr", "en"}
    assert len({r["agent_id"] for r in month}) == 8 and len({r["team"] for r in month}) == 4
    assert 10 <= sum(r["abandoned"] for r in month) <= 80
    assert sum("csat" in r["indicators"] for r in month) > 60 and sum(r["indicators"].get("transfers", 0) > 0 for r in month) > 10
    written = tmp_path / "month.jsonl"
    done = subprocess.run([sys.executable, str(EXAMPLES / "generate_month.py"), "--seed", "3", "--interactions", str(written)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()] == month
    # scored and aggregated: the most careful agent's calls score above the least careful one's
    sample = [r for r in month if r["agent_id"] == "A-101" and not r["abandoned"]][:4]
    sample += [r for r in month if r["agent_id"] == "A-103" and not r["abandoned"]][:4]
    report = aggregate(generate_month.score(sample), by=["agent"]).to_json()
    quality = {g["key"]["agent"]: g["indicators"]["quality_avg"] for g in report["groups"]}
    assert quality["A-101"]["denominator"] == quality["A-103"]["denominator"] == 4
    assert quality["A-101"]["value"] > quality["A-103"]["value"]


def test_one_contact_is_one_in_every_sentence_of_the_report(cli, tmp_path):
    """« report of 1 contacts written », « · 1 contacts · » (reviews)."""
    path, out = tmp_path / "one.jsonl", tmp_path / "one.html"
    path.write_text(json.dumps(fixture_results()[0]) + "\n", encoding="utf-8")
    for language in ("fr", "en"):
        done = cli("report", str(path), "-f", "html", "--lang", language, "-o", str(out))
        assert done.returncode == 0 and f"report of 1 contact written to {out}" in done.stderr, done.stderr
        assert "· 1 contact ·" in out.read_text(encoding="utf-8") and "1 contacts" not in out.read_text(encoding="utf-8")


def test_an_interactions_file_given_by_mistake_is_named_ten_times_then_counted(cli, tmp_path):
    """358 interactions given to `report` printed 358 lines (a manager's review): the first ten, then the count."""
    record = json.loads((EXAMPLES / "interactions.jsonl").read_text().splitlines()[0])
    path = tmp_path / "interactions.jsonl"
    path.write_text("".join(json.dumps(record | {"id": f"c-{n}"}) + "\n" for n in range(25)), encoding="utf-8")
    done = cli("report", str(path), "-f", "json")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert sum("an interaction, not a result" in line for line in lines) == 10
    assert "qualicall: 25 bad record(s) skipped (the first 10 named above)" in lines


def test_an_e_mails_first_response_reads_in_hours(cli, results_file, tmp_path):
    """« moyenne : 1re réponse (s) 192100,5 »: a manager could not read 53 hours in it (a manager's review). The fixture's
    e-mails were answered after 86,400 s and 180,000 s: 24 and 50 hours."""
    out = tmp_path / "hours.html"
    done = cli("report", str(results_file), "--by", "channel", "-f", "html", "--lang", "fr", "-o", str(out))
    assert done.returncode == 0, done.stderr
    row = re.search(r"moyenne : 1re réponse \(h\)</td><td></td>((?:<td>[^<]*</td>)+)", out.read_text(encoding="utf-8"))
    assert row is not None and row.group(1) == "<td>24,0</td><td>50,0</td>", row  # the e-mail channel, one per period
    assert "86400" not in out.read_text(encoding="utf-8") and "86\u202f400" not in out.read_text(encoding="utf-8")
