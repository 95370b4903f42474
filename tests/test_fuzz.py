"""A short run of benchmarks/fuzz.py (the full one, ≥ 10 000 requests, is run by hand: README, "Reliability"):
schemathesis on every operation and the hostile inputs of issue 17 against a real server of its own (SQLite):
no 5xx, no request left unanswered, nothing stored by a refused request, no hostile input accepted."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow  # a server of its own, a few hundred requests

sys.path.insert(0, str(ROOT / "benchmarks"))


def test_a_short_fuzzing_run_finds_no_5xx_and_stores_nothing_refused():
    import fuzz

    figures = fuzz.run(examples=6, hostile=250, concurrency=2, database_url=None, seed=2026)
    assert figures["requests"] >= 300 and figures["server_alive"], figures
    assert figures["5xx"] == 0 and figures["no_answer"] == 0, figures["server_errors"]
    assert figures["hostile_accepted"] == [], figures["hostile_accepted"]
    assert set(figures["rows_from_refused"].values()) == {0}, figures
    # Memory bounded: what the models take, not what the requests were (the full run's figures are in the README).
    assert figures["rss_mib"]["end"] < 1.5 * figures["rss_mib"]["start"] + 200, figures["rss_mib"]
