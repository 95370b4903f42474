"""Score arithmetic exactly as the spec, interaction validation, the labelled sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DEV_SET, ROOT
from core_scoring import score, scorer
from qualicall.scorer.engine import combine, criterion_score, weighted_mean
from qualicall.core.interaction import InteractionError, parse_interaction
from qualicall.core.result import ItemResult
from qualicall.scorer.rubric import load_rubric

HELD_OUT = ROOT / "tests" / "data" / "core_heldout"


def _items(*statuses: str) -> dict[str, ItemResult]:
    return {f"i{n}": ItemResult(status=s, reason="") for n, s in enumerate(statuses)}


def test_criterion_score_is_weight_of_passed_over_weight_of_applicable():
    items = _items("passed", "failed", "not_applicable", "passed")
    assert criterion_score(items, {"i0": 2, "i1": 1, "i2": 5, "i3": 1}) == round(100 * 3 / 4, 2)
    assert criterion_score(_items("not_applicable", "not_applicable"), {"i0": 1, "i1": 1}) is None


def test_quality_is_the_weighted_mean_of_the_criteria_that_apply():
    assert weighted_mean([(20, 100.0), (30, 50.0), (25, None), (25, 0.0)]) == round((2000 + 1500) / 75, 2)
    assert weighted_mean([(20, None)]) is None


def test_overall_combines_quality_and_operational_or_is_the_quality_alone():
    rubric = load_rubric("default-fr")
    overall, how = combine(rubric, 80.0, 50.0)
    assert overall == 71.0 and how["used"] == ["quality", "operational"]
    overall, how = combine(rubric, 80.0, None)
    assert overall == 80.0 and "quality score" in how["note"]


def test_result_scores_are_consistent_and_record_the_rubric():
    # « merci »: without a courtesy word the agent's register fails (quality-grid.md).
    turns = [("agent", "Bonjour, Onda Mobile, Julie à votre écoute, merci de patienter, que puis-je faire pour vous ?"),
             ("customer", "Ma carte SIM ne marche plus."), ("agent", "allô ? vous m'entendez ?")]
    result = score(turns, indicators={"wait_time_s": 20, "csat": 5})
    rubric = load_rubric("default-fr")
    # The grid's weights (each item 1; criteria 20, 30, 25, 25, 20) and the verdicts the figures below are worked from.
    assert {spec.weight for criterion in rubric.criteria.values() for spec in criterion.items.values()} == {1}
    assert {c: criterion.weight for c, criterion in result.criteria.items()} == {
        "greeting": 20, "comprehensible_language": 30, "reformulation": 25, "closing": 25, "complaint_handling": 20}
    assert {c: {i: r.status for i, r in criterion.items.items()} for c, criterion in result.criteria.items()} == {
        "greeting": dict.fromkeys(["salutation", "organization", "agent_name", "offer_help"], "passed"),
        "comprehensible_language": dict.fromkeys(["readability", "no_jargon", "positive_wording", "courtesy"], "passed"),
        "reformulation": dict.fromkeys(["restates_need", "checks_understanding"], "failed"),
        "closing": dict.fromkeys(["recap", "other_needs", "thanks", "farewell"], "not_applicable"),  # interrupted
        "complaint_handling": dict.fromkeys(["acknowledges", "takes_ownership", "next_step"], "not_applicable"),  # no complaint
    }
    # 100 × passed / applicable items; a criterion where nothing applies has no score.
    assert {c: criterion.score for c, criterion in result.criteria.items()} == {
        "greeting": 100.0, "comprehensible_language": 100.0, "reformulation": 0.0, "closing": None, "complaint_handling": None}
    assert result.quality_score == 66.67  # (20 × 100 + 30 × 100 + 25 × 0) / 75: closing and complaint handling do not count
    assert result.operational_score == 100.0  # a 20 s wait and a CSAT of 5 are both on target
    assert result.overall_score == 76.67  # 0.7 × 66.67 + 0.3 × 100
    assert result.rubric.id == "default-fr" and result.rubric.version == "27"
    assert result.rubric.thresholds["items"]["comprehensible_language.readability"]["min_score"] == 60


def test_no_operational_data_means_overall_is_quality_and_says_so():
    result = score([("agent", "Hello, how can I help?"), ("customer", "Hi.")], language="en")
    assert result.overall_score == result.quality_score and result.operational_score is None
    assert "no operational data" in result.combination["note"]


def test_passed_evidence_points_at_the_original_text():
    text = "Euh, bonjour ! Transports Alizé, Nadia à votre écoute."
    result = score([("agent", text), ("customer", "Bonjour.")])
    for item_id in ("salutation", "agent_name"):
        evidence = result.criteria["greeting"].items[item_id].evidence[0]
        assert text[evidence.start_char : evidence.end_char] == evidence.text
        assert evidence.time is not None
    assert result.criteria["greeting"].items["agent_name"].evidence[0].text == "Nadia à votre écoute"


def test_roles_in_another_case_are_the_roles_and_other_speakers_are_named_when_nobody_else_speaks():
    """« Agent », "CUSTOMER " as CRMs export them are scored as the agent and the customer; a contact of other speakers
    only says so (it once said "no turns")."""
    cased = score([("Agent", "Bonjour, Transports Alizé, Nadia à votre écoute."), (" CUSTOMER ", "Bonjour.")])
    assert cased.criteria["greeting"].items["salutation"].status == "passed"
    assert [t.speaker for t in parse_interaction({"id": "r", "turns": [{"speaker": " Agent", "text": "x"}, {"speaker": "Bot", "text": "y"}]}, "r").turns] == ["agent", "Bot"]
    others = score([("Bot", "Bonjour, que puis-je faire pour vous ?"), ("caller", "Bonjour.")])
    reason = others.criteria["greeting"].items["salutation"]
    assert reason.status == "not_applicable" and reason.reason == "aucun tour de l'agent ni du client (locuteurs donnés : « Bot », « caller »)"


@pytest.mark.parametrize(
    "record, message",
    [
        ({"turns": [{"speaker": "agent", "text": "bonjour"}]}, "calls.jsonl:3: id: field required"),
        ({"id": "x1", "turns": [{"text": "bonjour"}]}, "calls.jsonl:3 (id 'x1'): turns[0].speaker: field required"),
        ({"id": "x2", "channel": "fax", "turns": []}, "calls.jsonl:3 (id 'x2'): channel: got 'fax', expected 'voice', 'chat' or 'email'"),
        ({"id": "x3"}, "calls.jsonl:3 (id 'x3'): record: needs 'turns' or 'recording'"),
        ({"id": "x5", "channel": "chat", "recording": "x5.wav"},
         "calls.jsonl:3 (id 'x5'): record: channel: 'chat' with a recording and no turns: a recording is transcribed as a call"
         " (expected 'voice', or the written contact's turns)"),
        ([1, 2], "calls.jsonl:3: expected a JSON object, got list"),
        ({"id": "x4", "turns": [{"speaker": "agent", "text": "bonjour", "start": 5, "end": 2.5}]},
         "calls.jsonl:3 (id 'x4'): turns[0]: end 2.5 s is before start 5 s"),
    ],
)
def test_interaction_validation_messages_name_the_record_and_the_field(record, message):
    with pytest.raises(InteractionError) as caught:
        parse_interaction(record, "calls.jsonl:3")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def _agreement(directory: Path) -> tuple[float, dict[str, float]]:
    from qualicall.core.interaction import read_interactions

    labels = json.loads((directory / "labels.json").read_text())
    pairs: dict[str, list[bool]] = {}
    for interaction in read_interactions(directory / "interactions.jsonl"):
        result = scorer().score(interaction)
        for criterion, items in labels[interaction.id].items():
            for item_id, label in items.items():
                pairs.setdefault(item_id, []).append(result.criteria[criterion].items[item_id].status == label["status"])
    total = [ok for oks in pairs.values() for ok in oks]
    return sum(total) / len(total), {k: sum(v) / len(v) for k, v in pairs.items()}


def test_held_out_conversations_agree_with_the_labels():
    """Conversations written after the rules, in other sectors (water, radiology, car rental, IT helpdesk…)."""
    overall, per_item = _agreement(HELD_OUT)
    assert overall >= 0.95, per_item


def test_dev_set_agreement(dev_set):
    overall, per_item = _agreement(dev_set)
    assert overall >= 0.92 and min(per_item.values()) >= 0.85, per_item


BLIND = ROOT / "tests" / "data" / "core_blind"


def test_blind_set_agreement_does_not_regress():
    """24 conversations (12 fr, 12 en, new sectors) labelled before the scorer first saw them.

    First (blind) measurement: 0.845 item accuracy; after fixing general rules on its
    disagreements, 0.991 (no longer blind). The floor keeps a margin below the latter.
    """
    overall, per_item = _agreement(BLIND)
    assert overall >= 0.96, per_item


def test_an_email_reply_is_judged_on_its_own_words_and_its_letter_formulas():
    """A written channels lead's review: the quoted message below a reply was judged as the agent's (« C'est pas
    possible » failed positive wording; a quoted "Hello" passed the salutation of a reply opening on "Dear Mr Carter"), and
    « Cordialement », « Bien à vous », "Kind regards" failed the farewell of every e-mail."""
    quoted = "C'est pas possible ! Vous n'avez pas compris ma demande, je ne sais pas combien de fois je dois le répéter."
    french = score([
        ("customer", quoted),
        ("agent", "Bonjour Madame,\n\nVotre relevé d'identité opérateur vous a été envoyé par courrier ce matin.\n\nCordialement,\n"
                  f"Le service client\n\nLe 3 nov. 2026 à 08:00, cliente@example.com a écrit :\n> {quoted}"),
    ], channel="email")
    assert french.criteria["comprehensible_language"].items["positive_wording"].status == "passed"
    farewell = french.criteria["closing"].items["farewell"]
    assert farewell.status == "passed" and farewell.evidence[0].text == "Cordialement"
    english = score([
        ("customer", "Hello, I was charged twice this month. Thanks, John"),
        ("agent", "Dear Mr Carter,\n\nThe second charge has been refunded today.\n\nKind regards,\nSam Patel\n\n"
                  "On Tue, 3 Nov 2026 at 09:12, John Carter <j@example.com> wrote:\n> Hello,\n> I was charged twice. Thanks"),
    ], language="en", channel="email")
    salutation = english.criteria["greeting"].items["salutation"]
    assert salutation.status == "passed" and salutation.evidence[0].text.startswith("Dear Mr")
    assert english.criteria["closing"].items["farewell"].status == "passed"
    # the same words in a call are what they were: « salutations distinguées » greets nobody
    assert score([("agent", "Mes salutations distinguées, monsieur.")]).criteria["greeting"].items["salutation"].status == "failed"
