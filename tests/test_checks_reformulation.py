"""Reformulation: a restatement needs a formula and the customer's need; a check must be asked."""

from __future__ import annotations

import pytest

from core_scoring import item, status

A, C = "agent", "customer"
FR_NEED = (C, "Ma facture de mars est deux fois plus élevée que d'habitude, je ne comprends pas pourquoi.")
EN_NEED = (C, "My heating stopped working this afternoon and the flat is freezing.")


@pytest.mark.parametrize(
    "agent, expected",
    [
        ("Si je comprends bien, votre facture de mars a doublé et vous voulez savoir pourquoi. C'est bien cela ?", "passed"),
        ("Vous constatez donc une hausse importante de votre facture de mars.", "passed"),
        # A formula followed by something else, or one repeated word.
        ("Si je comprends bien, il me faudrait votre numéro de client s'il vous plaît.", "failed"),
        ("Votre facture ?", "failed"),
        ("Je regarde votre compte.", "failed"),
    ],
)
def test_restates_need_fr(agent, expected):
    turns = [(A, "Bonjour, Onda Énergie, que puis-je faire pour vous ?"), FR_NEED, (A, agent)]
    result = item(turns, "reformulation.restates_need")
    assert result.status == expected, result.reason
    if expected == "passed":
        assert result.evidence[0].turn == 2


@pytest.mark.parametrize(
    "agent, expected",
    [
        ("So you'd like us to fix your heating, which stopped this afternoon. Is that right?", "passed"),
        ("Just to make sure, your heating has stopped and the flat is very cold?", "passed"),
        ("Just to make sure, can I take your postcode please?", "failed"),
    ],
)
def test_restates_need_en(agent, expected):
    turns = [(A, "Hello, Riverside Housing, how can I help?"), EN_NEED, (A, agent)]
    assert status(turns, "reformulation.restates_need", "en") == expected


@pytest.mark.parametrize(
    "need, agent, language, expected",
    [
        # A need said in two content words is restated in two (the restatement once needed three whatever the need).
        ("Hi, my internet is down since yesterday.", "So your internet has been down since yesterday, is that right?", "en", "passed"),
        ("my internet is down since yesterday", "so your internet is down since yesterday right", "en", "passed"),
        ("Mon colis est perdu.", "Donc votre colis est perdu, c'est bien ça ?", "fr", "passed"),
        # Never one repeated word, nor the need said in fewer words than it took, nor one of its words with others.
        ("Hi, my internet is down since yesterday.", "So your internet, is that right?", "en", "failed"),
        ("Ma facture de mars est deux fois plus élevée que d'habitude.", "Donc votre facture de mars, c'est bien ça ?", "fr", "failed"),
        ("My parcel.", "Just to make sure, your parcel, your parcel?", "en", "failed"),
        ("Ma facture.", "Si je comprends bien, votre facture, d'accord ?", "fr", "failed"),
        ("My bill.", "So you have a question about your bill?", "en", "failed"),
    ],
)
def test_a_short_need_restated_in_as_few_words(need, agent, language, expected):
    hello = "Bonjour, Acme, je vous écoute." if language == "fr" else "Hello, Acme support, how can I help?"
    result = item([(A, hello), (C, need), (A, agent)], "reformulation.restates_need", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, customer_after, language, expected",
    [
        ("Votre plafond est relevé. Est-ce que c'est clair pour vous ?", "oui", "fr", "passed"),
        ("votre plafond est relevé c'est bien ça", "oui", "fr", "passed"),
        ("Vous recevrez un SMS demain, d'accord ?", "oui", "fr", "passed"),
        ("Your limit is raised. Does that make sense?", "yes", "en", "passed"),
        ("You'll get a text tomorrow, right?", "yes", "en", "passed"),
        # An answer, or a bare backchannel, is not a check.
        ("Oui, c'est bien ça, cent deux euros au total.", "bon", "fr", "failed"),
        ("right okay", "yes", "en", "failed"),
        ("Right, I'll raise it now.", "thanks", "en", "failed"),
    ],
)
def test_checks_understanding_must_be_asked(agent, customer_after, language, expected):
    opening = (A, "Bonjour, que puis-je faire pour vous ?") if language == "fr" else (A, "Hello, how can I help?")
    turns = [opening, (C, "ma carte est bloquée" if language == "fr" else "my card is blocked"), (A, agent), (C, customer_after)]
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # The agent's understanding as a condition, in forms no phrase list holds.
        ("si je vous suis bien votre facture de mars a doublé et vous voulez comprendre pourquoi", "fr", "passed"),
        ("Si j'ai bien saisi, votre facture de mars est deux fois plus élevée que d'habitude.", "fr", "passed"),
        ("Ok, donc tu trouves ta facture de mars deux fois plus élevée que d'habitude, c'est ça ?", "fr", "passed"),
        ("If I've understood you, your heating stopped this afternoon and the flat is freezing.", "en", "passed"),
        ("From what you're describing, the heating stopped working this afternoon and your flat is freezing cold.", "en", "passed"),
        # The same forms followed by a request for details: still no restatement.
        ("si je vous suis bien vous pouvez me donner votre numéro de client", "fr", "failed"),
        ("Just to check, can you spell your surname for me?", "en", "failed"),
    ],
)
def test_restatement_formulas_are_grammatical_forms(agent, language, expected):
    opening = (A, "Bonjour, Onda Énergie, que puis-je faire pour vous ?") if language == "fr" else (A, "Hello, Riverside Housing, how can I help?")
    turns = [opening, FR_NEED if language == "fr" else EN_NEED, (A, agent)]
    result = item(turns, "reformulation.restates_need", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        ("Vous ai-je bien comprise, madame ?", "fr", "passed"),
        ("est-ce que je vous ai bien suivi", "fr", "passed"),
        ("Did I understand that correctly?", "en", "passed"),
        ("Is that an accurate summary?", "en", "passed"),
        ("Is that accurate?", "en", "passed"),
        # Said, not asked.
        ("Si je vous ai bien comprise, votre carte est bloquée.", "fr", "failed"),
    ],
)
def test_agent_asking_about_their_own_understanding(agent, language, expected):
    opening = (A, "Bonjour, que puis-je faire pour vous ?") if language == "fr" else (A, "Hello, how can I help?")
    turns = [opening, (C, "ma carte est bloquée" if language == "fr" else "my card is blocked"), (A, agent), (C, "oui" if language == "fr" else "yes")]
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


FR_PET = (C, "Mon chien a mangé un morceau de chocolat tout à l'heure, je voudrais savoir si c'est grave.")
EN_PET = (C, "We booked the lakeside cabin for half-term and the owner has just told us it was let twice.")


def after_the_pet_or_cabin(agent: str, reply: str, language: str, item_id: str):
    """The item judged on a call whose customer states their need, the agent says `agent`, the customer answers `reply`."""
    opening = (A, "Clinique des Tilleuls, bonjour.") if language == "fr" else (A, "Hello, Lakeview Holidays, how can I help?")
    return item([opening, FR_PET if language == "fr" else EN_PET, (A, agent), (C, reply)], item_id, language)


@pytest.mark.parametrize(
    "agent, reply, language, expected, code",
    [
        # A paraphrase sharing few of the customer's words: confirmed, it restates the need.
        ("Si je vous suis, votre animal a avalé une friandise toxique et vous êtes inquiète pour sa santé, c'est bien ça ?", "Oui.", "fr", "passed", "restatement.confirmed"),
        ("Vous constatez donc que votre animal a avalé une friandise toxique et vous êtes inquiète pour sa santé.", "Exactement, il est tout petit.", "fr", "passed", "restatement.confirmed"),
        ("So if I understand correctly, your holiday rental was double-booked and you'll need somewhere else to stay. Is that right?", "Yes.", "en", "passed", "restatement.confirmed"),
        ("From what you've told me, your holiday rental was double-booked and you'll need somewhere else to stay.", "Yes.", "en", "passed", "restatement.confirmed"),
        # The same paraphrase unconfirmed, or a bare « oui » that answers the agent's next question: not enough.
        ("Vous constatez donc que votre animal a avalé une friandise toxique et vous êtes inquiète pour sa santé.", "Hein ? Je ne sais pas trop.", "fr", "failed", None),
        ("From what you've told me, your holiday rental was double-booked and you'll need somewhere else to stay. Can I take the booking code?", "Yes, it's K41.", "en", "failed", None),
        # A formula followed by a request, confirmed or not, restates nothing.
        ("Si je vous suis, vous avez le numéro de la puce électronique, c'est bien ça ?", "Oui.", "fr", "failed", None),
        ("Just to make sure, you've got your membership card with you, is that right?", "Yes.", "en", "failed", None),
    ],
)
def test_restatement_confirmed_by_the_customer(agent, reply, language, expected, code):
    result = after_the_pet_or_cabin(agent, reply, language, "reformulation.restates_need")
    assert result.status == expected, result.reason
    if code:
        assert result.reason_code == code, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # Announcing formulas said otherwise, punctuated or as raw speech.
        ("Je note donc que votre chien a mangé du chocolat et que vous voulez savoir si c'est grave.", "fr", "passed"),
        ("Pour être certaine d'avoir bien saisi : votre chien a mangé du chocolat et vous voulez savoir si c'est grave.", "fr", "passed"),
        ("ah d'accord en gros ton chien a mangé du chocolat et tu veux savoir si c'est grave", "fr", "passed"),
        ("So basically the lakeside cabin you booked for half-term was let twice by the owner.", "en", "passed"),
        ("Let me play that back: the owner let your lakeside cabin twice for half-term.", "en", "passed"),
        ("okay so just so i've got this right the cabin you booked for half-term was let twice", "en", "passed"),
        ("Autrement dit, votre chien a mangé du chocolat et vous voulez savoir si c'est grave.", "fr", "passed"),
        ("si je pige bien ton chien a mangé du chocolat et tu veux savoir si c'est grave", "fr", "passed"),
        ("Il s'agit donc de savoir si c'est grave que votre chien ait mangé du chocolat.", "fr", "passed"),
        ("If I may summarise, the owner let the lakeside cabin you booked for half-term twice.", "en", "passed"),
        # The same formulas followed by a request.
        ("Je note donc que vous pouvez me donner le nom du vétérinaire traitant.", "fr", "failed"),
        ("Autrement dit, il me faut le nom du vétérinaire traitant.", "fr", "failed"),
        ("en gros tu me donnes ton numéro de client", "fr", "failed"),
        ("So basically I'll need the booking reference and your postcode.", "en", "failed"),
    ],
)
def test_announcing_formulas_said_otherwise(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Hum.", language, "reformulation.restates_need")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # Speech drops the verb of a closing "is that right".
        ("so you'd like the paper delivery stopped from monday that right", "en", "passed"),
        ("okay so that's the cabin for the whole week that all clear", "en", "passed"),
        ("yeah that right", "en", "failed"),
        # A link the customer follows, a hedge, a choice asked: no check of understanding.
        ("you can see the fee on the page if you follow the link we emailed", "en", "failed"),
        ("Le chien a été vacciné en mars, si je ne me trompe pas.", "fr", "failed"),
        # Agreeing to a slot is no check of understanding; asking about the explanation is.
        ("Je peux vous proposer jeudi à neuf heures, ça vous va ?", "fr", "failed"),
        ("Je reprends : le vaccin protège un an, puis un rappel suffit. Ça vous va comme explication ?", "fr", "passed"),
        # Asking whether the customer understood, in the second person: the difference, how it works, the steps.
        ("La carte est bloquée trois jours, puis débloquée seule. Vous voyez ce que ça change ?", "fr", "passed"),
        ("c'est trois jours puis elle se débloque toute seule c'est clair pour le délai", "fr", "passed"),
        ("on la bloque puis on la rouvre en deux étapes vous avez compris les étapes", "fr", "passed"),
        ("It's blocked for three days, then it unlocks itself. Do you understand how it works?", "en", "passed"),
        ("it stays blocked three days then unlocks itself you following so far", "en", "passed"),
        ("It unlocks itself after three days. Does that track?", "en", "passed"),
        # … not a statement, nor instructions followed.
        ("Comme vous avez compris, la carte est bloquée trois jours.", "fr", "failed"),
        ("Vous avez compris que la carte est bloquée, je vois.", "fr", "failed"),
        ("I hope you understand the card stays blocked for three days.", "en", "failed"),
        ("Did you follow the steps in the email we sent?", "en", "failed"),
        ("I'm sure you understand that the deposit is non refundable.", "en", "failed"),
        ("It's easy once you follow it step by step.", "en", "failed"),
        ("C'est compris pour le mardi, je vous inscris à dix heures.", "fr", "failed"),
        ("Vous voyez la différence sur votre facture, la ligne du bas est le rattrapage de mars.", "fr", "failed"),
        ("Je vois que vous avez tout compris.", "fr", "failed"),
        ("C'est clair pour le matin.", "fr", "failed"),
        ("I'm going to read you the terms so that you understand.", "en", "failed"),
        ("Yes, does it track sleep? It does.", "en", "failed"),
    ],
)
def test_checks_understanding_in_speech_and_agreement(agent, language, expected):
    opening = (A, "Bonjour, que puis-je faire pour vous ?") if language == "fr" else (A, "Hello, how can I help?")
    turns = [opening, (C, "ma carte est bloquée" if language == "fr" else "my card is blocked"), (A, agent), (C, "d'accord" if language == "fr" else "okay")]
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "need, agent, reply, language, expected, code",
    [
        # No announcing formula: a sentence that reads like a restatement counts once the customer confirms it…
        ("J'ai envoyé la facture de mes lunettes le mois dernier et je n'ai toujours rien reçu.", "votre dossier optique du mois dernier n'a toujours pas été réglé", "C'est exactement ça.", "fr", "passed", None),
        ("I sent in a claim for my new glasses four weeks ago and I still haven't had any money back.", "your optical claim from last month still hasn't been paid out", "Exactly.", "en", "passed", None),
        # … not otherwise: it may be the answer already.
        ("J'ai envoyé la facture de mes lunettes le mois dernier et je n'ai toujours rien reçu.", "votre dossier optique du mois dernier n'a toujours pas été réglé", "Et donc je fais quoi ?", "fr", "failed", "restatement.unconfirmed"),
        ("I sent in a claim for my new glasses four weeks ago and I still haven't had any money back.", "your optical claim from last month still hasn't been paid out", "So what do I do now?", "en", "failed", "restatement.unconfirmed"),
    ],
)
def test_restatement_by_meaning_alone_needs_the_customer(need, agent, reply, language, expected, code):
    opening = (A, "Mutuelle Horizon, bonjour.") if language == "fr" else (A, "Hello, Horizon Health, how can I help?")
    result = item([opening, (C, need), (A, agent), (C, reply)], "reformulation.restates_need", language)
    assert result.status == expected, result.reason
    if code:
        assert result.reason_code == code, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # The agent's understanding as a condition, with what it bears on; ASR writes no apostrophe.
        ("right so if ive got that right youre after a refund for the lakeside cabin that was let twice at half term", "en", "passed"),
        ("So if I have you right, the owner let your half-term cabin twice.", "en", "passed"),
        ("So, as I understand the situation, the lakeside cabin you booked for half-term was let twice.", "en", "passed"),
        ("if ive got that right i need your booking reference first", "en", "failed"),
        ("Si je vous entends bien, votre chien a mangé du chocolat et vous voulez savoir si c'est grave.", "fr", "passed"),
        ("si je vous lis bien votre chien a mangé du chocolat ce matin", "fr", "passed"),
        ("Si je vous entends bien, il me faudrait le nom du vétérinaire.", "fr", "failed"),
    ],
)
def test_understanding_as_a_condition_said_otherwise(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Hum.", language, "reformulation.restates_need")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # « c'est ça ? » confirms a restatement or an explanation; after a name or a date it confirms data.
        ("Donc votre chien a mangé du chocolat ce matin et il tremble un peu, c'est ça ?", "fr", "passed"),
        ("Madame Leroy, c'est ça ?", "fr", "failed"),
        ("ah oui rex le labrador c'est ça", "fr", "failed"),
        ("So the owner let your cabin twice and you want your deposit back, is that right?", "en", "passed"),
        ("Booking 4471, right?", "en", "failed"),
        # An address or a plate of five words and more is still data: the confirmed words say nothing (no verb).
        ("Très bien, 14 rue des Glycines à Saint-Brieuc, c'est bien ça ?", "fr", "failed"),
        ("Okay, plate WX21 ABC, silver Ford Fiesta. Is that correct?", "en", "failed"),
        ("Donc votre chien a mangé du chocolat ce matin. C'est bien cela ?", "fr", "passed"),
        # Opening the agent's turn, it answers the customer.
        ("c'est bien ça c'est le vaccin de l'année dernière", "fr", "failed"),
        # Familiar and formal checks.
        ("Le chocolat noir est le plus toxique pour lui. Tu captes ?", "fr", "passed"),
        ("The deposit is refunded once the owner confirms. Is my understanding correct?", "en", "passed"),
        # "…, yeah?" closes a tag question as "…, right?" does; "am I correct" as "am I right".
        ("So the owner let your cabin twice and you want the deposit back, yeah?", "en", "passed"),
        ("so the owner let your cabin twice and you want your deposit back am i correct sir", "en", "passed"),
        ("Booking 4471, yeah?", "en", "failed"),
        # Other confirmations closing a restatement: « est-ce exact », « je me trompe pas » (ASR drops « ne »).
        ("alors le chien a mangé une grappe de raisin ce midi je me trompe pas", "fr", "passed"),
        ("Si je résume, le chien vomit depuis ce matin, est-ce exact ?", "fr", "passed"),
        # « tu m'as bien suivie ? », "does that sound right?"; not a question about a sound, nor « c'est juste ? » (is it fair?).
        ("Le vaccin protège un an puis il faut un rappel, tu m'as bien suivie ?", "fr", "passed"),
        ("So the owner kept the deposit and you'd like it back, does that sound right?", "en", "passed"),
        ("Vous m'avez bien envoyé le carnet de vaccination ?", "fr", "failed"),
        # « vous m'avez suivi » without « bien », closing the turn; not following on social media.
        ("Le rappel se fait dans un an, vous m'avez suivi ?", "fr", "passed"),
        ("Je vois que vous m'avez suivi sur Instagram, merci pour le rappel du vaccin.", "fr", "failed"),
        ("And the cabin's smoke alarm, does it sound right when you press the test button?", "en", "failed"),
        ("Je vous rembourse la moitié de la cabane, c'est juste ?", "fr", "failed"),
        # A choice, an offer to accept, a predicate: no check (« oui ou non ? », « vous confirmez ? », "… correct?").
        ("Vous voulez qu'on décale la cabane à samedi, oui ou non ?", "fr", "failed"),
        ("Je vous fais un geste de dix euros sur la cabane, vous confirmez ?", "fr", "failed"),
        ("Is the email address on the cabin booking correct?", "en", "failed"),
    ],
)
def test_a_confirmation_asked_after_data_checks_no_understanding(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Oui.", language, "reformulation.checks_understanding")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # Announcing a restatement in other words, then the customer's need.
        ("Laissez-moi reformuler : votre chien a mangé du chocolat et vous voulez savoir si c'est grave.", "fr", "passed"),
        ("Corrigez-moi si je me trompe, votre chien a mangé du chocolat tout à l'heure.", "fr", "passed"),
        ("donc ce que je retiens c'est que votre chien a mangé du chocolat", "fr", "passed"),
        ("gotcha so the owner let ur cabin twice for half term", "en", "passed"),
        ("just so i have this right the owner let your cabin twice at half-term", "en", "passed"),
        ("Donc c'est pour votre chien qui a mangé du chocolat tout à l'heure.", "fr", "passed"),
        ("Si j'ai ben compris, votre chien a mangé du chocolat tout à l'heure.", "fr", "passed"),
        ("D'après ce que je comprends, votre chien a mangé du chocolat tout à l'heure.", "fr", "passed"),
        ("If I read you right, the owner let your cabin twice at half-term.", "en", "passed"),
        # « donc » with a spoken filler before « vous », "it sounds like you" (v22).
        ("ok donc là vous voulez savoir si votre chien risque quelque chose avec le chocolat", "fr", "passed"),
        ("fait que vous voulez savoir si le chocolat est dangereux pour votre chien", "fr", "passed"),
        ("So it sounds like your cabin was let twice over half-term by the owner.", "en", "passed"),
        ("It seems like you were double-booked: the owner let your cabin twice at half-term.", "en", "passed"),
        # "if I may rephrase", "from what you tell me" (v23).
        ("If I may restate your situation, the owner let your cabin twice over half-term and you need somewhere else.", "en", "passed"),
        # The feminine of the agent's understanding, the customer's message as the source (v23).
        ("Si je vous ai bien comprise, votre chien a mangé du chocolat ce matin.", "fr", "passed"),
        ("D'après votre message, vous voulez savoir si le chocolat est dangereux pour votre chien.", "fr", "passed"),
        ("From what you tell me, the owner let your cabin twice at half-term.", "en", "passed"),
        # The same openings followed by something else.
        ("donc là vous pouvez me donner le nom du vétérinaire", "fr", "failed"),
        ("It sounds like a line fault, so I'll book an engineer.", "en", "failed"),
        ("If I may rephrase my question: what's the booking reference?", "en", "failed"),
        # The agent rephrasing their own words restates no need (a review's case).
        ("It's the owner's policy. Let me rephrase that: the owner let your cabin twice at half-term.", "en", "failed"),
        ("Laissez-moi reformuler ma question : quel est le nom du vétérinaire ?", "fr", "failed"),
        ("so the booking reference is on your confirmation email", "en", "failed"),
        ("C'est donc pour ça que le vétérinaire a rappelé hier.", "fr", "failed"),
        ("As I read the booking history, the owner let your cabin twice.", "en", "failed"),
        # « si je note bien », « je reprends : vous … », « alors vous aimeriez », "what I understand is" (v25).
        ("alors si je note bien votre chien a mangé du chocolat tout à l'heure", "fr", "passed"),
        ("Je reprends : vous voulez savoir si le chocolat est grave pour votre chien.", "fr", "passed"),
        ("alors vous aimeriez savoir si le chocolat est dangereux pour votre chien", "fr", "passed"),
        ("so what i understand is the owner let your cabin twice at half-term", "en", "passed"),
        ("so you wanna know if the owner can let your cabin twice at half-term", "en", "passed"),
        ("Vous devez en somme surveiller votre chien, ce morceau de chocolat n'est pas grave.", "fr", "failed"),
        ("Je reprends votre dossier : le vétérinaire vous a rappelé hier.", "fr", "failed"),
        ("Pardon, la ligne a coupé, je reprends, vous pouvez me redonner le nom du vétérinaire.", "fr", "failed"),
    ],
)
def test_restatements_announced_in_other_words(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Hum.", language, "reformulation.restates_need")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        ("Le chocolat noir est le plus dangereux pour lui. Tu vois le principe ou je t'explique autrement ?", "fr", "passed"),
        ("Ce que je viens de vous dire tient la route pour vous, ou je reprends ?", "fr", "passed"),
        ("The owner refunds the deposit first, then we rebook you. Does that all add up?", "en", "passed"),
        ("Le chocolat noir est le plus dangereux pour lui. Vous voyez le cabinet depuis la rue ?", "fr", "failed"),
        # « vous avez bien saisi … ? » (v22); a question on a time or on whether an arrangement suits checks no understanding.
        ("Le chocolat noir est le plus dangereux. Surveillez-le ce soir et appelez si il vomit. Vous avez bien saisi ce qu'il faut "
         "surveiller, vomissements et agitation ?", "fr", "passed"),
        ("il faut surveiller les vomissements et l'agitation ce soir vous avez bien suivi ce qu'il faut regarder", "fr", "passed"),
        ("On rembourse d'abord l'acompte, puis on replanifie. Et le rendez-vous c'est à quelle heure exactement ?", "fr", "failed"),
        ("The owner refunds the deposit first, then we rebook you. Is Monday morning convenient for the rebooking?", "en", "failed"),
        # « saisi » typed in, « suivi » a link: no check (a review's cases).
        ("Le chocolat noir est le plus dangereux. Vous avez bien saisi votre numéro de client ?", "fr", "failed"),
        ("Le chocolat noir est le plus dangereux. Vous avez bien suivi le lien dans le mail ?", "fr", "failed"),
        # « est-ce que je vous ai bien expliqué … ? », "is it understood?" (v23); the statement asks nothing.
        ("surveillez-le ce soir et appelez s'il vomit est-ce que je vous ai bien expliqué les signes à surveiller", "fr", "passed"),
        ("the owner refunds the deposit first then we rebook you for march is it understood sir", "en", "passed"),
        ("the owner refunds the deposit first then we rebook you for march are we together", "en", "passed"),
        ("The owner refunds the deposit first. Are we together on the one booking, or two?", "en", "failed"),
        ("Je vous ai bien expliqué que le chocolat noir est dangereux, il faut surveiller ce soir.", "fr", "failed"),
        ("The owner refunds the deposit first, then we rebook you for March. Is that understood, Mr Patel?", "en", "passed"),
        # Asking whether something was presented checks nothing (a review's case).
        ("Le chocolat noir est le plus dangereux. Est-ce que je vous ai présenté notre assurance santé animale ?", "fr", "failed"),
        # A question on the state of a device, a reassurance, what a price includes: no check (v23's negatives).
        ("The owner refunds the deposit first. Is the boiler in the cabin switched on?", "en", "failed"),
        ("le chocolat noir est le plus dangereux la consultation de contrôle est comprise aussi", "fr", "failed"),
        # v24: « vous voyez comment … », « tout est clair pour … ? », « ai-je été assez précise ? », « je vous ai bien suivie ? »,
        # "can you picture how it works?", "is that about the size of it?"; not what is said as a fact.
        ("On surveille ce soir, puis on revoit demain. Vous voyez comment ça va se passer ?", "fr", "passed"),
        ("On surveille ce soir, puis on revoit demain. Est-ce que tout est clair pour la surveillance de nuit ?", "fr", "passed"),
        ("On surveille ce soir, puis on revoit demain. Ai-je été assez claire sur les signes ?", "fr", "passed"),
        ("donc il a mangé une tablette entière hier soir je vous ai bien suivie", "fr", "passed"),
        ("On surveille ce soir, puis on revoit demain. C'est clair que le chocolat noir est le pire.", "fr", "failed"),
        ("The owner refunds the deposit first, then we rebook you. Can you picture how it works?", "en", "passed"),
        ("So the cabin flooded and you want March instead, is that about the size of it?", "en", "passed"),
        ("The owner refunds the deposit first, and you'll see how it works once you log in.", "en", "failed"),
        # "is the price clear", "is it clear", « vous voyez le problème », « tout est clair, ou voulez-vous que je répète … ? »,
        # the offer to explain again; "is that the situation?" after a restatement (v25)
        ("The deposit is forty pounds and the balance is due on arrival. Is the price clear?", "en", "passed"),
        ("the deposit is forty pounds and the balance is due on arrival is it clear", "en", "passed"),
        ("on surveille ce soir et s'il vomit on le voit demain matin vous voyez le problème", "fr", "passed"),
        ("On surveille ce soir, puis on revoit demain. Tout est clair, ou voulez-vous que je répète ?", "fr", "passed"),
        ("On surveille ce soir, puis on revoit demain. Voulez-vous que je répète les étapes ?", "fr", "passed"),
        ("So the owner let your cabin twice at half-term. Is that the situation, sir?", "en", "passed"),
        ("Vous voyez le problème de plomberie dont je parle sur la photo, il faudra le signaler au syndic.", "fr", "failed"),
        ("The road to the cabin is clear now, the snow has gone.", "en", "failed"),
        # … nor what the customer sees, a line that cuts, a number or a slot (v25's review).
        ("Ouvrez votre espace client. Vous voyez le souci sur l'écran ?", "fr", "failed"),
        ("Pardon, ça coupe, vous voulez que je répète ?", "fr", "failed"),
        ("Votre numéro de dossier est le 4471. Vous voulez que je vous répète le numéro ?", "fr", "failed"),
        ("The driver needs a signature. Is the schedule clear for Monday?", "en", "failed"),
    ],
)
def test_checks_of_understanding_in_other_words(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Oui.", language, "reformulation.checks_understanding")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "customer, agent, language, expected",
    [
        # A number read back then « c'est bien ça ? » confirms data, in figures or in words; a restatement with a number in
        # it still asks the customer to check it (v23).
        ("Mon numéro c'est le 06 45 12 78 90.", "Je répète : 06 45 12 78 90, c'est bien ça ?", "fr", "failed"),
        ("zéro six quarante-cinq douze septante-huit", "zéro six quarante-cinq douze septante-huit c'est bien ça", "fr", "failed"),
        ("it's oh seven seven double four nine one", "so that's oh seven seven double four nine one is that right", "en", "failed"),
        ("Oui.", "Donc votre chien a mangé deux tablettes de chocolat noir ce matin, c'est bien ça ?", "fr", "passed"),
        # A number word alone is a word (« neuf », "double"); numbers joined by « et », "and" are one read-back (a review's cases).
        ("Oui.", "Vous voulez un collier neuf, c'est bien ça ?", "fr", "passed"),
        ("Yes.", "So they billed you double, is that right?", "en", "passed"),
        ("one two three four five six", "so that's one two three and four five six is that right", "en", "failed"),
    ],
)
def test_a_number_read_back_is_no_check_of_understanding(customer, agent, language, expected):
    opening = (A, "Clinique des Tilleuls, bonjour.") if language == "fr" else (A, "Hello, Lakeview Holidays, how can I help?")
    turns = [opening, FR_PET if language == "fr" else EN_PET, (A, "Votre numéro ?" if language == "fr" else "Your number?"),
             (C, customer), (A, agent), (C, "oui" if language == "fr" else "yes")]
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


def test_a_question_mark_followed_by_an_emoji_still_asks():
    agent = "Le chocolat noir est le plus dangereux pour lui, c'est clair pour vous ?🙂"
    assert after_the_pet_or_cabin(agent, "Oui.", "fr", "reformulation.checks_understanding").status == "passed"


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # The elided « j' » and « t' » of speech announce a restatement as « je » and « tu » do.
        ("si j'entends bien votre chien a mangé du chocolat ce matin", "fr", "passed"),
        ("ok donc t'as un chien qui a mangé du chocolat ce matin", "fr", "passed"),
        ("si j'entends bien il me faut le nom du vétérinaire", "fr", "failed"),
    ],
)
def test_elided_announcing_words(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Hum.", language, "reformulation.restates_need")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # « si j'ai bien compris, … » opens a restatement: a condition, no question to the customer.
        ([FR_PET, (A, "alors si j'ai bien compris votre chien a mangé du chocolat ce matin"), (C, "oui")], "fr", "failed"),
        # Before the customer has said a word there is nothing to have understood (« … c'est Claire, qu'est-ce qui vous amène »).
        ([(A, "Bonjour, vous me suivez bien ?"), FR_PET, (A, "Le chocolat noir est toxique pour lui."), (C, "D'accord.")], "fr", "failed"),
        ([(A, "Hi there, am I making sense?"), EN_PET, (A, "Dark chocolate is the most toxic for him."), (C, "Okay.")], "en", "failed"),
        ([(A, "Bonjour."), FR_PET, (A, "Le chocolat noir est toxique pour lui. Vous me suivez bien ?"), (C, "Oui.")], "fr", "passed"),
        # The question about other needs is no check of understanding.
        ([(A, "Bonjour."), FR_PET, (A, "Il faut venir tout de suite."), (C, "d'accord"), (A, "très bien vous avez d'autres questions"), (C, "non")], "fr", "failed"),
    ],
)
def test_a_check_of_understanding_follows_the_customer_and_asks(turns, language, expected):
    result = item(turns, "reformulation.checks_understanding", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # A sentence the agent asks the customer to confirm restates the need when it holds it, with or without a formula.
        ("D'accord. Votre chien a avalé du chocolat tout à l'heure et vous voulez savoir si c'est grave, c'est bien ça ?", "fr", "passed"),
        ("Okay. The owner let your half-term cabin twice and you need somewhere else to stay, have I got that right?", "en", "passed"),
        # Data read back and asked to confirm is no restatement.
        ("Très bien. Clinique des Tilleuls, rue des Lilas, c'est bien ça ?", "fr", "failed"),
        ("Okay. Booking 4471 for the lakeside cabin, is that right?", "en", "failed"),
        # Data read back with a copula is still data; the phrase that opens its sentence asks about what follows it.
        ("Votre clinique est la Clinique des Tilleuls, rue des Lilas, c'est bien ça ?", "fr", "failed"),
        ("Thanks for waiting. Correct me if I'm wrong, but the owner let your half-term cabin twice and you need somewhere to stay?", "en", "passed"),
        # « un » is an article, no number: two content words, no restatement of a need the customer never stated.
        ("Vous voulez un vaccin, c'est bien ça ?", "fr", "failed"),
        # The question a sentence of its own asks about the sentence before it.
        ("D'accord. Votre chien a mangé du chocolat et vous voulez savoir si c'est grave. C'est bien ça ?", "fr", "passed"),
    ],
)
def test_a_restatement_asked_to_confirm(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Oui." if language == "fr" else "Yes.", language, "reformulation.restates_need")
    assert result.status == expected, result.reason


def test_numbers_are_content_of_a_restatement():
    """"eight", « deux » are stop words to spaCy; in a restatement they are what the customer asked for."""
    turns = [(A, "Hello, Pinewood Golf Club."), (C, "Hi, I'd like to book a tee time for four on Saturday, around eight if you can."),
             (A, "Sure. So you're after four players Saturday around eight, that right?"), (C, "Yes.")]
    result = item(turns, "reformulation.restates_need", "en")
    assert result.status == "passed", result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # A short question closing the agent's restatement asks the customer to check it: the restatement is checked.
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave, c'est juste ?", "fr", "passed"),
        ("Si je comprends bien, votre chien a mangé du chocolat tout à l'heure. J'ai bon ?", "fr", "passed"),
        ("So the owner let the lakeside cabin twice for half-term — correct?", "en", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice, yeah?", "en", "passed"),
        # … or, ending on no cue, a question that reads alone as a check of understanding does (the bank's examples).
        ("Donc votre chien a mangé du chocolat tout à l'heure, c'est bien ce qui s'est passé ?", "fr", "passed"),
        # The restatement alone, or followed by a question about something else, longer than a tag: no check.
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave.", "fr", "failed"),
        ("So the owner let the lakeside cabin twice for half-term. Would you like me to look for another cabin nearby?", "en", "failed"),
        # A question closing the restatement that asks something else, even short: no check of the restatement.
        ("So you booked the lakeside cabin for half-term and the owner let it twice, shall I look for another?", "en", "failed"),
        ("Donc votre chien a mangé du chocolat tout à l'heure, il a vomi depuis ?", "fr", "failed"),
        ("So the owner let the lakeside cabin twice for half-term. Your postcode?", "en", "failed"),
        # A cue word that does not close the question: consent, data, an offer.
        ("Donc votre chien a mangé du chocolat tout à l'heure, c'est bon pour vous ?", "fr", "failed"),
        ("So the owner let the lakeside cabin twice for half-term, is the right email still on file?", "en", "failed"),
        ("So the owner let the lakeside cabin twice for half-term, shall I send the refund to the right address?", "en", "failed"),
        # The same short question after words that restate nothing (a gesture offered): no restatement to check.
        ("Je vous fais un geste de dix euros sur la consultation, c'est juste ?", "fr", "failed"),
        # A question opened as a confirmation, whatever word closes it (« c'est bien votre demande ? », "would that be a fair summary?").
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave, c'est bien votre question ?", "fr", "passed"),
        ("So the owner let the lakeside cabin twice for half-term. Would that be a fair summary?", "en", "passed"),
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave, c'est bien votre inquiétude ?", "fr", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice. Is that the booking you're after?", "en", "passed"),
        # Asking whether the summary was right: « je résume bien … ? », "did I sum that up right?".
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave. Je résume bien la situation ?", "fr", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice. Did I sum that up properly?", "en", "passed"),
        # Raw speech marks no question: a cue or an opener among the turn's last words.
        ("donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave c'est bien ce qui vous inquiète", "fr", "passed"),
        ("so you booked the lakeside cabin for half-term and the owner let it twice that about right", "en", "passed"),
        # … not a question that asks something else.
        ("so you booked the lakeside cabin for half-term and the owner let it twice do you want another one", "en", "failed"),
        # … nor one that confirms data, nor a note taken.
        ("So the owner let the lakeside cabin twice for half-term. Is that the account ending 4471?", "en", "failed"),
        ("donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave j'ai bien noté je regarde", "fr", "failed"),
        # Swiss « ça joue ? », Québec « c'est-tu ça ? », "am I on the right track?" (v25).
        ("donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave ça joue", "fr", "passed"),
        ("Donc votre chien a mangé du chocolat tout à l'heure et vous voulez savoir si c'est grave, c'est-tu ça ?", "fr", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice. Am I on the right track there?", "en", "passed"),
        # The customer addressed after the cue (« c'est juste monsieur ? », "correct sir"); a chat's « je vous ai bien lue ? »;
        # "have I got the gist?", "did I catch all that?" (v26). Not a question about something else, addressed alike.
        ("donc votre chien a mangé du chocolat ce matin et vous voulez savoir si c'est grave c'est juste monsieur", "fr", "passed"),
        ("so you booked the lakeside cabin for half term and the owner let it twice correct sir", "en", "passed"),
        ("Donc votre chien a mangé du chocolat ce matin et vous voulez savoir si c'est grave. Je vous ai bien lue ?", "fr", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice. Have I got the gist?", "en", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice. Did I catch all that?", "en", "passed"),
        ("donc votre chien a mangé du chocolat ce matin et vous voulez savoir si c'est grave il a quel âge madame", "fr", "failed"),
        # … the address as a clause of its own, or with the customer's name (a review's cases)
        ("Donc votre chien a mangé du chocolat ce matin et vous voulez savoir si c'est grave, c'est juste, monsieur ?", "fr", "passed"),
        ("so you booked the lakeside cabin for half term and the owner let it twice correct mr patel", "en", "passed"),
        ("So you booked the lakeside cabin for half-term and the owner let it twice, which dates, sir?", "en", "failed"),
        ("so you booked the lakeside cabin for half term and the owner let it twice which dates sir", "en", "failed"),
    ],
)
def test_a_short_question_closing_the_restatement_checks_it(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Oui." if language == "fr" else "Yes.", language, "reformulation.checks_understanding")
    assert result.status == expected, result.reason
    if expected == "passed":
        assert result.reason_code in ("formula.tag_after", "formula.found"), result.reason


@pytest.mark.parametrize(
    "agent, language, expected",
    [
        # A sentence closed by a full stop or an exclamation mark states: read by meaning, it checks nothing.
        ("Pas de souci pour le chocolat !", "fr", "failed"),
        ("N'hésitez pas à rappeler si une question vous vient.", "fr", "failed"),
        # … unless it opens with a request to confirm.
        ("Kindly confirm that I have understood your requirement correctly.", "en", "passed"),
        # … or is built as a question.
        ("Does that make sense.", "en", "passed"),
        ("So that's the deposit and the balance, are you following me, sir?", "en", "passed"),
        ("Est-ce que c'est clair pour vous.", "fr", "passed"),
    ],
)
def test_a_statement_read_by_meaning_checks_nothing(agent, language, expected):
    result = after_the_pet_or_cabin(agent, "Oui." if language == "fr" else "Yes.", language, "reformulation.checks_understanding")
    assert result.status == expected, result.reason
