"""Customer signals, customer sentiment and the conditional `complaint_handling` criterion
(complaints-and-satisfaction.md), on the default rubrics and the real sentence encoder.

The sentences below were written for these tests, not taken from a labelled set; a few short ones are also examples of
the default banks (« Je voudrais changer d'adresse. », "I'm going to cancel my contract."): what is tested of them holds
of the longer ones too."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_interaction

SIGNALS = ("complaint", "escalation_request", "churn_threat", "repeat_contact")


def said_after_a_greeting(scorer, language: str, said: str, interaction_id: str):  # type: ignore[no-untyped-def]
    """The result of a call in which the agent greets and the customer says `said`."""
    greeting = "Bonjour, que puis-je pour vous ?" if language == "fr" else "Hello, how can I help?"
    return scorer.score(make_interaction([("agent", greeting), ("customer", said)], language, id=interaction_id))


# A French complaint, its escalation, a churn threat; the agent apologises, owns it and gives a reference and a delay.
COMPLAINT_FR = [
    ("agent", "Bonjour, service client Hélios Énergie, Karim à votre écoute, que puis-je faire pour vous ?"),
    ("customer", "Bonjour. Je viens de recevoir une facture de 600 euros pour deux mois, c'est complètement délirant."),
    ("agent", "Je suis vraiment désolé pour cette mauvaise surprise. Pouvez-vous me donner votre numéro de contrat ?"),
    ("customer", "C'est le 5 5 1 2 0 8."),
    ("customer", "Si ce n'est pas corrigé, je saisis le médiateur de l'énergie. Et je pars chez un autre fournisseur."),
    ("agent", "Je corrige moi-même la facture avec le relevé réel, tout de suite."),
    ("agent", "Vous recevrez la facture rectifiée par courriel sous trois jours ouvrés, le numéro de votre réclamation est le R 7 7 4 0 1."),
    ("customer", "Bon, merci, c'est déjà mieux."),
    ("agent", "Avez-vous d'autres questions ? Je vous souhaite une bonne journée, au revoir."),
]

# The same shape of call, but the agent blames another department and gives no concrete next step.
BLAME_EN = [
    ("agent", "Good morning, Clearline Broadband, Priya speaking, how can I help?"),
    ("customer", "Hello. My broadband has cut out every evening for a fortnight and honestly it's not acceptable."),
    ("agent", "That's the network team's doing, not ours, there's nothing we can do from here."),
    ("customer", "So what happens now?"),
    ("agent", "Someone should be in touch at some point."),
    ("customer", "Right. Goodbye."),
    ("agent", "Thanks for calling, bye."),
]

# A calm request: no signal, complaint handling does not apply.
CALM_FR = [
    ("agent", "Mutuelle Ardoise bonjour, Léa à votre écoute, en quoi puis-je vous aider ?"),
    ("customer", "Bonjour, je voudrais ajouter mon conjoint à mon contrat santé à partir du mois prochain."),
    ("agent", "Bien sûr. Vous souhaitez donc ajouter votre conjoint dès le mois prochain, c'est bien cela ?"),
    ("customer", "Oui, c'est exactement ça."),
    ("agent", "C'est fait, vous recevrez la nouvelle carte par courrier. Avez-vous d'autres questions ?"),
    ("customer", "Non, c'est parfait, merci beaucoup, vous avez été très efficace."),
    ("agent", "Merci de votre appel, bonne journée, au revoir."),
]


def default_bank(language: str, name: str) -> "object":
    """A default rubric's bank, ready to judge (its vectors once per process)."""
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.banks import bank_model
    from qualicall.scorer.rubric import load_rubric

    return bank_model(load_rubric(f"default-{language}").example_banks()[name], get_embedder())


@pytest.fixture(scope="module")
def complaint_result(scorer):
    return scorer.score(make_interaction(COMPLAINT_FR, "fr", id="complaint-fr"))


@pytest.fixture(scope="module")
def blame_result(scorer):
    return scorer.score(make_interaction(BLAME_EN, "en", id="blame-en"))


@pytest.fixture(scope="module")
def calm_result(scorer):
    return scorer.score(make_interaction(CALM_FR, "fr", id="calm-fr"))


def test_every_result_carries_the_four_signals(complaint_result, blame_result, calm_result) -> None:
    for result in (complaint_result, blame_result, calm_result):
        assert set(result.signals) == set(SIGNALS)
        for signal in result.signals.values():
            assert 0.0 <= signal.confidence <= 1.0
            assert signal.reason


def test_a_complaint_its_escalation_and_churn_threat_are_found_with_their_evidence(complaint_result) -> None:
    signals = complaint_result.signals
    assert signals["complaint"].present
    evidence = signals["complaint"].evidence[0]
    assert evidence.turn == 1
    assert evidence.text == COMPLAINT_FR[1][1][evidence.start_char : evidence.end_char]
    assert evidence.time is not None and 5.0 <= evidence.time < 10.0  # turn 1 runs from 5 s to 9.5 s
    assert signals["escalation_request"].present and signals["escalation_request"].evidence[0].turn == 4
    assert "médiateur" in signals["escalation_request"].evidence[0].text
    assert signals["churn_threat"].present and signals["churn_threat"].evidence[0].turn == 4
    assert not signals["repeat_contact"].present


def test_a_calm_request_raises_no_signal(calm_result) -> None:
    assert not any(signal.present for signal in calm_result.signals.values()), calm_result.signals


def test_complaint_handling_passes_when_the_agent_apologises_owns_and_gives_a_reference(complaint_result) -> None:
    handling = complaint_result.criteria["complaint_handling"]
    assert {item: r.status for item, r in handling.items.items()} == {
        "acknowledges": "passed",
        "takes_ownership": "passed",
        "next_step": "passed",
    }
    assert handling.score == 100.0 and handling.weight == 20
    # Judged after the complaint (turn 1): the evidence is in the agent's later turns.
    assert handling.items["acknowledges"].evidence[0].turn == 2
    assert handling.items["next_step"].evidence[0].turn == 6


def test_blaming_another_department_fails_ownership_and_a_vague_promise_is_no_next_step(blame_result) -> None:
    assert blame_result.signals["complaint"].present
    items = blame_result.criteria["complaint_handling"].items
    assert items["takes_ownership"].status == "failed"
    assert items["takes_ownership"].evidence[0].turn == 2
    assert items["next_step"].status == "failed"
    assert items["acknowledges"].status == "failed"


def test_without_a_complaint_the_criterion_does_not_apply_and_the_quality_score_is_the_four_criteria(calm_result) -> None:
    handling = calm_result.criteria["complaint_handling"]
    assert handling.score is None
    assert {r.status for r in handling.items.values()} == {"not_applicable"}
    others = [(c.weight, c.score) for cid, c in calm_result.criteria.items() if cid != "complaint_handling" and c.score is not None]
    expected = round(sum(w * s for w, s in others) / sum(w for w, _ in others), 2)
    assert calm_result.quality_score == expected


def test_customer_sentiment_per_turn_and_a_call_turned_around(complaint_result, calm_result) -> None:
    sentiment = complaint_result.sentiment
    customer_turns = [i for i, (speaker, _) in enumerate(COMPLAINT_FR) if speaker == "customer"]
    assert [t.turn for t in sentiment.turns] == customer_turns
    assert sentiment.turns[0].label == "negative" and sentiment.turns[0].score < 0
    assert all(-1.0 <= t.score <= 1.0 for t in sentiment.turns)
    assert sentiment.start < 0
    assert sentiment.shift == pytest.approx(sentiment.end - sentiment.start, abs=1e-3)
    calm = calm_result.sentiment
    assert calm.turns[-1].label == "positive"
    assert calm.end > 0.3


def test_each_speakers_sentences_are_embedded_once_in_one_batch_that_every_bank_reads() -> None:
    """Signals, sentiment and the three complaint_handling items: one encode call for the customer's sentences, one for the agent's."""
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.checks.banks import example_bank
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.engine import _customer
    from qualicall.scorer.rubric import load_rubric

    rubric = load_rubric("default-fr")
    real = get_embedder()
    calls: list[list[str]] = []

    class Counting:
        name = real.name

        def encode(self, sentences: list[str]):  # type: ignore[no-untyped-def]
            calls.append(list(sentences))
            return real.encode(sentences)

    context = CheckContext.build(make_interaction(COMPLAINT_FR, "fr", id="batch-fr"), rubric, "fr")
    context.__dict__["embedder"] = Counting()  # the real encoder, counted
    signals, _ = _customer(context)
    context.after_turn = signals["complaint"].evidence[0].turn
    for item_id, item in rubric.criteria["complaint_handling"].items.items():
        context.item = item
        assert example_bank(context, rubric.checked_params(item)).status == "passed", item_id
    said = {text for _, text in COMPLAINT_FR}
    batches = [batch for batch in calls if any(any(sentence in text for text in said) for sentence in batch)]
    assert len(batches) == 2, batches
    assert {speaker for speaker, text in COMPLAINT_FR if any(sentence in text for sentence in batches[0])} == {"customer"}


@pytest.mark.parametrize(
    ("language", "said", "signal", "complaint"),
    [
        # Said with discontent, an escalation request is a complaint too (the complaint bank alone misses these).
        ("fr", "Mettez-moi en relation avec un supérieur, j'en ai assez d'attendre.", "escalation_request", True),
        ("fr", "Je vais saisir le médiateur, ça m'agace vraiment.", "escalation_request", True),
        # Said calmly, neither an escalation request nor a repeat contact is one.
        ("en", "Hello, could I speak to the branch manager about a partnership idea?", "escalation_request", False),
        ("en", "I'm ringing back as we agreed to fix a date for the visit.", "repeat_contact", False),
    ],
)
def test_an_escalation_or_repeat_contact_said_with_discontent_is_a_complaint(scorer, language, said, signal, complaint) -> None:
    result = said_after_a_greeting(scorer, language, said, f"implied-{signal}")
    assert result.signals[signal].present
    assert result.signals["complaint"].present is complaint
    if complaint:
        assert result.signals["complaint"].reason_code == "signal.implied"
        assert result.signals["complaint"].evidence[0].text == said


def test_a_long_agent_sentence_is_also_judged_clause_by_clause() -> None:
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import clauses_of, units_of

    said = "I'm so sorry about the mix-up with your order, and a replacement will be with you by Thursday; short one."
    context = CheckContext.build(make_interaction([("agent", said)], "en", id="clauses"), load_rubric("default-en"), "en")
    clauses = [unit.text for unit in clauses_of(units_of(context.agent_turns))]
    # The clause of two words is too short to judge alone; a sentence of one clause gives none.
    assert clauses == ["I'm so sorry about the mix-up with your order", "a replacement will be with you by Thursday"]
    calm = CheckContext.build(make_interaction([("agent", "Your parcel left our depot this morning.")], "en", id="one"), load_rubric("default-en"), "en")
    assert clauses_of(units_of(calm.agent_turns)) == []


def test_complaint_handling_is_judged_from_the_first_negative_customer_turn_before_the_complaint() -> None:
    from qualicall.core.result import Evidence, SentimentResult, SignalResult, TurnSentiment
    from qualicall.scorer.engine import _condition_start

    complaint = SignalResult(present=True, confidence=0.8, evidence=[Evidence(turn=5, start_char=0, end_char=4, text="…")])
    turns = [TurnSentiment(turn=1, label="neutral", score=0.0), TurnSentiment(turn=3, label="negative", score=-0.5),
             TurnSentiment(turn=5, label="negative", score=-0.7), TurnSentiment(turn=7, label="negative", score=-0.4)]
    assert _condition_start(complaint, SentimentResult(turns=turns)) == 3
    assert _condition_start(complaint, SentimentResult(turns=turns[:1] + turns[2:])) == 5  # none earlier: the complaint's turn
    assert _condition_start(complaint, None) == 5


@pytest.mark.parametrize(
    ("language", "said", "holds"),
    [
        ("en", "You'll have an answer within two working days.", True),
        ("en", "Your file number is QX 40 771.", True),
        ("en", "The technician comes round on Thursday morning.", True),
        ("en", "Someone from the team will get back to you.", False),
        ("fr", "Vous aurez une réponse sous trois jours ouvrés.", True),
        ("fr", "Le livreur repasse demain matin.", True),
        ("fr", "Vous avez bien le numéro de votre dossier.", False),
        ("fr", "On revient vers vous dès que possible.", False),
        # A delay in words after the word that makes it one; a duration that is an amount, or « today » for the
        # agent's own action, is none.
        ("fr", "Vous aurez une réponse sous quarante-huit heures.", True),
        ("fr", "La serrurière passe vers seize heures.", True),
        ("fr", "Je vous rembourse les trois semaines d'abonnement.", False),
        ("fr", "Je relaie votre demande au service concerné aujourd'hui.", False),
        ("en", "You'll get a written answer within forty-eight hours.", True),
        ("en", "The locksmith comes round at four this afternoon.", True),
        ("en", "I'll refund the three weeks of subscription.", False),
        ("en", "I'm passing your request on to the right team today.", False),
        # A reference given in words, as ASR writes it, is one; a reference only named is none.
        ("en", "the reference is k l five five two and you'll get an email", True),
        ("en", "Keep your booking reference handy for next time.", False),
        ("fr", "votre numéro de dossier c'est le b r quatre quatre", True),
        ("fr", "Notez bien votre référence pour la prochaine fois.", False),
        ("en", "Your case number is at the top of the letter we sent you.", False),
        ("fr", "Votre numéro de dossier est en haut à droite du courrier.", False),
        # The words between the delay's word and its unit are a count (v22): not « en congé cette semaine ».
        ("fr", "Il est en congé cette semaine, il regardera à son retour.", False),
        ("fr", "Vous serez remboursé en cinq à sept jours ouvrés.", True),
        ("en", "She was in hospital these last few weeks, she'll look at it when she's back.", False),
        ("en", "You'll have it back in two to three working days.", True),
    ],
)
def test_a_next_step_needs_a_delay_or_a_reference(language, said, holds) -> None:
    from qualicall.scorer.rubric import load_rubric

    rubric = load_rubric(f"default-{language}")
    params = rubric.checked_params(rubric.criteria["complaint_handling"].items["next_step"])
    assert params.has_what_is_needed(said) is holds


# A reference given, a day to act by, a delay or a booking made: sentences read by their topic (a refund, a
# collection) sit far from the next step's examples; their cue lets them realise the bank at a lower margin.
@pytest.mark.parametrize(
    ("language", "said", "cued"),
    [
        ("en", "the collection reference is c w four four seven", True),
        ("en", "You'll have the parts by Friday.", True),
        ("en", "It goes back to your card within five working days.", True),
        ("en", "I've rebooked you for Thursday between seven and eleven.", True),
        ("en", "We close at six on weekdays.", False),
        ("fr", "Votre numéro de dossier est le R 3 4 1 2.", True),
        ("fr", "Vous aurez la facture d'ici vendredi.", True),
        ("fr", "Le remboursement arrive sous cinq jours ouvrés.", True),
        ("fr", "J'ai reprogrammé un passage jeudi matin.", True),
        ("fr", "Nous fermons à dix-huit heures en semaine.", False),
    ],
)
def test_a_next_step_in_words_of_its_topic_holds_a_cue(language, said, cued) -> None:
    model = default_bank(language, "next_step")
    assert model.has_cue(said) is cued


@pytest.mark.parametrize(
    ("language", "said", "signal", "present"),
    [
        # Several intents in one unpunctuated sentence: the clause naming whom the customer escalates to is read alone.
        # (the first fails without the clause reading: its one vector sits between the fault and the demand)
        ("fr", "trois semaines sans eau chaude et personne ne bouge alors vous me passez un responsable ou j'écris au médiateur", "escalation_request", True),
        ("en", "right that's it i've had enough of going round in circles so put your supervisor on the line", "escalation_request", True),
        # An earlier contact named by its words is a repeat contact; the same fault coming back is not one.
        ("fr", "Rebonjour, je vous relance au sujet du dossier ouvert par votre collègue jeudi.", "repeat_contact", True),
        ("en", "Hi, I'm following up on the chat I had with one of your team on Tuesday.", "repeat_contact", True),
        ("fr", "Ma chaudière s'est encore mise en sécurité cette nuit.", "repeat_contact", False),
        # A negated leaving is no churn threat, and a cheerful cancellation is none either.
        ("fr", "Non non, je ne vais pas résilier pour si peu, je voulais juste le signaler.", "churn_threat", False),
        # (a known limit from v17 to v20: the turn read neutral, so its thanks did not clear the cancellation; the positive
        # bank's margin lowered by 0.02 in v21 reads them positive again)
        ("en", "I'd like to close the account now, I've moved abroad, thanks so much for your help!", "churn_threat", False),
        # Read by the banks' linear vote (both stay below the margin on their nearest examples alone), and the calm
        # sentences beside them that stay none.
        ("en", "I'll be moving my accounts elsewhere if this carries on.", "churn_threat", True),
        ("fr", "Mes parents ont changé de mutuelle l'an dernier et ils en sont ravis.", "churn_threat", False),
        ("en", "yeah hi i was on the phone to one of your colleagues yesterday about the gas smell and she said to ring back once the engineer had left", "repeat_contact", True),
        ("en", "the engineer left an hour ago and the heating works fine now, thanks", "repeat_contact", False),
        ("en", "We're retiring to Spain so we won't need the van insurance after June, thanks for everything.", "churn_threat", False),
    ],
)
def test_cues_and_clauses_read_intent_where_the_encoder_reads_topic(scorer, language, said, signal, present) -> None:
    result = said_after_a_greeting(scorer, language, said, f"cue-{signal}")
    assert result.signals[signal].present is present, result.signals[signal].reason


# An escalation names someone above the agent or an outside body (rubrics v21: `cue_shift` on the escalation banks): a
# sentence naming neither needs a clear margin, and referring a matter to a body (« je saisis la commission ») names one.
@pytest.mark.parametrize(
    ("language", "said", "present"),
    [
        ("en", "I'm in unit 12 at Maple Court, the one by the station.", False),
        ("en", "Could I get that confirmation in writing?", False),  # +0.019: past the margin, not past it plus the shift
        ("en", "Sort it out today or I'm taking this to the ombudsman.", True),
        ("fr", "Si rien ne bouge d'ici lundi, je saisis la commission de conciliation.", True),
        ("fr", "Je vais saisir le juge de proximité, je vous préviens.", True),
        ("fr", "Attendez, je vais saisir mon numéro client.", False),
        # Consumer bodies by their kind (v22): "the consumer affairs office", « la ligue des consommateurs ».
        ("en", "i'm taking this to the consumer council if it's not fixed this week", True),
        ("fr", "si c'est pas réglé je vais écrire à la ligue des consommateurs", True),
        ("en", "As a consumer I think that's a fair question about the price.", False),
        ("en", "I'd like to know who manages the account now that my mother has passed away.", False),
    ],
)
def test_an_escalation_names_someone_above_the_agent_or_an_outside_body(scorer, language, said, present) -> None:
    result = said_after_a_greeting(scorer, language, said, "escalation-cue")
    assert result.signals["escalation_request"].present is present, result.signals["escalation_request"].reason


# « déjà » says an earlier contact when said of one or of what the customer was told, not alone; « je vous rappelle »
# followed by when is the call to come (rubrics v21).
@pytest.mark.parametrize(
    ("said", "cued"),
    [
        ("J'ai déjà tout expliqué à votre collègue mardi.", True),
        ("On m'a déjà dit la même chose la semaine passée.", True),
        ("J'ai déjà fait deux demandes en ligne.", True),
        ("Je vous rappelle pour la facture dont on a parlé.", True),
        ("J'ai déjà un devis d'un autre artisan.", False),
        ("Je suis déjà venu deux fois en magasin pour ma tablette.", True),
        ("Je vous rappelle dans dix minutes.", False),
        ("Ça m'a déjà coûté assez cher l'an dernier.", False),
        ("Vous m'avez déjà bien aidée l'an dernier.", False),
        ("C'était combien déjà, les frais ?", False),
        ("Je vous rappelle demain, je dois en parler à mon mari.", False),
    ],
)
def test_an_earlier_contact_cue_is_said_of_a_contact(said, cued) -> None:
    model = default_bank("fr", "repeat_contact")
    assert model.has_cue(said) is cued


# Going elsewhere in words of its own (rubrics v21): the churn banks' cues, which a sentence needs to realise the bank
# at its margin (one holding none needs the margin plus the cue shift).
@pytest.mark.parametrize(
    ("language", "said", "cued"),
    [
        ("en", "From now on I'll get my shoes resoled at the market stall.", True),
        ("en", "We're going back to paying cash at the gate.", True),
        ("en", "I'll just let the membership lapse in March.", True),
        ("en", "Honestly the lads across the road do it for less.", False),  # a comparison, no leaving
        ("en", "Next time we'll book the coach with someone else.", True),
        ("en", "Next time I'll remember the voucher.", False),
        ("en", "I'll call back next week.", False),
        ("fr", "J'irai chez un autre toiletteur, voilà.", True),
        ("fr", "Je retourne chez moi ce soir, vous pouvez livrer demain ?", False),
        ("fr", "C'est quelqu'un d'autre qui m'a répondu la dernière fois.", False),
        ("fr", "J'ai dû passer par une autre agence parce que la vôtre était fermée.", False),
        ("fr", "Je vais prendre quelqu'un d'autre pour le jardin.", True),
        ("fr", "J'inscris le petit dans une autre école dès janvier.", False),  # often a move: the bank reads it alone
        ("fr", "Ce sera notre dernier séjour chez vous.", True),
        ("fr", "Vous ne nous reverrez plus.", True),
        ("fr", "Je passerai à l'agence jeudi.", False),
        ("fr", "Je passerai à l'autre agence, celle du centre.", False),
        ("fr", "Si ça continue je désinstalle votre application.", True),
        ("en", "I'm going to uninstall your app and use the buses.", True),
        ("en", "I'll uninstall and reinstall it tonight.", False),
        ("en", "I'll go with a different size, can I swap it?", False),
        # v22: the next time elsewhere, taking a child or a membership away, another firm of any trade, "done with you".
        ("fr", "La prochaine fois je l'emmène chez le garagiste du village.", True),
        ("fr", "La prochaine fois je viendrai plus tôt.", False),
        ("fr", "Si ça continue je le retire et je le mets au conservatoire.", True),
        ("fr", "je vais devoir prendre qq d'autre pour la taille des haies", True),
        ("fr", "Je prendrai mon abonnement là-bas l'an prochain.", True),
        ("fr", "si c'est toujours en panne à la fin du mois jme barre", True),
        ("en", "If it happens again we'll take the party to another venue.", True),
        ("en", "I'm done with you lot, honestly.", True),
        ("en", "Last time I ever book a table here.", True),
        ("en", "I'll shift all my accounts to the credit union.", True),
        ("en", "Can I book another slot for Friday?", False),
        # … not the same words in other senses (a review's cases): picking up, the next time with the same firm, a ticket.
        ("fr", "je le retire demain en magasin c'est possible", False),
        ("fr", "La prochaine fois je passerai chez le garagiste de votre réseau à Lyon.", False),
        ("fr", "je prendrai mon billet là-bas au guichet de la gare", False),
        ("fr", "je me casse la tête avec ce formulaire", False),
        ("fr", "je vais prendre un autre rendez-vous pour jeudi", False),
        ("en", "the last time i used your app it crashed", False),
        ("en", "I'll book online from now on.", False),
        ("en", "Can I shift my booking to the next day?", False),
        ("en", "I'm done with the form, what next?", False),
        ("en", "Is there another app I need for the tickets?", False),
    ],
)
def test_going_elsewhere_in_words_of_its_own_holds_a_leaving_cue(language, said, cued) -> None:
    model = default_bank(language, "churn_threat")
    assert model.has_cue(said) is cued


# Words of outrage are the complaint banks' cues (v22, without shifting the margin): a sentence that reads as none whole
# is read clause by clause, so the spec's own "I've been waiting three weeks" and "this is unacceptable" joined by "and"
# make a complaint; negated, the word is no cue.
@pytest.mark.parametrize(
    ("language", "said", "present"),
    [
        ("en", "Hi. I've been waiting three weeks for my parcel and this is unacceptable.", True),
        ("fr", "Je ne trouve pas ça inadmissible, je voulais juste savoir.", False),
        # Amusement is no outrage ("ridiculous" is no cue: a review's case).
        ("en", "haha that's ridiculous, my son will love it, can I order two", False),
    ],
)
def test_a_clause_of_outrage_is_read_alone(scorer, language, said, present) -> None:
    result = said_after_a_greeting(scorer, language, said, "outrage")
    assert result.signals["complaint"].present is present, result.signals["complaint"].reason


@pytest.mark.parametrize(
    ("language", "bank", "said", "cued"),
    [
        # Going elsewhere in words of its own (v23): the number ported, the child taken off the roll, "after this I'll get
        # … from …"; not a key or a review left.
        ("fr", "churn_threat", "si la ligne n'est pas rétablie demain je porte mon numéro chez l'opérateur d'en face", True),
        ("fr", "churn_threat", "si rien ne change je la désinscris en janvier", True),
        ("fr", "churn_threat", "Je porte mon colis chez le voisin.", False),
        ("en", "churn_threat", "honestly after this i'll buy her inhalers from the pharmacy on the corner", True),
        ("en", "churn_threat", "I'll bring the meter readings to the shop from now on.", False),
        ("en", "churn_threat", "After this I'll get the form from you by email, right?", False),
        ("en", "churn_threat", "I can leave the key out for the engineer.", False),
        ("en", "churn_threat", "I'm leaving your gym at the end of the month.", True),
        # (a review's cases: leaving for a rival, at a date; the app reinstalled, texts unsubscribed, bills to one's inbox,
        # a parcel taken to the post office are no leaving)
        ("en", "churn_threat", "I'm leaving for Octopus once this bill is paid.", True),
        ("en", "churn_threat", "i'm leaving at the end of the month full stop", True),
        ("fr", "churn_threat", "D'accord, je supprime l'application et je la réinstalle.", False),
        ("fr", "churn_threat", "Comment je les désinscris des SMS promotionnels ?", False),
        ("fr", "churn_threat", "je vais transférer mon numéro chez un opérateur moins cher", True),
        ("en", "churn_threat", "Great, after this I'll take the parcel to the post office.", False),
        ("en", "churn_threat", "Can I get my bills sent to my email from now on?", False),
        # The company's head by another title, a regulator (v23).
        ("fr", "escalation_request", "Je saisis le régulateur des télécoms.", True),
        ("fr", "escalation_request", "je veux parler au patron", True),
        ("en", "escalation_request", "I would like to speak to the bursar about the refund.", True),
        ("en", "escalation_request", "Can I talk to the principal, please?", True),
        ("en", "escalation_request", "The principal amount hasn't changed.", False),
        # (a review's cases: the customer's own role, a device's regulator)
        ("en", "escalation_request", "As a director of the company I need the invoices in its name.", False),
        ("en", "escalation_request", "My husband is the director of the primary school.", False),
        ("fr", "escalation_request", "Bonjour, je suis le gérant du salon et je voudrais passer au tarif pro.", False),
        ("fr", "escalation_request", "Le régulateur de la chaudière affiche une erreur.", False),
    ],
)
def test_leaving_and_escalating_in_words_of_v23(language, bank, said, cued) -> None:
    assert default_bank(language, bank).has_cue(said) is cued


@pytest.mark.parametrize(
    ("language", "said", "cued"),
    [
        # A negation before a subject that opens a clause of its own negates the condition, not the leaving after it
        # (the banks' cue_subjects, v23); said of the leaving itself it still negates it.
        ("fr", "si c'est pas réglé je résilie", True),
        ("fr", "je ne vais pas résilier pour si peu", False),
        ("en", "fix it by friday and if not i'm cancelling", True),
        ("en", "I'm not cancelling over this", False),
        # A subject right after « ne », "n't" or « que » is an object, an inverted subject or the negated clause's (a review's cases).
        ("fr", "Surtout ne nous résiliez pas, on a besoin de la ligne.", False),
        ("en", "Why don't I just cancel then?", False),
    ],
)
def test_a_negation_reaches_no_cue_past_a_new_subject(language, said, cued) -> None:
    assert default_bank(language, "churn_threat").has_cue(said) is cued


def test_a_subject_after_que_belongs_to_the_negated_clause() -> None:
    assert not default_bank("fr", "complaint").has_cue("Ce n'est pas que j'en ai marre, mais bon.")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_apology_said_outright_in_a_long_spoken_turn_acknowledges_the_complaint(scorer, language) -> None:
    """The acknowledges items' phrases (v23): the bank reads the whole unpunctuated turn as one sentence, about the
    account; the apology in it is read as said."""
    if language == "fr":
        turns = [("agent", "chauffage durand bonjour"), ("customer", "bonjour le technicien devait passer hier matin personne n'est venu c'est inadmissible"),
                 ("agent", "d'accord toutes mes excuses pour ce rendez-vous manqué madame je regarde votre dossier vous pouvez me redonner l'adresse"), ("customer", "douze rue des lilas")]
    else:
        turns = [("agent", "lakeside heating hello"), ("customer", "hi the engineer was due yesterday morning and nobody came this is unacceptable"),
                 ("agent", "okay i'm sorry about that let me pull up the account can i get the address on file"), ("customer", "twelve elm road")]
    result = scorer.score(make_interaction(turns, language, id=f"apology-{language}"))
    assert result.signals["complaint"].present
    item = result.criteria["complaint_handling"].items["acknowledges"]
    assert item.status == "passed", item.reason
    assert item.evidence[0].turn == 2
    if language == "fr":
        # An apology for the microphone is no acknowledgement of the problem (a review's case; the phrases need « pour », « de ce »).
        muted = turns[:2] + [("agent", "je suis navrée mon micro était coupé vous disiez"), turns[1]]
        result = scorer.score(make_interaction(muted, language, id=f"muted-{language}"))
        assert result.criteria["complaint_handling"].items["acknowledges"].status == "failed"


def test_referring_a_matter_to_a_body_is_an_escalation_cue() -> None:
    model = default_bank("fr", "escalation_request")
    for said in ("Je saisis la commission de conciliation.", "On va saisir le juge.", "J'écrirai au bâtonnier.", "Je fais un signalement sur Signal Conso."):
        assert model.has_cue(said), said
    for said in ("Je vais saisir mon numéro client.", "Je saisis le code reçu par SMS.", "Je saisis l'identifiant de ma carte.", "je le juge complètement délirant"):
        assert not model.has_cue(said), said


@pytest.mark.parametrize(
    ("language", "said", "present", "reason_code"),
    [
        # A leaving word in a turn that reads negative: a threat whatever its closest example's similarity, at the
        # margin less the bank's negative_cue_shift (a long spoken sentence sits far from every short example).
        ("fr", "franchement le gîte était sale et bruyant toute la nuit alors nous ne reviendrons pas l'été prochain", True, "signal.upset_cue"),
        # (short, its cue's floor since v22 lets it through at the cue's margin)
        ("fr", "nous ne reviendrons pas, c'était sale et bruyant", True, "signal.found"),
        # (its last piece, holding « switching », is read at the cue's own margin since v21's cue_shift: found without it)
        ("en", "yeah so the router dropped out every night this week and nobody rang me back like they promised so honestly when "
               "the contract's up i'm switching", True, "signal.found"),
        # Going to someone else, named by the new cues, is read in its clause.
        ("fr", "Le livreur a encore laissé le colis sous la pluie, trempé, et vous me dites que ce n'est pas votre faute : "
               "ma prochaine commande, je la passerai chez un autre site.", True, "signal.found"),
        ("en", "The parcel came back damaged a third time, so I'm taking my orders somewhere else.", True, "signal.found"),
        # Going elsewhere in words of its own (v23): the app deleted (the other new cues: test_leaving_and_escalating_in_words_of_v23).
        ("fr", "Si ça recommence encore une fois, je désinstalle rien du tout : je supprime l'appli et je commande au téléphone.", True, "signal.found"),
        # "leave" of a key, a review: no leaving (v23).
        ("en", "The boiler keeps cutting out, it's annoying, but I can leave the key out for the engineer.", False, "signal.absent"),
        # No leaving: words of the cues in other senses, said upset (« revenir sur un point », « mettre fin à des
        # coupures », « changer d'adresse », "never called me back"), and a move abroad the sentiment reads negative.
        ("fr", "Je ne reviendrai pas sur ce point, le devis me convient.", False, "signal.absent"),
        ("fr", "Il faut mettre fin à ces coupures, c'est insupportable.", False, "signal.absent"),
        ("fr", "Ça fait trois fois que j'essaie de changer d'adresse et ça ne marche pas, c'est agaçant.", False, "signal.absent"),
        ("en", "You never called me back, this is absolutely ridiculous.", False, "signal.absent"),
        ("en", "I'm moving to Spain so please cancel my gym membership, I've loved it here.", False, "signal.absent"),
        # A cancellation in a turn that ends on thanks is none, though the sentiment reads « plus besoin » negative.
        ("fr", "Je n'en ai plus besoin, je vais résilier. Merci beaucoup.", False, "signal.absent"),
        ("en", "I don't need the landline any more, thanks, so could you cancel it?", False, "signal.absent"),
    ],
)
def test_a_leaving_said_upset_is_a_churn_threat_in_words_no_example_is_near(scorer, language, said, present, reason_code) -> None:
    result = scorer.score(make_interaction([("customer", said)], language, channel="chat", id="leaving"))
    threat = result.signals["churn_threat"]
    assert (threat.present, threat.reason_code) == (present, reason_code), threat.reason
    if reason_code == "signal.upset_cue":
        assert ("dans un tour où une phrase du client est jugée négative" if language == "fr" else "in a turn where a customer sentence reads negative") in threat.reason
        assert threat.evidence and threat.evidence[0].text == said
        assert threat.confidence <= 0.75  # read without the floor: never sure


@pytest.mark.parametrize(
    ("language", "said", "present", "reason_code"),
    [
        # Since v17 near the examples learned from the labelled sets: found at the bank's own margin.
        ("fr", "franchement c'est lamentable euh deux mois sans réponse je vais voir un avocat", True, "signal.found"),
        ("en", "this is beyond a joke uh nobody ever calls back so i'm going to the ombudsman about it", True, "signal.upset_cue"),
        # The customer's own people, and an escalation the customer rules out, said upset: none.
        ("fr", "franchement c'est n'importe quoi euh mon chef m'a engueulé parce que je suis arrivé en retard à cause de votre panne", False, "signal.absent"),
        pytest.param("fr", "Je suis manager dans une entreprise et chez nous ça ne se passerait jamais comme ça, c'est scandaleux.", False, "signal.absent",
                     marks=pytest.mark.xfail(strict=True, reason="known limit since v17: +0.03, near a learned « passez-moi le gérant »")),
        ("fr", "ça m'énerve mais bon je ne compte pas aller en justice je veux juste être remboursé", False, "signal.absent"),
        ("en", "you didn't apply my senior citizen discount again, this is so annoying", False, "signal.absent"),
        # The company's head by another title (v23): « votre gérant ».
        ("fr", "Avec tout le respect que je vous dois, je voudrais que votre gérant me rappelle aujourd'hui.", True, "signal.found"),
    ],
)
def test_an_escalation_said_upset_is_read_at_the_lowered_margin(scorer, language, said, present, reason_code) -> None:
    """A regulator, a lawyer or a manager named in a turn that reads negative: an escalation request a little under the
    margin and far from every short example (the escalation banks' negative_cue_shift)."""
    result = scorer.score(make_interaction([("customer", said)], language, channel="chat", id="escalation"))
    escalation = result.signals["escalation_request"]
    assert (escalation.present, escalation.reason_code) == (present, reason_code), escalation.reason
    if reason_code == "signal.upset_cue":
        assert escalation.confidence <= 0.75


@pytest.mark.parametrize(
    ("language", "said", "present"),
    [
        # An earlier contact said in a long sentence, and one named by a new cue. (Before v17 the first one's closest
        # example was at 0.36, under the English bank's floor of 0.4, and its cue's floor let it pass; the examples
        # learned from the labelled sets are nearer. test_a_cue_floor_applies_to_sentences_holding_a_cue tests the floor.)
        ("en", "hi i rang on monday about the leak under the sink and the plumber you promised never showed up", True),
        ("fr", "je vous ai écrit jeudi et vendredi pour le remboursement de la location et toujours pas de réponse", True),
        # A fault that comes back, an earlier call about something settled, a letter written to someone else: none.
        ("en", "The washing machine broke down again this morning, it's the third time this year.", False),
        ("en", "I called last year to set up the account and it has worked fine since, I just want to add my wife.", False),
        ("fr", "Je lui ai écrit une lettre de recommandation, pouvez-vous l'ajouter au dossier ?", False),
    ],
)
def test_an_earlier_contact_said_in_a_long_sentence_is_a_repeat_contact(scorer, language, said, present) -> None:
    result = scorer.score(make_interaction([("customer", said)], language, channel="chat", id="repeat"))
    repeat = result.signals["repeat_contact"]
    assert repeat.present is present, repeat.reason


# « La deuxième fois » of a contact, not of the fault (rubrics v22): "the Nth time" is a repeat contact's cue only with a
# word of contacting near it, before or after ("third time I've had to ring", « je vous écris pour la deuxième fois »).
@pytest.mark.parametrize(
    ("language", "said", "cued"),
    [
        ("en", "this is the third time i've had to ring about the hem", True),
        ("en", "I'm writing for the second time about the deposit.", True),
        ("en", "I did email about it on the sixth.", True),
        ("en", "Second time this month the code hasn't worked.", False),
        ("en", "It's the third time the van has been late.", False),
        ("fr", "c'est la troisième fois que je vous signale le lampadaire", True),
        ("fr", "Je vous appelle pour la deuxième fois cette semaine.", True),
        ("fr", "Ça fait quatre fois que j'explique mon problème.", True),
        ("fr", "c'est la deuxième fois ce mois-ci que ça m'arrive", False),
        ("fr", "J'ai posé ma journée pour la deuxième fois.", False),
        # (a review's cases) the next time, a breakdown, a parcel sent, telling a driver
        ("fr", "D'accord, la prochaine fois je vous appelle avant de passer.", False),
        ("fr", "c'est la deuxième fois cette semaine que je tombe en panne", False),
        ("fr", "c'est la troisième fois que je tombe sur votre répondeur", True),
        ("en", "It's the third time it was sent to the wrong address.", False),
        ("en", "I did tell the driver about the gate code.", False),
    ],
)
def test_the_nth_time_is_a_repeat_contacts_cue_only_said_of_a_contact(language, said, cued) -> None:
    assert default_bank(language, "repeat_contact").has_cue(said) is cued


def test_a_cue_floor_applies_to_sentences_holding_a_cue() -> None:
    from qualicall.scorer.banks import Bank, BankModel

    bank = Bank("repeat_contact", ("a",), ("b",), k=1, floor=0.4, cues=(r"\bagain\b",), cue_floor=0.3)
    model = BankModel(bank, np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))
    assert model.floors(["calling again", "calling"]).tolist() == [0.3, 0.4]
    assert BankModel(Bank("repeat_contact", ("a",), ("b",), k=1, cues=(r"\bagain\b",)), model.positive_vectors, model.negative_vectors).floors(["again"]) is None


def test_besides_is_no_leaving() -> None:
    from qualicall.scorer.banks import BankModel
    from qualicall.scorer.rubric import load_rubric

    bank = load_rubric("default-fr").example_banks()["churn_threat"]
    model = BankModel(bank, np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))
    assert not model.has_cue("Le technicien était très bien d'ailleurs, rien à redire.")
    assert model.has_cue("Je vais voir ailleurs.")


@pytest.mark.parametrize(
    ("said", "label"),
    [
        # A calm request in chat shorthand (negative with the French negative bank's margin at −0.03).
        ("slt je peux changer la date de prélèvement ? c'est mieux le 10 pour moi", "neutral"),
        ("Je suis furieuse, ça fait trois semaines que j'attends mon remboursement.", "negative"),
        ("J'ai peur de ne pas pouvoir payer la facture ce mois-ci.", "negative"),
    ],
)
def test_a_calm_french_request_reads_neutral_and_anger_or_worry_negative(scorer, said, label) -> None:
    result = scorer.score(make_interaction([("customer", said)], "fr", id="sentiment-fr"))
    assert result.sentiment.turns[0].label == label, result.sentiment.turns[0]


def test_a_cue_after_a_negation_in_the_same_clause_is_none() -> None:
    from qualicall.scorer.banks import Bank, BankModel

    bank = Bank("leaving", ("I'm going to cancel.",), ("Thanks.",), k=1, cues=(r"\bcancel\w*",), cue_negations=("not", "never"))
    model = BankModel(bank, np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))
    assert model.has_cue("I'm cancelling today.")
    assert not model.has_cue("I'm not cancelling, don't worry.")
    # Another clause's negation does not reach the cue.
    assert model.has_cue("It never works, so I'm cancelling.")
    # A cue shifts the margin down, its absence up.
    shifted = BankModel(Bank("leaving", ("a",), ("b",), k=1, margin=0.1, cues=(r"\bcancel\w*",), cue_shift=0.04), np.zeros((1, 2)), np.zeros((1, 2)))
    assert shifted.margins(["cancel it", "keep it"]).round(2).tolist() == [0.06, 0.14]


def test_cues_are_validated_when_the_rubric_loads() -> None:
    from qualicall.scorer.rubric import BankSpec
    from qualicall.scorer.banks import bank_problems

    with pytest.raises(ValueError, match="invalid regular expression"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "cues": ["(unclosed"]})
    with pytest.raises(ValueError, match="invalid regular expression in disclaimers"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "disclaimers": ["(?P<x>a)", "(?P<x>b)"]})
    with pytest.raises(ValueError, match=r"the contrast « \(\?:but\)\? » matches empty text"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "contrasts": ["(?:but)?"]})
    with pytest.raises(ValueError, match="lone_after"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "lone_margin": 0.04, "lone_after": 1})
    cued = BankSpec.model_validate({"speaker": "customer", "k": 1, "positive": ["a"], "negative": ["b"], "cues": ["again"], "cue_shift": 0.04, "lone_margin": 0.04})
    assert bank_problems(cued.bank("repeat_contact")) == ["bank repeat_contact: lone_margin is counted from the margin, which cues shift: not both"]
    # Cues that shift nothing, for the clause reading alone (the complaint banks' words of outrage), go with lone_margin.
    clauses = BankSpec.model_validate({"speaker": "customer", "k": 1, "positive": ["a"], "negative": ["b"], "cues": ["outrage"], "clause_margin": 0.0, "lone_margin": 0.04})
    assert bank_problems(clauses.bank("complaint")) == []
    spec = BankSpec.model_validate({"speaker": "customer", "k": 1, "positive": ["a"], "negative": ["b"], "cue_shift": 0.04})
    assert bank_problems(spec.bank("leaving")) == ["bank leaving: cue_shift and clause_margin need cues"]
    with pytest.raises(ValueError, match="linear"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "linear": -0.2})
    uncued = BankSpec.model_validate({"speaker": "customer", "k": 1, "positive": ["a"], "negative": ["b"], "negative_cue_shift": 0.06})
    assert bank_problems(uncued.bank("churn_threat")) == ["bank churn_threat: negative_cue_shift needs cues"]
    floored = BankSpec.model_validate({"speaker": "customer", "k": 1, "positive": ["a"], "negative": ["b"], "cue_floor": 0.3})
    assert bank_problems(floored.bank("repeat_contact")) == ["bank repeat_contact: cue_floor needs cues"]
    raised = BankSpec.model_validate({"speaker": "customer", "k": 1, "floor": 0.3, "positive": ["a"], "negative": ["b"], "cues": ["x"], "cue_floor": 0.4})
    assert bank_problems(raised.bank("repeat_contact")) == ["bank repeat_contact: cue_floor 0.4 is above the floor 0.3: a cue would raise it"]
    with pytest.raises(ValueError, match="cue_floor"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "cues": ["x"], "cue_floor": 1.5})
    with pytest.raises(ValueError, match="negative_cue_shift"):
        BankSpec.model_validate({"speaker": "customer", "positive": ["a"], "negative": ["b"], "cues": ["x"], "negative_cue_shift": -0.06})


def test_a_banks_linear_vote_is_among_the_results_thresholds() -> None:
    from qualicall.scorer.rubric import load_rubric

    banks = load_rubric("default-en").thresholds()["banks"]
    assert banks["churn_threat"]["linear"] == 0.4 and banks["repeat_contact"]["linear"] == 0.4
    assert "linear" not in banks["complaint"]
    assert banks["churn_threat"]["negative_cue_shift"] == banks["escalation_request"]["negative_cue_shift"] == 0.06
    assert "negative_cue_shift" not in banks["complaint"] and "negative_cue_shift" not in banks["repeat_contact"]
    assert banks["repeat_contact"]["cue_floor"] == banks["churn_threat"]["cue_floor"] == 0.3 and "cue_floor" not in banks["complaint"]


# Blame said in passing inside a long unpunctuated turn, after an apology: ownership fails though the agent acts later.
BLAME_IN_PASSING = {
    "fr": [
        ("agent", "allô service client vélonor bonjour"),
        ("customer", "oui bonjour mon vélo électrique est tombé en panne pour la troisième fois ce mois-ci franchement j'en ai ras le bol"),
        ("agent", "ah oui je suis désolée pour ça mais bon les batteries c'est le fabricant qui les gère nous on ne fait que la revente"),
        ("agent", "je m'occupe de votre dossier moi-même et je vous rappelle jeudi avant midi"),
        ("customer", "bon d'accord"),
    ],
    "en": [
        ("agent", "hello ridgeway motors service desk"),
        ("customer", "yeah hi my car came back from the service with the same rattle and honestly i'm fed up with it"),
        ("agent", "oh i'm sorry about that but to be fair the parts come from a supplier and it's them that sent the wrong bracket"),
        ("agent", "i'll book it back in myself and you'll get a call on friday morning"),
        ("customer", "fine"),
    ],
}

# No blame and no apology: the agent calms the customer, checks the order and takes it all on.
OWNS_WITHOUT_APOLOGY = {
    "fr": [
        ("agent", "Bonjour, Transports Lumen, que puis-je pour vous ?"),
        ("customer", "Votre chauffeur m'a laissée sur le trottoir sous la pluie, c'est inadmissible, je suis furieuse !"),
        ("agent", "Gardez votre calme, madame, sinon je ne peux pas avancer."),
        ("agent", "Je retrouve bien votre commande dans le système, tout est en ordre."),
        ("agent", "Je reprends tout moi-même et je vous rappelle mardi."),
        ("customer", "Bon."),
    ],
    "en": [
        ("agent", "Hello, Lumen Transport, how can I help?"),
        ("customer", "Your driver left me standing in the rain for an hour, this is completely unacceptable and I want to complain!"),
        ("agent", "Keep your voice down, madam, or I can't get anywhere."),
        ("agent", "I can see your booking in the system, everything is in order."),
        ("agent", "I'm taking all of it on myself and I'll call you on Tuesday."),
        ("customer", "Fine."),
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_blame_said_in_passing_in_a_long_turn_fails_ownership(scorer, language) -> None:
    result = scorer.score(make_interaction(BLAME_IN_PASSING[language], language, id=f"blame-passing-{language}"))
    assert result.signals["complaint"].present
    items = result.criteria["complaint_handling"].items
    assert items["takes_ownership"].status == "failed", items["takes_ownership"].reason
    assert items["takes_ownership"].evidence[0].turn == 2
    assert items["acknowledges"].status == "passed", items["acknowledges"].reason
    assert items["next_step"].status == "passed", items["next_step"].reason


# Blame in words of its own: the fault put on a supplier's side, on the terms the customer signed, on a colleague who
# did not pass it on, on the customer's "common mistake" (rubrics v21 `shifts_blame` cues); owning words are none.
@pytest.mark.parametrize(
    ("language", "said", "blames"),
    [
        ("fr", "Ça ne vient pas de chez nous, c'est le réseau de l'opérateur.", True),
        ("fr", "Pour les horaires, on dépend de la plateforme du centre d'examen.", True),
        ("fr", "C'est pourtant écrit dans le contrat que vous avez signé.", True),
        ("fr", "Vous aviez accepté les conditions en ligne.", False),  # a fact an owning agent states too (« vous avez validé la commande le 3, je m'en occupe »)
        ("fr", "C'est une erreur assez fréquente chez les clients.", True),
        ("fr", "Vous ne l'aviez pas jointe à votre dossier.", True),
        ("fr", "Ma collègue n'avait pas transmis votre déclaration.", True),
        ("fr", "Je n'ai pas transmis votre dossier, c'est mon erreur, je le fais maintenant.", False),
        ("fr", "Je vérifie moi-même ce qui est indiqué dans votre contrat.", False),
        ("en", "Honestly it's not really on us, the courier lost it.", True),
        ("en", "The hold-up is on the supplier's side.", True),
        ("en", "That's on the new technician, not the shop.", True),
        ("en", "That's between you and the driver.", True),
        ("en", "I'm afraid there's nothing we can do from here.", True),
        ("en", "It's in the terms you accepted at checkout.", True),
        ("en", "The delay comes from the manufacturer.", True),
        ("en", "That one's on us, I'll put it right today.", False),
        ("en", "I'll call the supplier myself this afternoon.", False),
        ("en", "That's covered by the contract, so the repair is free.", False),
        ("en", "The fault is from the meter we fitted.", False),
        ("en", "They're checking on their side and I'll call you by ten.", False),
        ("fr", "C'est une erreur assez fréquente de notre système.", False),
        # The fault named as someone else's mistake, the customer's duty, the customer's omission said "should've" (v22);
        # not what the customer was owed ("you should have had a call").
        ("en", "Honestly that was the courier's mistake.", True),
        ("en", "well it's your job to tell us when you move", True),
        ("en", "you should've rung us the same day", True),
        ("en", "You should have had a text from us on Monday, that's our failure.", False),
        ("fr", "Franchement c'est leur erreur, pas la nôtre.", True),
        ("fr", "C'est à vous de nous prévenir quand vous déménagez.", True),
        ("fr", "C'est une erreur de notre part, je corrige tout de suite.", False),
        # (a review's cases) a choice left to the customer, an error message, what the customer will have
        ("fr", "Je rembourse aujourd'hui, c'est à vous de choisir si vous le voulez par virement ou par chèque.", False),
        ("fr", "Votre oubli de relevé n'y est pour rien, le compteur a été mal lu.", False),
        ("en", "Your error message says the card expired, I'll reissue it today.", False),
        ("en", "You should have it by Friday, I've sent it first class.", False),
    ],
)
def test_blame_in_words_of_its_own_holds_a_blame_cue(language, said, blames) -> None:
    model = default_bank(language, "shifts_blame")
    assert model.has_cue(said) is blames


@pytest.mark.parametrize("language", ["fr", "en"])
def test_calming_the_customer_is_no_apology_and_checking_the_order_is_no_blame(scorer, language) -> None:
    result = scorer.score(make_interaction(OWNS_WITHOUT_APOLOGY[language], language, id=f"owns-{language}"))
    assert result.signals["complaint"].present
    items = result.criteria["complaint_handling"].items
    assert items["acknowledges"].status == "failed", items["acknowledges"].reason
    assert items["takes_ownership"].status == "passed", items["takes_ownership"].reason


def test_a_cue_reads_a_contraction_asr_wrote_without_its_apostrophe() -> None:
    """The rubric's `text.contractions` reach the cues: « dont » is "don't", its "t" negates the cue after it."""
    from qualicall.scorer.banks import BankModel
    from qualicall.scorer.rubric import load_rubric

    bank = load_rubric("default-en").example_banks()["churn_threat"]
    model = BankModel(bank, np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))
    assert model.has_cue("I'm going to cancel my contract.") and model.has_cue("im going to cancel my contract")
    assert not model.has_cue("I don't want to cancel, just fix it.")
    assert not model.has_cue("i dont want to cancel just fix it")


# Negated dissatisfaction is no complaint (complaints-and-satisfaction.md): a sentence opening on it, unless a contrast
# follows; said later in the sentence, or reported, it disclaims nothing.
@pytest.mark.parametrize(
    ("language", "said", "disclaims"),
    [
        ("fr", "Je ne me plains pas du service, hein, votre technicien a été impeccable.", True),
        ("fr", "Ce n'est pas une réclamation, juste une question sur la facture.", True),
        ("fr", "Bon, honnêtement, je ne me plains pas de l'installation.", True),
        ("fr", "j'ai pas à me plaindre du service hein", True),
        ("fr", "Je ne dis pas ça pour me plaindre, la livraison était parfaite.", True),
        ("fr", "cest pas une reclamation hein je voulais savoir quand passe le plombier", True),  # ASR without apostrophes
        ("fr", "Alors, je ne vous appelle pas pour râler, au contraire, tout était parfait.", True),  # v23: « vous » before the verb
        ("fr", "Je ne me plains pas, mais votre technicien n'est jamais venu.", False),
        ("fr", "Je ne me plains pas, c'est juste que j'attends depuis trois semaines.", False),
        ("fr", "Je ne me plains pas pour rien, ça fait trois semaines que j'attends.", False),
        ("fr", "Ce n'est pas une réclamation, c'est une mise en demeure.", False),
        ("fr", "Je veux déposer une réclamation, je ne me plains pas pour le plaisir.", False),  # the disclaimer comes late
        ("fr", "Il se plaint pas, le monsieur, mais sa box ne marche plus.", False),  # someone else
        ("fr", "C'est pas contre vous, votre service est une honte.", False),  # clears the agent, not the service
        ("fr", "C'est pas grave, ça fait trois semaines que j'attends et personne ne vient.", False),  # said to an apology
        ("fr", "Votre technicien n'est jamais venu.", False),
        ("en", "I'm not calling to complain, the delivery went perfectly.", True),
        ("en", "This isn't a complaint, just a question about the bill going up.", True),
        ("en", "its not a complaint just wanted to check the date", True),
        ("en", "Honestly, no complaints at all about the engineer.", True),
        ("en", "I'm not complaining, but your engineer never turned up.", False),
        ("en", "I'm not complaining, it's just the third time I've called.", False),
        ("en", "I'm not complaining about the price, I'm complaining about the outage.", False),
        ("en", "This is unacceptable, nothing to do with you.", False),
        ("en", "I can't fault the engineer, it's your billing that's a shambles.", False),
        ("en", "I can't complain online, the form is broken.", False),
        ("en", "I don't have any complaint reference, nobody gave me one.", False),
        ("en", "Your colleague told me there's nothing wrong with the service.", False),
        ("en", "Is this not a complaint handler's job?", False),
    ],
)
def test_a_sentence_opening_on_negated_dissatisfaction_is_read_as_a_disclaimer(language, said, disclaims) -> None:
    model = default_bank(language, "complaint")
    assert (model.disclaimer_end(said) is not None) is disclaims


def test_negated_dissatisfaction_is_no_complaint_unless_what_follows_it_is_one(scorer) -> None:
    def call(said: str) -> list[tuple[str, str]]:
        return [
            ("agent", "Ramonage Dufour bonjour, que puis-je pour vous ?"),
            ("customer", "Bonjour, je vous appelle pour l'entretien de la chaudière de mardi."),
            ("agent", "Oui, je vous écoute."),
            ("customer", said),
            ("agent", "Je regarde cela."),
            ("customer", "Parfait, merci."),
        ]

    waived = scorer.score(make_interaction(call("Ce n'est pas une réclamation, juste une question sur la facture."), "fr", id="waived"))
    assert not waived.signals["complaint"].present
    assert waived.signals["complaint"].reason_code == "signal.disclaimed" and waived.signals["complaint"].confidence == 0.5
    assert waived.signals["complaint"].reason.endswith("mais le client l'écarte lui-même : « Ce n'est pas une réclamation »")
    assert waived.criteria["complaint_handling"].score is None
    # What follows the disclaimer, read alone, is a complaint: with a contrast or without one.
    for said in ("Je ne me plains pas, mais votre technicien n'est jamais venu.", "On ne se plaint pas, on exige un remboursement."):
        assert scorer.score(make_interaction(call(said), "fr", id="made")).signals["complaint"].present, said


# The spec's traps: a customer annoyed at their own mistake, satisfied with the service, asking calmly, says so; then one
# sentence of theirs that reads like a complaint by its topic alone makes none. Said as a question, after « si » / "so",
# with a contrast after it, or of the agent alone, it clears nothing.
@pytest.mark.parametrize(
    ("language", "said", "clears"),
    [
        ("fr", "Pour être honnête, rien à redire sur votre service, toujours à l'heure.", True),
        ("fr", "Rien à redire sur le technicien, il était très gentil.", False),  # one part praised: the rest may be the complaint
        ("fr", "J'ai mal recopié le code, c'est de ma faute.", True),
        ("fr", "Tout se passe très bien avec votre équipe depuis des années.", True),
        ("fr", "Rien de grave, je voulais juste un renseignement.", True),
        ("fr", "Vendredi, pas d'urgence.", False),  # a slot accepted, said in complaints as well
        ("fr", "Ce n'est rien de grave pour vous peut-être, moi je suis sans chauffage.", False),
        ("fr", "D'habitude tout se passe bien.", False),
        ("fr", "Et maintenant vous me dites que c'est de ma faute.", False),
        ("fr", "Je ne vais pas me plaindre de la livraison.", False),
        ("fr", "je suis pas du tout mécontent hein je voulais juste une précision", True),
        ("fr", "je suis fâchée contre moi-même j'ai complètement oublié", True),
        ("fr", "Rien à redire sur l'accueil, mais la facture est fausse depuis trois mois.", False),
        ("fr", "Vous êtes en train de me dire que c'est de ma faute ?", False),
        ("fr", "Et si c'est de ma faute, prouvez-le.", False),
        ("fr", "Vous n'y êtes pour rien, votre service est une honte.", False),
        ("fr", "Je ne me plains pas pour rien, ça fait trois semaines.", False),
        ("en", "Honestly, nothing wrong with the app, we just need fewer seats.", True),
        ("en", "I typed the wrong postcode, that one's on me.", True),
        ("en", "No rush at all, whenever the engineer is free.", False),  # said to a slot in complaints as well
        ("en", "Nothing serious, I just wanted to check the dates.", True),
        ("en", "There's nothing wrong with my router, I've checked it twice.", False),
        ("en", "Your colleague told me there's no complaint on file.", False),
        ("en", "so you're saying it's my fault the parcel was left out in the rain", False),
        ("en", "I've had no complaints for ten years.", False),
        # Irony, the agent cleared alone, one part praised in the complaint's own sentence (a second review's cases).
        ("fr", "ah bah oui c est ma faute peut etre", False),
        ("fr", "et pour vous c est rien de grave dix jours sans telephone", False),
        ("en", "Honestly, it was my mistake to ever sign up with you lot.", False),
        ("en", "Three months on and nothing serious has been done about it", False),
        ("en", "Look, there's nothing wrong with you, love, you're just doing your job.", False),
        ("fr", "Je ne vous reproche rien, madame.", False),
        ("en", "I've no complaints about the staff, they're lovely, it's the billing that's a total mess.", False),
        ("fr", "Pour la livraison, tout se passe bien, c'est la facturation qui déconne complètement.", False),
        ("fr", "Je ne suis pas mécontent du lave-linge.", False),
        ("en", "I'm really happy with the service, I just want to add my son.", False),  # "not happy with", "used to be happy with" too
        ("en", "Honestly, we've got no complaints about the service, I just want to add my son.", True),
        ("en", "Nothing wrong with the engineer, but your billing is a mess.", False),
        ("en", "So it's my fault your website crashed?", False),
        ("en", "Right, so it's my fault for trusting your website.", False),
        ("en", "It's nothing to do with you, your company is a joke.", False),
        ("en", "He's not complaining, I am.", False),
        # The organisation cleared of the fault, the anger at someone else (v24); not with a contrast or a cue after it,
        # nor as a condition.
        ("fr", "Ce n'est pas votre faute, mon voisin a encore bloqué l'allée.", True),
        ("fr", "Je n'ai rien contre vous, mon banquier m'a fait faux bond.", True),
        ("fr", "Vous n'y pouvez rien, la mairie a fermé la rue.", True),
        ("fr", "Si ce n'est pas votre faute, dites-moi qui paiera.", False),
        ("fr", "Ce n'est pas contre vous, mais votre service client est injoignable.", False),
        ("en", "It's not your fault, the airline lost the bags.", True),
        ("en", "Nothing against you, my employer messed up the forms.", True),
        ("en", "It's not your fault, but the engineer missed the third visit in a row.", False),
        ("en", "If it's not your fault then whose is it", False),
        ("en", "Not your fault, your company is a disgrace though.", False),
        # The customer blaming themself, or praising the organisation against the third party they are angry at (v25); not
        # as a condition, nor with a contrast after it.
        ("fr", "Je m'en veux, j'ai oublié de valider la réservation.", True),
        ("fr", "Franchement je suis vraiment trop bête, j'ai jeté le bon de retrait.", True),
        ("fr", "Vous au moins vous répondez, la banque elle ne décroche jamais.", True),
        ("fr", "C'est pas vous hein, c'est mon assurance qui traîne.", True),
        ("fr", "Je n'ai rien à vous reprocher, le transporteur a tout abîmé.", True),
        ("fr", "Si je m'en veux, c'est d'avoir signé chez vous.", False),
        ("fr", "Je m'en veux de vous avoir fait confiance, mais votre service est nul.", False),
        ("en", "Silly me, I booked the wrong month.", True),
        ("en", "Not you lot, you've been brilliant, it's the landlord.", True),
        ("en", "You guys have been great, the courier lost it.", True),
        ("en", "You guys have been great in the past, but this is a shambles.", False),
        # … nor a reproach said in those words (v25's review)
        ("fr", "Excusez-vous au moins, le technicien n'est pas venu hier.", False),
        ("fr", "Bien sûr, vous n'avez jamais rien à vous reprocher.", False),
        ("fr", "Ce n'est pas par ma faute si le rendez-vous a sauté.", False),
        ("fr", "C'est pas vous hein, c'est votre planning qui est n'importe comment.", False),
        ("fr", "Je suis vraiment bête de vous avoir fait confiance.", False),
        ("fr", "Je suis nulle part dans votre fichier.", False),
        ("en", "I can't say you guys have been helpful.", False),
        ("en", "Not you, you are the ones who cancelled it.", False),
        ("en", "You guys are great at not turning up.", False),
        ("en", "I'm an idiot for trusting you lot.", False),
        ("en", "My bad for thinking you'd call back.", False),
        # the agent excused in person, as a complaint often opens (a review's cases)
        ("fr", "Je sais bien que vous n'y êtes pour rien, madame.", False),
        ("en", "I know it's not your fault, love.", False),
    ],
)
def test_a_customer_clearing_the_organisation_is_read_as_such(language, said, clears) -> None:
    model = default_bank(language, "complaint")
    assert (model.clearing(said) is not None) is clears


@pytest.mark.parametrize(
    ("language", "said", "escalates"),
    [
        # A suit or a police complaint against a third party is no escalation (the bank's `elsewhere`, v24) …
        ("fr", "Mon voisin a encore coupé la haie chez moi, s'il recommence je porte plainte contre lui et je l'attaque en justice.", False),
        ("fr", "Le déménageur a cassé le buffet, je vais les traîner au tribunal ces gens-là.", False),
        ("en", "My landlord still hasn't fixed the boiler, honestly if he ignores me again I'm taking him to small claims.", False),
        ("en", "The courier lost it twice, I'll see them in court if I have to.", False),
        # … one against the organisation, or asking for a manager, still is.
        ("fr", "Si ma facture n'est pas corrigée cette semaine, je vais vous attaquer en justice.", True),
        ("en", "If this isn't fixed by Friday I'm taking you to small claims court.", True),
    ],
)
def test_a_legal_threat_against_someone_else_is_no_escalation(scorer, language, said, escalates) -> None:
    opening = "Bonjour, service clients, que puis-je faire pour vous ?" if language == "fr" else "Hello, customer service, how can I help?"
    closing = "Je note tout cela." if language == "fr" else "I'm noting all of that."
    result = scorer.score(make_interaction([("agent", opening), ("customer", said), ("agent", closing)], language, id="legal"))
    signal = result.signals["escalation_request"]
    assert signal.present is escalates, signal.reason
    if not escalates:
        assert signal.reason_code == "signal.elsewhere" and signal.reason_params["words"] in said, signal.reason


def test_a_sentence_read_as_a_complaint_by_its_topic_is_none_once_the_customer_clears_the_organisation(scorer) -> None:
    def call(said: list[str]) -> list[tuple[str, str]]:
        return [
            ("agent", "Cantines Saint-Roch bonjour, que puis-je pour vous ?"),
            ("customer", "Bonjour. Ça fait trois jours que la carte de cantine de mon fils est refusée et il n'a rien mangé à midi, franchement c'est pas normal."),
            ("agent", "Je regarde votre compte."),
            *[("customer", line) for line in said],
            ("agent", "Je vous envoie la marche à suivre."),
            ("customer", "Parfait, merci, bonne journée."),
        ]

    own_mistake = "Je vais vous dire, j'ai oublié de la recharger, c'est de ma faute."
    cleared = scorer.score(make_interaction(call([own_mistake]), "fr", id="cleared")).signals["complaint"]
    assert not cleared.present and cleared.reason_code == "signal.cleared" and cleared.confidence == 0.5
    assert cleared.reason.endswith("mais le client met l'organisation hors de cause (tour 3, 15\u202fs) : « c'est de ma faute »"), cleared.reason
    # Without the clearing, or when the customer's next sentence takes it back, the same sentence is a complaint.
    assert scorer.score(make_interaction(call(["Je voudrais mettre en place un rechargement automatique."]), "fr", id="plain")).signals["complaint"].present
    taken_back = call([own_mistake, "Mais personne ne m'a prévenu, et ça c'est votre rôle."])
    assert scorer.score(make_interaction(taken_back, "fr", id="taken-back")).signals["complaint"].present
    # A clearing followed by a sentence that is itself a complaint clears nothing: praise, then the complaint.
    praise_then_complaint = call(["Rien à redire sur votre service, hein.", "La facture est fausse, on m'a facturé deux fois le déplacement, c'est inadmissible."])
    assert scorer.score(make_interaction(praise_then_complaint, "fr", id="praise-then")).signals["complaint"].present
    # Said in the second half of the customer's turns, it thanks for a complaint handled: it takes none back.
    thanks_at_the_end = call(["Bon, d'accord, je note.", "Très bien.", "Rien à redire sur votre service, merci."])
    assert scorer.score(make_interaction(thanks_at_the_end, "fr", id="thanks-end")).signals["complaint"].present


def test_after_a_clearing_a_sentence_nearly_one_of_the_examples_is_still_a_complaint() -> None:
    from qualicall.scorer.banks import Bank, BankMatch, BankModel
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import Clearing, _signal, units_of

    said = ["The parcel came late.", "That one's on me, I gave the old address.", "I want to make a complaint."]
    context = CheckContext.build(make_interaction([("customer", s) for s in said], "en", id="near"), load_rubric("default-en"), "en")
    units = units_of(context.customer_turns)
    model = BankModel(Bank("complaint", ("a",), ("b",), k=1, margin=0.03, lone_similarity=0.85), np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))
    cleared = Clearing(units[1], 0, 16)

    def judged(similarity: float) -> "object":
        readings = [(units[0], BankMatch(True, 0.06, "My parcel is late again.", 0.6)), (units[1], BankMatch(False, 0.0, "x", 0.2)),
                    (units[2], BankMatch(True, 0.2, "I want to make a complaint.", similarity))]
        return _signal("complaint", model, readings, "en", {}, frozenset(), cleared)

    near = judged(0.97)
    assert near.present and [e.text for e in near.evidence] == ["I want to make a complaint."]
    far = judged(0.7)
    assert not far.present and far.reason_code == "signal.cleared"
    assert far.reason == ("« I want to make a complaint. » (turn 2, 10 s) reads as a complaint (« I want to make a complaint. »), "
                          "but the customer clears the organisation (turn 1, 5 s): « That one's on me »")


def test_one_sentence_barely_past_the_margin_among_many_is_no_complaint() -> None:
    from qualicall.scorer.banks import Bank, BankMatch, BankModel
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import _signal, units_of

    said = ["I rang about the boiler.", "It makes a noise at night.", "The engineer came on Monday.", "It is still noisy.", "Can someone look again?"]
    context = CheckContext.build(make_interaction([("customer", s) for s in said], "en", id="lone"), load_rubric("default-en"), "en")
    units = units_of(context.customer_turns)
    bank = Bank("complaint", ("a",), ("b",), k=1, margin=0.03, lone_margin=0.04, lone_after=4)
    model = BankModel(bank, np.zeros((1, 2), np.float32), np.zeros((1, 2), np.float32))

    def judged(scores: list[float], among: int = len(said), similarity: float = 0.6) -> "object":
        readings = [(unit, BankMatch(score > 0.03, score, "It's still not fixed.", similarity)) for unit, score in zip(units[:among], scores)]
        return _signal("complaint", model, readings, "en", frozenset())

    alone = judged([0.0, 0.0, 0.0, 0.06, 0.0])
    assert not alone.present and alone.reason_code == "signal.lone"
    assert alone.reason == ("too little for a complaint: one sentence, « It is still noisy. » (turn 3, 15 s), near « It's still not fixed. », "
                            "with a score of +0.060; alone among 5 sentences of 1 words or more, it would need more than +0.070")
    assert judged([0.0, 0.0, 0.0, 0.08, 0.0]).present  # past margin + lone_margin
    assert judged([0.0, 0.05, 0.0, 0.06, 0.0]).present  # two sentences
    assert judged([0.0, 0.0, 0.06], among=3).present  # fewer sentences than lone_after: one is enough
    model = BankModel(Bank("complaint", ("a",), ("b",), k=1, margin=0.03, lone_margin=0.04, lone_after=4, lone_similarity=0.85), model.positive_vectors, model.negative_vectors)
    assert judged([0.0, 0.0, 0.0, 0.06, 0.0], similarity=0.9).present  # nearly one of the bank's examples: no chance match
    assert not judged([0.0, 0.0, 0.0, 0.06, 0.0], similarity=0.8).present
    # Only sentences of lone_words words or more count: these five are too short to have passed by chance.
    model = BankModel(Bank("complaint", ("a",), ("b",), k=1, margin=0.03, lone_margin=0.04, lone_after=4, lone_words=6), model.positive_vectors, model.negative_vectors)
    assert judged([0.0, 0.0, 0.0, 0.06, 0.0]).present
    # The rubric's complaint banks hold the rule; the results' thresholds say so.
    assert load_rubric("default-fr").thresholds()["banks"]["complaint"]["lone_margin"] == 0.04


def test_only_a_negative_churn_threat_or_escalation_implies_a_complaint() -> None:
    from qualicall.scorer.banks import Bank, BankMatch, BankModel
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import _implied_complaint, units_of

    context = CheckContext.build(make_interaction([("customer", "I'll go elsewhere."), ("customer", "Third call.")], "en", id="implied"), load_rubric("default-en"), "en")
    units = units_of(context.customer_turns)
    vectors = np.zeros((1, 2), np.float32)
    banks = {name: BankModel(Bank(name, ("a",), ("b",), k=1, margin=0.04, cues=(r"\belsewhere\b",), negative_cue_shift=0.06), vectors, vectors)
             for name in ("churn_threat", "repeat_contact", "escalation_request")}
    none_, churn, repeat = BankMatch(False, 0.0, "a", 0.1), BankMatch(True, 0.1, "a", 0.7), BankMatch(True, 0.1, "a", 0.7)
    readings = {"churn_threat": [(units[0], churn), (units[1], none_)], "repeat_contact": [(units[0], none_), (units[1], repeat)],
                "escalation_request": [(units[0], none_), (units[1], none_)]}

    def implied(labels: list[str], disclaimed: frozenset[int] = frozenset(), upset: frozenset[int] = frozenset()):  # type: ignore[no-untyped-def]
        return _implied_complaint(banks, None, readings, [(label, 0.0) for label in labels], "en", disclaimed, {"churn_threat": upset})  # type: ignore[arg-type]

    # A churn threat said calmly (« they're cheaper, I'll switch ») is no complaint; said in anger it is one.
    assert implied(["neutral", "negative"]) is None  # nor is a repeat contact said with discontent: the complaint bank judges it
    found = implied(["negative", "neutral"])
    assert found is not None and found.reason_params["cause"] == "churn_threat"
    assert implied(["negative", "neutral"], frozenset({0})) is None  # a sentence that disclaims a complaint makes none
    # A threat read at the lowered margin without the floor (a cue said in a negative turn) passes on that reading.
    lowered = implied(["negative", "neutral"], upset=frozenset({0}))
    assert lowered.reason_params["because"]["code"] == "signal.upset_cue" and lowered.confidence == 0.75  # 0.1 past -0.02, capped
    assert lowered.reason_params["because"]["params"]["needed"] == pytest.approx(-0.02)


def test_the_sentiment_scale_is_the_rubrics() -> None:
    from pydantic import ValidationError

    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.rubric import SentimentSettings, load_rubric
    from qualicall.scorer.signals import SentimentModel

    rubric = load_rubric("default-fr")
    assert rubric.sentiment.scale == 0.15 and rubric.thresholds()["sentiment"] == {"scale": 0.15, "end_feelings_only": False}
    with pytest.raises(ValidationError):
        SentimentSettings(scale=0)
    embedder = get_embedder()
    vectors = embedder.encode(["Ça fait deux heures que j'attends, c'est pénible.", "Je voudrais changer d'adresse."])
    narrow = SentimentModel.build(rubric.example_banks(), embedder, 0.15).judge(vectors)
    wide = SentimentModel.build(rubric.example_banks(), embedder, 0.6).judge(vectors)
    # The same labels; the scores four times apart (a sentence's score is clipped only as its turn's).
    assert [label for label, _ in narrow] == [label for label, _ in wide]
    assert all(abs(n - 4 * w) < 2e-3 for (_, n), (_, w) in zip(narrow, wide))
    assert narrow[0][0] == "negative" and narrow[0][1] < wide[0][1] < 0


def test_the_end_reads_the_last_thirds_turns_that_carry_a_feeling(scorer) -> None:
    """`sentiment.end_feelings_only` (off in the default rubrics, whose end is the spec's mean of the last third): a
    satisfied customer's short thanks after an address and a slot make a positive end; averaged with those turns, which
    carry no feeling, the end reads neutral."""
    from qualicall.scorer.context import CheckContext
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import SentimentModel, SpeakerSentences, customer_sentiment

    lines = [
        ("agent", "Bonjour, Jardins Partagés du Nord, que puis-je pour vous ?"),
        ("customer", "Bonjour, je voudrais réserver une parcelle pour le printemps prochain, pour mon fils et moi."),
        ("agent", "Bien sûr. Quelle adresse pour le dossier ?"),
        ("customer", "C'est le douze rue des Tilleuls à Roubaix, au deuxième étage, porte de gauche."),
        ("agent", "Je vous propose jeudi à quatorze heures pour la visite."),
        ("customer", "Jeudi quatorze heures, je note, je viendrai avec mon fils et la copie de l'attestation de domicile qu'on m'a demandée."),
        ("agent", "Autre chose ?"),
        ("customer", "Non, merci beaucoup !"),
    ]
    rubric = load_rubric("default-fr")
    context = CheckContext.build(make_interaction(lines, "fr", id="end-feelings"), rubric, "fr")
    sentences = SpeakerSentences.embed(context.customer_turns, context.embedder)
    banks = rubric.example_banks()
    feelings_only = customer_sentiment(SentimentModel.build(banks, context.embedder, 0.15, True), sentences)
    all_turns = customer_sentiment(SentimentModel.build(banks, context.embedder, 0.15, False), sentences)
    assert [t.label for t in feelings_only.turns][-1] == "positive"
    assert feelings_only.end == 1.0 and all_turns.end <= 0.3, (feelings_only, all_turns)  # 0.3: the bands' edge
    assert feelings_only.start == all_turns.start
    assert scorer.score(make_interaction(lines, "fr", id="end-feelings")).sentiment.end == all_turns.end


def test_a_turns_most_marked_sentence_is_found_before_its_score_is_clipped() -> None:
    from qualicall.scorer.signals import most_marked

    # Both past ±1: clipped first, they would tie and the first would win.
    assert most_marked([("negative", -1.6), ("positive", 2.4), ("neutral", 0.1)]) == ("positive", 1.0)
    assert most_marked([("neutral", 0.2)]) == ("neutral", 0.2) and most_marked([]) == ("neutral", 0.0)


def test_the_customer_sentences_compared_once_with_the_shared_examples_read_as_each_bank_alone(scorer) -> None:
    """The signals' and the feelings' banks share most of their examples: each distinct one is compared once
    (SharedExamples), and each bank reads the same scores as from its own examples."""
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.banks import bank_model, shared_examples
    from qualicall.scorer.rubric import load_rubric
    from qualicall.scorer.signals import SENTIMENT_BANKS

    embedder = get_embedder()
    banks = load_rubric("default-fr").example_banks()
    names = (*SIGNALS, *SENTIMENT_BANKS)
    shared = shared_examples(tuple(banks[name] for name in names), embedder)
    models = {name: bank_model(banks[name], embedder) for name in names}
    assert len(shared.vectors) < sum(len(m.positive_vectors) + len(m.negative_vectors) for m in models.values())
    said = ["Ça fait trois semaines que j'attends mon remboursement, passez-moi votre responsable.", "Merci, c'est parfait."]
    vectors = embedder.encode(said)
    compared = shared.compare(vectors)
    for name, model in models.items():
        alone, together = model.judge(vectors), model.judge(vectors, compared=compared)
        assert [m.realises for m in alone] == [m.realises for m in together], name
        assert np.allclose([m.score for m in alone], [m.score for m in together], atol=1e-6), name
        assert [m.closest for m in alone] == [m.closest for m in together], name


def test_a_customer_turn_with_no_sentence_is_scored(scorer) -> None:
    result = scorer.score(make_interaction([("agent", "Bonjour, que puis-je pour vous ?"), ("customer", "😡😡")], "fr", channel="chat", id="no-sentence"))
    assert not any(result.signals[name].present for name in SIGNALS)


# The examples complaints-and-satisfaction.md gives of each signal, said alone: each must be read as its signal.
SPEC_EXAMPLES = [
    ("fr", "complaint", "je veux faire une réclamation"), ("fr", "complaint", "c'est inadmissible"),
    ("fr", "complaint", "je ne suis pas du tout satisfait"), ("fr", "complaint", "ça fait trois semaines que j'attends"),
    ("en", "complaint", "I want to make a complaint"), ("en", "complaint", "this is unacceptable"), ("en", "complaint", "I've been waiting three weeks"),
    ("fr", "escalation_request", "passez-moi votre responsable"), ("fr", "escalation_request", "je vais saisir le médiateur"),
    ("en", "escalation_request", "let me speak to your manager"), ("en", "escalation_request", "I'll take this to the ombudsman"),
    ("fr", "churn_threat", "je vais résilier"), ("fr", "churn_threat", "je vais aller voir ailleurs"),
    ("en", "churn_threat", "I'm going to cancel"), ("en", "churn_threat", "I'll switch providers"),
    ("fr", "repeat_contact", "c'est la troisième fois que j'appelle"), ("fr", "repeat_contact", "on m'avait dit qu'on me rappellerait"),
    ("en", "repeat_contact", "this is the second time I'm calling"),
]


@pytest.mark.parametrize(("language", "signal", "said"), SPEC_EXAMPLES)
def test_the_specs_own_examples_are_read_as_their_signal(scorer, language, signal, said) -> None:
    result = scorer.score(make_interaction([("customer", said)], language, channel="chat", id="spec-example"))
    assert result.signals[signal].present, result.signals[signal].reason
