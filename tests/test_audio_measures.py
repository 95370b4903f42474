"""The audio pipeline's pure parts on hand-made timings: measured indicators, agent cues, guards, word joining."""

from __future__ import annotations

import pytest

from qualicall.audio.measures import TimedWord, Utterance, measure
from qualicall.audio.pipeline import join_words
from qualicall.audio.roles import decide_agent
from qualicall.models.asr import Segment, drop_hallucinations


def words(speaker: str, start: float, end: float, count: int) -> list[TimedWord]:
    step = (end - start) / count
    return [TimedWord(start + i * step, start + (i + 1) * step - 0.05, speaker) for i in range(count)]


def test_silence_hold_and_overtalk_from_timed_words():
    timed = (
        words("agent", 1.0, 5.0, 10)        # opening
        + words("customer", 5.5, 12.0, 16)
        + words("agent", 10.0, 14.0, 10)    # starts 4.5 s inside the customer's speech: one overtalk
        + words("agent", 40.0, 44.0, 10)    # after 26 s of silence: a hold by length
        + words("customer", 44.5, 46.0, 4)
        + words("agent", 46.5, 48.0, 4)     # "je vous mets en attente"
        + words("agent", 56.0, 60.0, 10)    # after 8 s: an announced hold
    )
    utterances = [Utterance("agent", "Un instant, je vous mets en attente.", 47.95)]
    measured = measure(timed, utterances, dual_channel=True, hold_min_s=20.0)
    assert measured["overtalk_count"] == 1
    assert measured["hold_time_s"] == pytest.approx(26.05 + 8.05, abs=0.01)
    # The announced 8 s hold is not dead air; the unannounced 26 s one is.
    assert measured["longest_silence_s"] == pytest.approx(26.05, abs=0.01)
    speech = 4 + (14 - 5.5) + 4 + 1.5 + 1.5 + 4 - 0.05 * 4
    assert measured["silence_ratio"] == pytest.approx(1 - speech / 59.0, abs=0.01)
    agent_talk = 4 + 4 + 4 + 1.5 + 4 - 0.05 * 5
    assert measured["agent_talk_ratio"] == pytest.approx(agent_talk / (agent_talk + 6.5 + 1.5 - 0.1), abs=0.01)
    assert measured["agent_speech_rate_wpm"] == pytest.approx(44 / (agent_talk / 60), rel=0.02)


def test_mono_calls_have_no_overtalk_and_silent_calls_no_measures():
    timed = words("agent", 0, 10, 25)
    measured = measure(timed, [], dual_channel=False, hold_min_s=20.0)
    assert "overtalk_count" not in measured and "agent_talk_ratio" not in measured  # no customer heard
    assert measure([], [], dual_channel=True, hold_min_s=20.0) == {}


@pytest.mark.parametrize(
    ("openings", "agent"),
    [
        (["bonjour j'appelle pour ma facture", "Énergie Plus bonjour, Julie à votre écoute, que puis-je faire pour vous ?"], 1),
        (["Thank you for calling Northwind, this is Tom speaking, how can I help?", "hi I'm calling about my bill"], 0),
        (["oui bonjour vous êtes bien chez mutuelle horizon", "oui bonjour je voudrais un rendez-vous"], 0),
    ],
)
def test_agent_is_the_speaker_whose_opening_sounds_like_an_agent(openings, agent):
    decision = decide_agent(openings, first_speaker=1 - agent)
    assert decision.agent == agent and decision.confidence >= 0.7


@pytest.mark.parametrize(
    "caller",
    [
        "Hello, is that customer service? I'm looking for a train.",
        "Hello, I was at the customer service. I'm looking for a train.",  # the real call's caller, as a decoder heard her
        "Bonjour, c'est bien le service client ? Je voudrais un rendez-vous.",
    ],
)
def test_a_caller_who_names_the_service_she_called_is_not_taken_for_its_agent(caller):
    # The caller speaks first and names the service; the agent answers with a short offer of help.
    decision = decide_agent([caller, "Yes, can I help you?" if "service client" not in caller else "Oui, comment puis-je vous aider ?"], first_speaker=0)
    assert decision.agent == 1 and decision.confidence >= 0.75, decision


def test_a_greeting_heard_on_one_side_only_does_not_overturn_the_first_speaker():
    # Two garbled openings (espeak-ng's French agent as Whisper heard it); only the second speaker's « bonjour » heard.
    decision = decide_agent(["Bon, c'est mis, tu lui as pas très court ! Que puis c'est bon, bon ?", "Bonjour, ma fête de mars"], first_speaker=0)
    assert decision.agent == 0 and decision.confidence < 0.6


def test_no_cue_falls_back_to_the_first_speaker_with_low_confidence():
    decision = decide_agent(["oui", "d'accord"], first_speaker=1)
    assert decision.agent == 1 and decision.confidence < 0.6


def test_loops_and_repeated_segments_are_dropped():
    def segment(text: str, avg_logprob: float = -0.3, no_speech_prob: float = 0.1) -> Segment:
        return Segment(0, 1, text, avg_logprob=avg_logprob, no_speech_prob=no_speech_prob)

    kept = drop_hallucinations([
        segment("Bonjour, je vous écoute."),
        segment("m'y m'y m'y m'y m'y m'y"),
        segment("merci merci merci merci merci"),
        segment("Qu'est-ce qu'il y a ?"), segment("Qu'est-ce qu'il y a ?"), segment("Qu'est-ce qu'il y a ?"),
        segment("Sous-titres réalisés par la communauté", avg_logprob=-1.4, no_speech_prob=0.8),
        segment("Oui."), segment("Oui."),
        segment("Merci, merci pour votre aide, au revoir."),
    ])
    assert [s.text for s in kept] == ["Bonjour, je vous écoute.", "Oui.", "Merci, merci pour votre aide, au revoir."]


def test_words_are_joined_back_with_french_elisions():
    assert join_words(["Bonjour,", "je", "m", "'appelle", "Julie."]) == "Bonjour, je m'appelle Julie."
    assert join_words(["c'est", "au", "rez", "-de-chaussée"]) == "c'est au rez-de-chaussée"
