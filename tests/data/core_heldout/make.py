"""Writes tests/data/core_heldout/: held-out conversations (sectors and phrasings not in the dev set)."""
import json
from pathlib import Path

ITEMS = {
    "greeting": ["salutation", "organization", "agent_name", "offer_help"],
    "comprehensible_language": ["readability", "no_jargon", "positive_wording", "courtesy"],
    "reformulation": ["restates_need", "checks_understanding"],
    "closing": ["recap", "other_needs", "thanks", "farewell"],
}
A, C, S = "agent", "customer", "system"
CALLS = [
 ("heldout-fr-01", "fr", "voice", "water utility, ASR", [
  (A, "eaux du grand lyon bonjour je m'appelle sophie que puis-je faire pour vous"),
  (C, "oui bonjour euh j'ai une fuite sur le compteur devant la maison ça coule sur le trottoir depuis ce matin"),
  (A, "d'accord si je comprends bien il y a une fuite au niveau de votre compteur d'eau et l'eau coule sur le trottoir depuis ce matin c'est bien ça"),
  (C, "oui c'est ça"),
  (A, "est-ce que vous pouvez me donner l'adresse s'il vous plaît"),
  (C, "douze rue des lilas à villeurbanne"),
  (A, "merci je crée une intervention urgente un technicien passera cet après-midi entre quatorze et dix-sept heures"),
  (C, "d'accord et je dois être là"),
  (A, "non ce n'est pas nécessaire le compteur est accessible depuis la rue"),
  (C, "très bien"),
  (A, "alors je récapitule un technicien vient cet après-midi entre quatorze et dix-sept heures pour réparer la fuite avez-vous d'autres questions"),
  (C, "non merci"),
  (A, "merci de votre appel et bonne journée madame"),
 ], {}),
 ("heldout-fr-02", "fr", "voice", "radiology centre, clean: no greeting, customer's name, jargon, banned formula", [
  (A, "Cabinet de radiologie Saint-Michel. Vous êtes bien monsieur Roussel ?"),
  (C, "Oui, bonjour, c'est moi. Je vous rappelle pour mon examen du genou."),
  (A, "Votre examen est prévu jeudi à 9 heures. Votre dossier est passé en PEC, apportez votre ordonnance."),
  (C, "Je ne pourrai pas jeudi, je travaille. Est-ce possible de décaler à la semaine prochaine ?"),
  (A, "Pas de problème. J'ai un créneau mardi à 18 h 30."),
  (C, "Parfait, je prends."),
  (A, "C'est noté."),
  (C, "Merci beaucoup."),
  (A, "Je vous en prie. Au revoir, monsieur Roussel."),
 ], {"salutation": "failed", "agent_name": "failed", "offer_help": "failed", "no_jargon": "failed", "positive_wording": "failed",
     "restates_need": "failed", "checks_understanding": "failed", "recap": "failed", "other_needs": "failed", "thanks": "failed"}),
 ("heldout-fr-03", "fr", "chat", "car rental chat: bot welcome, agent never greets, company after the role", [
  (S, "Bienvenue sur le chat de Rentao. Un conseiller va vous répondre."),
  (C, "bonjour"),
  (A, "Je suis Inès, conseillère Rentao. Que puis-je faire pour vous ?"),
  (C, "j’ai réservé une voiture pour samedi à l’aéroport de Nantes mais mon vol arrive avec trois heures de retard"),
  (A, "Vous craignez donc que l’agence de l’aéroport soit fermée à votre arrivée samedi, à cause du retard de votre vol. C’est bien ça ?"),
  (C, "oui exactement"),
  (A, "L’agence ferme à 23 h. Je note votre nouvelle heure d’arrivée : un agent vous attendra au comptoir jusqu’à votre arrivée."),
  (C, "super merci"),
  (A, "Je vous en prie. Donc votre voiture reste réservée pour samedi, et l’agent du comptoir vous attendra jusqu’à votre arrivée. Avez-vous une autre question ?"),
  (C, "non c’est tout"),
  (A, "Merci d’avoir choisi Rentao et bon séjour à Nantes !"),
  (S, "La conversation est terminée."),
 ], {"salutation": "failed"}),
 ("heldout-fr-04", "fr", "voice", "internet provider, ASR: « tu », familiar words, line drops", [
  (A, "allô télécom plus bonjour kevin à l'appareil"),
  (C, "ouais salut j'ai plus internet depuis hier soir"),
  (A, "ok tu peux redémarrer ta box"),
  (C, "je l'ai déjà fait deux fois"),
  (A, "bon ben je vois un incident sur ton secteur c'est en cours de réparation"),
  (C, "et ça va durer combien de temps"),
  (A, "normalement ce soir mais euh je sais pas trop"),
  (C, "allô vous m'entendez allô"),
 ], {"offer_help": "failed", "courtesy": "failed", "positive_wording": "failed", "restates_need": "failed", "checks_understanding": "failed",
     "recap": "not_applicable", "other_needs": "not_applicable", "thanks": "not_applicable", "farewell": "not_applicable"}),
 ("heldout-en-01", "en", "voice", "energy supplier, clean: clear pass, acronym explained", [
  (A, "Good afternoon, Northgate Energy, you're speaking with Rachel. What can I do for you today?"),
  (C, "Hi Rachel. I've just moved into a new flat and I want to set up an account for the gas and electricity."),
  (A, "Welcome to your new home! So you'd like to open a new account for gas and electricity at your new flat. Is that right?"),
  (C, "Yes, that's it."),
  (A, "Could you read me the MPAN, that's the meter point number at the top of the electricity meter, please?"),
  (C, "It's 12 3456 7890 123."),
  (A, "Thank you. I've set up your account from today. You'll get a welcome pack by email within 24 hours, with your tariff and your first payment date."),
  (C, "Great."),
  (A, "Please send us a meter reading in your first week, through the app. Does that make sense?"),
  (C, "Yes, that makes sense."),
  (A, "So, your account starts today, the welcome pack arrives by email within a day, and you'll send a first meter reading this week. Is there anything else I can help you with?"),
  (C, "No, that's all, thanks."),
  (A, "Thanks for calling Northgate Energy. Have a great evening!"),
 ], {}),
 ("heldout-en-02", "en", "voice", "IT helpdesk, ASR: no greeting, formula followed by a solution, familiar register", [
  (A, "it support desk"),
  (C, "hi yeah my laptop won't connect to the vpn since this morning"),
  (A, "did you reboot it"),
  (C, "yes twice"),
  (A, "ok so you need to clear the cache in the client settings then log in again"),
  (C, "how do i do that"),
  (A, "settings advanced clear cache it's in the menu i don't know what else to tell you"),
  (C, "okay i'll try"),
  (A, "yeah whatever raise a ticket if it still fails"),
  (C, "fine bye"),
  (A, "bye"),
 ], {"salutation": "failed", "agent_name": "failed", "offer_help": "failed", "positive_wording": "failed", "courtesy": "failed",
     "restates_need": "failed", "checks_understanding": "failed", "recap": "failed", "other_needs": "failed", "thanks": "failed"}),
 ("heldout-en-03", "en", "voice", "travel insurance, clean: customer's name, recap only mid-call, unexplained acronym", [
  (A, "Hello, Bluewave Travel Insurance. Am I speaking with Mr Hughes?"),
  (C, "Yes, speaking. Hello."),
  (A, "Thank you, Mr Hughes. How can I help you today?"),
  (C, "My flight to Lisbon was cancelled yesterday and I had to pay for a hotel. I'd like to claim the cost back."),
  (A, "I'm sorry about that. Just to confirm, your flight to Lisbon was cancelled yesterday, you paid for a hotel night, and you want to claim that cost. Have I got that right?"),
  (C, "Yes, exactly."),
  (A, "To recap: I've opened your claim, and I'll need the hotel receipt and the airline's cancellation email. Please also send your PNR."),
  (C, "My what?"),
  (A, "It's on your booking confirmation, near the top of the page."),
  (C, "Okay. And while I have you, does my policy cover my wife's skiing trip in March? She's going with her sister and they'll be away for ten days in the Alps."),
  (A, "Yes, winter sports are included in your family policy. Your wife is covered for the whole trip, with no extra charge, and her equipment is covered too."),
  (C, "Brilliant. That's everything."),
  (A, "Thank you for calling, Mr Hughes. Goodbye."),
 ], {"agent_name": "failed", "no_jargon": "failed", "recap": "failed", "other_needs": "failed"}),
 ("heldout-en-04", "en", "chat", "online shop chat: bot welcome, customer leaves", [
  (S, "Welcome to ShopNow support! An agent will join shortly."),
  (C, "hello"),
  (A, "Hi, Jake from ShopNow here. How can I help?"),
  (C, "my order 55812 says delivered but the box is empty"),
  (A, "I'm really sorry. So you received the parcel for order 55812, but the box was empty. Is that correct?"),
  (C, "yes"),
  (A, "Could you send me a photo of the box and the label, please?"),
  (C, "sent"),
  (A, "Thank you. I can see the photo. I'm checking with the warehouse now."),
  (S, "The customer has left the chat."),
 ], {"recap": "not_applicable", "other_needs": "not_applicable", "thanks": "not_applicable", "farewell": "not_applicable"}),
]

out = Path(__file__).parent
lines, labels = [], {}
for cid, language, channel, about, turns, overrides in CALLS:
    clock, rows = 0.5, []
    for speaker, text in turns:
        row = {"speaker": speaker, "text": text}
        if channel == "voice":
            seconds = round(len(text.split()) / 2.5, 1)
            row.update(start=round(clock, 1), end=round(clock + seconds, 1))
            clock += seconds + 0.6
        rows.append(row)
    lines.append(json.dumps({"id": cid, "channel": channel, "language": language, "meta": {"about": about}, "turns": rows}, ensure_ascii=False))
    labels[cid] = {c: {i: {"status": overrides.get(i, "passed")} for i in items} for c, items in ITEMS.items()}
(out / "interactions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
(out / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
