"""The grid's items recognised by meaning (issue 12): sentences that are in no bank of the default rubrics,
in French and English, that must pass and must fail each item; the closest example in the reason; a
contradiction in a bank reported by `qualicall rubric validate` with its sentence and YAML line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from core_scoring import item
from qualicall.scorer.rubric import rubric_path

A, C = "agent", "customer"
CALL = {
    "fr": {
        "opening": [(A, "Bonjour, Transports Lumen, Maëlle."), (C, "Bonjour, ma livraison de meubles n'est pas arrivée samedi comme prévu.")],
        "middle": [(A, "Je regarde votre dossier. La livraison a été reportée, le camion est tombé en panne."), (C, "Ah, d'accord.")],
        "closing": [(A, "Voilà, c'est noté."), (C, "Merci.")],
        "answer": "Oui.",
    },
    "en": {
        "opening": [(A, "Hello, Lumen Transport, Maëlle."), (C, "Hi, my furniture delivery didn't arrive on Saturday as planned.")],
        "middle": [(A, "Let me look at your file. The delivery was postponed, the lorry broke down."), (C, "Oh, okay.")],
        "closing": [(A, "Right, that's noted."), (C, "Thanks.")],
        "answer": "Yes.",
    },
}


def conversation(language: str, item_id: str, sentence: str) -> list[tuple[str, str]]:
    """A call where the agent says `sentence` where the item is judged: the opening, after the need, the closing or mid-call."""
    call = CALL[language]
    opening, middle, closing = call["opening"], call["middle"], call["closing"]
    if item_id == "greeting.offer_help":
        return [(A, f"{opening[0][1]} {sentence}"), *opening[1:], *middle, *closing]
    if item_id.startswith("closing."):
        return [*opening, *middle, (A, sentence), (C, closing[1][1])]
    if item_id == "reformulation.restates_need":
        # The customer answers it: a restatement recognised by meaning alone counts once confirmed (a bare « oui »).
        return [*opening, (A, sentence), (C, call["answer"]), *middle, *closing]
    return [*opening, *middle, (A, sentence), (C, call["answer"]), *closing]


# (language, item, sentence said by the agent, expected status): none of these sentences is in a bank.
CASES = [
    ("fr", "greeting.offer_help", "Qu'est-ce qui vous ferait plaisir que je regarde pour vous ?", "passed"),
    ("fr", "greeting.offer_help", "Pouvez-vous m'épeler votre nom de famille ?", "failed"),
    ("en", "greeting.offer_help", "How may I be of assistance?", "passed"),
    ("en", "greeting.offer_help", "Could you spell your surname for me?", "failed"),
    ("fr", "reformulation.checks_understanding", "Mes explications étaient-elles assez claires ?", "passed"),
    ("fr", "reformulation.checks_understanding", "est-ce que vous voyez ce que je veux dire", "passed"),
    ("fr", "reformulation.checks_understanding", "Vous êtes bien joignable au même numéro ?", "failed"),
    ("en", "reformulation.checks_understanding", "are you following me so far", "passed"),
    ("en", "reformulation.checks_understanding", "Is your postcode still the same?", "failed"),
    ("fr", "closing.other_needs", "est-ce qu'il y a un dernier point que je peux régler pour vous", "passed"),
    ("fr", "closing.other_needs", "Je vous envoie la confirmation par courrier.", "failed"),
    ("en", "closing.other_needs", "Is there something more I could sort out for you today?", "passed"),
    ("en", "closing.other_needs", "I'll post the confirmation to you.", "failed"),
    ("fr", "closing.thanks", "C'est gentil à vous de nous avoir appelés.", "passed"),
    ("fr", "closing.thanks", "Le camion passera lundi matin.", "failed"),
    ("en", "closing.thanks", "Cheers for your patience today.", "passed"),
    ("en", "closing.thanks", "The lorry will come on Monday morning.", "failed"),
    # "appreciate you …" opening the sentence, the subject dropped, and a familiar word after it (v22's phrases).
    ("en", "closing.thanks", "Appreciate you ringing in about it, mate.", "passed"),
    ("fr", "closing.farewell", "Prenez bien soin de vous, madame.", "passed"),
    ("fr", "closing.farewell", "Le livreur vous appellera la veille.", "failed"),
    ("en", "closing.farewell", "Take it easy, speak soon.", "passed"),
    ("en", "closing.farewell", "The driver will ring you the day before.", "failed"),
    # Wishes about the weather as leave-taking: "stay warm out there" (v22's phrases).
    ("en", "closing.farewell", "Stay warm out there, it's bitter tonight.", "passed"),
    ("en", "closing.farewell", "I've lagged the tank so the pipes stay warm overnight.", "failed"),
    ("en", "closing.thanks", "I'd appreciate it if you could send the signed form back.", "failed"),
    ("fr", "closing.recap", "Pour reprendre ce qu'on a vu, la livraison passe à lundi et le livreur vous prévient la veille.", "passed"),
    ("fr", "closing.recap", "Oui, le camion est garé devant l'entrepôt.", "failed"),
    ("en", "closing.recap", "Where we've got to is that the delivery moves to Monday and the driver rings you the day before.", "passed"),
    ("en", "closing.recap", "Yes, the lorry is parked outside the warehouse.", "failed"),
    ("fr", "reformulation.restates_need", "Bref, vos meubles devaient être livrés samedi et la livraison n'est pas arrivée.", "passed"),
    ("fr", "reformulation.restates_need", "Bref, je vais regarder le dossier.", "failed"),
    ("en", "reformulation.restates_need", "right so the way I understand it your sofa delivery didn't show up on saturday", "passed"),
    ("en", "reformulation.restates_need", "Basically, I'll take a look at the file.", "failed"),
    # Unpunctuated speech: the customer's « oui » confirms what ends the turn, and unrelated words stay no restatement.
    ("fr", "reformulation.restates_need", "en gros vos meubles sont jamais arrivés samedi alors que la livraison était prévue", "passed"),
    ("en", "reformulation.restates_need", "so basically i'll pull up the file and have a look", "failed"),
    # positive_wording fails on a breach: a sentence that reads like a banned formula.
    ("fr", "comprehensible_language.positive_wording", "Aucun souci pour ça, je m'en charge.", "failed"),
    ("fr", "comprehensible_language.positive_wording", "Je m'en occupe avec plaisir.", "passed"),
    ("en", "comprehensible_language.positive_wording", "No probs at all, happy to do it.", "failed"),
    ("en", "comprehensible_language.positive_wording", "I'll gladly take care of that for you.", "passed"),
]


def _in_a_bank(sentence: str) -> bool:
    from qualicall.core.text import normalize
    from qualicall.scorer.rubric import load_rubric

    key = normalize(sentence).text
    for language in CALL:
        for bank in load_rubric(f"default-{language}").example_banks().values():
            if key in {normalize(s).text for s in (*bank.positives, *bank.negatives)}:
                return True
    return False


@pytest.mark.parametrize("language, item_id, sentence, expected", CASES)
def test_sentences_in_no_bank_pass_or_fail_by_meaning(language: str, item_id: str, sentence: str, expected: str) -> None:
    assert not _in_a_bank(sentence)
    result = item(conversation(language, item_id, sentence), item_id, language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "language, ending, expected",
    [
        ("fr", "ça vous paraît logique tout ça", "passed"),
        ("fr", "et il repart lundi matin", "failed"),
        ("en", "did that all come across clearly", "passed"),
        ("en", "and it goes out monday morning", "failed"),
    ],
)
def test_a_check_closing_a_long_unpunctuated_turn_is_read_on_its_own(language: str, ending: str, expected: str) -> None:
    """ASR text: a check of understanding at the end of a 24-word piece weighs little in its vector; the turn's last words are read alone."""
    explanation = {
        "fr": "alors en fait le camion est tombé en panne samedi matin donc toutes les livraisons de la tournée ont été décalées et la vôtre passe en priorité",
        "en": "so basically the lorry broke down on saturday morning so every delivery on that round got pushed back and yours now goes first in the queue",
    }[language]
    assert not _in_a_bank(ending)
    call = CALL[language]
    turns = [*call["opening"], (A, f"{explanation} {ending}"), (C, call["answer"]), *call["closing"]]
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


def test_a_sentence_recognised_by_meaning_names_its_closest_example_and_similarity() -> None:
    sentence = "Mes explications étaient-elles assez claires ?"
    result = item(conversation("fr", "reformulation.checks_understanding", sentence), "reformulation.checks_understanding", "fr")
    assert result.status == "passed"
    from qualicall.scorer.reasons import render

    closest = result.reason_params["closest"]
    assert result.reason_code == "bank.meaning" and closest != sentence
    similarity = f"{result.measures['similarity']:.2f}"
    assert f"« {sentence} »" in result.reason and f"exemple le plus proche : « {closest} » ({similarity.replace('.', ',')})" in result.reason
    assert f"closest example: « {closest} » ({similarity})" in render(result.reason_code, result.reason_params, "en")
    assert 0.5 <= result.measures["similarity"] <= 1.0
    assert [e.text for e in result.evidence][:1] == [sentence.rstrip(" ?")]  # the words of the sentence, as evidence of phrases


def test_validate_names_a_contradiction_in_a_grid_bank_with_its_line(tmp_path) -> None:
    from qualicall.cli import app

    text = rubric_path("default-en").read_text(encoding="utf-8")
    lines = text.splitlines()
    # A sentence of the thanks bank's positives, also written among its negatives.
    start = lines.index("  thanks:")
    positive = next(line for line in lines[start:] if line.startswith("      - ")).strip()[2:]
    negatives = start + next(i for i, line in enumerate(lines[start:]) if line == "    negative:")
    lines.insert(negatives + 1, f"      - {positive}")
    custom = tmp_path / "custom.yaml"
    custom.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rubric", "validate", str(custom)])
    assert result.exit_code == 1
    sentence = positive.strip('"')
    errors = [line for line in result.output.splitlines() if "both a positive and a negative" in line]
    assert errors == [f"{custom}: banks.thanks (line {negatives + 2}): « {sentence} » is both a positive and a negative example"], result.output


def test_validate_prints_each_banks_cross_validated_accuracy() -> None:
    from qualicall.cli import app

    result = CliRunner().invoke(app, ["rubric", "validate", "default-fr"])
    assert result.exit_code == 0, result.output
    accuracies = {line.split()[1].rstrip(":"): float(line.split()[4]) for line in result.output.splitlines() if line.startswith("  bank ")}
    assert {"offer_help", "checks_understanding", "other_needs", "recap", "thanks", "farewell", "positive_wording_breach"} <= set(accuracies)
    assert all(0.0 <= value <= 1.0 for value in accuracies.values())
    assert accuracies["other_needs"] >= 0.8
