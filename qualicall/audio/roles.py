"""Which speaker is the agent, from what each says at the start of the call.

An agent opens a contact-centre call in a recognisable way: a greeting, the
company or service's name introduced (« vous êtes bien chez », "thank you
for calling"), their own name as a presenter (« X à votre écoute », "this
is X speaking"), an offer of help (« que puis-je faire pour vous », "how can
I help"). The customer states a problem or asks a question. Each speaker's
opening (first 30 s of their speech, at most 60 words) is scored with weighted
cues; the agent is the higher score, and the confidence says by how much.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OPENING_SECONDS = 30.0
OPENING_WORDS = 60
GREETING_WEIGHT = 0.5  # a greeting alone weighs little: customers greet too

# A service's name is an agent's cue where the speaker names it ("Northwind customer service, hello"), not where
# a caller refers to it: asks whether they reached it ("is that customer service?") or says they went or spoke
# to it ("I was at the customer service", « j'ai appelé le service client »). Fixed-width look-behinds, one a word.
_NAMED = "".join(rf"(?<!\b{words} )" for words in ("the", "at", "to", "is this", "is that", "is it", "le", "au"))

# (pattern on accent-folded lower-case text, weight). Offers of help and service
# introductions are what customers do not say; greetings alone weigh little.
AGENT_CUES: list[tuple[str, float]] = [
    # French
    (r"\b(que|comment) (puis|peux)[ -]je (faire pour )?vous (aider|etre utile)", 3.0),
    (r"\bqu'?est[ -]ce que je peux faire pour vous\b", 3.0),
    (r"\ba votre (ecoute|service|disposition)\b", 3.0),
    (r"\bvous etes (bien )?(chez|au|a la|sur)\b", 3.0),
    (_NAMED + r"\b(service|centre|equipe) (client|clientele|relation|commercial|technique|abonnes?)\b", 2.0),
    (r"\bje (suis|m'appelle) \w+,? (votre )?(conseill|agent|charge)", 2.0),
    (r"\b(bienvenue|merci (de|d'avoir) (votre appel|appele|patiente))\b", 2.0),
    (r"\bje vous (ecoute|mets en attente)\b", 2.0),
    (r"\b(bonjour|bonsoir|allo)\b", GREETING_WEIGHT),
    # English
    (r"\bhow (can|may|might) i (help|assist)\b", 3.0),
    (r"\b(can|may) i (help|assist) you\b", 2.5),
    (r"\bwhat can i do for you\b", 3.0),
    (r"\b(thank you|thanks) for (calling|contacting|holding|waiting)\b", 3.0),
    (r"\byou'?ve reached\b", 3.0),
    (r"\b(this is|my name is|i'?m) \w+,? (speaking|from|with|at)\b", 2.0),
    (r"\b\w+ speaking\b", 1.5),
    (_NAMED + r"\b(customer (service|care|support)|help ?desk|support team)\b", 2.0),
    (r"\bwelcome to\b", 2.0),
    (r"\b(hello|hi|good (morning|afternoon|evening))\b", GREETING_WEIGHT),
]
# What a caller says when opening: a need or a problem.
CUSTOMER_CUES: list[tuple[str, float]] = [
    (r"\bj'?(appelle|aimerais|voudrais|ai un probleme)\b", 1.5),
    (r"\bje (voudrais|souhaiterais|souhaite|cherche|n'arrive pas)\b", 1.5),
    (r"\bma (facture|commande|carte|ligne|livraison)\b", 1.0),
    (r"\bi'?m (calling|looking|trying|having)\b", 1.5),
    (r"\bi (would like|'d like|want|need) (to|a|an)\b", 1.5),
    (r"\bmy (bill|order|card|account|booking|delivery)\b", 1.0),
    (r"\b(can|could) you (help|tell|book|find|check)\b", 1.0),
]
_AGENT = [(re.compile(p), w) for p, w in AGENT_CUES]
_CUSTOMER = [(re.compile(p), w) for p, w in CUSTOMER_CUES]


def fold(text: str) -> str:
    """Lower case without accents, apostrophes unified, for cue matching."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def agent_cue_score(opening: str) -> float:
    """How much `opening` sounds like an agent's: agent cues minus customer cues."""
    folded = fold(opening)
    agent = sum(w for pattern, w in _AGENT if pattern.search(folded))
    customer = sum(w for pattern, w in _CUSTOMER if pattern.search(folded))
    return agent - customer


@dataclass
class RoleDecision:
    agent: int  # index of the agent among the speakers given
    confidence: float  # 0.5 (a guess) to 1.0
    scores: list[float]
    reason: str


def decide_agent(openings: list[str], first_speaker: int | None = None) -> RoleDecision:
    """The agent among two speakers from their openings; `first_speaker` breaks ties (agents usually speak first)."""
    scores = [round(agent_cue_score(text), 2) for text in openings]
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    best, other = ranked[0], ranked[1] if len(ranked) > 1 else None
    margin = scores[best] - (scores[other] if other is not None else 0.0)
    # A greeting is said by both parties: a margin of no more than one greeting does not overturn who spoke first
    # (on a garbled opening, a "bonjour" heard on one channel and not on the other decided it).
    if margin <= 0 or (margin <= GREETING_WEIGHT and first_speaker is not None and first_speaker != best):
        agent = first_speaker if first_speaker is not None else 0
        return RoleDecision(agent, 0.55 if first_speaker is not None else 0.5, scores, "no opening cue tells the speakers apart: the first to speak is taken as the agent")
    # A margin of one strong cue (3) gives 0.85; two or more give 0.95 and above.
    confidence = round(min(0.99, 0.5 + 0.5 * (1 - 0.5 ** (margin / 1.5))), 2)
    if first_speaker is not None and first_speaker != best:
        confidence = round(max(0.5, confidence - 0.1), 2)
    return RoleDecision(best, confidence, scores, f"opening cues score {scores[best]} against {scores[other] if other is not None else 0.0}")
