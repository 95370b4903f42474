"""A call with personal data planted in it, and a check that none of it is in an output (shared by the privacy tests)."""

from __future__ import annotations

import re

# Invented values, planted in a call: a Luhn-valid card, an IBAN with a valid key, a phone, names.
PLANTED = {
    "card": "quatre cinq trois neuf, euh, un quatre huit huit, zéro trois quatre trois, six quatre six sept",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "phone": "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
    "email": "claire point fontaine arobase free point fr",
    "customer": "Fontaine",
    "agent": "Julie",
}


def planted_interaction() -> dict:
    turns = [
        ("agent", "Énergie Plus bonjour, je m'appelle Julie, en quoi puis-je vous aider ?"),
        ("customer", "Bonjour, Claire Fontaine, je voudrais régler ma facture par carte."),
        ("agent", "Très bien madame Fontaine, je vous écoute pour le numéro de la carte."),
        ("customer", f"Alors c'est {PLANTED['card']}."),
        ("agent", "Merci. Et pour le prélèvement, votre IBAN ?"),
        ("customer", f"C'est {PLANTED['iban']}, et mon portable c'est le {PLANTED['phone']}."),
        ("agent", "Et votre adresse e-mail pour le reçu ?"),
        ("customer", f"{PLANTED['email']}"),
        ("agent", "Donc je récapitule : le paiement est enregistré et le reçu part par e-mail. Avez-vous d'autres questions ? Merci de votre appel, au revoir."),
    ]
    return {
        "id": "privacy-1",
        "language": "fr",
        "customer_name": "Claire Fontaine",
        "turns": [{"speaker": s, "text": t, "start": i * 5.0, "end": i * 5.0 + 4.5} for i, (s, t) in enumerate(turns)],
    }


# The card in digits, as a normaliser turning its words into numbers would write it: its first eight digits,
# grouped or not. Four digits alone ("4539") also turn up in the stored results' floats (a similarity of
# 0.45391…), which made the store's check fail now and then with nothing leaked.
CARD_DIGITS = re.compile(r"(?<![\d.])4539[ -]?1488")


def leaks(output: str) -> list[str]:
    folded = output.lower()
    found = [name for name, value in PLANTED.items() if value.lower() in folded]
    return found + ["card digits"] * bool(CARD_DIGITS.search(folded))
