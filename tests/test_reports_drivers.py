"""Satisfaction drivers: figures against scipy's Welch test on a small hand-made set, then a generated month
with planted effects (examples/generate_month.py --planted-results) through the real `qualicall report
--drivers` and GET /v1/reports?drivers=true, which must find those effects, in their order, and no other."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import uuid

import pytest
from conftest import EXAMPLES
from reports_fixture import result
from scipy import stats

from qualicall.reports import aggregate
from qualicall.scorer.rubric import ReportSettings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SEED = 11
CONTACTS = 5000
# What the month plants (CSAT points lower when the item fails or the signal is present), written here
# rather than read from the generator: the test says what the report must find.
PLANTED = {"complaint": 1.0, "reformulation.checks_understanding": 0.8, "complaint_handling.next_step": 0.6, "closing.recap": 0.4}
# The drivers as the English report names them: the rubric's English labels, a signal by its name.
LABELS_EN = {"complaint": "Complaint", "reformulation.checks_understanding": "Checks understanding",
             "complaint_handling.next_step": "Concrete next step", "closing.recap": "Recap"}
NEXT_STEP_PASS_RATE = 0.5  # complaint_handling.next_step passes in half of the complaints


@pytest.fixture(scope="module")
def generate_month():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import generate_month
    finally:
        sys.path.remove(str(EXAMPLES))
    return generate_month


@pytest.fixture(scope="module")
def planted_file(generate_month, tmp_path_factory):
    path = tmp_path_factory.mktemp("planted") / "planted.jsonl"
    done = subprocess.run([sys.executable, str(EXAMPLES / "generate_month.py"), "--planted-results", str(path), "--seed", str(SEED),
                           "--planted-contacts", str(CONTACTS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def planted_report(cli, planted_file):
    done = cli("report", str(planted_file), "--drivers", "-f", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _survey_set() -> tuple[list[dict], dict[str, list[float]]]:
    """Twelve surveyed contacts and an abandoned one; the CSAT of each side of each driver, as scipy reads them."""
    rows, sides = [], {"recap passed": [], "recap failed": [], "complaint present": [], "complaint absent": []}
    table = [  # recap, complaint, csat, nps
        ("passed", False, 5, 10), ("passed", False, 4, 9), ("passed", True, 3, 7), ("passed", False, 5, 8),
        ("passed", True, 2, 3), ("passed", False, 4, 9), ("failed", False, 3, 7), ("failed", True, 1, 0),
        ("failed", False, 4, 8), ("failed", True, 2, 5), ("failed", False, 3, 10), ("not_applicable", False, 5, 10),
    ]
    for n, (recap, complaint, csat, nps) in enumerate(table):
        rows.append(result(f"s{n}", "A", "2026-11-02T09:00:00+01:00", quality=80, items={"greeting.salutation": "passed", "closing.thanks": recap},
                           signals={"complaint": complaint}, csat=csat, nps=nps))
        if recap != "not_applicable":
            sides[f"recap {recap}"].append(csat)
        sides["complaint present" if complaint else "complaint absent"].append(csat)
    rows.append(result("s-abandoned", "A", "2026-11-02T10:00:00+01:00", abandoned=True, signals={"complaint": True}, csat=1, wait_time_s=30))
    rows.append(result("s-unknown", "A", "2026-11-02T11:00:00+01:00", quality=50, items={"greeting.salutation": "failed", "closing.thanks": "failed"},
                       csat=1))  # no signals: in the item's sides, in neither of complaint's
    sides["recap failed"].append(1)
    return rows, sides


def test_figures_are_welchs_test(tmp_path):
    rows, sides = _survey_set()
    drivers = aggregate(rows, settings=ReportSettings(drivers_min_contacts=4), drivers=True).to_json()["drivers"]
    csat = drivers["csat"]
    assert csat["answers"] == 13  # the abandoned contact's survey is not counted
    by_name = {e["driver"]: e for e in csat["ranked"]}
    assert set(by_name) == {"closing.thanks", "complaint"}
    # greeting.salutation failed once: listed apart, not ranked
    assert [(e["driver"], e["with"]["n"], e["without"]["n"]) for e in csat["too_few"]] == [("greeting.salutation", 12, 1)]
    p_values = {}
    for name, with_, without in (("closing.thanks", sides["recap passed"], sides["recap failed"]),
                                 ("complaint", sides["complaint present"], sides["complaint absent"])):
        entry = by_name[name]
        test = stats.ttest_ind(with_, without, equal_var=False)
        interval = test.confidence_interval(0.95)
        assert (entry["with"]["n"], entry["without"]["n"]) == (len(with_), len(without))
        assert entry["with"]["mean"] == pytest.approx(sum(with_) / len(with_), abs=5e-4)
        assert entry["with"]["sd"] == pytest.approx(stats.tstd(with_), abs=5e-4)
        assert entry["effect"] == pytest.approx(sum(with_) / len(with_) - sum(without) / len(without), abs=5e-4)
        assert entry["ci95"] == pytest.approx([interval.low, interval.high], abs=5e-4)
        assert entry["p"] == pytest.approx(test.pvalue, rel=5e-3)
        p_values[name] = test.pvalue
    # Holm: the smaller p-value times 2, the larger times 1 (but not below the first)
    low, high = sorted(p_values, key=p_values.get)
    assert by_name[low]["p_holm"] == pytest.approx(min(1, 2 * p_values[low]), rel=5e-3)
    assert by_name[high]["p_holm"] == pytest.approx(max(min(1, 2 * p_values[low]), p_values[high]), rel=5e-3)
    assert [e["driver"] for e in csat["ranked"]] == sorted(by_name, key=lambda n: -abs(by_name[n]["effect"]))
    # NPS: each answer +100 / 0 / -100, so that the means are NPS and the difference is in NPS points
    nps = {e["driver"]: e for e in drivers["nps"]["ranked"]}["complaint"]
    present = [0, -100, -100, -100]  # 7, 3, 0, 5
    absent = [100, 100, 0, 100, 0, 0, 100, 100]  # 10, 9, 8, 9, 7, 8, 10, 10
    test = stats.ttest_ind(present, absent, equal_var=False)
    assert (nps["with"]["mean"], nps["without"]["mean"]) == (-75.0, 62.5)
    assert nps["ci95"] == pytest.approx(list(test.confidence_interval(0.95)), abs=5e-3)


def test_no_surveys_says_so():
    rows, _ = _survey_set()
    for row in rows:
        row["indicators"].pop("nps", None)
    drivers = aggregate(rows, drivers=True).to_json()["drivers"]
    assert drivers["nps"] == {"answers": 0, "note": "no handled contact carries a NPS answer: nothing to compare"}
    # with the default minimum of 30 a side, nothing of thirteen surveys is ranked
    assert drivers["min_contacts"] == 30 and drivers["csat"]["ranked"] == [] and len(drivers["csat"]["too_few"]) == 3


def _expected_effects() -> dict[str, float]:
    """The difference each driver should show (mean with − without), from the planted parameters: an item's
    is its planted amount; a complaint's adds the failures of next_step, which only complaints can have."""
    expected = {name: amount for name, amount in PLANTED.items() if "." in name}
    expected["complaint"] = -(PLANTED["complaint"] + (1 - NEXT_STEP_PASS_RATE) * PLANTED["complaint_handling.next_step"])
    return expected


def test_planted_effects_found_in_order(planted_report):
    csat = planted_report["drivers"]["csat"]
    expected = _expected_effects()
    ranked = csat["ranked"]
    order = sorted(expected, key=lambda name: -abs(expected[name]))
    assert [e["driver"] for e in ranked[: len(expected)]] == order, [(e["driver"], e["effect"]) for e in ranked[:6]]
    for entry in ranked[: len(expected)]:
        low, high = entry["ci95"]
        assert entry["significant"] and (low > 0 or high < 0), entry
        assert entry["effect"] == pytest.approx(expected[entry["driver"]], abs=0.15), entry  # about 3 standard errors
    # nothing else moves CSAT: no other driver is significant; farewell, planted at 0, has 0 in its interval
    assert [e["driver"] for e in ranked if e["significant"]] == order
    farewell = next(e for e in ranked if e["driver"] == "closing.farewell")
    assert farewell["ci95"][0] < 0 < farewell["ci95"][1]
    # the rare ones are listed apart: the greeting almost never fails, few customers threaten to leave
    assert {e["driver"] for e in csat["too_few"]} == {"greeting.salutation", "churn_threat"}
    for entry in csat["too_few"]:
        assert min(entry["with"]["n"], entry["without"]["n"]) < 30 and "effect" not in entry


def test_planted_effects_move_nps_too(planted_report):
    nps = planted_report["drivers"]["nps"]
    expected = _expected_effects()
    found = {e["driver"]: e for e in nps["ranked"]}
    for name, effect in expected.items():
        assert found[name]["significant"] and (found[name]["effect"] > 0) == (effect > 0), found[name]
    assert {name for name, e in found.items() if e["significant"]} == set(expected)


def test_planted_month_aggregates(planted_report, generate_month):
    """The month's customer figures, against what the generator draws (rates with their binomial spread)."""
    total = planted_report["total"]["indicators"]
    for name, signal in (("complaint_rate", "complaint"), ("escalation_rate", "escalation_request"),
                         ("churn_threat_rate", "churn_threat"), ("repeat_contact_rate", "repeat_contact")):
        rate = generate_month.SIGNAL_RATES[signal]
        spread = 4 * 100 * (rate * (1 - rate) / CONTACTS) ** 0.5
        assert total[name]["denominator"] == CONTACTS and abs(total[name]["value"] - 100 * rate) < spread, (name, total[name])
    assert total["complaint_ack_within_48h"]["denominator"] > 50 and total["complaint_answer_within_15d"]["denominator"] > 50
    assert total["turnaround_rate"]["denominator"] > 300 and total["sentiment_shift_avg"]["value"] > 0


def test_drivers_csv_and_table(cli, planted_file):
    done = cli("report", str(planted_file), "--drivers", "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    csat = [r for r in rows if r["survey"] == "csat"]
    assert csat[0]["rank"] == "1" and csat[0]["driver"] == "complaint" and csat[0]["with"] == "present"
    assert float(csat[0]["ci95.high"]) < 0 and csat[0]["significant"] == "True"
    assert {r["driver"] for r in csat if r["rank"] == ""} == {"greeting.salutation", "churn_threat"}
    done = cli("report", str(planted_file), "--drivers", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "What moves CSAT" in done.stdout and "What moves NPS" in done.stdout
    assert "Not ranked (fewer than 30 answers on a side): Salutation (passed" in done.stdout
    first = next(line for line in done.stdout.splitlines() if "│  1 │" in line)
    assert "Complaint (signal)" in first


def test_drivers_served_by_the_api(sqlite_api, generate_month):
    """The planted month (a smaller one) stored, then GET /v1/reports?drivers=true: the same drivers as
    `qualicall report` computes on those results, the complaint first."""
    from qualicall.core.interaction import Interaction
    from qualicall.core.result import Result
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.repository import save_scored

    team = f"drivers-{uuid.uuid4().hex[:8]}"  # other tests store contacts in the same server
    results = generate_month.planted_results(seed=SEED, contacts=600)
    store = Store(Settings(data_dir=sqlite_api.data_dir).url)
    with store.session() as session:
        for record in results:
            record["team"] = team
            record["interaction_id"] = f"{team}-{record['interaction_id']}"
            interaction = Interaction(id=record["interaction_id"], channel=record["channel"], language=record["language"], agent_id=record["agent_id"],
                                      team=team, queue=record["queue"], started_at=record["started_at"], turns=[])
            save_scored(session, interaction, Result.model_validate(record))
    store.close()
    with sqlite_api.client("coach") as coach:
        served = coach.get("/v1/reports", params={"team": team, "drivers": "true"})
        plain = coach.get("/v1/reports", params={"team": team})
    assert served.status_code == 200, served.text
    drivers = served.json()["drivers"]
    assert drivers == json.loads(json.dumps(aggregate(results, drivers=True).to_json()["drivers"]))
    assert drivers["csat"]["ranked"][0]["driver"] == "complaint" and drivers["csat"]["ranked"][0]["significant"]
    assert "drivers" not in plain.json()


@pytest.mark.slow  # a browser
def test_html_report_shows_the_drivers(cli, planted_file, tmp_path):
    """The drivers chart of the HTML report, drawn in Chromium: a red bar (the complaint lowers CSAT), green
    ones (the planted items raise it), and the one-line reading in the planted order."""
    out = tmp_path / "planted.html"
    done = cli("report", str(planted_file), "--by", "team", "-f", "html", "-o", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 5  # quality, service level, pass rates; what moves CSAT, what moves NPS
    assert "<h3>Complaints, signals and sentiment</h3>" in page
    sentence = re.search(r"<b>CSAT</b>, clear effects, largest first: ([^.]*(?:\.\w[^.]*)*)\. No clear effect: (\d+) other", page)
    expected = _expected_effects()
    named = [part.rsplit(" ", 1)[0] for part in sentence.group(1).split(", ")]
    assert named == [LABELS_EN[name] for name in sorted(expected, key=lambda name: -abs(expected[name]))]
    assert "not ranked (fewer than 30 answers on a side): Salutation (passed" in page
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (./install.sh --dev installs it)")
    start, end = page.index("<h2>What moves satisfaction"), page.index("<h2>Per group")
    section = tmp_path / "drivers.html"
    section.write_text(page[: page.index("<body>") + 6] + page[start:end] + "</body></html>", encoding="utf-8")
    shot = tmp_path / "drivers.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1366,768", section.as_uri()],
                   capture_output=True, timeout=120, check=True)
    from PIL import Image

    from qualicall.reports.html import LOWERS, RAISES

    counts = {rgb: n for n, rgb in Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)}
    rgb = lambda colour: tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # noqa: E731
    assert counts.get(rgb(LOWERS), 0) > 2000 and counts.get(rgb(RAISES), 0) > 4000  # bars seen in the first screen
