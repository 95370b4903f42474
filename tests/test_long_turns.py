"""Issue 17, finding 3: the cost of a check grows with the text's length, never with its square.
A 1 MB agent turn (over spaCy's one-million-character limit) scores in a few seconds, and the
models still read the end of it, where a closing recap is."""

from __future__ import annotations

import time

import pytest

from conftest import make_interaction

ORDINARY = [
    "Je regarde votre dossier tout de suite.",
    "Le transporteur a bien reçu votre demande et elle est enregistrée chez nous depuis ce matin.",
    "Est-ce que vous avez encore le bordereau sous la main ?",
    "Je vous ai envoyé le lien de suivi par e-mail.",
    "Un conseiller de l'agence peut aussi vous rappeler en fin de journée si vous préférez.",
]
RECAP = "Donc votre colis repart du dépôt de Lyon aujourd'hui et il arrive chez vous jeudi avant midi."


def long_turn(characters: int) -> str:
    sentences, size = [], 0
    while size < characters:
        sentences.append(ORDINARY[len(sentences) % len(ORDINARY)])
        size += len(sentences[-1]) + 1
    return " ".join(sentences + [RECAP])


def call(agent_turn: str):
    return make_interaction([
        ("agent", "Bonjour, Colis Express, Julie à votre écoute, que puis-je faire pour vous ?"),
        ("customer", "Mon colis n'est pas arrivé, il est bloqué au dépôt de Lyon depuis lundi."),
        ("agent", agent_turn),
        ("customer", "Merci beaucoup."),
        ("agent", "Je vous en prie, bonne journée, au revoir."),
    ])


@pytest.mark.slow
def test_a_one_megabyte_agent_turn_scores_in_seconds(scorer):
    scorer.score(call(long_turn(3000)))  # models loaded before the clock starts
    text = long_turn(1_000_000)
    assert len(text) > 1_000_000
    started = time.process_time()
    result = scorer.score(call(text))
    cpu = time.process_time() - started
    assert cpu < 10, f"{cpu:.1f} s of CPU for a 1 MB turn"
    recap = result.criteria["closing"].items["recap"]
    assert recap.status == "passed", recap.reason
    # Found at the very end of the turn, far past the part the models read at its start.
    evidence = recap.evidence[0]
    assert evidence.turn == 2 and evidence.text.strip() == RECAP.rstrip(".") and evidence.start_char >= text.index(RECAP) - 1


def test_the_middle_of_a_long_turn_is_matched_on_words_only(scorer):
    """Phrases see the whole turn; the models read its first and last 5,000 characters (`text.model_chars`)."""
    head = long_turn(20_000)
    text = head + " Je récapitule : votre colis arrive jeudi. " + head
    recap = scorer.score(call(text)).criteria["closing"].items["recap"]
    assert recap.status == "passed" and recap.evidence[0].text.lower() == "je récapitule"


@pytest.mark.slow
def test_a_long_opening_turn_scores_in_seconds(scorer):
    """The greeting's checks read the agent's first turns, word by word where the first-name lexicon takes a word
    (« je », « du », « cela » are first names too): each such word split or re-read the whole turn, and a 100,000-character
    chat turn (the door's limit for one turn) took 531 s of the one scoring process, 40,000 characters 48 s."""
    sentence = "Bonjour madame, je comprends votre demande concernant la facture du mois dernier et je vais vérifier cela. "
    opening = (sentence * 1000)[:100_000]
    scorer.score(make_interaction([("agent", opening[:3000]), ("customer", "merci")]))  # models loaded before the clock starts
    started = time.process_time()
    result = scorer.score(make_interaction([("agent", opening), ("customer", "merci")]))
    cpu = time.process_time() - started
    assert cpu < 10, f"{cpu:.1f} s of CPU for a 100,000-character opening turn"
    assert result.criteria["greeting"].items["salutation"].status == "passed"
