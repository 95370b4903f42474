"""Calibration figures and the review queue's order, on hand-made verdicts (expected values computed by hand)."""

from __future__ import annotations

import pytest

from qualicall.api.web.calibration import ReviewedItem, calibrate, cohen_kappa, overall, pooled_session, session_agreement
from qualicall.api.web.priority import item_margins, review_priority


def pairs(item: str, table: dict[tuple[str, str], int]) -> list[ReviewedItem]:
    out = []
    for (auto, coach), n in table.items():
        out += [ReviewedItem(f"c-{item}-{auto}-{coach}-{i}", item, auto, coach) for i in range(n)]
    return out


def test_kappa_textbook_example():
    # 50 pairs: agree 20 (passed) + 15 (failed); p_o = 0.7; marginals auto 25/25, coach 30/20 → p_e = 0.5; κ = 0.4
    table = {("passed", "passed"): 20, ("passed", "failed"): 5, ("failed", "passed"): 10, ("failed", "failed"): 15}
    assert cohen_kappa(table) == pytest.approx(0.4)
    [agreement] = calibrate(pairs("greeting.salutation", table))
    assert agreement.reviews == 50 and agreement.agreements == 35
    assert agreement.accuracy == pytest.approx(0.7)
    assert agreement.kappa == pytest.approx(0.4)
    assert len(agreement.disagreements) == 15
    assert {(d.auto, d.coach) for d in agreement.disagreements} == {("passed", "failed"), ("failed", "passed")}


def test_kappa_edge_cases():
    assert cohen_kappa({}) is None
    # Always the same single label on both sides: chance agreement is total; a full agreement reads as 1.
    assert cohen_kappa({("passed", "passed"): 4}) == 1.0
    # Total disagreement with balanced labels: κ = (0 − 0.5) / 0.5 = −1
    assert cohen_kappa({("passed", "failed"): 3, ("failed", "passed"): 3}) == pytest.approx(-1.0)
    # Three labels: p_o = 3/4, marginals auto (2,1,1) coach (1,2,1) → p_e = (2·1 + 1·2 + 1·1)/16 = 5/16; κ = (12/16 − 5/16)/(11/16) = 7/11
    table = {("passed", "passed"): 1, ("passed", "failed"): 1, ("failed", "failed"): 1, ("not_applicable", "not_applicable"): 1}
    assert cohen_kappa(table) == pytest.approx(7 / 11)


def test_pooled_over_items():
    found = calibrate(pairs("closing.recap", {("failed", "passed"): 2}) + pairs("closing.thanks", {("passed", "passed"): 2}))
    assert [a.item for a in found] == ["closing.recap", "closing.thanks"]
    pooled = overall(found)
    assert pooled.reviews == 4 and pooled.accuracy == 0.5 and len(pooled.disagreements) == 2


def test_session_agreement_between_three_coaches_and_with_the_machine():
    """Light's kappa (mean pairwise Cohen's) on a hand-made session: coaches A, B, C, machine M, four calls; C has
    scored three of them so far. Every figure below is computed by hand.

    closing.recap   c1 c2 c3 c4
        A           P  P  F  F
        B           P  F  F  F
        C           P  P  F  -
        M           P  F  F  P
    A·B on c1–c4: agree 3/4; A (P2 F2), B (P1 F3): p_e = (2·1 + 2·3)/16 = 1/2; κ = (3/4 − 1/2)/(1/2) = 1/2
    A·C on c1–c3: agree 3/3; A (P2 F1), C (P2 F1): p_e = (4 + 1)/9 = 5/9; κ = (1 − 5/9)/(4/9) = 1
    B·C on c1–c3: agree 2/3; B (P1 F2), C (P2 F1): p_e = (2 + 2)/9 = 4/9; κ = (2/3 − 4/9)/(5/9) = 2/5
    between coaches: (1/2 + 1 + 2/5)/3 = 19/30
    M·A: agree 2/4; M (P2 F2), A (P2 F2): p_e = 1/2; κ = 0
    M·B: agree 3/4; M (P2 F2), B (P1 F3): p_e = 1/2; κ = 1/2
    M·C on c1–c3: agree 2/3; M (P1 F2), C (P2 F1): p_e = 4/9; κ = 2/5
    greeting.hello: every coach P on every call they scored, M P too: one label only, κ read as 1.
    A·B pooled over both items (8 pairs): (P,P) 5, (P,F) 1, (F,F) 2: agree 7/8; A (P6 F2), B (P5 F3):
    p_e = (6·5 + 2·3)/64 = 9/16; κ = (7/8 − 9/16)/(7/16) = 5/7
    """
    from types import SimpleNamespace

    table = {"A": "PPFF", "B": "PFFF", "C": "PPF", "M": "PFFP"}
    name = {"P": "passed", "F": "failed"}
    verdicts = []
    for coach in "ABC":
        for n, status in enumerate(table[coach]):
            verdicts.append(SimpleNamespace(interaction_id=f"c{n + 1}", item="closing.recap", coach=coach, status=name[status], machine=name[table["M"][n]]))
            verdicts.append(SimpleNamespace(interaction_id=f"c{n + 1}", item="greeting.hello", coach=coach, status="passed", machine="passed"))
    recap, hello = session_agreement(verdicts, ["C", "B", "A"], order=lambda key: key)
    assert (recap.item, hello.item) == ("closing.recap", "greeting.hello")
    assert recap.kappa == pytest.approx(19 / 30)
    assert [recap.machine_kappa(coach) for coach in "ABC"] == pytest.approx([0.0, 0.5, 0.4])
    assert [recap.scored_by(coach) for coach in "ABC"] == [4, 4, 3]
    assert (recap.compared, recap.unanimous) == (4, 3)  # c4 by A and B only, both F
    assert recap.counts == {"passed": 5, "failed": 6}
    [disagreement] = recap.disagreements
    assert (disagreement.interaction_id, disagreement.verdicts, disagreement.machine) == ("c2", {"A": "passed", "B": "failed", "C": "passed"}, "failed")
    assert hello.kappa == 1.0 and hello.disagreements == []
    # (a calibration lead's review) what the lead needs most: c4, where both coaches who scored it say F and the machine P
    [against] = recap.against_machine
    assert (against.interaction_id, against.verdicts, against.machine) == ("c4", {"A": "failed", "B": "failed"}, "passed")
    assert hello.against_machine == []
    # beside kappa, the calls alike: A agrees with M on c1 and c3, B on c1, c2 and c3, C on c1 and c3 (κ 0 for A reads as
    # nothing in common, yet half are alike)
    assert [recap.agrees_with_machine(coach) for coach in "ABC"] == [2, 3, 2]
    pooled = pooled_session([recap, hello], ["A", "B", "C"])
    assert cohen_kappa(pooled.pairs[("A", "B")]) == pytest.approx(5 / 7)
    assert (pooled.compared, pooled.unanimous) == (8, 7)
    # Two coaches: the mean over their one pair is Cohen's kappa itself.
    two = session_agreement([v for v in verdicts if v.coach != "C"], ["A", "B"], order=lambda key: key)
    assert two[0].kappa == pytest.approx(0.5)


def result(overall_score, **items):
    """A result with one criterion holding the given items {id: (status, measures)}; thresholds of the default grid."""
    return {
        "rubric": {"id": "default-fr", "version": "1", "thresholds": {"items": {
            "comprehensible_language.readability": {"min_score": 60, "max_long_share": 0.3},
            "reformulation.restates_need": {"min_overlap": 0.34, "min_similarity": 0.5},
            "comprehensible_language.courtesy": {"max_familiar": 0},
        }}},
        "criteria": {"c": {"score": overall_score, "weight": 1, "items": {}}} if not items else {
            criterion: {"score": overall_score, "weight": 1, "items": {item: {"status": status, "measures": measures}}}
            for (criterion, item), (status, measures) in ((k.split("__"), v) for k, v in items.items())
        },
        "overall_score": overall_score,
    }


def test_margins_and_priority_order():
    near = result(85, comprehensible_language__readability=("failed", {"flesch": 58.5, "long_share": 0.1}))
    [flesch, share] = item_margins(near)
    assert (flesch.measure, flesch.threshold, flesch.bound) == ("flesch", 60, "min")
    assert flesch.relative == pytest.approx(1.5 / 60)
    assert share.relative == pytest.approx(2 / 3)
    # No familiar word where none is allowed is no margin: it sat "near threshold" on nearly every call of a queue.
    polite = result(85, comprehensible_language__courtesy=("passed", {"familiar": 0, "courtesy_words": 3}))
    assert item_margins(polite) == [] and review_priority({"turns": []}, polite).reasons == []
    [one] = item_margins(result(85, comprehensible_language__courtesy=("failed", {"familiar": 1})))
    assert (one.measure, one.bound, one.relative) == ("familiar", "max", 1.0)

    calls = {
        "low-score": review_priority({"turns": []}, result(35)),
        "near-threshold": review_priority({"turns": []}, near),
        "unsure-asr": review_priority({"turns": [{"speaker": "agent", "text": "x", "confidence": 0.4}]}, result(85)),
        "unsure-roles": review_priority({"role_confidence": 0.55}, result(85)),
        "clean": review_priority({"turns": [{"speaker": "agent", "text": "x", "confidence": 0.97}]}, result(95)),
    }
    order = sorted(calls, key=lambda name: -calls[name].value)
    assert order[0] == "low-score" and order[-1] == "clean"
    assert calls["near-threshold"].reasons == ["near_threshold"]
    assert calls["unsure-asr"].asr_confidence == 0.4 and "asr_confidence" in calls["unsure-asr"].reasons
    assert calls["unsure-roles"].role_confidence == 0.55 and "role_confidence" in calls["unsure-roles"].reasons
    assert calls["clean"].reasons == []
    # A role decision the audio pipeline flagged for review counts in full, and says so, even where 1 − confidence is small.
    flagged = review_priority({"roles": {"method": "channel-auto", "agent": "right", "confidence": 0.74, "reason": "…", "review": True}}, result(95))
    unflagged = review_priority({"roles": {"method": "channel-auto", "agent": "right", "confidence": 0.8, "reason": "…", "review": False}}, result(95))
    assert flagged.reasons == ["role_confidence"] and flagged.parts["role_confidence"] == 1.0
    assert unflagged.reasons == [] and unflagged.parts["role_confidence"] == pytest.approx(0.2)
    assert flagged.value > unflagged.value
    # Word probabilities stand in when the turns carry no confidence.
    words = {"turns": [{"speaker": "agent", "text": "a b", "words": [{"word": "a", "start": 0, "end": 1, "probability": 0.5}, {"word": "b", "start": 1, "end": 2, "probability": 0.7}]}]}
    assert review_priority(words, result(90)).asr_confidence == pytest.approx(0.6)


def test_abandoned_contacts_and_items_a_coach_ruled_on_raise_no_priority():
    """A coach's review: abandoned calls (overall 11.3, their wait's score alone, every item not applicable) were 4 of
    the first 8 of a month's queue; and « Restates the need near threshold » still ranked a call after two coaches had
    ruled on that item."""
    abandoned = result(11.3) | {"abandoned": True, "quality_score": None}
    assert review_priority({"turns": []}, abandoned).value == 0.0 and review_priority({"turns": []}, abandoned).reasons == []
    assert review_priority({"turns": []}, result(11.3)).reasons == ["low_score"]  # the same score, answered: (90 − 11.3) / 50 ≥ 1
    machine = result(85, reformulation__restates_need=("passed", {"overlap": 0.36}))
    assert review_priority({"turns": []}, machine).reasons == ["near_threshold"]
    ruled = result(85, reformulation__restates_need=("passed", {"overlap": 0.36}))
    ruled["criteria"]["reformulation"]["items"]["restates_need"]["reviewed_by"] = "bruno.coach"
    assert review_priority({"turns": []}, ruled).reasons == [] and review_priority({"turns": []}, ruled).near == []
    assert [m.item for m in item_margins(ruled)] == ["reformulation.restates_need"]  # the call page still shows the margin
