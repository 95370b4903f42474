"""Closing: recap, other needs, thanks and farewell in the agent's last turns; interrupted contacts."""

from __future__ import annotations

import pytest

from core_scoring import item, score, status

A, C, S = "agent", "customer", "system"
FR_CALL = [
    (A, "Bonjour, Colis Express, que puis-je faire pour vous ?"),
    (C, "Mon colis n'est pas arrivé, le suivi est bloqué depuis lundi."),
    (A, "Je regarde. Votre colis est resté au dépôt de Lyon. Je le fais repartir aujourd'hui, il sera livré jeudi."),
    (C, "D'accord."),
]
EN_CALL = [
    (A, "Hello, Parcel Express, how can I help?"),
    (C, "My parcel hasn't arrived, the tracking has been stuck since Monday."),
    (A, "Let me check. Your parcel stayed at the Leeds depot. I'll send it out today and it will be delivered on Thursday."),
    (C, "Okay."),
]


@pytest.mark.parametrize(
    "closing, expected",
    [
        ([(A, "Je récapitule : votre colis repart aujourd'hui et il sera livré jeudi. Avez-vous d'autres questions ?")], "passed"),
        # A summary without the word « récapitule »: « donc … » restating what was established.
        ([(A, "Donc votre colis repart du dépôt de Lyon aujourd'hui et il sera livré jeudi.")], "passed"),
        # What was done and what happens next.
        ([(A, "c'est fait je vous ai renvoyé le colis vous recevrez un sms jeudi matin")], "passed"),
        # An estimate given in answer to a last question (a price, a delay) is no recap (v22's negatives).
        ([(A, "Avez-vous une autre question ?"), (C, "et pour la réparation ça coûterait combien"), (A, "ben entre cent cinquante et deux cent cinquante euros faut qu'on le voie")], "failed"),
        # Answering a last question is not a recap.
        ([(A, "Avez-vous une autre question ?"), (C, "Et le livreur sonne ?"), (A, "Alors oui, le livreur sonne toujours à la porte avant de laisser un avis.")], "failed"),
        # « en gros », roughly, opens an approximate answer, no summary (a review's case, v25).
        ([(A, "Avez-vous une autre question ?"), (C, "Et pour les frais ?"), (A, "En gros, les frais de dépôt à Lyon sont de cinq euros par colis en temps normal.")], "failed"),
    ],
)
def test_recap_fr(closing, expected):
    result = item(FR_CALL + closing + [(C, "Merci."), (A, "Merci de votre appel, bonne journée.")], "closing.recap")
    assert result.status == expected, result.reason


def test_recap_only_mid_call_does_not_count():
    turns = [
        (A, "Hello, Riverside Housing, how can I help?"),
        (C, "My heating stopped."),
        (A, "To recap: an engineer will come tonight between seven and ten."),
    ]
    turns += [(C, "And my rent, can I pay every two weeks?"), (A, "Yes, you can change it in your online account.")] * 4
    turns += [(C, "Great, thanks."), (A, "Is there anything else I can help you with?"), (C, "No."), (A, "Thanks for calling, goodnight.")]
    result = item(turns, "closing.recap", "en", seconds_per_turn=8)
    assert result.status == "failed", result.reason
    assert status(turns, "closing.farewell", "en", seconds_per_turn=8) == "passed"


def test_recap_en():
    closing = [(A, "So, to sum up: your parcel goes out today and you'll get it on Thursday. Anything else I can help you with?"), (C, "No."), (A, "Thanks, bye.")]
    assert status(EN_CALL + closing, "closing.recap", "en") == "passed"
    assert status(EN_CALL + closing, "closing.other_needs", "en") == "passed"


@pytest.mark.parametrize(
    "last, language, item_id, expected",
    [
        ("Puis-je faire autre chose pour vous ?", "fr", "other_needs", "passed"),
        ("Merci de votre confiance, au revoir.", "fr", "thanks", "passed"),
        ("Merci de patienter.", "fr", "thanks", "failed"),
        ("Bonne fin de journée !", "fr", "farewell", "passed"),
        ("Merci de votre appel.", "fr", "farewell", "failed"),
        ("Thank you for calling, have a good afternoon.", "en", "farewell", "passed"),
        ("Thank you for holding.", "en", "thanks", "failed"),
        ("Is there anything else I can do for you?", "en", "other_needs", "passed"),
        # v24: « au plaisir » before the customer's name or a wish; « encore quelque chose » asked; goodbyes of other
        # languages said in English; a wish of luck thanks no one.
        ("Au plaisir, monsieur Gagnon !", "fr", "farewell", "passed"),
        ("Au plaisir, et bonne découverte du parc !", "fr", "farewell", "passed"),
        ("Au plaisir des yeux, ce vitrail.", "fr", "farewell", "failed"),
        ("bon est-ce qu'il y a encore quelque chose que je pourrais regarder", "fr", "other_needs", "passed"),
        ("Il y a encore quelque chose qui bloque sur votre dossier, le service technique vous écrira.", "fr", "other_needs", "failed"),
        ("Totsiens, Mrs Botha.", "en", "farewell", "passed"),
        ("Good luck with the planning inspection.", "en", "thanks", "failed"),
    ],
)
def test_closing_formulas(last, language, item_id, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    assert status(base + [(A, last)], f"closing.{item_id}", language) == expected


def test_customer_goodbye_does_not_count_for_the_agent():
    turns = EN_CALL + [(A, "It will be there on Thursday."), (C, "Thanks, goodbye!")]
    assert status(turns, "closing.farewell", "en") == "failed"


def test_interrupted_call_makes_the_closing_not_applicable():
    turns = FR_CALL + [(C, "allô ? vous m'entendez ?")]
    result = score(turns)
    closing = result.criteria["closing"]
    assert {i.status for i in closing.items.values()} == {"not_applicable"}
    assert closing.score is None
    assert "vous m'entendez" in closing.items["recap"].reason


@pytest.mark.parametrize(
    "last, language",
    [
        ("d'accord et pour le samedi est-ce que vous pour-", "fr"),
        ("okay so can you move it to the satur-", "en"),
    ],
)
def test_a_call_cut_in_the_middle_of_the_customers_word_has_no_closing(last, language):
    base = FR_CALL if language == "fr" else EN_CALL
    result = score(base + [(C, last)], language)
    closing = result.criteria["closing"]
    assert {i.status for i in closing.items.values()} == {"not_applicable"}, closing
    assert last.split()[-1] in closing.items["farewell"].reason


def test_a_cut_word_after_the_agents_goodbye_or_inside_a_turn_is_no_interruption():
    goodbye = FR_CALL + [(A, "Merci de votre appel, bonne journée."), (C, "merci au rev-")]
    assert status(goodbye, "closing.farewell") == "passed"
    stammer = FR_CALL + [(C, "mons- monsieur Ferrand, merci"), (A, "Merci à vous, bonne journée.")]
    assert status(stammer, "closing.farewell") == "passed"
    # The agent's own cut word after their leave-taking began is not the line dropping on the customer.
    agent_cut = FR_CALL + [(C, "merci"), (A, "je vous en prie bonne jour-")]
    assert status(agent_cut, "closing.farewell") != "not_applicable"
    # A dash a chat's agent types against their last word cuts nothing (v25's review).
    typed = FR_CALL + [(C, "Merci."), (A, "Merci pour votre patience-")]
    assert item(typed, "closing.thanks", channel="chat").status == "passed"


@pytest.mark.parametrize(
    "last, language, expected",
    [
        # What the agent still needs from the customer restates the call in the future tense and sums nothing up (v23) …
        ("Il nous faudra aussi le numéro de suivi du colis pour la livraison de jeudi à Lyon.", "fr", "failed"),
        ("We'll also need the parcel's tracking number for Thursday's delivery from Leeds.", "en", "failed"),
        # … what will happen does, "we'll need to send …" too (a review's case).
        ("Le livreur repartira de Lyon avec votre colis et vous serez livré jeudi.", "fr", "passed"),
        ("The driver will leave Leeds with your parcel and you'll have it on Thursday.", "en", "passed"),
        ("right i've logged it and we'll need to send the parcel out again from leeds on thursday morning", "en", "passed"),
        # What was done, then a request: no next step (a review's case).
        ("J'ai bien noté pour le colis de Lyon. Il nous faudra le numéro de suivi inscrit sur l'étiquette.", "fr", "failed"),
    ],
)
def test_a_request_for_what_is_still_needed_is_no_recap(last, language, expected):
    if language == "fr":
        call = [(A, "Bonjour, Colis Express, que puis-je faire pour vous ?"), (C, "Mon colis n'est pas arrivé, il devait être livré à Lyon."),
                (A, "Je regarde votre dossier."), (C, "Merci."), (A, "Votre colis est resté au dépôt, je le fais repartir."), (C, "D'accord."),
                (A, "Merci."), (C, "Et il arrive quand ?"), (A, "Jeudi."), (C, "Bien."), (A, last)]
    else:
        call = [(A, "Hello, Parcel Express, how can I help?"), (C, "My parcel hasn't arrived, it was due from Leeds."),
                (A, "Let me look at your file."), (C, "Thanks."), (A, "Your parcel stayed at the depot, I'm sending it out again."), (C, "Okay."),
                (A, "Thank you."), (C, "And when does it come?"), (A, "Thursday."), (C, "Good."), (A, last)]
    result = item(call, "closing.recap", language, seconds_per_turn=12)
    assert result.status == expected, result.reason


def test_leaving_a_chat_after_the_agents_closing_questions_and_thanks_is_judged():
    """The agent asked about other needs and thanked the customer, then someone left: the closing was reached, and its
    missing farewell fails (v23); an answer then a departure still cuts it."""
    closed = [(A, "Hi, Jake here, how can I help?"), (C, "My box is empty."), (A, "I've sent a new one, it arrives Friday."),
              (C, "Great."), (A, "Anything else I can help with?"), (C, "No, that's all."), (A, "Thanks for getting in touch!"),
              (S, "Jake has left the chat.")]
    assert status(closed, "closing.farewell", "en", channel="chat") == "failed"
    assert status(closed, "closing.other_needs", "en", channel="chat") == "passed"
    answered = [(A, "Bonjour, Jules à votre écoute."), (C, "Ma box est vide."), (A, "Je vous en renvoie une, elle arrive vendredi."),
                (C, "Et pour la suivante ?"), (A, "Elle partira le 3 comme d'habitude."), (S, "Le client a quitté la conversation.")]
    assert status(answered, "closing.farewell", "fr", channel="chat") == "not_applicable"
    # The customer opened a new question after the agent's thanks: the contact was cut (a review's case).
    reopened = closed[:-1] + [(C, "Oh wait, why was there a late fee on my last bill?"), (S, "Jake has left the chat.")]
    assert status(reopened, "closing.farewell", "en", channel="chat") == "not_applicable"


def test_customer_leaving_a_chat_makes_the_closing_not_applicable():
    turns = [(S, "Welcome to ShopNow chat."), (C, "hello"), (A, "Hi, Jake here, how can I help?"), (C, "my box is empty"), (S, "The customer has left the chat.")]
    assert status(turns, "closing.farewell", "en", channel="chat") == "not_applicable"
    # A chat that expired while the agent asked the customer to wait.
    expired = [(A, "Bonjour, Kayaks de l'Erdre, que puis-je pour vous ?"), (C, "Il reste des places samedi ?"),
               (A, "Je regarde, veuillez patienter un instant."), (S, "La conversation a expiré.")]
    assert status(expired, "closing.farewell", "fr", channel="chat") == "not_applicable"
    expired_en = [(A, "Hi, Lakeside Kayaks, how can I help?"), (C, "Any kayaks left on Saturday?"),
                  (A, "Let me look, one moment please."), (S, "This chat has expired.")]
    assert status(expired_en, "closing.farewell", "en", channel="chat") == "not_applicable"


@pytest.mark.parametrize(
    "last, language, item_id, expected",
    [
        # Other needs: « autre » / "else, more" with what the customer could still need, in any construction.
        ("Je peux vous éclairer sur un autre sujet ?", "fr", "other_needs", "passed"),
        ("Anything more on your mind before I let you go?", "en", "other_needs", "passed"),
        ("Got any other delivery questions for me?", "en", "other_needs", "passed"),
        ("Votre colis arrive jeudi.", "fr", "other_needs", "failed"),
        # An invitation to call back later asks nothing now.
        ("N'hésitez pas à nous recontacter si vous avez d'autres questions.", "fr", "other_needs", "failed"),
        ("Feel free to ring us back if you have any other questions.", "en", "other_needs", "failed"),
        # Thanks: any form of the verb.
        ("Je tenais à vous remercier pour votre patience.", "fr", "thanks", "passed"),
        ("Thank you for your patience and enjoy your weekend.", "en", "thanks", "passed"),
        # Leave-taking: a wish to the customer, « à lundi » closing the turn.
        ("Je vous souhaite un prompt rétablissement.", "fr", "farewell", "passed"),
        ("Parfait, merci, et à lundi !", "fr", "farewell", "passed"),
        ("Votre livraison est reportée à lundi, je vous envoie la confirmation par SMS.", "fr", "farewell", "failed"),
        # Leave-taking: the subject said once for two verbs, a wish closing the turn, « à demain alors », familiar goodbyes.
        ("Je vous remercie de votre patience et vous souhaite un bel après-midi.", "fr", "farewell", "passed"),
        ("parfait allez bonne dégustation", "fr", "farewell", "passed"),
        ("Super, à lundi alors !", "fr", "farewell", "passed"),
        ("bon ben ciao", "fr", "farewell", "passed"),
        # A wish to both or all; "good luck with …" closing the turn; not a want, nor luck had, nor vouchers for two.
        ("Merci, et belle soirée à vous deux !", "fr", "farewell", "passed"),
        ("Good luck with the move!", "en", "farewell", "passed"),
        ("Je souhaite un bon de retour signé avant de lancer le remboursement.", "fr", "farewell", "failed"),
        ("I've had good luck with the Tuesday slot before, so I'll book that.", "en", "farewell", "failed"),
        ("J'ai glissé deux bons repas à vous deux.", "fr", "farewell", "failed"),
        # « belle » wishes as « bonne » does; a gift, an acknowledgement of receipt are no wishes.
        ("Parfait, et belle saison !", "fr", "farewell", "passed"),
        ("C'est une belle maison à votre nom.", "fr", "farewell", "failed"),
        ("Je vous envoie deux bons cadeaux à votre adresse.", "fr", "farewell", "failed"),
        ("Nous accusons bonne réception.", "fr", "farewell", "failed"),
        ("cheers for that, see ya", "en", "farewell", "passed"),
        # « passez de belles fêtes » as « passez une belle soirée »; « au plaisir »; familiar goodbyes of other Englishes.
        ("Votre commande part demain, passez de belles fêtes !", "fr", "farewell", "passed"),
        ("Parfait, au plaisir de vous revoir au rucher !", "fr", "farewell", "passed"),
        ("all sorted then, peace out", "en", "farewell", "passed"),
        ("Your kayak's booked for Saturday. Sharp sharp!", "en", "farewell", "passed"),
        # … not a shop's name, a photographer's hours, "sharp sharp" (OK) opening a sentence.
        ("Votre commande sera livrée demain à la boutique Au Plaisir des Fleurs.", "fr", "farewell", "failed"),
        ("Le photographe passe de belles heures sur chaque album.", "fr", "farewell", "failed"),
        ("Sharp sharp, I'll send you the reference number by SMS now.", "en", "farewell", "failed"),
        # A short acknowledgement sits near "okay bye" and takes no leave; "go well", "later" as the whole goodbye do.
        ("okay brilliant", "en", "farewell", "failed"),
        ("Alright, lovely.", "en", "farewell", "failed"),
        ("sharp go well", "en", "farewell", "passed"),
        ("aight, later!", "en", "farewell", "passed"),
        ("I'll ring you back later.", "en", "farewell", "failed"),
        # Other needs asked as further details wanted, or "got other questions".
        ("Souhaitez-vous d'autres précisions sur la location ?", "fr", "other_needs", "passed"),
        ("Got other questions for me?", "en", "other_needs", "passed"),
        ("Je vous enverrai d'autres précisions par courriel.", "fr", "other_needs", "failed"),
        ("If you've got other questions, just give us a call back.", "en", "other_needs", "failed"),
        # A wish that is no leave-taking, an acknowledgement.
        ("Ah, bonne question, je vous réponds par courriel.", "fr", "farewell", "failed"),
        ("C'est une bonne nouvelle.", "fr", "farewell", "failed"),
        ("Bien reçu, je transmets.", "fr", "farewell", "failed"),
        # « à plus » read inside « il n'y a plus qu'à »: no leave-taking.
        ("Oui c'est bon, il n'y a plus qu'à attendre jeudi.", "fr", "farewell", "failed"),
        ("Le dépôt est à plus de trente kilomètres.", "fr", "farewell", "failed"),
        # Other needs: « interrogation », the offer asked once more; an offer about the current request is no question about other needs.
        ("Auriez-vous d'autres interrogations ?", "fr", "other_needs", "passed"),
        ("Qu'est-ce que je peux encore faire pour que le déménagement se passe bien ?", "fr", "other_needs", "passed"),
        # (Not the turn's last words: a contact ending on the agent's question nobody answered was cut.)
        ("Shall I go ahead and cancel the old card then? Just say the word.", "en", "other_needs", "failed"),
        ("Voulez-vous que je réserve ce créneau ? Dites-moi.", "fr", "other_needs", "failed"),
    ],
)
def test_closing_items_in_other_words(last, language, item_id, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    result = item(base + [(A, last)], f"closing.{item_id}", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "closing, language, expected",
    [
        # No « donc », no « je récapitule »: what happens next, restating what the call established.
        ([(A, "Le colis repart du dépôt de Lyon aujourd'hui et vous serez livré jeudi avant midi.")], "fr", "passed"),
        ([(A, "Great. Your parcel leaves the Leeds depot today and it will be delivered to you on Thursday.")], "en", "passed"),
        # What happens next, but new facts only (answering a last question).
        ([(A, "Avez-vous une autre question ?"), (C, "Vous livrez le samedi ?"), (A, "Le samedi, les tournées partent à huit heures et finissent vers treize heures.")], "fr", "failed"),
    ],
)
def test_recap_without_marker(closing, language, expected):
    base, end = (FR_CALL, [(C, "Merci."), (A, "Merci de votre appel, bonne journée.")]) if language == "fr" else (EN_CALL, [(C, "Thanks."), (A, "Thanks for calling, bye.")])
    result = item(base + closing + end, "closing.recap", language)
    assert result.status == expected, result.reason


def test_customer_leaving_after_the_agents_goodbye_is_a_closed_chat():
    turns = [(S, "Bienvenue sur le chat."), (C, "bonjour"), (A, "Bonjour, Nadia de Vitalia, que puis-je faire pour vous ?"),
             (C, "mon badge ne marche plus"), (A, "Je vous en envoie un nouveau, vous le recevrez sous trois jours."), (C, "merci"),
             (A, "Je vous en prie, bonne soirée !"), (S, "Le client a quitté la conversation.")]
    assert status(turns, "closing.farewell", channel="chat") == "passed"
    assert status(turns, "closing.other_needs", channel="chat") == "failed"


@pytest.mark.parametrize("language, opening", [
    ("fr", "Service client Énergie Plus, bonjour. Je m'appelle Julie. Que puis-je faire pour vous ?"),
    ("en", "Energy Plus customer service, hello. My name is Julie. What can I do for you?"),
])
def test_a_short_calls_opening_offer_is_not_its_closing(language, opening):
    """Three agent turns: the closing window reaches back to the opening, whose offer of help asks for no other need."""
    call = [(A, opening), (C, "Ma facture a doublé." if language == "fr" else "My bill has doubled."),
            (A, "Vous avez consommé davantage en février." if language == "fr" else "You used more in February."),
            (C, "D'accord." if language == "fr" else "Okay."),
            (A, "Merci de votre appel." if language == "fr" else "Thank you for calling.")]
    result = item(call, "closing.other_needs", language=language)
    assert result.status == "failed", result.reason


@pytest.mark.parametrize(
    "ending, language",
    [
        # A last turn of the customer cut in the middle of a sentence, written with a dash.
        ([(C, "oui j'ai bien le code sur la facture mais est-ce que—")], "fr"),
        ([(C, "Right, and the engineer, is he coming on—")], "en"),
        # The agent saying they can barely hear the customer, the line then dead.
        ([(C, "d'accord et pour la reprise de l'ancien"), (A, "Monsieur ? Allô ? Je vous entends très mal…")], "fr"),
        ([(C, "okay and the deposit"), (A, "Hello? Sorry, you're cutting out…")], "en"),
        # The last turn, anyone's, ending on a word no sentence ends on: the recording stopped mid-sentence.
        ([(C, "et le technicien"), (A, "il passera mardi entre quatorze heures et euh")], "fr"),
        ([(C, "and the refund"), (A, "it goes back on your card between monday and um")], "en"),
        # The customer calling into a dead line after the agent's words stopped.
        ([(A, "vous pouvez payer par virement je vous envoie le numéro de compte et dès que"), (C, "allô madame allô")], "fr"),
        ([(A, "you can pay by transfer i will text you the account number and once you"), (C, "hello sir hello")], "en"),
        # The agent's last words ask the customer to wait, and only the customer speaks after: cut while the agent worked.
        ([(C, "et pour le remboursement ?"), (A, "Je vérifie ça tout de suite, un petit instant s'il vous plaît."), (C, "d'accord")], "fr"),
        ([(C, "and the refund?"), (A, "Let me look into that for you, bear with me a sec.")], "en"),
        # … in their last sentence, however long it goes on after the words of the wait.
        ([(C, "Can I pay by card?"), (A, "Yes, of course. One moment while I set up the payment link for your booking.")], "en"),
        ([(C, "Je prends les deux."), (A, "Très bien. Un instant, je prépare le bon de commande avec vos deux articles.")], "fr"),
        # The last turn stopping on a preposition or a determiner: the transcript was cut while the agent spoke.
        ([(C, "Et s'il n'y a personne ?"), (A, "Dans ce cas il laisse un avis et vous pourrez passer le chercher au dépôt de")], "fr"),
        ([(C, "And if I'm out?"), (A, "Then he leaves a card and you can rebook it online within")], "en"),
        # … or on « que »: a clause announced and never said.
        ([(C, "et le remboursement ?"), (A, "alors euh le service comptable me confirme que")], "fr"),
        # … or on an elided pronoun (« s' », « j' »), or on "because".
        ([(A, "La carte est activée."), (C, "merci et si elle ne marche pas au péage il s")], "fr"),
        ([(A, "The fee is waived this time."), (C, "great and can my husband sign the form instead because")], "en"),
        # The agent asking a silent customer whether they are still there, in any word order.
        ([(C, "ok"), (A, "Êtes-vous toujours là ?")], "fr"),
        ([(C, "right"), (A, "Hello, you still there?")], "en"),
        # Thanks alone do not begin the closing: the agent's before asking to wait, the customer's while waiting.
        ([(C, "Et pour la caution ?"), (A, "Merci de la question. Je regarde ça, un instant."), (C, "Merci, je patiente.")], "fr"),
        # An agent closing a chat nobody answers after "still there?": the customer never came back.
        ([(C, "ok"), (A, "Are you still there?"), (A, "As I haven't heard back I'll close this chat now. Thanks for contacting us.")], "en"),
        # The customer's last words give up; a chat closed for inactivity.
        ([(C, "soixante euros pour une vidange ?"), (A, "c'est le tarif oui"), (C, "bon ben laissez tomber je vais voir ailleurs")], "fr"),
        ([(C, "Forty pounds just to look at it?"), (A, "That's the call-out fee, yes."), (C, "You know what, forget it.")], "en"),
        ([(A, "Tu es toujours là ?"), (S, "Conversation clôturée automatiquement après 10 minutes d'inactivité.")], "fr"),
        ([(A, "Pouvez-vous m'envoyer la facture ?"), (S, "Fin de la conversation : aucune activité depuis 15 minutes.")], "fr"),
        ([(A, "Could you send me the invoice?"), (S, "Chat ended: no activity for 15 minutes.")], "en"),
        ([(A, "Pouvez-vous m'envoyer la facture ?"), (S, "Aucune activité depuis plus de 10 min.")], "fr"),
        ([(A, "Could you send me a photo of the meter?"), (S, "Session ended: no activity for 15 mins.")], "en"),
        ([(A, "Envoyez-moi une photo du compteur."), (C, "Je la prends ce soir"), (S, "La conversation a été interrompue.")], "fr"),
        ([(A, "Send me a photo of the meter."), (C, "I'll take it tonight"), (S, "The conversation was interrupted.")], "en"),
        # A customer breaking off, "I will" written out.
        ([(A, "The engineer can come on Friday."), (C, "oh somebody's at the door i will call back later")], "en"),
        # A raw transcript stopping on "I": a question the line cut.
        ([(A, "it comes on monday"), (C, "okay and for the old one can i")], "en"),
        # The agent's last words in a chat say they are fetching something (v21's `holding`: "pulling up", "just checking").
        ([(A, "Can I grab your membership number?"), (C, "It's 4471."), (A, "Thanks Dana, just pulling up your bookings now")], "en"),
        # « merci de patienter » is no thanks (the item excludes it): no closing begun.
        ([(C, "et le remboursement ?"), (A, "Je vérifie votre dossier, merci de patienter un instant."), (C, "D'accord.")], "fr"),
        # The system says the connection with the customer was lost (v25).
        ([(A, "Je vous envoie le devis ce soir par courriel."), (S, "La connexion avec le visiteur a été perdue.")], "fr"),
        ([(A, "I'll email you the quote tonight."), (S, "The connection with the visitor was lost.")], "en"),
        # The agent's last turn of a call cut in the middle of a word, the hyphen joined to it (v25).
        ([(C, "oui mardi"), (A, "très bien alors mardi à neuf heures au garage de la rue des tilleuls le mécani-")], "fr"),
        ([(C, "tuesday works"), (A, "lovely so tuesday at nine at the garage on station road the mecha-")], "en"),
    ],
)
def test_contacts_cut_before_their_closing(ending, language):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language).criteria["closing"]
    assert {i.status for i in closing.items.values()} == {"not_applicable"}, closing


@pytest.mark.parametrize(
    "ending, language",
    [
        # The same endings after the agent took leave (before or in the marker's turn), or a sentence that does end.
        ([(A, "Merci, bonne soirée."), (C, "merci à vous au revoir et—")], "fr"),
        ([(A, "Thanks for calling, have a good evening."), (C, "thanks, you too, and—")], "en"),
        ([(C, "merci"), (A, "je vous entends très mal, je vous souhaite une bonne journée")], "fr"),
        ([(C, "thanks"), (A, "you're cutting out, so have a good day, bye")], "en"),
        ([(C, "merci"), (A, "je vous en prie, bonne journée, à bientôt et")], "fr"),
        ([(C, "thanks"), (A, "you're welcome, have a good day and")], "en"),
        ([(C, "et le technicien"), (A, "il passera mardi entre quatorze heures et seize heures")], "fr"),
        ([(C, "and the refund"), (A, "it goes back on your card between monday and wednesday")], "en"),
        # « le », « en » end a sentence (« rangez-le », « madame Lê »): judged.
        ([(C, "et le bon de garantie"), (A, "Vous le gardez précieusement, surtout ne le jetez pas, rangez-le.")], "fr"),
        ([(C, "il reste des brochures"), (A, "Oui, il y en a à l'accueil, prenez-en.")], "fr"),
        ([(C, "Parfait, merci beaucoup."), (A, "Je vous en prie, madame Lê.")], "fr"),
        # A dash after a space closes an agent's sentence: judged.
        ([(C, "merci"), (A, "avec plaisir, à très vite —")], "fr"),
        # Giving up said with a goodbye, or after the agent's closing question, or not as the last words; a file closed
        # automatically: judged on the closing.
        ([(C, "bon ben laissez tomber, merci, au revoir")], "fr"),
        ([(A, "Anything else I can help with?"), (C, "No, forget it.")], "en"),
        # Breaking off after the agent's closing formula, or with a goodbye: judged on the closing.
        ([(A, "Autre chose pour vous ?"), (C, "Non, je dois y aller, le bus arrive.")], "fr"),
        ([(A, "Thanks for calling, take care."), (C, "you too, I've got to run")], "en"),
        ([(A, "Il me faut le numéro de commande."), (C, "Je vous rappelle avec, merci, au revoir.")], "fr"),
        ([(A, "Le devis part ce soir par mail."), (C, "Parfait, merci beaucoup, il faut que je vous laisse.")], "fr"),
        ([(A, "Votre dossier sera clôturé automatiquement une fois le remboursement effectué."), (C, "Parfait.")], "fr"),
        ([(A, "C'est réglé, merci pour votre patience —")], "fr"),
        # « je » ends a question whose mark a raw transcript lost (« quand puis-je »); a wait after a farewell, or after the
        # closing began (« autre chose ? »); words of a wait in another sense (« n'attendez pas », "hang on to that").
        ([(C, "je peux passer le chercher"), (A, "bien sûr merci votre badge est prêt quand puis je")], "fr"),
        ([(C, "merci"), (A, "Bonne journée, je vérifie juste un point, un instant."), (C, "d'accord")], "fr"),
        ([(C, "non merci"), (A, "Puis-je faire autre chose pour vous ? Non ? Alors je vous passe notre enquête, ne quittez pas."), (C, "d'accord")], "fr"),
        ([(C, "Et si rien n'arrive ?"), (A, "Si rien n'arrive jeudi, rappelez-nous, n'attendez pas.")], "fr"),
        ([(C, "Great."), (A, "Your reference is PX452, hang on to that.")], "en"),
        # A last question that is whole ("… help you with?"); a customer announcing what they will do; « né ».
        ([(C, "Great, thanks."), (A, "Is there anything else I can help you with?")], "en"),
        ([(A, "Le lien est dans votre messagerie."), (C, "ok merci je regarde")], "fr"),
        ([(C, "c'est quand"), (A, "le douze mars le jour où il est né")], "fr"),
        # The agent asked whether the customer was still there, then went on to close; a customer's own marker answered
        # by the agent's closing; a customer's remark that holds words of a wait in another sense.
        ([(C, "allô ? je ne vous entends plus"), (A, "Je vous entends, madame. Autre chose ? Merci de votre appel, au revoir.")], "fr"),
        ([(A, "The refund is on its way, thanks for your patience."), (C, "Okay, I'll hold on to the receipt then.")], "en"),
        ([(A, "Êtes-vous toujours là ?"), (C, "Oui, pardon, on m'appelait."), (A, "Parfait. Autre chose ? Merci de votre appel, au revoir.")], "fr"),
        # Back from the wait, the agent went on.
        ([(A, "Je vérifie, un instant."), (C, "d'accord"), (A, "C'est bon, le remboursement est parti.")], "fr"),
    ],
)
def test_contacts_that_reached_their_closing_or_end_a_sentence(ending, language):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language).criteria["closing"]
    assert closing.items["farewell"].status != "not_applicable", closing.items["farewell"].reason


@pytest.mark.parametrize(
    "ending, language, channel, cut",
    [
        # A transcript punctuates every sentence it ends: a last turn without a stop was cut in the middle of one.
        ([(C, "Et pour la garantie ?"), (A, "Elle couvre deux ans. Pour l'extension, je peux vous proposer")], "fr", "voice", True),
        ([(A, "La pièce arrive lundi."), (C, "D'accord. Et la garantie, elle couvre aussi la")], "fr", "voice", True),
        ([(A, "The part comes on Monday."), (C, "Right. And can my partner collect it instead if")], "en", "voice", True),
        # A customer who punctuates their messages, the last one stopping short, or trailing off.
        ([(A, "Le lien est dans votre messagerie."), (C, "Merci. Et pour le second compte, il faut que je refasse")], "fr", "chat", True),
        ([(A, "The form is on our website."), (C, "Okay, I'm just looking for my login details now…")], "en", "voice", True),
        ([(A, "Le formulaire est en ligne."), (C, "Merci, attendez, je cherche mes identifiants...")], "fr", "chat", True),
        # A chat's agent may send a last line unpunctuated: typing habits, not a cut; judged on the closing.
        ([(A, "Le transporteur passe jeudi."), (C, "Merci."), (A, "Votre colis sera livré jeudi entre 8 h et 12 h")], "fr", "chat", False),
        ([(A, "The driver comes on Thursday."), (C, "Great, thanks."), (A, "Your reference is 4471")], "en", "chat", False),
        ([(A, "Le transporteur passe jeudi."), (C, "Merci."), (A, "Je reste à votre disposition")], "fr", "chat", False),
        # A reply of a word or two; a customer who punctuates nothing; the closing begun before the last line.
        ([(A, "C'est réglé, vous recevrez un mail. Autre chose ?"), (C, "Non."), (A, "ok")], "fr", "voice", False),
        ([(A, "Le lien est dans votre messagerie."), (C, "ok merci"), (C, "je regarde ca ce soir")], "fr", "chat", False),
        ([(A, "Is there anything else I can do for you today?"), (C, "No, that's everything, you've been great")], "en", "voice", False),
        # The customer's thanks or leave-taking wind the contact up; a chat agent's "..." is a habit; a wait said inside one
        # long sentence, or inactivity the agent speaks of, cut nothing.
        ([(A, "Le remboursement est parti hier."), (C, "Ok parfait merci")], "fr", "chat", False),
        # Thanks for an explanation, before the agent's words that stop short, wind nothing up.
        ([(A, "Your meter was read on the wrong register."), (C, "Oh right, thanks."), (A, "So to correct it, you would need to send us a photo of the meter")], "en", "voice", True),
        ([(A, "Le remboursement est parti hier."), (C, "Merci beaucoup, au revoir."), (A, "Je vous en prie Madame")], "fr", "voice", False),
        ([(C, "Et le remboursement ?"), (A, "Votre remboursement a été effectué hier...")], "fr", "chat", False),
        ([(C, "and the refund"), (A, "okay let me check that for you okay so i can see the refund was processed yesterday and it should show within five working days"), (C, "oh great thanks")], "en", "voice", False),
        ([(C, "Why was my account closed?"), (A, "There was no activity for two years, so it was closed automatically."), (C, "Oh okay, thanks.")], "en", "voice", False),
    ],
)
def test_a_last_turn_that_stops_short_of_its_speakers_stop(ending, language, channel, cut):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language, channel).criteria["closing"]
    assert (closing.items["farewell"].status == "not_applicable") == cut, closing.items["farewell"].reason


@pytest.mark.parametrize(
    "ending, language, cut",
    [
        # The agent's question answered, nothing after and no closing formula from either: stopped mid-handling.
        ([(A, "J'ai un créneau jeudi à 9 h ou vendredi à 14 h. Lequel vous arrange ?"), (C, "je dois voir avec mon fils")], "fr", True),
        ([(A, "We could send the courier Tuesday or Thursday. Which works best?"), (C, "hmm hold on, checking the diary")], "en", True),
        # The question opens the closing (« autre chose ? »), or the customer takes leave or thanks: judged on its closing.
        ([(A, "Y a-t-il autre chose que je puisse faire pour vous ?"), (C, "non ce sera tout")], "fr", False),
        ([(A, "Is there anything else I can sort out for you today?"), (C, "no that's everything")], "en", False),
        ([(A, "Je vous l'envoie par courriel, d'accord ?"), (C, "oui merci au revoir")], "fr", False),
        ([(A, "I'll email the form over, okay?"), (C, "great, thanks, bye")], "en", False),
        # No question: the agent's last words stand as they are.
        ([(A, "Le dossier est transmis au service technique."), (C, "d'accord")], "fr", False),
        # The customer asked and nobody answered, or asked the agent to wait, or stopped on "because": cut mid-handling.
        ([(A, "La pièce arrive lundi au garage."), (C, "D'accord. Et je pourrai payer en trois fois ?")], "fr", True),
        ([(A, "The parcel left our depot this morning."), (C, "Great. Will the driver ring before he comes?")], "en", True),
        ([(A, "Je vous lis les deux offres."), (C, "ah attendez on sonne à la porte deux secondes")], "fr", True),
        ([(A, "I can book you in for Friday."), (C, "oh wait the kids are yelling, one sec")], "en", True),
        ([(A, "I can book you in for Friday."), (C, "oh hang on a sec the kids are yelling")], "en", True),
        ([(A, "The fee is waived this time."), (C, "okay and can my husband sign instead because")], "en", True),
        # … not after the agent's closing formula, nor when the customer's last words only announce what they will do.
        ([(A, "Avez-vous d'autres questions ?"), (C, "Juste une : vous ouvrez le samedi ?")], "fr", False),
        # The customer's thanks take no leave: their question is unanswered all the same.
        ([(A, "Le remboursement est validé."), (C, "Merci ! Et ça arrive quand sur mon compte ?")], "fr", True),
        ([(A, "Thanks for calling, take care."), (C, "You too! Oh, is it the same number for billing?")], "en", False),
        # The customer breaking off (called away, calling back later) before the agent began the closing, taking no
        # leave: blind labellers judge the closing not applicable (the agent's thanks said mid-call begin nothing).
        ([(A, "Il me faut le numéro de contrat."), (C, "je regarde sur mon espace client et je vous rappelle plus tard")], "fr", True),
        ([(A, "Il me faut le numéro de commande."), (C, "D'accord, je rappellerai quand je l'aurai sous la main.")], "fr", True),
        ([(A, "Le modèle existe en bleu et en gris."), (C, "Oh pardon, faut que j'y aille, on m'appelle.")], "fr", True),
        ([(A, "The engineer can come on Friday."), (C, "sorry the school's calling me I need to take this")], "en", True),
        ([(A, "Your balance is forty pounds."), (C, "Ugh, my phone is about to die, I'll call back tomorrow.")], "en", True),
        # … not words of breaking off in another sense, nor inside an earlier sentence (after the agent's thanks: with no
        # closing formula at all, a remark of the customer's ends a contact before its closing whatever its words).
        ([(A, "Merci, le sirop est sans sucre."), (C, "Parfait. Et je vous rappelle que c'est pour un enfant de quatre ans.")], "fr", False),
        ([(A, "Merci, le sirop est sans sucre."), (C, "Parfait, ça tombe bien, je dois partir à quatorze heures.")], "fr", False),
        ([(A, "Thanks, it's ready at the counter."), (C, "Great, I have to go pick her up at three anyway.")], "en", False),
        ([(A, "Merci, le sirop est sans sucre."), (C, "Je vous rappelle que j'ai payé la dernière fois et que le sirop n'était pas là.")], "fr", False),
        # The agent's question left unanswered at the end is judged on the closing (a chat customer may leave after the
        # answer: "Was that helpful?").
        ([(C, "Et il faut fournir quoi ?"), (A, "Une facture suffit. Vous l'avez au format PDF ?")], "fr", False),
        ([(C, "Great, thanks."), (A, "Thanks for reaching out! Was that helpful?")], "en", False),
        # The agent called away by another line at the end of their last turn, only the customer after: cut.
        ([(C, "Et le parking est payant ?"), (A, "Non, c'est gratuit le week-end… oh pardon, j'ai un autre appel qui sonne"), (C, "d'accord")], "fr", True),
        ([(C, "Is parking free?"), (A, "It's free on Sundays. Sorry, I've got another call coming in."), (C, "oh, okay")], "en", True),
        # … not when the agent came back to close: « autre chose ? » after the other call.
        ([(C, "D'accord."), (A, "Pardon pour l'attente, j'avais un autre appel. Autre chose pour vous ?"), (C, "Non merci.")], "fr", False),
        # A raw transcript stopping on a hesitation: the question the line cut.
        ([(A, "the lessons are on thursday evenings"), (C, "right and would i need to uh")], "en", True),
        # Raw speech whose last word is a hesitation: cut mid-thought.
        ([(A, "le rendez-vous est jeudi"), (C, "d'accord et pour le parking est-ce que euh")], "fr", True),
        # Raw speech ending on words said again as the speaker restarts a sentence (v22's `restarting`): cut.
        ([(A, "la séance d'essai est offerte"), (C, "ah bon ben dans ce cas on peut on peut")], "fr", True),
        ([(A, "the first lesson is free"), (C, "oh brilliant so i'll i'll")], "en", True),
        ([(A, "le devis est à trois cents euros"), (C, "oui alors nous on voudrait nous on voudrait")], "fr", True),
        # … not a reply said twice, nor a repeated word in the middle of a sentence that ends.
        ([(A, "Anything else I can help with?"), (C, "no no")], "en", False),
        ([(A, "je vous ai tout envoyé par mail merci de votre appel"), (C, "merci merci")], "fr", False),
        ([(A, "thanks it goes back on your card on monday"), (C, "great so we we can book again next month")], "en", False),
        # (a review's cases) whole replies said twice
        ([(A, "je vous envoie le devis par mail"), (C, "ça marche ça marche")], "fr", False),
        ([(A, "je vous envoie le devis par mail"), (C, "ok c'est parfait c'est parfait")], "fr", False),
        ([(A, "I'll email the quote over"), (C, "that's great that's great")], "en", False),
        ([(A, "I'll email the quote over, thanks"), (C, "you too you too")], "en", False),
        # The agent asks for something « s'il vous plaît » in raw speech (no question mark), the customer answers and nothing
        # comes after: cut while the agent handled the contact (v22's `requesting`).
        ([(A, "oui il reste de la place je vais prendre le nom du responsable s'il vous plaît"), (C, "c'est moi monsieur diallo euh le numéro c'est le")], "fr", True),
        ([(A, "yes we have a slot can i take your postcode please"), (C, "yeah it's s w nine")], "en", True),
        # … not when the customer's answer takes leave, nor a request from the agent that is the closing (« merci de … »).
        ([(A, "je vous note pour jeudi votre nom s'il vous plaît"), (C, "martin merci au revoir")], "fr", False),
        ([(A, "yes we have a slot can i take your postcode please"), (C, "s w nine thanks bye")], "en", False),
        # A system's line saying the call was interrupted during a transfer: cut.
        ([(C, "Vous pouvez me passer l'atelier ?"), (A, "Bien sûr, ne quittez pas, je transfère."), (S, "Transfert en cours… appel interrompu.")], "fr", True),
        ([(C, "Can I speak to the workshop?"), (A, "Sure, transferring you now."), (S, "Transfer in progress… call dropped.")], "en", True),
        # Words a sentence may end on, and a wait or a call named in another sense: judged on the closing.
        ([(A, "Is there anything else I can help you with today?"), (C, "No, I don't think so.")], "en", False),
        ([(A, "Anything else I can do for you?"), (C, "No, that's all I needed to.")], "en", False),
        ([(A, "Le rendez-vous est noté. Merci de votre appel, je vous attends jeudi."), (C, "Merci beaucoup.")], "fr", False),
        ([(A, "If it doesn't show up by Friday, just give us another call."), (C, "Will do, thanks.")], "en", False),
        ([(A, "Then send the form when you can, no rush, take your time."), (C, "okay")], "en", False),
    ],
)
def test_a_contact_ending_on_a_question_or_a_wait_with_nothing_after(ending, language, cut):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language).criteria["closing"]
    assert (closing.items["farewell"].status == "not_applicable") == cut, closing.items["farewell"].reason


@pytest.mark.parametrize(
    "ending, language, cut",
    [
        # The customer spoke last, no closing formula from either side: stopped while still handled — answering, dictating,
        # stepping away, giving up, remarking (v24: a customer's last turn is no closing).
        ([(A, "et le code de l'immeuble"), (C, "alors c'est le quatre un")], "fr", True),
        ([(A, "Je vous mets le rendez-vous mardi."), (C, "Oui allez-y. Oh, le facteur sonne, je reviens.")], "fr", True),
        ([(A, "Le devis part demain matin."), (C, "Bon, de toute façon je passerai à l'agence.")], "fr", True),
        ([(A, "and your postcode"), (C, "it's b s eight")], "en", True),
        ([(A, "The kit ships on Monday."), (C, "Hmm, my sister might collect it for me instead.")], "en", True),
        # … not a bare acknowledgement: the agent had to close, and is judged on it.
        ([(A, "Le devis part demain matin."), (C, "Ah d'accord, très bien.")], "fr", False),
        ([(A, "Le devis part demain matin."), (C, "Ok super, c'est noté.")], "fr", False),
        ([(A, "The kit ships on Monday."), (C, "alright, sounds good.")], "en", False),
        ([(A, "The kit ships on Monday."), (C, "Oh okay, got it.")], "en", False),
        # … nor words winding up, a title, the agent's name after them (a review's cases); an answer to the agent's question,
        # a « oui » too, is cut as before.
        ([(A, "Vous recevrez un courrier sous huit jours."), (C, "D'accord, très bien, j'attends le courrier alors.")], "fr", False),
        ([(A, "Vous recevrez un courrier sous huit jours."), (C, "Ok, c'est tout pour moi.")], "fr", False),
        ([(A, "The refund is on its way."), (C, "Okay Dana, great.")], "en", False),
        ([(A, "The refund is on its way."), (C, "Right, I'll keep an eye out for it then.")], "en", False),
        ([(A, "The refund is on its way."), (C, "Okay, that makes sense.")], "en", False),
        ([(A, "Avez-vous de quoi noter ?"), (C, "Oui oui.")], "fr", True),
        ([(A, "Could I take your postcode, please?"), (C, "Yeah sure.")], "en", True),
        # … nor after a closing formula of the agent's, or thanks of the customer's in an earlier line of theirs.
        ([(A, "Autre chose pour vous ?"), (C, "Oui, le code de l'immeuble c'est le 4127.")], "fr", False),
        ([(A, "The kit ships on Monday."), (C, "lovely, thanks"), (C, "my sister might collect it")], "en", False),
    ],
)
def test_a_customer_speaking_last_with_no_closing_formula(ending, language, cut):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language).criteria["closing"]
    assert (closing.items["farewell"].status == "not_applicable") == cut, closing.items["farewell"].reason
    if not cut:
        assert closing.items["farewell"].status == "failed"


@pytest.mark.parametrize(
    "ending, language",
    [
        # A chat the customer wrote last is judged on its closing: an agent who never closed it fails, and what the agent
        # said before the customer's last words still counts.
        ([(A, "Je vous envoie le lien de suivi par SMS."), (C, "Ok super")], "fr"),
        ([(A, "Anything else I can help with?"), (C, "No."), (A, "I'll email you the summary."), (C, "ok")], "en"),
    ],
)
def test_a_chat_the_customer_wrote_last_is_judged_on_its_closing(ending, language):
    base = FR_CALL if language == "fr" else EN_CALL
    closing = score(base + ending, language, channel="chat").criteria["closing"]
    assert closing.items["farewell"].status == "failed", closing.items["farewell"].reason


@pytest.mark.parametrize("opening", ["Reprenons", "Résumons", "Je reprends pour finir", "En synthèse", "Bon, en deux mots", "Si je reprends l'ensemble",
                                     "Voici ce que j'ai fait", "Voilà où nous en sommes", "Si je reprends l'essentiel",
                                     "Je reprends les grandes lignes"])
def test_recap_announced_in_other_words(opening):
    # The announcing words are the recap's evidence (the rest alone is read by meaning, less surely).
    result = item(FR_CALL + [(A, f"{opening} : relance faite, livraison jeudi.")], "closing.recap", "fr")
    assert result.status == "passed" and f"« {opening} »" in result.reason, result.reason


@pytest.mark.parametrize("opening", ["To recapitulate", "Just to run through it again", "So in short", "Here's what I've done", "Here's where we are"])
def test_recap_announced_in_other_words_en(opening):
    result = item(EN_CALL + [(A, f"{opening}: resent today, delivery on Thursday.")], "closing.recap", "en")
    assert result.status == "passed", result.reason


@pytest.mark.parametrize(
    "closing, language",
    [
        # The same words in ordinary sentences announce no summary.
        ("Tapez votre nom en deux mots, sans trait d'union.", "fr"),
        ("Si on reprend rendez-vous, ce sera pour jeudi.", "fr"),
        ("That part is in short supply this month.", "en"),
    ],
)
def test_recap_words_in_ordinary_sentences(closing, language):
    base = FR_CALL if language == "fr" else EN_CALL
    result = item(base + [(A, closing)], "closing.recap", language)
    # (the short base call's own turns may read as a recap by meaning: that is not what is asked here)
    assert result.status == "failed" or result.reason_code == "bank.meaning" and closing not in result.reason, result.reason


def test_a_chat_session_that_expires_is_cut():
    for language, expired in (
        ("fr", "La session de l'adhérent a expiré, la discussion est close."),
        ("en", "The session has expired after 10 minutes without a reply."),
        ("fr", "Le client est inactif depuis 15 minutes : la conversation a été fermée."),
        ("en", "The visitor has been inactive for 15 minutes. This chat has been closed."),
    ):
        turns = [(S, "Chat"), (C, "hello"), (A, "Bonjour, que puis-je faire pour vous ?" if language == "fr" else "Hi, how can I help?"),
                 (C, "ma carte" if language == "fr" else "my card"), (A, "Laquelle ?" if language == "fr" else "Which one?"), (S, expired)]
        assert status(turns, "closing.thanks", language, channel="chat") == "not_applicable"


@pytest.mark.parametrize(
    "question, answer, language, expected",
    [
        # The agent's reply to the customer's last question (a question word; a '?' where punctuated) brings new facts.
        ("et pour le renvoyer je fais comment", "vous déposez le colis au relais Lyon Part-Dieu et le livreur le reprendra jeudi", "fr", "failed"),
        ("And where do I drop the parcel?", "You drop the parcel at the Leeds depot and it will be collected on Thursday.", "en", "failed"),
        # A request (« vous pouvez… ? ») is done, and the reply may sum up.
        ("Vous pouvez me le renvoyer ?", "Oui, le colis repart du dépôt de Lyon aujourd'hui et vous serez livré jeudi.", "fr", "passed"),
        ("Can you send it again?", "Yes, your parcel leaves the Leeds depot today and it will be delivered on Thursday.", "en", "passed"),
        # A yes/no question asked with a '?' is a question too ("Is that possible?", v23); "is that" in raw speech asks nothing.
        ("Could the driver ring the bell twice? Is that possible?", "The driver will ring twice at the Leeds depot address on Thursday, so that will be fine.", "en", "failed"),
        ("yeah thursday's fine the only thing is that i'm out until ten", "no worries the driver will bring your parcel from the leeds depot on thursday after ten", "en", "passed"),
    ],
)
def test_an_answer_to_the_last_question_is_no_recap(question, answer, language, expected):
    base, end = (FR_CALL, [(C, "Merci."), (A, "Merci de votre appel, bonne journée.")]) if language == "fr" else (EN_CALL, [(C, "Thanks."), (A, "Thanks for calling, bye.")])
    other = (A, "Avez-vous une autre question ?" if language == "fr" else "Any other question?")
    result = item(base + [other, (C, question), (A, answer)] + end, "closing.recap", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "closing, language, expected",
    [
        # What happens next said in the present, dated by a day, restating the call.
        ([(A, "Top, je vous bloque le créneau de jeudi au dépôt de Lyon pour le colis.")], "fr", "passed"),
        ([(A, "Great, I'm booking the Thursday slot at the Leeds depot for your parcel.")], "en", "passed"),
        # « à jeudi » takes leave; it dates no next step.
        ([(A, "Merci pour le colis, bonne fin de journée et à jeudi au dépôt de Lyon.")], "fr", "failed"),
    ],
)
def test_a_day_dates_the_next_step(closing, language, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    end = [(C, "Merci."), (A, "Je vous en prie.")] if language == "fr" else [(C, "Thanks."), (A, "You're welcome.")]
    result = item(base + [(A, "Autre chose ?" if language == "fr" else "Anything else?"), (C, "Non." if language == "fr" else "No.")] + closing + end, "closing.recap", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "last, language, expected",
    [
        # Leave-taking in a familiar or a formal register.
        ("Super, bonne rando ! Salut !", "fr", "passed"),
        ("allez à tantôt madame", "fr", "passed"),
        ("Good day to you, sir.", "en", "passed"),
        ("too easy catch ya later mate", "en", "passed"),
        # A wish closing the turn, masculine or with the day: « bon spectacle », « à jeudi 14 ».
        ("Merci à vous, et très bon spectacle !", "fr", "passed"),
        ("parfait alors à jeudi 14", "fr", "passed"),
        ("nickel bonne répétition demain", "fr", "passed"),
        ("no stress, take it easy", "en", "passed"),
        # Not a wish: « c'est un bon choix », « on se voit pour le bon de commande ».
        ("Merci, c'est un très bon choix.", "fr", "failed"),
        # Thanks alone takes no leave.
        ("Merci pour votre appel.", "fr", "failed"),
        ("Thanks for calling.", "en", "failed"),
        # A wish for the time ahead whatever its adjective, a see-you-soon; a « voilà » that ends the turn takes no leave.
        ("All sorted, have a blessed evening.", "en", "passed"),
        ("Le serrurier arrive, à tout de suite !", "fr", "passed"),
        ("ok ben voilà", "fr", "failed"),
        # A wish to someone closing the turn (« à toute la famille », « à votre maman »); not a state (« en bonne santé à la
        # maison »), nor « à » before a place.
        ("Allez, bonne balade à toute la famille !", "fr", "passed"),
        ("c'est noté et bon vol à votre maman", "fr", "passed"),
        ("Votre chat est revenu en bonne santé à la maison.", "fr", "failed"),
        ("Le dossier avance, c'est une belle affaire à la préfecture.", "fr", "failed"),
        # Wishes for what comes next: in the plural, with the day or the place, for the season, « profitez bien »,
        # « portez-vous bien »; "happy …ing", "safe …", "wishing you …", "enjoy the …", regional goodbyes.
        ("Merci à vous, et bon match dimanche !", "fr", "passed"),
        ("C'est réservé. Belles balades au Ventoux !", "fr", "passed"),
        ("Merci pour votre commande et joyeuses fêtes à toute la famille.", "fr", "passed"),
        ("Vos places sont confirmées, profitez bien du spectacle !", "fr", "passed"),
        ("Très bien, portez-vous bien, madame.", "fr", "passed"),
        ("Happy skiing in the Alps!", "en", "passed"),
        ("You're booked in, merry Christmas to you and the kids.", "en", "passed"),
        ("Thanks for your order, wishing you a smooth move.", "en", "passed"),
        ("That's all done, enjoy the concert!", "en", "passed"),
        ("Right so, mind how you go.", "en", "passed"),
        # Not wishes: a state, an offer, a regret, a fact.
        ("Votre colis est arrivé dans de bonnes conditions.", "fr", "failed"),
        ("Profitez bien de l'offre pour payer moins cher.", "fr", "failed"),
        ("From next month you can enjoy the discount.", "en", "failed"),
        ("I wish you had called us sooner.", "en", "failed"),
        ("Your card details are safe.", "en", "failed"),
        ("Thank you, enjoy the show!", "en", "passed"),
        ("Happy holidays, Mrs Patel!", "en", "passed"),
        ("Merci, et bonne année 2027 !", "fr", "passed"),
        ("Je transmets votre dossier aux bonnes personnes.", "fr", "failed"),
        ("Vous bénéficiez de nos excellentes garanties.", "fr", "failed"),
        ("Vous avez passé une bonne année avec nous.", "fr", "failed"),
        ("I'd be happy looking at that for you.", "en", "failed"),
        ("You might enjoy the premium plan.", "en", "failed"),
        ("We have a Happy Easter promotion on all boxes.", "en", "failed"),
        ("That covers you for safe driving in Europe.", "en", "failed"),
        # A wish closing the turn with « là » after it (Québec), "enjoy …" with when after it, regional goodbyes (v21).
        ("c'est réservé, bonne rando dimanche là", "fr", "passed"),
        ("Cheers, enjoy the ride till then!", "en", "passed"),
        ("All booked, hwyl fawr!", "en", "passed"),
        ("c'est noté allez salute", "fr", "passed"),
        ("C'est enregistré, bien des choses à votre maman.", "fr", "passed"),
        ("ah ça fait une bonne somme là", "fr", "failed"),
        # « à mardi » with what happens then, after « et » or a title; with a term of address; a wish for what the customer
        # does next (v25).
        ("C'est réservé, et à mardi pour l'essayage !", "fr", "passed"),
        ("Merci de votre appel, monsieur. À mardi, au club !", "fr", "passed"),
        ("C'est noté, à jeudi, mon frère !", "fr", "passed"),
        ("Tout est prêt, belle saison sur le voilier !", "fr", "passed"),
        ("Bonne chance avec le déménagement.", "fr", "passed"),
        ("All sorted, fair winds!", "en", "passed"),
        # Not a leave-taking: a date moved, a quality.
        ("Votre rendez-vous est déplacé à mardi pour l'essayage.", "fr", "failed"),
        ("C'est un bon modèle avec la garantie.", "fr", "failed"),
        # « que la journée soit bonne pour vous »; "safe passage", "aloha", "have a smooth flight" (v25); not « c'est tout bon alors ».
        ("alors merci monsieur et que la journée soit bonne pour vous", "fr", "passed"),
        ("You're all set, safe passage!", "en", "passed"),
        ("Mahalo for calling, aloha!", "en", "passed"),
        ("All booked, have a smooth flight home.", "en", "passed"),
        ("voilà bah c'est tout bon alors", "fr", "failed"),
        # … nor a visit, a stay, a slot moved, a state (v25's review).
        ("I can see we have a visit scheduled at your flat on the fifth.", "en", "failed"),
        ("And you'll have a technician visit on Tuesday morning.", "en", "failed"),
        ("Je vous décale, madame, à lundi 14 heures, je vous envoie la confirmation par SMS.", "fr", "failed"),
        ("Les deux séances passent à jeudi et à vendredi, je vous envoie le nouveau planning.", "fr", "failed"),
        ("C'est bon signe pour votre dossier.", "fr", "failed"),
        ("Ce modèle reste bon marché en ligne.", "fr", "failed"),
        ("Ça fait plutôt bonne impression sur le dossier.", "fr", "failed"),
        ("Je ne peux pas garantir que la route soit bonne avec la neige.", "fr", "failed"),
        # A wish with two complements, or followed by another wish (v26); "catch you Friday!", not "catch you up".
        ("C'est enregistré, belle soirée à vous madame.", "fr", "passed"),
        ("Tout est prêt, bonne plongée et tous nos vœux pour l'examen !", "fr", "passed"),
        ("All sorted, catch you Friday!", "en", "passed"),
        ("Right, I'll catch you up on the paperwork by email.", "en", "failed"),
        ("Vous avez une bonne garantie et un bon contrat.", "fr", "failed"),
        # (a review's cases: "catch you" not closing the turn on a day; a quality, and what follows « et », no wish)
        ("sorry i didn't catch you there could you repeat that", "en", "failed"),
        ("That fee is there to catch you out, I'm afraid.", "en", "failed"),
        ("cheers catch you next week mate", "en", "passed"),
        ("la réception est excellente partout et au sous-sol", "fr", "failed"),
        ("les mesures sont bonnes partout et tous les relevés sont conformes", "fr", "failed"),
    ],
)
def test_farewell_in_other_registers(last, language, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    assert status(base + [(C, "Merci." if language == "fr" else "Thanks."), (A, last)], "closing.farewell", language) == expected


@pytest.mark.parametrize(
    "closing, expected",
    [
        # A short summary repeats two of the call's words (« colis », « jeudi »): enough.
        ([(A, "Donc votre colis repart ce soir, vous l'aurez jeudi sans faute.")], "passed"),
        ([(A, "Je vous résume : le transporteur repasse ce soir.")], "passed"),
    ],
)
def test_a_short_recap(closing, expected):
    result = item(FR_CALL + closing + [(C, "Merci."), (A, "Merci de votre appel, bonne journée.")], "closing.recap")
    assert result.status == expected, result.reason


def test_a_stop_inside_a_word_ends_no_sentence():
    # "a.m." and « 1.95 m » are inside their sentence: what happens next, restating the booking, is read whole.
    turns = [
        (A, "Hello, Harbour Sailing, how can I help?"),
        (C, "I'd like to book a Laser dinghy for Saturday morning, I have my licence."),
        (A, "Saturday morning is free. Nine or ten?"),
        (C, "Nine, please."),
        (A, "Done. Saturday at nine a.m., one Laser dinghy, bring your licence and come early to sign the form."),
        (C, "Great, thanks."),
        (A, "See you Saturday!"),
    ]
    result = item(turns, "closing.recap", "en")
    assert result.status == "passed" and "nine a.m., one Laser" in result.reason, result.reason


def test_the_closing_seconds_hold_the_turns_said_mostly_in_them():
    # A long explanation said mostly before the call's last 30 seconds, and for less than half of them in them, answered
    # the request: its « donc » opens no summary of the call. The same words said mostly in the last seconds, or for half
    # of them at least, do (the spec: "the agent's speech in the last 30 seconds").
    from qualicall.core.interaction import Interaction

    explanation = ("alors donc pour votre chaudière gaz il faut d'abord vérifier la pression du circuit et ensuite purger les "
                   "radiateurs puis relancer la chaudière et si le code erreur revient on envoie le technicien")

    def closing_recap(explained_from: float, explained_to: float) -> str:
        timed = [
            (A, "chauffage service bonjour", 0.0, 2.0),
            (C, "bonjour ma chaudière gaz affiche un code erreur et les radiateurs restent froids", 2.5, 8.0),
            (A, explanation, explained_from, explained_to),
            (C, "d'accord", 50.5, 51.0),
            (A, "c'est noté", 51.5, 52.5),
            (C, "merci", 53.0, 53.5),
            (A, "je vous en prie", 54.0, 55.0),
            (C, "au revoir", 55.5, 56.0),
            (A, "au revoir madame", 56.5, 58.0),
        ]
        turns = [{"speaker": who, "text": text, "start": start, "end": end} for who, text, start, end in timed]
        interaction = Interaction.model_validate({"id": "t-window", "channel": "voice", "language": "fr", "turns": turns})
        from core_scoring import scorer

        return scorer().score(interaction).criteria["closing"].items["recap"].status

    assert closing_recap(8.5, 40.0) == "failed"  # 12 s of 31.5 in the last 30 s
    assert closing_recap(8.5, 46.0) == "passed"  # 18 s of 37.5
    assert closing_recap(35.0, 45.0) == "passed"


@pytest.mark.parametrize(
    "closing, language, item_id, expected",
    [
        # A wish for the road ahead closing the turn, whatever its preposition.
        ([(A, "Your bike is ready from four. Safe cycling through the park!")], "en", "farewell", "passed"),
        # The answer to the customer's question about the others ("will they …?") brings new facts: no recap.
        ([(A, "Anything else?"), (C, "Will they need to get into the garden?"), (A, "They will only need the side gate open on Thursday morning.")], "en", "recap", "failed"),
        # The day ahead named by a leave-taking sums nothing up; a day said before it still does; « jusqu'à lundi » takes no leave.
        ([(A, "C'est noté."), (C, "Merci."), (A, "Avec plaisir."), (C, "Bonne journée."), (A, "Merci à vous, et bon courage pour jeudi avec ce colis !")],
         "fr", "recap", "failed"),
        ([(A, "Votre colis repart aujourd'hui et arrive bien jeudi chez vous, bon week-end !")], "fr", "recap", "passed"),
        ([(A, "Très bien, merci madame, bonne journée, votre colis repart donc aujourd'hui et sera livré jeudi chez vous.")], "fr", "recap", "passed"),
        ([(A, "Le laboratoire a du retard, donc à lundi au lieu de vendredi pour la pose.")], "fr", "farewell", "failed"),
        ([(A, "Je vous trouve un créneau en urgence. Alors, à demain neuf heures, ça vous va ?")], "fr", "farewell", "failed"),
        ([(A, "Je vous garde le colis au dépôt jusqu'à lundi soir.")], "fr", "farewell", "failed"),
        # « à jeudi » opening the turn or after a closing word, whatever follows; « allez bonsoir » closing the turn.
        ([(A, "Alors à jeudi, madame Roux, et pensez au bon de retrait.")], "fr", "farewell", "passed"),
        ([(A, "bon ben c'est noté allez bonsoir madame")], "fr", "farewell", "passed"),
        ([(A, "Le rendez-vous est reporté à jeudi, je vous envoie le SMS.")], "fr", "farewell", "failed"),
        ([(A, "Bonsoir madame, c'est le dépôt, votre colis est arrivé.")], "fr", "farewell", "failed"),
    ],
)
def test_closing_words_said_otherwise(closing, language, item_id, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    result = item(base + closing, f"closing.{item_id}", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # What was done said in the present (« je te bloque », « je vous réserve ») with what follows, in the familiar register too.
        ([(A, "Salut, ici la Grange aux Oies, je t'écoute !"), (C, "On voudrait la petite salle pour 12 personnes le 14 au soir."),
          (A, "Ça marche, elle est libre."), (C, "Top, on la prend."),
          (A, "Je te bloque la petite salle le 14 pour 12 personnes. Tu reçois le devis ce soir par mail."), (C, "Merci !"),
          (A, "Merci à toi, bonne soirée !")], "fr", "passed"),
        ([(A, "Bonjour, Gîtes du Lac, je vous écoute."), (C, "Je voudrais le chalet du 3 au 5 mars pour quatre."),
          (A, "Il est disponible."), (C, "Parfait, je le prends."),
          (A, "Je vous réserve le chalet du 3 au 5 mars pour quatre personnes. Vous recevrez la confirmation dans la journée."),
          (C, "Merci."), (A, "Merci à vous, bonne journée.")], "fr", "passed"),
    ],
)
def test_a_present_tense_booking_and_what_follows_recap(turns, language, expected):
    result = item(turns, "closing.recap", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "last, language",
    [("Chat ended.", "en"), ("This conversation has been closed.", "en"), ("Discussion terminée.", "fr")],
)
def test_an_agent_typing_that_the_chat_ended_takes_no_leave(last, language):
    base = FR_CALL if language == "fr" else EN_CALL
    result = item(base + [(C, "Merci" if language == "fr" else "Thanks"), (A, last)], "closing.farewell", language, "chat")
    assert result.status == "failed", result.reason


@pytest.mark.parametrize(
    "answer, language, expected",
    [
        # A slot offered, the opening hours, in the closing: they propose or inform, they sum nothing up.
        ("Samedi, il reste une place pour l'essai de violoncelle à dix heures.", "fr", "failed"),
        ("Pour l'essai de violoncelle, on est ouverts du mardi au samedi, de neuf heures à midi.", "fr", "failed"),
        ("For the cello trial we're open Tuesday to Saturday, nine till noon.", "en", "failed"),
        # A heading's word without its colon opens no summary; a read-back is none.
        ("Le bilan de l'école pour l'essai de violoncelle n'est pas encore validé par la direction.", "fr", "failed"),
        ("Je reprends votre numéro et l'essai de violoncelle pour vérifier la salle.", "fr", "failed"),
        # What will happen keeps a time range a recap; what was done is no offer; an offer asked is nothing done.
        ("Vous allez faire l'essai de violoncelle samedi de dix heures à onze heures avec le professeur.", "fr", "passed"),
        ("I have booked the cello trial for your daughter on Saturday from ten until eleven.", "en", "passed"),
        ("Je vous réserve l'essai de violoncelle ? Vous pourrez payer sur place.", "fr", "failed"),
    ],
)
def test_offers_hours_and_what_will_happen_in_the_closing(answer, language, expected):
    if language == "fr":
        turns = [(A, "Bonjour, école de musique Arpège, je vous écoute."), (C, "Bonjour, je voudrais un essai de violoncelle pour ma fille."),
                 (A, "Elle a quel âge ?"), (C, "Neuf ans."), (A, "Très bien, l'essai de violoncelle est gratuit."), (C, "D'accord, on aimerait venir samedi."),
                 (A, answer), (C, "Merci."), (A, "Merci à vous, au revoir.")]
    else:
        turns = [(A, "Hello, Arpeggio music school, how can I help?"), (C, "Hi, I'd like a cello trial for my daughter."),
                 (A, "How old is she?"), (C, "Nine."), (A, "Great, the cello trial is free."), (C, "Okay, we'd like to come on Saturday."),
                 (A, answer), (C, "Thanks."), (A, "Thanks, bye.")]
    result = item(turns, "closing.recap", language, seconds_per_turn=8)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "last, language",
    [
        # A marker opening the closing's summary: « Bilan : », « Je reprends : », "Let me run through what we've agreed".
        ("Bilan : votre colis était bloqué au dépôt de Lyon et il en repart aujourd'hui.", "fr"),
        ("Je reprends : le colis était bloqué au dépôt de Lyon et il en repart aujourd'hui.", "fr"),
        ("Let me run through what we've agreed: the parcel was stuck at the Leeds depot and leaves it today.", "en"),
        ("Voici ce qui est prévu : le colis part du dépôt de Lyon aujourd'hui et arrive jeudi.", "fr"),
        ("Here's what's planned: the parcel leaves the Leeds depot today and arrives on Thursday.", "en"),
        # « Petit résumé : » (v25; a heading needs its colon).
        ("Petit résumé : le colis était bloqué au dépôt de Lyon et il en repart aujourd'hui.", "fr"),
    ],
)
def test_recap_markers_of_other_agents(last, language):
    base = FR_CALL if language == "fr" else EN_CALL
    bye = [(C, "Merci."), (A, "Merci à vous, au revoir.")] if language == "fr" else [(C, "Thanks."), (A, "Thanks, bye.")]
    result = item(base + [(A, last)] + bye, "closing.recap", language, seconds_per_turn=12)
    assert result.status == "passed" and result.reason.split()[0] in ("résumé", "recap:", "summary"), result.reason


def test_a_chat_resumed_after_the_systems_interruption_is_judged():
    turns = FR_CALL + [(A, "Pouvez-vous m'envoyer la facture ?"), (S, "La conversation a été interrompue."),
                       (C, "Re-bonjour, je suis de retour. Je vous l'envoie comment ?"), (A, "En pièce jointe, ici même.")]
    closing = score(turns, "fr", "chat").criteria["closing"]
    assert closing.items["farewell"].status == "failed", closing.items["farewell"].reason


@pytest.mark.parametrize(
    "last, language, item_id, expected",
    [
        ("Merci de votre confiance et belle fin de semaine !", "fr", "farewell", "passed"),
        ("Merci pour votre commande, et à jeudi, inch'Allah !", "fr", "farewell", "passed"),
        ("Merci d'avoir appelé. Tous nos vœux aux jeunes mariés !", "fr", "farewell", "passed"),
        ("Merci à vous, kenavo !", "fr", "farewell", "passed"),
        ("Thanks for calling, and a good evening to you.", "en", "farewell", "passed"),
        ("parfait merci à vous et à très vite", "fr", "farewell", "passed"),
        ("je vous mets ça de côté vous avez encore une question", "fr", "other_needs", "passed"),
        ("C'est noté. Est-ce qu'il vous manque une précision ?", "fr", "other_needs", "passed"),
        # « Récapitulatif : » announces a recap; what happens next, « vous le recevez dans la semaine ».
        ("Récapitulatif : votre colis repart du dépôt de Lyon et arrive jeudi.", "fr", "recap", "passed"),
        ("alors je relance l'envoi du colis depuis lyon et vous le recevez dans la semaine", "fr", "recap", "passed"),
        # Opening hours name days; they take no leave.
        ("Nous sommes ouverts du lundi au samedi.", "fr", "farewell", "failed"),
        ("We're open Wednesday to Sunday.", "en", "farewell", "failed"),
        # A statement is no question about other needs; a proposal or a sentence about greetings cards takes no leave.
        ("Il vous manque une information, le justificatif de domicile.", "fr", "other_needs", "failed"),
        ("on peut décaler la livraison à demain peut-être", "fr", "farewell", "failed"),
        ("Nous n'envoyons plus tous nos vœux par courrier.", "fr", "farewell", "failed"),
        ("Souhaitez-vous un renseignement complémentaire ?", "fr", "other_needs", "passed"),
        ("C'est tout ce qu'il vous fallait ?", "fr", "other_needs", "passed"),
        ("Mille mercis pour votre appel !", "fr", "thanks", "passed"),
        ("We're grateful you chose Parcel Express.", "en", "thanks", "passed"),
        # Read by meaning, a leave-taking is no question about other needs.
        ("allez bonne fin de journée", "fr", "other_needs", "failed"),
        # Conditional offers and statements ask about no other need.
        ("Si vous avez besoin de quoi que ce soit d'autre, n'hésitez pas à nous rappeler.", "fr", "other_needs", "failed"),
        ("N'hésitez pas à nous recontacter pour tout renseignement complémentaire.", "fr", "other_needs", "failed"),
        ("Sur votre compte, il reste quelque chose à payer.", "fr", "other_needs", "failed"),
        ("If you need any other thing, just give us a call.", "en", "other_needs", "failed"),
        # "grateful if" asks a favour, it thanks nobody.
        ("I'm grateful if you can send the tracking photo today.", "en", "thanks", "failed"),
        ("Puis-je vous être utile en quoi que ce soit d'autre ?", "fr", "other_needs", "passed"),
        ("c'est noté est-ce qu'il reste quelque chose à voir", "fr", "other_needs", "passed"),
        ("Avez-vous une autre préoccupation ?", "fr", "other_needs", "passed"),
        ("is there any other thing you wanted to ask", "en", "other_needs", "passed"),
        ("alright what else can i do ya for today", "en", "other_needs", "passed"),
        # A statement of what is left to pay asks nothing.
        ("Il reste quelque chose à régler : la caution de cinquante euros, par chèque à l'accueil.", "fr", "other_needs", "failed"),
        # « c'est tout pour vous ? » closing the turn asks (v23).
        ("c'est noté pour jeudi c'est tout pour vous", "fr", "other_needs", "passed"),
        ("Ce sera tout pour vous, Madame Lemoine ?", "fr", "other_needs", "passed"),
        # The shopkeeper's « et avec ça ? », wishes of other words (v23); "too easy" takes no leave.
        ("c'est noté pour les deux kilos et avec ça madame", "fr", "other_needs", "passed"),
        ("Merci à vous et douce nuit !", "fr", "farewell", "passed"),
        ("Merci, et à tout bientôt au dépôt !", "fr", "farewell", "passed"),
        ("merci madame et que dieu vous garde", "fr", "farewell", "passed"),
        ("Merci pour l'appel et bonne chance pour le déménagement !", "fr", "farewell", "passed"),
        ("Il y a une bonne chance que le virement arrive vendredi.", "fr", "farewell", "failed"),
        ("yeah too easy", "en", "farewell", "failed"),
        ("ta for calling, the parcel's on its way.", "en", "thanks", "passed"),
        # Announcing that the chat closes asks about no other need (v23's negatives).
        ("Je clos notre échange de mon côté.", "fr", "other_needs", "failed"),
        # A question left, asked with whom it is for or the customer's name; the northern "owt else"; thanks with an
        # adverb (v25).
        ("Avez-vous encore une question, pour Théo ou pour vous ?", "fr", "other_needs", "passed"),
        ("Il vous reste une question, monsieur Aubert ?", "fr", "other_needs", "passed"),
        ("Il vous reste une question à remplir dans le formulaire.", "fr", "other_needs", "failed"),
        ("Oui, sur le formulaire, il vous reste une question.", "fr", "other_needs", "failed"),
        ("Prenez soin de remplir le formulaire avant jeudi.", "fr", "farewell", "failed"),
        ("Il sera livré jeudi. En attendant, prenez soin de votre reçu.", "fr", "farewell", "failed"),
        ("The depot asked: can we help with any more vans on Thursday? I said no.", "en", "other_needs", "failed"),
        ("Je vois aussi que vous avez encore une demande de passeport en cours.", "fr", "other_needs", "failed"),
        ("right that's you sorted owt else i can do", "en", "other_needs", "passed"),
        ("we really appreciate your patience with the delivery", "en", "thanks", "passed"),
    ],
)
def test_closing_items_in_other_words_and_their_near_misses(last, language, item_id, expected):
    base = FR_CALL if language == "fr" else EN_CALL
    result = item(base + [(A, last)], f"closing.{item_id}", language, seconds_per_turn=12)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "last, expected",
    [
        # A marker opening thanks and leave-takings whose words were said in the call restates nothing (v25) …
        ("Alors merci, et bonne fin de journée à Lyon, et bon jeudi !", "failed"),
        # … the summary after them still does.
        ("Alors merci, et donc votre colis repart de Lyon aujourd'hui et vous l'aurez jeudi.", "passed"),
    ],
)
def test_thanks_and_leave_taking_after_a_marker_sum_nothing_up(last, expected):
    closing = [(A, "Avez-vous une autre question ?"), (C, "Non, merci."), (A, "Parfait."), (C, "Merci."), (A, last)]
    result = item(FR_CALL + closing, "closing.recap", "fr")
    assert result.status == expected, result.reason
