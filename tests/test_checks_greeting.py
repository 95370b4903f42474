"""Greeting items in French and English, with the spec's traps."""

from __future__ import annotations

import pytest

from core_scoring import item, status

A, C, S = "agent", "customer", "system"


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        ([(A, "Assurances Vega, bonjour, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "good evening thanks for calling how can i help"), (C, "hi")], "en", "passed"),
        # The customer's « bonjour » is not the agent's.
        ([(A, "Assurances Vega, que puis-je faire pour vous ?"), (C, "Bonjour, oui.")], "fr", "failed"),
        ([(C, "Hello?"), (A, "Acme support, how can I help?")], "en", "failed"),
    ],
)
def test_salutation_only_counts_the_agent(turns, language, expected):
    assert status(turns, "greeting.salutation", language) == expected


def test_greeting_only_at_minute_three_fails():
    turns = [(A, "oui un instant"), (C, "allô ?"), (A, "je vous mets en attente")] + [(C, "d'accord")] * 30 + [(A, "bonjour je suis nadia")]
    assert status(turns, "greeting.salutation") == "failed"
    assert status(turns, "greeting.agent_name") == "failed"


def test_bot_welcome_in_a_chat_is_not_the_agents_greeting():
    turns = [(S, "Bienvenue sur le chat de Banque Nova."), (C, "bonjour"), (A, "Je suis Marc. Que puis-je faire pour vous ?")]
    assert status(turns, "greeting.salutation", channel="chat") == "failed"


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Transports Alizé, bonjour, que puis-je faire pour vous ?", "fr", "passed"),
        ("oui bonjour vous êtes bien chez mutuelle horizon", "fr", "passed"),
        ("Bonjour, service réclamations, je vous écoute.", "fr", "passed"),
        # The company after the agent's name or role (chats).
        ("Bonjour, je suis Karim, conseiller Électricité du Léman. Que puis-je faire pour vous ?", "fr", "passed"),
        ("Bonjour, Lina de Vitalia Santé, que puis-je faire pour vous ?", "fr", "passed"),
        ("Hi, Sam from Brightline here, how can I help?", "en", "passed"),
        ("you've reached the billing team how can i help", "en", "passed"),
        # Nobody named.
        ("Bonjour, que puis-je faire pour vous ?", "fr", "failed"),
        ("Marc, bonjour, que puis-je faire pour vous ?", "fr", "failed"),
        ("Hello, how can I help you?", "en", "failed"),
        # A function word the first-name lexicon holds is no one's name: "you with today" names no company.
        ("good afternoon ma'am what can i assist you with today", "en", "failed"),
        ("hi it's priya with northgate energy what can i do for you", "en", "passed"),
    ],
)
def test_organization(text, language, expected):
    assert status([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.organization", language) == expected


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Onda Mobile, bonjour ! Julie à votre écoute.", "fr", "passed"),
        ("bonjour je m'appelle nadia que puis-je faire pour vous", "fr", "passed"),
        ("Marc, bonjour, que puis-je faire pour vous ?", "fr", "passed"),
        ("Bonjour, Élodie Marchand à votre service.", "fr", "passed"),
        ("Good morning, my name is Dana, how can I help?", "en", "passed"),
        ("kestrel bank this is ryan speaking", "en", "passed"),
        # « je me nomme » names whatever follows (v23).
        ("bonjour ici les serres de kervignac je me nomme tristan vous désirez", "fr", "passed"),
        # Raw speech dropping the g of "speaking" (v23).
        ("harbour lights marina dwayne speakin how can i help", "en", "passed"),
        # "{name} on the line" (v25); « vous avez » before a word that is also a first name names no one, and "Morena" is a
        # name, not a greeting (a review's cases).
        ("Bonjour, Colis Express, vous avez aimé votre dernière livraison ?", "fr", "failed"),
        ("hello nova broadband you've got grace period until friday", "en", "failed"),
        ("Parcel Express, Morena speaking, how can I help?", "en", "passed"),
        ("westfield aquatic centre priya on the line how can i help", "en", "passed"),
        # The customer's name, a company at pick-up, nobody.
        ("Cinéflux, bonjour. Vous êtes bien madame Durand ?", "fr", "failed"),
        ("Hello, am I speaking with Mrs Patel?", "en", "failed"),
        ("Je suis désolée pour l'attente, que puis-je faire pour vous ?", "fr", "failed"),
        ("Hello, I'm sorry for the wait.", "en", "failed"),
    ],
)
def test_agent_name(text, language, expected):
    result = item([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.agent_name", language)
    assert result.status == expected, result.reason
    if expected == "passed":
        assert result.evidence and result.evidence[0].turn == 0


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # Lower-case speech: a name no lexicon holds, opening a presenting phrase, is the agent's.
        ("hello zanele speaking how can i help", "en", "passed"),
        ("yeah hi you're speaking to tendai what's happened", "en", "passed"),
        # A first name after « ici » is no part of a company's name, whatever follows it.
        ("agence horizon voyages ici bernard mensah je vous écoute", "fr", "passed"),
        # … after the company's name too, where no company fills the phrase (« à l'appareil », v22's person_slots).
        ("allô bonjour transports lagune express yapo à l'appareil", "fr", "passed"),
        # Not the last word of the company's name before the phrase, nor an ordinary word.
        ("hello harbour freight douala here how can i help", "en", "failed"),
        ("allô bonjour transports lagune express la direction à l'appareil", "fr", "failed"),
        # … nor a department's letters there (a review's cases).
        ("bonjour mutuelle mgen edf à l'appareil", "fr", "failed"),
        ("bonjour ici la mairie rh au bout du fil", "fr", "failed"),
        ("hi this is customer service how can i help", "en", "failed"),
        # Nor a brand in a phrase that names the company as often as a person.
        ("hi you're through to vodacom how can i help", "en", "failed"),
        ("bonjour c'est ameli je vous écoute", "fr", "failed"),
        # « {name} qui parle », a phrase no company fills (v24).
        ("atelier des cordes bonjour gaspard qui parle", "fr", "passed"),
        ("atelier des cordes bonjour c'est la direction qui vous parle", "fr", "failed"),
    ],
)
def test_agent_name_in_lower_case_speech(text, language, expected):
    result = item([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.agent_name", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "check, language",
    [
        ("Vous voulez donc passer votre abonnement au tarif étudiant à partir de janvier. Est-ce que j'ai bien saisi votre demande ?", "fr"),
        ("Vous aimeriez faire livrer le canapé un samedi matin. C'est bien cela que vous demandez ?", "fr"),
        ("So you'd like the delivery moved to a Saturday morning. Have I got your request right there?", "en"),
    ],
)
def test_checking_the_request_after_a_restatement_is_no_offer_of_help(check, language):
    # The agent names the company, the customer states the need, the agent restates and checks it: nobody invited the
    # customer to say what they wanted (rubrics v22's negatives of the offer_help banks).
    pickup = "Meubles Lebrun, bonjour." if language == "fr" else "Lebrun Furniture, good morning."
    need = "Bonjour, j'ai une question sur ma livraison." if language == "fr" else "Hi, it's about my delivery."
    assert status([(A, pickup), (C, need), (A, check)], "greeting.offer_help", language) == "failed"


def test_customer_saying_their_name_does_not_pass_agent_name():
    turns = [(A, "Bonjour, que puis-je faire pour vous ?"), (C, "Bonjour, je m'appelle Sophie Martin, j'appelle pour ma facture.")]
    assert status(turns, "greeting.agent_name") == "failed"


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Bonjour, en quoi puis-je vous aider ?", "fr", "passed"),
        ("oui bonjour je vous écoute", "fr", "passed"),
        ("Hi, what can I do for you today?", "en", "passed"),
        ("Bonjour, votre numéro de client ?", "fr", "failed"),
        ("hello account number please", "en", "failed"),
    ],
)
def test_offer_help(text, language, expected):
    assert status([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.offer_help", language) == expected


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # Offers in forms no phrase list holds: a question where the agent offers to act for the customer…
        ("Clinique du Parc, bonjour, comment pourrais-je vous rendre service ?", "fr", "passed"),
        ("oui bonjour qu'est-ce que je peux faire pour toi", "fr", "passed"),
        ("Northwind Energy, good evening, how could we assist this evening?", "en", "passed"),
        ("hi what can we look into for you", "en", "passed"),
        # … or an invitation to tell the request, or a question about its reason.
        ("Bonjour, Garage Moreau. Expliquez-moi ce qui vous arrive.", "fr", "passed"),
        ("bonjour je vous invite à me dire ce qui ne va pas", "fr", "passed"),
        ("Hello, Greenway Council. Walk me through what happened.", "en", "passed"),
        ("hello why are you calling today", "en", "passed"),
        # A request for details is not an offer of help.
        ("Bonjour, Garage Moreau. Dites-moi votre numéro de dossier.", "fr", "failed"),
        ("Hello, Greenway Council. Tell me your account number.", "en", "failed"),
        ("Hello, Greenway Council. How can I spell that?", "en", "failed"),
        # « j'écoute », « à votre disposition », "what can i do for ya", "what's up?": offers in a few words.
        ("Garage Lemaire, atelier, j'écoute.", "fr", "passed"),
        ("Bonjour, Jeanne, du service adhérents, à votre disposition pour votre dossier.", "fr", "passed"),
        ("morning brightwater gyms what can i do for ya", "en", "passed"),
        ("Hey, Cobalt Games support here. What's up?", "en", "passed"),
        ("Bonjour, ici Marion, je vous lis.", "fr", "passed"),
        ("Clinique des Tilleuls, Marc, à votre service.", "fr", "passed"),
        ("bonjour oui je peux vous renseigner", "fr", "passed"),
        ("yeah hi northside tyres talk to me", "en", "passed"),
        # … said as an offer closing the pick-up, not inside an answer.
        ("Bonjour, Maison Dupré, je vous lis les conditions de votre contrat ?", "fr", "failed"),
        ("Hi, the fitter can come to you at your service address.", "en", "failed"),
        # A request for details offers nothing.
        ("Bonjour, Garage Lemaire. Votre numéro de dossier ?", "fr", "failed"),
        ("Hey, Cobalt Games support. Your username?", "en", "failed"),
    ],
)
def test_offer_of_help_as_grammar(text, language, expected):
    result = item([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.offer_help", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # An open question at pick-up, before the customer said a word, invites the request, in any words.
        ([(A, "Harbour Dental, Priya speaking, what's brought you to us today?"), (C, "Hi, I chipped a tooth.")], "en", "passed"),
        ([(A, "Cabinet Morel, bonsoir, c'est pour quel type de démarche ?"), (C, "Pour un bail.")], "fr", "passed"),
        ([(A, "bonjour pizzeria da gino vous voulez commander quoi"), (C, "deux margheritas")], "fr", "passed"),
        ([(A, "hey sunnyside pools which one of our sites are you after"), (C, "the one on king street")], "en", "passed"),
        # Not one asking for details, nor a greeting's question, nor a question after the customer spoke first.
        ([(A, "Bonjour, Garage Lemoine, quel est votre nom s'il vous plaît ?"), (C, "Dupuis.")], "fr", "failed"),
        ([(A, "Hi, Sunnyside Pools, how are you today?"), (C, "Good thanks.")], "en", "failed"),
        ([(A, "Bonjour, Cabinet Morel, comment allez-vous ?"), (C, "Bien, merci.")], "fr", "failed"),
        ([(C, "Allô, bonjour, j'appelle pour ma facture."), (A, "Oui, quelle facture ?")], "fr", "failed"),
        ([(A, "Hello, Harbour Dental, what's your surname?"), (C, "Patel.")], "en", "failed"),
        ([(A, "Hi, Harbour Dental, how is your day going?"), (C, "Good thanks.")], "en", "failed"),
        ([(A, "Bonjour, je vous appelle pour votre contrat, quel moment vous arrange ?"), (C, "Ce soir.")], "fr", "failed"),
        # A customer's hello before the pick-up is no request.
        ([(C, "allô oui bonjour"), (A, "Cabinet Morel bonsoir, c'est pour quel type de démarche ?"), (C, "Un bail.")], "fr", "passed"),
    ],
)
def test_an_open_question_at_pick_up_offers_help(turns, language, expected):
    result = item(turns, "greeting.offer_help", language)
    assert result.status == expected, result.reason


def test_names_services_and_greeting_words():
    assert status([(A, "Bonjour, Sandrine au téléphone, l'équipe facturation, que puis-je faire pour vous ?"), (C, "Bonjour.")], "greeting.agent_name") == "passed"
    assert status([(A, "Bonjour, Sandrine au téléphone, l'équipe facturation, que puis-je faire pour vous ?"), (C, "Bonjour.")], "greeting.organization") == "passed"
    assert status([(A, "hey you're through to Brightline customer care how can I help"), (C, "hi")], "greeting.organization", "en") == "passed"
    assert status([(A, "hey you're through to Brightline customer care how can I help"), (C, "hi")], "greeting.salutation", "en") == "passed"


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # A first name wherever the agent says it in the opening, no presenting phrase needed; accents, case.
        ([(A, "Assurances Mistral bonsoir, Gwendoline vous répond."), (C, "Bonsoir.")], "fr", "passed"),
        ([(A, "garage dumas bonjour loïc au standard je vous écoute"), (C, "oui bonjour")], "fr", "passed"),
        ([(A, "cabinet ferrand bonjour solène pour vous renseigner"), (C, "bonjour")], "fr", "passed"),
        ([(A, "Harbour Dental, good morning, Priya on the front desk."), (C, "Morning.")], "en", "passed"),
        ([(A, "northgate insurance claims desk you've got callum"), (C, "hi callum")], "en", "passed"),
        # The customer's name: after a title, given by the customer before the agent repeats it.
        ([(A, "Bonjour madame Lefèvre, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Bonjour, service abonnés, c'est à quel nom ?"), (C, "Amandine Garnier."), (A, "Merci Amandine, je regarde votre abonnement.")], "fr", "failed"),
        ([(A, "Hello, billing team, who am I speaking with?"), (C, "Siobhan Kelly."), (A, "Thanks Siobhan, let me pull up the account.")], "en", "failed"),
        # A first name that belongs to the company's name.
        ([(A, "La Maison de Juliette, bonjour, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Thanks for calling the House of Arthur, how can I help?"), (C, "Hi.")], "en", "failed"),
        # First names given in France since the lexicon was made (INSEE's list), in lower-case speech.
        ([(A, "euh oui bonjour auto-école du centre c'est timéo"), (C, "oui bonjour")], "fr", "passed"),
        ([(A, "pressing des halles rayane à l'appareil bonjour"), (C, "bonjour")], "fr", "passed"),
        # That list's names which are words too are left out: « saint » opens a place's name.
        ([(A, "clinique saint exupéry bonjour je vous écoute"), (C, "bonjour")], "fr", "failed"),
        ([(A, "good afternoon Saint Columba's parish office how may I help"), (C, "hi")], "en", "failed"),
        # Ordinary words that are also first names are not names alone in lower-case speech; nor interjections.
        ([(A, "bonjour c'est bien clair pour la suite je vous écoute"), (C, "oui")], "fr", "failed"),
        ([(A, "Harbour Boilers."), (C, "My boiler stopped yesterday."), (A, "Ah, so you want the boiler looked at before the weekend.")], "en", "failed"),
        ([(A, "hello i will check that for you"), (C, "ok")], "en", "failed"),
        # A common noun opening a sentence that the recogniser takes for a person, a word of a hyphenated place, an
        # interjection: no names (« Numéro », « Velin » of Vaulx-en-Velin, "Yup" are entities or first names of a lexicon).
        ([(A, "Allô."), (C, "Bonjour, je loue une ruche chez vous."), (A, "Numéro de client ?")], "fr", "failed"),
        ([(A, "Piscine de Vaulx-en-Velin, accueil des groupes."), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Ciné Lumière, bonjour."), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Bonjour, cabinet Lefort, Boulanger à votre écoute."), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "Hello, Marlow Kayaks."), (C, "Hi, is the river open?"), (A, "Yup. Which day?")], "en", "failed"),
        # Two letters of a raw transcript are no name alone (« ja », "ya" are in the lexicon), only in a presenting phrase.
        ([(A, "hiya you're through to the van bookings"), (C, "hi my dogs were due at nine"), (A, "ag sorry ja the van is late")], "en", "failed"),
        ([(A, "morning what can i do ya for"), (C, "hi")], "en", "failed"),
        ([(A, "hello this is jo at the front desk"), (C, "hi")], "en", "passed"),
        # … while first names joined to first names are one (« Marie-Laure »), a name may open a compound (« Léa-SAV »),
        # a surname inside a sentence counts, and so does a name in capitals.
        ([(A, "Bonjour, Marie-Laure à l'accueil, je vous écoute."), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "Bonjour, Léa-SAV Boulanger, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "Hello, Baker speaking."), (C, "Hi.")], "en", "passed"),
        ([(A, "Bonjour, je suis ZOÉ, conseillère, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "passed"),
        # … but outside a presenting phrase a word in capitals is a code, not a first name (« statut BO », v23), and a
        # Louisiana "cher" is an endearment.
        ([(A, "Bonjour, que puis-je faire pour vous ?"), (C, "Ma commande n'arrive pas."), (A, "Merci. Elle est en statut BO, le café est en rupture.")], "fr", "failed"),
        # (a longer name typed in capitals is still one: a review's case)
        ([(A, "Bonjour, vous échangez avec MATHILDE du service abonnés, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "bayou lawn care hey what can i do ya for"), (C, "hi my grass is all brown patches"), (A, "oh yeah that's chinch bugs cher")], "en", "failed"),
        # A title across a pause is not the name's (the customer wrote first: the title alone would make it theirs),
        # « au clavier » presents a chat agent; the customer's name after a title is still theirs.
        ([(C, "Bonjour, je voudrais des infos sur vos cours."), (A, "Bonjour madame, Karim à votre écoute.")], "fr", "passed"),
        ([(C, "Bonjour, une question sur ma commande."), (A, "Bien le bonjour, madame ! Aïcha au clavier.")], "fr", "passed"),
        ([(C, "Bonjour, c'est madame Dupont."), (A, "Bonjour madame Dupont, que puis-je pour vous ?")], "fr", "failed"),
    ],
)
def test_agent_name_by_what_a_name_is(turns, language, expected):
    result = item(turns, "greeting.agent_name", language, channel="chat")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, channel, expected",
    [
        # Long names, counted without their connectors; a name beginning with an article, closed by a salutation.
        ([(A, "office de tourisme du pays de morlaix accueil groupes bonjour"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "les jardins de mireille bonjour que puis-je faire pour vous"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "the copper kettle bakery good morning how can i help"), (C, "hi")], "en", "voice", "passed"),
        # The agent's first name ends the company's name in lower-case speech; a name that begins with one is still a name.
        ([(A, "cave coopérative des coteaux nord service expéditions lucien bonjour"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "good evening dale valley rugby club membership office how can i help"), (C, "hi")], "en", "voice", "passed"),
        # After the agent's name: a presenting word, « de l'… », a chat's "w/"; a service named in lower case.
        ([(S, "Welcome to our chat."), (A, "hi! Mo here w/ Northwind Rail, what can I do?")], "en", "chat", "passed"),
        ([(A, "Bonjour, je suis Agathe, de l'office Notarial Brément. Que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "chat", "passed"),
        ([(A, "Bonjour, Hugo du support abonnés. En quoi puis-je vous aider ?"), (C, "Bonjour.")], "fr", "chat", "passed"),
        ([(A, "Hey there, Quillby, Asha speaking."), (C, "Hi Asha.")], "en", "voice", "passed"),
        # A greeting word, a familiar « ouais », a first name after "you're through to", "your …": nobody named.
        ([(A, "salut c'est noé"), (C, "bonjour")], "fr", "voice", "failed"),
        ([(A, "ouais allô c'est pour quoi"), (C, "bonjour c'est bien la piscine")], "fr", "voice", "failed"),
        ([(A, "hiya you're through to kirsty what can i do for you"), (C, "hi")], "en", "voice", "failed"),
        # … the formula's last word said again before the first name (raw speech starting over, v22).
        ([(A, "bonjour vous êtes en ligne avec euh avec margaux je vous écoute"), (C, "bonjour")], "fr", "voice", "failed"),
        ([(A, "hiya you're through to um to kirsty what can i do for you"), (C, "hi")], "en", "voice", "failed"),
        ([(A, "Hello, Tom here."), (C, "My sofa arrived with a torn cushion."), (A, "I'm sorry, so your sofa came damaged.")], "en", "chat", "failed"),
        # Capitalised words of one phrase in the agent's first turn: a proper name, the company's; not a person's full name,
        # and not a proper name said later (a product, a place).
        ([(A, "Bonjour Madame, Monsieur, Ateliers Gravelle Frères vous souhaitent la bienvenue."), (C, "Bonjour.")], "fr", "chat", "passed"),
        ([(A, "hey there, Blue Heron Kayaks, Jo here"), (C, "hi jo")], "en", "chat", "passed"),
        ([(A, "Bonjour, Solène Marchetti, responsable des admissions."), (C, "Bonjour.")], "fr", "chat", "failed"),
        ([(A, "Bonjour. Je suis Paul Durand, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "chat", "failed"),
        ([(A, "Hello, how can I help?"), (C, "I'd like to book a round."), (A, "Sure, the Old Course on Saturday?")], "en", "chat", "failed"),
        # A first name that is an ordinary word too still introduces the company in lower-case speech (« claire de la … »).
        ([(A, "bonjour c'est claire de la mutuelle horizon je vous écoute"), (C, "bonjour")], "fr", "voice", "passed"),
        # Hyphenated names holding « la », « en », « vous » are names, not a verb and its pronoun.
        ([(A, "Rendez-vous coiffure, bonjour, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "voice", "passed"),
        ([(A, "villeneuve-la-garenne automobiles bonjour"), (C, "bonjour")], "fr", "voice", "passed"),
        # A question or a bid to go on at pick-up names nobody: « Numéro de dossier ? », « oui allez-y », « racontez-moi ».
        ([(S, "Bienvenue sur le chat de Pneus Martin."), (A, "Numéro de dossier ?"), (C, "Bonjour, le 4471.")], "fr", "chat", "failed"),
        ([(A, "oui allez-y"), (C, "bonjour je voulais un rendez-vous")], "fr", "voice", "failed"),
        # « à votre service » offers help: it names no service, as « service clients » does.
        ([(A, "bonjour c'est inès à votre service racontez-moi"), (C, "bonjour")], "fr", "voice", "failed"),
        ([(A, "bonjour service clients c'est inès"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(S, "Welcome to the Harbour Dental chat."), (A, "Date of birth?"), (C, "12 May 1980.")], "en", "chat", "failed"),
        # "yeah", "yup" open a pick-up as "yes" does: no company.
        ([(A, "uh yeah kim here fire away"), (C, "hi")], "en", "voice", "failed"),
        # Lower-case speech after the customer's request: a first name then « de … » names no company (« le polo de votre garçon »).
        ([(A, "oui bonjour"), (C, "bonjour je voudrais échanger le polo de mon fils il est trop petit"),
          (A, "d'accord donc le polo de votre garçon contre la taille au-dessus")], "fr", "voice", "failed"),
        ([(A, "allô"), (C, "oui allô"), (A, "oui bonjour c'est léa de la mutuelle horizon")], "fr", "voice", "passed"),
        # « vous êtes en ligne avec » a company, not with someone; « salam » greets before the company as « bonjour » does.
        ([(A, "bonsoir vous êtes en ligne avec les ateliers kouassi menuiserie"), (C, "bonsoir")], "fr", "voice", "passed"),
        ([(A, "bonsoir vous êtes en ligne avec votre conseiller"), (C, "bonsoir")], "fr", "voice", "failed"),
        ([(A, "salam poterie du souss c'est pour quoi"), (C, "bonjour")], "fr", "voice", "passed"),
    ],
)
def test_organization_named_in_other_ways(turns, language, channel, expected):
    result = item(turns, "greeting.organization", language, channel=channel)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "text, language, company",
    [
        ("Bonjour, Léa de la Banque Lumio, que puis-je faire pour vous ?", "fr", "Banque Lumio"),
        ("bonjour zoé de l'agence oméga je vous écoute", "fr", "agence oméga"),
        ("hi sam from acme insurance how can i help", "en", "acme insurance"),
        ("Bonjour, Léa de la facturation, je vous écoute.", "fr", "facturation"),  # a service, in lower case
        ("Good morning, Will from Northwind Energy, how can I help?", "en", "Northwind Energy"),  # a name that is a function word too
    ],
)
def test_the_company_after_the_agents_name_is_the_evidence_without_the_name(text, language, company):
    result = item([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.organization", language)
    assert result.status == "passed" and result.evidence[0].text == company, result.reason


def test_a_first_name_at_pick_up_is_never_the_organisation():
    result = item([(A, "Ronan, bonjour, que puis-je faire pour vous ?"), (C, "Bonjour.")], "greeting.organization")
    assert result.status == "failed", result.reason
    result = item([(A, "tiphaine bonjour je vous écoute"), (C, "oui bonjour")], "greeting.organization")
    assert result.status == "failed", result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # First names joined by a hyphen make one, even where the dictionary knows each part (« rose », « claire »).
        ([(A, "mutuelle azur bonjour rose-marie"), (C, "oui bonjour")], "fr", "passed"),
        ([(A, "harbour lettings good morning you've got mary-rose"), (C, "hi")], "en", "passed"),
        # After the agent asked the customer's name, a name is the customer's or one of theirs (children, pets).
        ([(A, "Bonjour, crèche municipale."), (C, "Bonjour, c'est pour l'inscription."), (A, "Votre nom de famille ?"), (C, "Perrin."),
          (A, "Merci. Donc Lucie et Arthur, en septembre ?")], "fr", "failed"),
        ([(A, "Good morning, Hillside Stables."), (C, "Hi, it's about the riding lessons."), (A, "Can I take your last name?"), (C, "Doyle."),
          (A, "Thanks. So that's for Robin and Holly, every Tuesday?")], "en", "failed"),
        # A first name after « the » names a company; « ben » in French is « bien », never a name.
        ([(A, "Good afternoon, you're through to the Austin Motor Club, how can I help?"), (C, "Hi.")], "en", "failed"),
        ([(A, "oui allô"), (C, "bonjour j'appelle pour ma carte"), (A, "ben ouais faut la renouveler en ligne")], "fr", "failed"),
        # A title and a surname in a presenting phrase before the customer has spoken: the agent's own.
        ([(A, "Syndic Horizon bonjour, madame Ferrand à l'appareil."), (C, "Bonjour madame.")], "fr", "passed"),
        ([(A, "etude notariale bonjour ici maître vidal"), (C, "oui bonjour")], "fr", "passed"),
        ([(A, "Good morning, Kestrel Lettings, Mr Okafor speaking."), (C, "Morning.")], "en", "passed"),
        # An emoji ends a chat's sentence: the capital after it is no company's (« Salut 👋 Ici Maëlys de … »).
        ([(A, "Coucou 🌸 Ici Maëlys de Fleurs & Co ! Tu cherches quoi ?"), (C, "Bonjour, un bouquet.")], "fr", "passed"),
        ([(A, "Salut ❤️ Ici Maëlys, dis-moi tout."), (C, "Bonjour, un bouquet.")], "fr", "passed"),
        # A title and a name asked about, even before the customer speaks (an outbound call): the customer's.
        ([(A, "Bonjour, c'est madame Garnier ?"), (C, "Oui c'est moi.")], "fr", "failed"),
        # Once the customer has spoken, a title and a name are theirs (« c'est madame Garnier ? »).
        ([(C, "Allô ?"), (A, "Bonjour, c'est madame Garnier ?"), (C, "Oui c'est moi.")], "fr", "failed"),
        ([(C, "Hello?"), (A, "Hi, this is Mrs Hale? Calling about your boiler.")], "en", "failed"),
        # A first name followed by a third-person word is someone else's; « salam » greets, it names no one.
        ([(A, "atelier vélo bonjour"), (C, "bonjour je viens chercher mon vélo"), (A, "ah c'est noté c'est julie elle finit la roue ce soir")], "fr", "failed"),
        # … not an impersonal « il », nor "they".
        ([(A, "bonjour ici paul il me semble que vous avez appelé ce matin"), (C, "oui bonjour")], "fr", "passed"),
        ([(A, "Hi, it's Chloe, they asked me to call you back about your claim."), (C, "Oh hi.")], "en", "passed"),
        ([(A, "Bonjour, cabinet Lemoine, Thomas, lui-même, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "hello riverside kennels"), (C, "hi it's about the dog walker"), (A, "oh right that'll be priya she's off today")], "en", "failed"),
        ([(A, "salam bonjour garage du port c'est pour quoi"), (C, "bonjour pour une vidange")], "fr", "failed"),
        ([(A, "salam bonjour garage du port ici karim"), (C, "bonjour pour une vidange")], "fr", "passed"),
        # Words the first-name lexicon holds that name nobody here: « Ville de … », « hein », « asso », "ma", "dae".
        ([(A, "Ville de Saint-Malo, service des sports, bonjour."), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "oui c'est l'asso des jardins partagés hein"), (C, "bonjour")], "fr", "failed"),
        ([(A, "yes ma how can i help"), (C, "hi")], "en", "failed"),
        # v24: a name given before the customer's is asked in the same turn is the agent's; a first name before the surname
        # the agent said after a title is the customer's; a first name opening two capitalised words is a company's.
        ([(A, "kayak des gorges bonjour ici mathis c'est à quel nom"), (C, "oui euh madame ribot")], "fr", "passed"),
        ([(A, "Good morning, Alder Vets, my name is Tobias, could I take your name please?"), (C, "Hi, it's Ann Kerr.")], "en", "passed"),
        ([(A, "Caves du Fleuve, bonjour."), (C, "Bonjour, pour ma commande."), (A, "Monsieur Lachance ? Gérald Lachance, à Rimouski ?")], "fr", "failed"),
        ([(A, "Good afternoon, you're through to Morgan Valley Dairies."), (C, "Hi.")], "en", "failed"),
        ([(A, "Bonjour, Odile Ferrand-Lacoste, à votre écoute."), (C, "Bonjour.")], "fr", "passed"),
        # … nor surnames that are no ordinary words; a shop's name before the request is still no name; the company greeted
        # back is no name (a review's cases).
        ([(A, "Bonjour, Fatou Ndiaye Diop à l'appareil."), (C, "Bonjour.")], "fr", "passed"),
        ([(A, "Hello, this is Maria Garcia Lopez, how can I help?"), (C, "Hi.")], "en", "passed"),
        ([(A, "Pharmacie Durand bonjour, c'est à quel nom ?"), (C, "Madame Petit.")], "fr", "failed"),
        ([(A, "Bonjour, Enedis, je vous écoute."), (C, "Bonjour Enedis, j'ai une coupure.")], "fr", "failed"),
        # The customer greeting the agent by a word of their pick-up: the agent's name, one no lexicon holds too (v24) …
        ([(A, "kiln supplies ladoja speaking how can i help"), (C, "good morning ladoja i need a shelf for my kiln")], "en", "passed"),
        ([(A, "ateliers du verre bonjour ici tiémoko"), (C, "bonjour tiémoko c'est pour un devis")], "fr", "passed"),
        # … not an ordinary word, an affirmation, or a word the customer only repeats without greeting.
        ([(A, "kiln supplies sales team how can i help"), (C, "hello sales i need a shelf")], "en", "failed"),
        ([(A, "ouais la verrerie j'écoute"), (C, "salut ouais c'est pour un devis")], "fr", "failed"),
        ([(A, "kiln supplies ladoja how can i help"), (C, "i need a shelf ladoja said last week")], "en", "failed"),
        # "you're chatting with {name}", not a company's service.
        ([(A, "You're chatting with Oyelaran. What can I do for you?"), (C, "Hi.")], "en", "passed"),
        ([(A, "Hi, you're chatting with Crumbco customer care. What happened?"), (C, "Hi.")], "en", "failed"),
    ],
)
def test_agent_name_compounds_and_other_peoples_names(turns, language, expected):
    result = item(turns, "greeting.agent_name", language, seconds_per_turn=3)  # all in the opening's 20 s
    assert result.status == expected, result.reason



@pytest.mark.parametrize(
    "text, language, expected",
    [
        # Any greeting word counts, familiar ones included (their register is courtesy's business).
        ("Coucou, c'est Inès du magasin !", "fr", "passed"),
        ("salut tu appelles pour la réservation", "fr", "passed"),
        ("Hello ! Ici Basile.", "fr", "passed"),
        ("g'day you've got Mick at the depot", "en", "passed"),
        ("Howzit, Lerato here, what's the story?", "en", "passed"),
        ("Good day, Patel Opticians, how may I assist?", "en", "passed"),
        ("morning love what can i do for you", "en", "passed"),
        # The Ivorian « bonne arrivée » (v25).
        ("Bonne arrivée ! Que puis-je faire pour vous ?", "fr", "passed"),
        # Leave-taking is no greeting, nor a word that merely holds one.
        ("Your parcel left today, have a good day.", "en", "failed"),
        ("Votre salutaire patience est appréciée.", "fr", "failed"),
    ],
)
def test_salutation_is_any_greeting_word(text, language, expected):
    result = item([(A, text), (C, "oui" if language == "fr" else "yes")], "greeting.salutation", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, channel, expected",
    [
        # A title between pauses, function words inside; an ordinary-word first name beginning a name of ordinary words.
        ([(A, "Bonsoir, Le Grenier à Jouets, je vous écoute."), (C, "Bonsoir.")], "fr", "voice", "passed"),
        ([(A, "Bonjour, Rose Ciment, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "voice", "passed"),
        ([(A, "Hi, The Rusty Anchor, how can I help?"), (C, "Hi.")], "en", "voice", "passed"),
        # ASR contractions without their apostrophe, a lower-case word in cased text, a greeting word: no company.
        ([(A, "hiya whats up its kai"), (C, "hey")], "en", "voice", "failed"),
        ([(A, "heya hows things tom here"), (C, "hi")], "en", "voice", "failed"),
        ([(A, "Hello o, Bisi here, how far?"), (C, "Hello.")], "en", "voice", "failed"),
        ([(A, "Coucou ! Lison 🌸 dis-moi tout"), (C, "Bonjour")], "fr", "chat", "failed"),
        ([(A, "Hey! Nandi here 👋"), (C, "Hi, my order is late.")], "en", "chat", "failed"),
        ([(A, "Bonjour ! Anouk ici."), (C, "Bonjour.")], "fr", "chat", "failed"),
        # A formula written as ASR writes it.
        ([(A, "good afternoon youre through to fernhill vets accounts"), (C, "hi")], "en", "voice", "passed"),
        # "you've called …"; a possessive in lower-case speech; a long salutation first.
        ([(A, "hello you've called riverside boiler repairs how can we help"), (C, "hi")], "en", "voice", "passed"),
        ([(A, "Bonjour, vous avez appelé Domisol, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "voice", "passed"),
        ([(A, "Bonjour, vous êtes en relation avec Domisol, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "voice", "passed"),
        ([(A, "Bonjour, vous êtes en relation avec un conseiller, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "voice", "failed"),
        ([(A, "kelly's pet grooming what can i do for you"), (C, "hi")], "en", "voice", "passed"),
        ([(A, "a very good evening sunrise tours and travels how may i help"), (C, "hello")], "en", "voice", "passed"),
        # "you're now connected to …" (v25); a question or an address after the formula names nothing.
        ([(A, "hi you're now connected to brightwave fibre how can i help"), (C, "hello")], "en", "voice", "passed"),
        ([(A, "Hi, Claire speaking, so you're connected to the hotspot now"), (C, "yes")], "en", "voice", "failed"),
        ([(A, "Bonjour monsieur, Claire à l'appareil, vous êtes chez quel fournisseur d'électricité actuellement"), (C, "oui")], "fr", "voice", "failed"),
        ([(A, "Bonjour, Claire à l'appareil, vous êtes bien à l'adresse du 12 rue des Lilas"), (C, "oui")], "fr", "voice", "failed"),
        # « vous êtes chez … », « vous êtes bien aux … », « … à l'… » (v25); not « vous êtes au mouillage ».
        ([(A, "bonjour vous êtes chez les ânes du larzac je vous écoute"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "bonjour vous êtes bien aux jardins de la sauldre que puis-je faire pour vous"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "bonjour vous êtes bien à l'atelier des tilleuls que puis-je faire pour vous"), (C, "bonjour")], "fr", "voice", "passed"),
        ([(A, "bonjour"), (C, "bonjour je suis au mouillage à la pointe"), (A, "vous êtes au mouillage depuis quand")], "fr", "voice", "failed"),
        # After the customer's request (a bot opened the chat), the agent's first words answer it: no pick-up naming anyone.
        ([(S, "Bienvenue chez Domisol !"), (C, "Bonjour, ma chaudière fuit depuis ce matin."), (A, "Aïe, désolée pour ça. Depuis quand ?")], "fr", "chat", "failed"),
        ([(S, "Welcome to Riverside Boilers!"), (C, "Hi, my boiler is leaking since this morning."), (A, "Oof, sorry to hear that. Since when?")], "en", "chat", "failed"),
    ],
)
def test_organization_in_other_registers(turns, language, channel, expected):
    result = item(turns, "greeting.organization", language, channel=channel)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # A first name inside the company's name is not the agent's.
        ([(A, "Boulangerie Colette Fournil, je vous écoute."), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Location Utilitaires Girard, bonjour."), (C, "Bonjour, monsieur Girard ?")], "fr", "failed"),
        ([(A, "Bonjour, Rose Ciment, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Bonjour, accueil du réseau Léon'Bus, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Thanks for calling Maple Grace Pottery, how can I help?"), (C, "Hi.")], "en", "failed"),
        # "my name is X" gives X whatever X is; a name presented in the Indian English way; « X ici ».
        ([(A, "good afternoon my name is oluwaseun how may i help you"), (C, "good afternoon")], "en", "passed"),
        ([(A, "bonjour je m'appelle tsiory que puis-je faire pour vous"), (C, "bonjour")], "fr", "passed"),
        ([(A, "Greenfield Telecom, Ishaan this side."), (C, "Hello.")], "en", "passed"),
        ([(A, "Salut ! Mathis ici 😊"), (C, "Salut.")], "fr", "passed"),
        ([(A, "Good morning, Bramwell Insurance, my name is Grace Mason."), (C, "Morning.")], "en", "passed"),
    ],
)
def test_agent_name_against_company_names(turns, language, expected):
    result = item(turns, "greeting.agent_name", language, channel="chat")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Atelier Vélo Rapide, on t'écoute !", "fr", "passed"),
        ("Salut, ici Noa. Je t'aide ?", "fr", "passed"),
        ("Coucou, je peux t'aider ?", "fr", "passed"),
        # Short and curt invitations to state the request; « racontez-moi votre projet ».
        ("Gîtes du Vercors, bonjour, racontez-moi votre projet.", "fr", "passed"),
        ("garage des tilleuls oui c'est pour quoi", "fr", "passed"),
        ("Bonjour, Cave Saint-Roch, que souhaitez-vous ?", "fr", "passed"),
        ("oui allez-y", "fr", "passed"),
        ("Marina desk, fire away.", "en", "passed"),
        ("hiya thistle tyres what's going on", "en", "passed"),
        # « toute ouïe » in the feminine; « que puis-je pour votre service »; "go ahead" closing the pick-up, not asking for data.
        ("Bonjour, Ruchers du Morvan, Léna, je suis toute ouïe.", "fr", "passed"),
        ("salle des fêtes de saint-hilaire bonjour que puis-je pour votre service", "fr", "passed"),
        # The same words about the agent's own task, or « allez-y » inside a request for data.
        ("Hello, Thistle Tyres, let me check what's going on with the booking system.", "en", "failed"),
        ("Pneus Martin, allez-y, je note votre immatriculation.", "fr", "failed"),
        # Helping with a named task is no offer to hear the request.
        ("Bonjour, je vous aide à remplir le formulaire de retour.", "fr", "failed"),
        # Inviting the customer's questions (« je suis là pour répondre à vos questions », « posez-moi votre question »),
        # "go for it" closing a short pick-up.
        ("Bonsoir, Atelier Kiln, je suis là pour répondre à vos questions.", "fr", "passed"),
        ("Salut, c'est Maé ! Envoie-moi ta question 🙂", "fr", "passed"),
        ("rivermead archery range go for it", "en", "passed"),
        ("Good morning, Harbour Tyres, your registration please.", "en", "failed"),
        # "whatcha after", "what can I do ye for", "go ahead" after a long pick-up (v25).
        ("hiya kestrel kites whatcha after", "en", "passed"),
        # « à votre service » before the agent's next sentence; Québec « pour toé » (v25).
        ("Bonjour ! Yann, à votre service. Je regarde ça avec vous.", "fr", "passed"),
        ("allô les serres gagnon qu'est-ce que je peux faire pour toé", "fr", "passed"),
        ("Morning, Tollgate Tiles, what can I do ye for?", "en", "passed"),
        ("westfield aquatic centre bookings line sam on the line go ahead", "en", "passed"),
        ("westfield aquatic centre bookings line go ahead and read me your card number", "en", "failed"),
    ],
)
def test_offer_help_in_the_familiar_register(text, language, expected):
    result = item([(A, text), (C, "ok")], "greeting.offer_help", language, channel="chat")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "opening, language",
    [("Bonsoir Madame Diallo, je suis là pour vous aider.", "fr"), ("Hi Tom, I'm here to help.", "en")],
)
def test_being_there_to_help_offers_it(opening, language):
    customer = (C, "Bonsoir, ma commande 4471 est incomplète, il manque la bâche.") if language == "fr" else (C, "Hi, order 4471 came without the cover.")
    result = item([customer, (A, opening)], "greeting.offer_help", language, channel="chat")
    assert result.status == "passed", result.reason


@pytest.mark.parametrize(
    "opening, language, expected",
    [
        # An invitation to speak at pick-up offers help (« allez-y », "go ahead", "what would you like a hand with?") …
        ("garage des tilleuls bonjour allez-y", "fr", "passed"),
        ("Hello, Dunmore Bikes. What can we give you a hand with?", "en", "passed"),
        ("north shore plumbing emergency line go ahead", "en", "passed"),
        # … not the go-ahead given.
        ("Hello, Dunmore Bikes, we got the go ahead from the council for the new shop.", "en", "failed"),
        ("Dunmore Bikes, go ahead and spell your surname for me.", "en", "failed"),
        ("Il me faut d'abord votre numéro de contrat, allez-y", "fr", "failed"),
        ("I'll need your account number first, go ahead", "en", "failed"),
        ("Votre identifiant, allez-y.", "fr", "failed"),
        ("Your account number, go ahead.", "en", "failed"),
        ("Dunmore Bikes, we're short a hand with the van today.", "en", "failed"),
        # « à vous la parole », « vas-y raconte » closing the pick-up (v23).
        ("boulangerie du port bonjour à vous la parole", "fr", "passed"),
        ("ouais salut c'est la cave vas-y raconte", "fr", "passed"),
        ("Garage du Port, bonjour. Allez-y, racontez-moi ça.", "fr", "passed"),
        ("Oui, parlez, je vous écoute.", "fr", "passed"),
        ("Allô ? Parlez plus fort, je vous entends mal.", "fr", "failed"),
    ],
)
def test_an_invitation_to_speak_offers_help(opening, language, expected):
    customer = (C, "bonjour") if language == "fr" else (C, "hi")
    assert status([(A, opening), customer], "greeting.offer_help", language) == expected


@pytest.mark.parametrize(
    "turns, language, item_id, expected",
    [
        # « X je vous écoute »: the agent's first name in lower-case speech; a company fills the slot as often (« Reliure Dorée »,
        # « serrurerie julien chauffage »), so an ordinary word there is no name.
        ([(A, "la cave des coteaux euh joseph je vous écoute"), (C, "bonjour")], "fr", "agent_name", "passed"),
        ([(A, "Bonjour, Reliure Dorée, je vous écoute !"), (C, "Bonjour.")], "fr", "agent_name", "failed"),
        ([(A, "plomberie julien chauffage je vous écoute"), (C, "bonjour")], "fr", "agent_name", "failed"),
        # A company beginning with an article, closed by the agent's first name, at pick-up; a place or a team is none.
        ([(A, "la cave des coteaux euh joseph je vous écoute"), (C, "bonjour")], "fr", "organization", "passed"),
        ([(A, "l'accueil nadia bonjour"), (C, "bonjour")], "fr", "organization", "failed"),
        # "you've rung" introduces the company; a person presenting themselves with "speaking" is no company.
        ([(A, "morning you've rung the kite shed what can i do for you"), (C, "hi")], "en", "organization", "passed"),
        ([(A, "Good afternoon, Harriet Penrose speaking. How can I help?"), (C, "Hi.")], "en", "organization", "failed"),
        # A modal "may" written in lower case is no first name joined to a company ("may at the Board's discretion").
        ([(A, "Hello! What can I do for you?"), (C, "Can I get a refund?"), (A, "Refunds may at the Board's discretion be granted within 14 days.")],
         "en", "organization", "failed"),
        # The South African "ja" (yes) is nobody's name.
        ([(A, "Hey there! What can I do for you?"), (C, "Is the pool heated?"), (A, "Ja, it runs on solar.")], "en", "agent_name", "failed"),
    ],
)
def test_name_slots_a_company_fills_too(turns, language, item_id, expected):
    result = item(turns, f"greeting.{item_id}", language, "chat" if turns[0][1][:1].isupper() else "voice")
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "opening, language",
    [
        ("Ahlan, bonjour, ici Karim, je vous écoute.", "fr"),
        ("Akwaba ! Vous êtes chez Tissages du Plateau, que puis-je pour vous ?", "fr"),
        ("magandang umaga this is jomar from the dive shop how can i help", "en"),
    ],
)
def test_greetings_of_other_languages_greet_and_name_nothing(opening, language):
    turns = [(A, opening), (C, "bonjour" if language == "fr" else "hi")]
    assert status(turns, "greeting.salutation", language) == "passed"
    greeting = opening.split()[0].strip(",!").lower()
    for item_id in ("organization", "agent_name"):
        result = item(turns, f"greeting.{item_id}", language)
        assert greeting not in result.reason.lower(), result.reason


@pytest.mark.parametrize(
    "turns, language, item_id, expected",
    [
        # "Kia" opens the greeting « kia ora », no one's name; "you've rung twice" names no company.
        ([(A, "Kia ora, good morning, how can I help?"), (C, "Hi.")], "en", "agent_name", "failed"),
        ([(A, "Hello, how can I help?"), (C, "It's about my check-up."), (A, "I see you've rung twice this week about the check-up.")], "en", "organization", "failed"),
    ],
)
def test_greeting_words_in_other_senses(turns, language, item_id, expected):
    result = item(turns, f"greeting.{item_id}", language)
    assert result.status == expected, result.reason


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # A formula leading to a name that does not come names no one; "I support" is a verb.
        ([(A, "hiya thanks for calling what are we celebrating"), (C, "a birthday")], "en", "failed"),
        ([(A, "Hello!"), (C, "Hi, my order is late."), (A, "Thank you for contacting us. Rahul here. Your order number, please?")], "en", "failed"),
        ([(A, "Bonjour, vous avez appelé, que puis-je faire pour vous ?"), (C, "Bonjour.")], "fr", "failed"),
        ([(A, "Hello, how can I help?"), (C, "Is the charger compatible?"), (A, "I support that model, yes, it's compatible.")], "en", "failed"),
        # … and one that is followed by the name does.
        ([(A, "hiya thanks for calling the kite shed what can i do for you"), (C, "hi")], "en", "passed"),
        ([(A, "good morning you're through to give blood appointments how can i help"), (C, "hi")], "en", "passed"),
    ],
)
def test_a_formula_needs_the_name_it_leads_to(turns, language, expected):
    result = item(turns, "greeting.organization", language)
    assert result.status == expected, result.reason


def test_an_unknown_name_opening_a_presenting_sentence_past_the_pick_up():
    # "Thandi speaking." after the company's welcome: a name no lexicon holds, in a slot a company seldom fills; at pick-up
    # the same slot may hold the company ("Acme speaking").
    named = [(A, "Hi there, welcome to the Harbour Tool Library! Thandi speaking. What can I do for you?"), (C, "Hi.")]
    assert status(named, "greeting.agent_name", "en", channel="chat") == "passed"
    company = [(A, "Hello! Brightwaters speaking. What can I do for you?"), (C, "Hi.")]
    assert status(company, "greeting.agent_name", "en", channel="chat") == "failed"


@pytest.mark.parametrize(
    "turns, language, expected",
    [
        # The words after a formula's lead (`not_led`) are not the pick-up's: "fire safety direct" is a company.
        ([(A, "fire safety direct good morning dana speaking"), (C, "hi")], "en", "passed"),
        ([(A, "Hello, thanks for calling, my name is Dana, how can I help?"), (C, "Hi.")], "en", "failed"),
    ],
)
def test_not_led_words_stay_with_the_formula(turns, language, expected):
    result = item(turns, "greeting.organization", language)
    assert result.status == expected, result.reason
