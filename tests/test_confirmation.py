"""A signal read in the customer's sentences, confirmed by the whole contact (qualicall.scorer.confirmation)."""

from __future__ import annotations

import math

import pytest

from conftest import make_interaction

# A complaint made once, among calm turns; the same complaint kept up; the same in the words of a cue.
ONCE = [
    ("agent", "Bonjour, service client Hélios Énergie, Karim à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour. Je viens de recevoir une facture de 600 euros pour deux mois, c'est complètement délirant."),
    ("agent", "Je regarde. Pouvez-vous me donner votre numéro de contrat ?"),
    ("customer", "Oui, c'est le 5 5 1 2 0 8."),
    ("agent", "Merci. Je corrige la facture avec le relevé réel, vous la recevrez sous trois jours."),
    ("customer", "D'accord, je note, merci."),
    ("agent", "Avec plaisir, bonne journée, au revoir."),
]
KEPT_UP = [
    *ONCE[:3],
    ("customer", "C'est le 5 5 1 2 0 8, et franchement je suis furieuse, c'est la pire facture de ma vie."),
    ONCE[4],
    ("customer", "Trois jours ? J'en ai vraiment assez de vos erreurs, je suis très mécontente."),
    ONCE[6],
]
CUED = [ONCE[0], ("customer", "Bonjour. Je viens de recevoir une facture de 600 euros pour deux mois, c'est inadmissible."), *ONCE[2:]]


def _rubric_confirming_on_negative_turns(**settings):  # type: ignore[no-untyped-def]
    """The French default rubric whose complaint stands only where half the customer's turns read negative."""
    from qualicall.scorer.confirmation import SignalConfirmation
    from qualicall.scorer.rubric import load_rubric

    model = SignalConfirmation(threshold=0.5, intercept=-10.0, weights={"negative_share": 20.0}, **settings)
    return load_rubric("default-fr").model_copy(update={"signal_confirmation": {"complaint": model}})


def test_a_complaint_the_rest_of_the_contact_does_not_confirm_is_absent_and_says_why():
    from qualicall.scorer.engine import Scorer
    from qualicall.scorer.rubric import load_rubric

    unconfirmed = load_rubric("default-fr").model_copy(update={"signal_confirmation": {}})
    read = Scorer(unconfirmed).score(make_interaction(ONCE, "fr", id="once"))
    assert read.signals["complaint"].present  # the sentences read it
    assert sum(t.label == "negative" for t in read.sentiment.turns) == 1 and len(read.sentiment.turns) == 3
    confirmed = Scorer(_rubric_confirming_on_negative_turns())
    once = confirmed.score(make_interaction(ONCE, "fr", id="once"))
    complaint = once.signals["complaint"]
    assert not complaint.present and complaint.reason_code == "signal.unconfirmed"
    assert complaint.reason.startswith("réclamation lue dans les phrases du client (") and "sous le seuil de 0,50" in complaint.reason
    assert complaint.reason_params["because"]["code"] == read.signals["complaint"].reason_code
    assert complaint.confidence == round(1 - complaint.reason_params["probability"], 2) and complaint.confidence > 0.5
    assert once.criteria["complaint_handling"].items["acknowledges"].status == "not_applicable"
    kept_up = confirmed.score(make_interaction(KEPT_UP, "fr", id="kept-up"))
    assert kept_up.signals["complaint"].present
    assert kept_up.rubric.thresholds["signal_confirmation"]["complaint"]["weights"] == {"negative_share": 20.0}


def test_a_complaint_in_the_words_of_a_cue_or_in_a_short_contact_stands_unjudged():
    """« c'est inadmissible » is the spec's own complaint, whatever the calm rest; two customer turns confirm nothing."""
    from qualicall.scorer.engine import Scorer

    confirmed = Scorer(_rubric_confirming_on_negative_turns())
    cued = confirmed.score(make_interaction(CUED, "fr", id="cued")).signals["complaint"]
    assert cued.present and cued.reason_code != "signal.unconfirmed"
    assert not Scorer(_rubric_confirming_on_negative_turns()).score(make_interaction(ONCE, "fr", id="once")).signals["complaint"].present
    short = Scorer(_rubric_confirming_on_negative_turns(min_customer_turns=4)).score(make_interaction(ONCE, "fr", id="once"))
    assert short.signals["complaint"].present


def test_the_probability_is_the_logistic_of_the_weighted_features():
    from qualicall.scorer.confirmation import SignalConfirmation

    model = SignalConfirmation(threshold=0.4, intercept=-1.0, weights={"negative_share": 2.0, "escalation_request": 1.5})
    assert model.probability({"negative_share": 0.5, "escalation_request": 1.0}) == pytest.approx(1 / (1 + math.exp(-1.5)))
    assert model.probability({"negative_share": 0.0, "escalation_request": 0.0}) == pytest.approx(1 / (1 + math.exp(1.0)))


@pytest.mark.parametrize("block, expected", [
    ("signal_confirmation:\n  complaint: {threshold: 0.3, intercept: 1, weights: {mood: 2}}\n", "unknown feature 'mood'"),
    ("signal_confirmation:\n  grievance: {threshold: 0.3, intercept: 1, weights: {confidence: 2}}\n", "unknown signal 'grievance'"),
    ("signal_confirmation:\n  complaint: {threshold: 1.5, intercept: 1, weights: {confidence: 2}}\n", "less than 1"),
])
def test_a_confirmation_the_rubric_cannot_use_is_a_rubric_problem_with_its_line(block, expected):
    from importlib import resources

    from qualicall.scorer.rubric import validate_rubric_text

    text = resources.files("qualicall.rubrics").joinpath("default-en.yaml").read_text(encoding="utf-8")
    text = text.split("\nsignal_confirmation:")[0].rstrip("\n") + "\n"  # the rubric less its own confirmation
    rubric, problems = validate_rubric_text(text + block)
    assert rubric is None
    assert any(expected in problem.message and problem.line == text.count("\n") + 2 for problem in problems), problems


def test_fit_finds_the_planted_effects():
    """Contacts labelled complaints where most customer turns read negative and they ask for a manager: the fitted weights say so, and
    the model separates new contacts of each kind."""
    import random

    from qualicall.scorer.confirmation import SignalConfirmation, fit

    rng = random.Random(7)
    rows = []
    for _ in range(400):
        share, escalation = rng.uniform(0, 1), float(rng.random() < 0.3)
        noise = rng.uniform(0, 1)
        rows.append(({"negative_share": share, "escalation_request": escalation, "confidence": noise}, 4 * share - 2 + 2 * escalation + rng.gauss(0, 0.5) > 0))
    intercept, weights = fit(rows, ["negative_share", "escalation_request", "confidence"])
    assert weights["negative_share"] > 4 and weights["escalation_request"] > 2 and abs(weights["confidence"]) < 0.5
    model = SignalConfirmation(threshold=0.5, intercept=intercept, weights=weights)
    assert model.probability({"negative_share": 0.9, "escalation_request": 1.0, "confidence": 0.5}) > 0.95
    assert model.probability({"negative_share": 0.1, "escalation_request": 0.0, "confidence": 0.5}) < 0.05
