"""Per-interaction operational indicators against indicators.md's definitions, and the combined score."""

from __future__ import annotations

import pytest
from conftest import make_interaction

from qualicall.scorer.indicators import measure_chat, score_indicators
from qualicall.scorer.rubric import load_rubric, validate_rubric_text

HOUR = 3600


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("default-fr")


# (indicator, value, channel, expected score): target → limit linear, bands by distance, from indicators.md
CASES = [
    ("wait_time_s", 20, "voice", 100.0), ("wait_time_s", 70, "voice", 50.0), ("wait_time_s", 120, "voice", 0.0), ("wait_time_s", 400, "voice", 0.0),
    ("ivr_time_s", 30, "voice", 100.0), ("ivr_time_s", 75, "voice", 50.0),
    ("handle_time_s", 300, "voice", 100.0), ("handle_time_s", 60, "voice", 80.0), ("handle_time_s", 750, "voice", 50.0),
    ("hold_time_s", 30, "voice", 100.0), ("hold_time_s", 105, "voice", 50.0),
    ("transfers", 0, "voice", 100.0), ("transfers", 1, "voice", 50.0), ("transfers", 2, "voice", 0.0),
    ("resolved_first_contact", True, "voice", 100.0), ("resolved_first_contact", False, "voice", 0.0),
    ("csat", 5, "voice", 100.0), ("csat", 3, "voice", 50.0), ("csat", 1, "voice", 0.0),
    ("first_response_s", 60, "chat", 100.0), ("first_response_s", 180, "chat", 50.0), ("first_response_s", 300, "chat", 0.0),
    ("first_response_s", 24 * HOUR, "email", 100.0), ("first_response_s", 36 * HOUR, "email", 50.0),
    ("first_response_s", 48 * HOUR, "email", 0.0), ("first_response_s", 300, "email", 100.0),
    ("silence_ratio", 0.15, "voice", 100.0), ("silence_ratio", 0.275, "voice", 50.0),
    ("longest_silence_s", 35, "voice", 50.0), ("overtalk_count", 1, "voice", 100.0), ("overtalk_count", 4.5, "voice", 50.0),
    ("agent_talk_ratio", 0.5, "voice", 100.0), ("agent_talk_ratio", 0.8, "voice", 57.14), ("agent_talk_ratio", 0.1, "voice", 28.57),
    ("agent_speech_rate_wpm", 150, "voice", 100.0), ("agent_speech_rate_wpm", 220, "voice", 50.0), ("agent_speech_rate_wpm", 60, "voice", 0.0),
]


@pytest.mark.parametrize("name,value,channel,expected", CASES)
def test_each_indicator_scored_per_its_definition(rubric, name, value, channel, expected):
    results, operational, _ = score_indicators(rubric, {name: value}, channel=channel)
    assert results[name].score == expected
    assert results[name].source == "input"
    assert operational == expected


def test_thresholds_used_are_in_the_result(rubric):
    results, _, _ = score_indicators(rubric, {"first_response_s": 30 * HOUR}, channel="email")
    assert results["first_response_s"].model_dump()["target"] == 24 * HOUR
    assert results["first_response_s"].model_dump()["limit"] == 48 * HOUR
    chat, _, _ = score_indicators(rubric, {"first_response_s": 30}, channel="chat")
    assert chat["first_response_s"].model_dump()["limit"] == 300


def test_nps_is_kept_but_never_scored(rubric):
    results, operational, absent = score_indicators(rubric, {"nps": 9, "csat": 4})
    assert results["nps"].value == 9 and results["nps"].score is None
    assert operational == 75.0  # csat only
    assert "nps" not in absent


def test_operational_is_the_weighted_mean_of_present_ones_absent_listed_not_zero(rubric):
    results, operational, absent = score_indicators(rubric, {"wait_time_s": 70, "csat": 5}, channel="voice")
    assert operational == 75.0  # (50 + 100) / 2: the twelve absent ones are not zeros
    assert set(absent) == {"ivr_time_s", "handle_time_s", "hold_time_s", "transfers", "resolved_first_contact", "silence_ratio",
                           "longest_silence_s", "overtalk_count", "agent_talk_ratio", "agent_speech_rate_wpm"}
    _, _, email_absent = score_indicators(rubric, {}, channel="email")
    assert set(email_absent) == {"handle_time_s", "transfers", "resolved_first_contact", "csat", "first_response_s"}


def test_weights_from_the_rubric():
    text = load_rubric_text().replace("wait_time_s: {label: Temps d'attente, target: 20, limit: 120",
                                      "wait_time_s: {label: Temps d'attente, weight: 3, target: 20, limit: 120")
    weighted, problems = validate_rubric_text(text)
    assert not problems
    _, operational, _ = score_indicators(weighted, {"wait_time_s": 70, "csat": 5})
    assert operational == 62.5  # (3 × 50 + 1 × 100) / 4


def test_input_wins_over_measured_and_measured_is_marked(rubric):
    results, _, _ = score_indicators(rubric, {"wait_time_s": 20}, {"wait_time_s": 120, "silence_ratio": 0.15})
    assert (results["wait_time_s"].value, results["wait_time_s"].source) == (20, "input")
    assert results["silence_ratio"].source == "measured"


def load_rubric_text() -> str:
    from qualicall.scorer.rubric import rubric_path

    return rubric_path("default-fr").read_text(encoding="utf-8")


def test_rubric_without_channel_settings_stays_valid_and_bad_overrides_are_refused():
    minimal = """
id: mini
version: "1"
language: fr
criteria:
  greeting: {weight: 1, items: {salutation: {check: formula, params: {phrases: [bonjour]}}}}
indicators:
  first_response_s: {target: 60, limit: 300}
"""
    rubric, problems = validate_rubric_text(minimal)
    assert not problems, problems
    results, _, absent = score_indicators(rubric, {"first_response_s": 180}, channel="email")
    assert results["first_response_s"].score == 50.0  # no e-mail setting: the one setting applies everywhere
    bad = minimal.replace("{target: 60, limit: 300}", "{target: 60, limit: 300, by_channel: {email: {limit: 60}}}")
    rubric, problems = validate_rubric_text(bad)
    assert rubric is None and "by_channel.email" in problems[0].message
    unknown = minimal.replace("{target: 60, limit: 300}", "{target: 60, limit: 300, by_channel: {fax: {limit: 10}}}")
    assert validate_rubric_text(unknown)[0] is None


def test_a_queue_has_its_own_settings():
    text = load_rubric_text().replace("handle_time_s: {label: Durée de traitement, kind: band, band: [120, 600], limit: 300}",
                                      "handle_time_s: {label: Durée de traitement, kind: band, band: [120, 600], limit: 300,\n"
                                      "                  by_queue: {professionnels: {band: [300, 900]}}}")
    rubric, problems = validate_rubric_text(text)
    assert not problems, problems
    pro, _, _ = score_indicators(rubric, {"handle_time_s": 750}, channel="voice", queue="professionnels")
    other, _, _ = score_indicators(rubric, {"handle_time_s": 750}, channel="voice", queue="particuliers")
    assert (pro["handle_time_s"].score, pro["handle_time_s"].model_dump()["band"]) == (100.0, (300, 900))
    assert other["handle_time_s"].score == 50.0  # 150 s beyond 600 s, 0 at 300 s beyond
    bad, problems = validate_rubric_text(text.replace("band: [300, 900]", "band: [900, 300]"))
    assert bad is None and "by_queue.professionnels" in problems[0].message


def test_chat_first_response_measured_from_turn_times():
    chat = make_interaction([("customer", "Bonjour ?"), ("customer", "Il y a quelqu'un ?"), ("agent", "Bonjour, Léa à votre écoute.")], channel="chat")
    assert measure_chat(chat) == {}  # no times on these turns
    timed = chat.model_copy(update={"turns": [t.model_copy(update={"start": s}) for t, s in zip(chat.turns, [2.0, 40.0, 95.0])]})
    assert measure_chat(timed) == {"first_response_s": 93.0}
    agent_first = timed.model_copy(update={"turns": [timed.turns[2].model_copy(update={"start": 12.0}), *timed.turns[:2]]})
    assert measure_chat(agent_first) == {"first_response_s": 12.0}


def test_engine_combination_says_which_parts_it_used(rubric):
    from qualicall.scorer.engine import score_interaction

    turns = [("agent", "Énergie Plus bonjour, Julie à votre écoute, que puis-je faire pour vous ?"), ("customer", "Bonjour, ma facture est fausse."),
             ("agent", "Je corrige votre facture. Avez-vous d'autres questions ?"), ("customer", "Non merci."), ("agent", "Merci de votre appel, au revoir.")]
    both = score_interaction(make_interaction(turns, indicators={"wait_time_s": 70, "csat": 5}), rubric)
    assert both.operational_score == 75.0
    assert both.combination["used"] == ["quality", "operational"]
    assert both.overall_score == round((70 * both.quality_score + 30 * 75.0) / 100, 2)
    assert "wait_time_s" not in both.combination["indicators_absent"] and "hold_time_s" in both.combination["indicators_absent"]
    quality_only = score_interaction(make_interaction(turns), rubric)
    assert quality_only.combination["used"] == ["quality"] and quality_only.overall_score == quality_only.quality_score
    assert quality_only.operational_score is None
    from qualicall.core.interaction import Interaction

    abandoned = score_interaction(Interaction(id="ab", abandoned=True, indicators={"wait_time_s": 120}), rubric)
    assert abandoned.quality_score is None and abandoned.combination["used"] == ["operational"]
    assert abandoned.overall_score == 0.0
    timed_chat = make_interaction([("customer", "Bonjour, ma facture est fausse."), *turns], channel="chat").model_dump()
    for index, turn in enumerate(timed_chat["turns"]):
        turn["start"] = [5.0, 70.0, 75.0, 80.0, 85.0, 90.0][index]
    chat = score_interaction(Interaction.model_validate(timed_chat), rubric)
    assert chat.indicators["first_response_s"].value == 65.0  # from the customer's message at 5 s to the reply at 70 s
    assert chat.indicators["first_response_s"].source == "measured" and chat.indicators["first_response_s"].score == 97.92
