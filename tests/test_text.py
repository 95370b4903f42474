"""Normalised text and its map back to the original: each lookup checked against its plain definition."""

from __future__ import annotations

import random

import pytest

from qualicall.core.text import DEFAULT_HESITATIONS, compile_phrases, normalize

ALPHABET = list("abcXYZ09 -'’.,?!éÉœß\u0301日") + ["euh", " hum ", "Bonjour", "  "]


def samples(count: int = 400) -> list[str]:
    chooser = random.Random(13)
    return ["".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(0, 40))) for _ in range(count)]


def test_normalised_text_drops_case_accents_punctuation_and_hesitations():
    original = "Euh… Que puis-je FAIRE pour vous, Cœur ?"
    norm = normalize(original)
    assert norm.text == "que puis je faire pour vous coeur"
    start, end = norm.span(norm.text.index("coeur"), len(norm.text))
    assert original[start:end] == "Cœur"
    assert normalize("euh bonjour").text == "bonjour"
    assert normalize("euh bonjour", frozenset({"bonjour"})).text == "euh"
    assert "euh" in DEFAULT_HESITATIONS


def test_norm_span_is_the_normalised_characters_from_an_original_span():
    for text in samples():
        norm = normalize(text)
        for start in range(len(text) + 1):
            end = start + random.Random(start).randint(0, 12)
            inside = [i for i, o in enumerate(norm.offsets) if start <= o < end]
            assert norm.norm_span(start, end) == ((inside[0], inside[-1] + 1) if inside else None), (text, start, end)


@pytest.mark.parametrize("count", [0, 1, 3, 8])
def test_words_around_a_position_are_those_of_the_split_text(count):
    for text in samples(150):
        norm = normalize(text)
        for position in range(len(norm.text) + 1):
            assert norm.words_before(position, count) == (norm.text[:position].split()[-count:] if count else [])
            assert norm.words_after(position, count) == norm.text[position:].split()[:count]


def test_a_phrase_with_a_hesitation_matches_the_turn_without_it():
    pattern = compile_phrases(["que puis euh je faire"], frozenset({"euh"}))
    assert pattern.search(normalize("Que puis-je faire ?").text)
    assert compile_phrases(["euh"]) is None  # nothing left to match


def test_a_contraction_written_without_its_apostrophe_reads_as_written_with_it():
    contractions = frozenset({"you're", "don't"})
    said = normalize("so youre moving, I dont know when", contractions=contractions)
    assert said.text == "so you re moving i don t know when"
    # Both parts point back at the one word ASR wrote.
    start, end = said.text.index("you re"), said.text.index("you re") + len("you re")
    assert said.original[slice(*said.span(start, end))] == "youre"
    assert said.original[slice(*said.span(end - 2, end))] == "re"
    # Not a contraction it was told about, nor one inside another word.
    assert normalize("youreka dont", contractions=frozenset({"you're"})).text == "youreka dont"


def test_chat_shorthand_reads_as_its_words_and_points_back_at_what_was_written():
    spellings = (("np", "no problem"), ("thx", "thanks"), ("u", "you"))
    said = normalize("Thx!! np, see u Fri", spellings=spellings)
    assert said.text == "thanks no problem see you fri"
    for words, written in (("thanks", "Thx"), ("no problem", "np"), ("you", "u"), ("fri", "Fri")):
        start = said.text.index(words)
        assert said.original[slice(*said.span(start, start + len(words)))] == written
    # The written word maps back onto its reading, whole.
    assert said.norm_span(0, 3) == (0, len("thanks"))
    # Only whole words: "uk", "thxx" are not shorthand it was told about; nor a letter of an initialism or a part of a
    # hyphenated word. Capitals and a missing space after a dot are chat writing too.
    assert normalize("uk thxx", spellings=spellings).text == "uk thxx"
    assert normalize("the U.S. office, a u-turn", spellings=spellings).text == "the u s office a u turn"
    assert normalize("ok.thx NP", spellings=spellings).text == "ok thanks no problem"


def test_an_emails_quoted_message_is_blanked_where_it_was():
    """A written channels lead's review: a reply judged with the message it quotes failed « Formulations positives » on the
    customer's « C'est pas possible », and took its salutation from a quoted "Hello". Blanked, not cut: every other
    character stays where it was, so evidence spans hold on the text as written. Quoted lines without a header stay (an
    agent's own steps may open on « > »)."""
    from qualicall.core.text import without_quoted

    reply = ("Madame,\n\nVotre RIO vous a été envoyé.\n\nBien à vous,\nL'équipe Télécom Ouest\n\n"
             "Le 3 nov. 2026 à 08:00, cliente@example.com a écrit :\n> C'est pas possible ! Vous n'avez pas compris.")
    own = without_quoted(reply)
    assert len(own) == len(reply) and own.rstrip() == "Madame,\n\nVotre RIO vous a été envoyé.\n\nBien à vous,\nL'équipe Télécom Ouest"
    assert without_quoted("Hi,\n\nsorted.\n\nSam Patel\n\nOn Tue, 3 Nov 2026 at 09:12, John <j@x.com> wrote:\n> Hello,\n> Thanks").rstrip() \
        == "Hi,\n\nsorted.\n\nSam Patel"
    assert without_quoted("Réponse.\n\n-----Message d'origine-----\nDe : x\nTexte").rstrip() == "Réponse."
    assert without_quoted("Réponse.\nDe : Jean <j@x.fr>\nEnvoyé : lundi 2 novembre 2026 10:00\nÀ : sav\nObjet : RIO\nTexte").rstrip() \
        == "Réponse."
    # the agent's signature stays (they sign with their name); the agent's own words that look like a header stay
    # (a fresh-eyes review: each blanked the whole reply after it)
    for own in ("Merci.\n-- \nSam Patel, service client",
                "Le client a écrit : il veut un remboursement. Je vous le confirme.",
                "Bonjour Madame,\n\nLe 3 novembre, notre technicien vous a écrit :\nvotre box sera remplacée.\n\nCordialement,\nJulie",
                "Your new flight:\nFrom: London Heathrow\nDate: 12 May 2026\nIs there anything else?\nKind regards,\nSam",
                "Les étapes :\n> ouvrez l'application\n> touchez Paramètres"):
        assert without_quoted(own) == own, own
