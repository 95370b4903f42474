#!/usr/bin/env python3
"""Generate a realistic month of contacts for `qualicall report` (synthetic: no real person).

    python examples/generate_month.py --interactions month.jsonl            # interactions only
    python examples/generate_month.py --results month-results.jsonl         # scored results
    qualicall report month-results.jsonl --by agent --period week --format html -o month.html
    python examples/generate_month.py --planted-results planted.jsonl       # results with planted effects on CSAT
    qualicall report planted.jsonl --drivers                                # ... which the drivers report finds

November 2026, weekdays 8:30–18:00: eight agents in four teams answer voice
calls, chats and e-mails (French, and English for the international queue).
Agents differ in how complete their greeting, reformulation and closing are;
the third week has an incident (long waits, more abandons, an e-mail backlog);
about a third of the contacts answer a survey. Seeded: the same seed gives the
same month.

`--planted-results` writes results directly (no transcript, no scoring), with
customer signals, sentiment, written complaints and the conditional
`complaint_handling` criterion, where every item verdict and signal is drawn
independently and the survey answers depend on them by known amounts
(`PLANTED`): a test of the satisfaction drivers, and a month to look at.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

PARIS = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    team: str
    queue: str
    channel: str
    language: str
    skill: float  # chance of saying each expected phrase of the grid


AGENTS = [
    Agent("A-101", "Julie", "facturation", "particuliers", "voice", "fr", 0.95),
    Agent("A-102", "Marc", "facturation", "particuliers", "voice", "fr", 0.8),
    Agent("A-103", "Nadia", "facturation", "professionnels", "voice", "fr", 0.6),
    Agent("A-201", "Sophie", "déménagement", "particuliers", "voice", "fr", 0.9),
    Agent("A-202", "Thomas", "déménagement", "professionnels", "voice", "fr", 0.7),
    Agent("A-301", "Léa", "digital", "chat", "chat", "fr", 0.85),
    Agent("A-302", "Hugo", "digital", "email", "email", "fr", 0.8),
    Agent("A-401", "Emma", "international", "international", "voice", "en", 0.85),
]

NEEDS = {
    "fr": [
        ("Ma facture de novembre est deux fois plus élevée que d'habitude.", "comprendre pourquoi votre facture de novembre a doublé",
         "Votre dernier relevé était une estimation ; je la corrige avec l'index réel.", "la facture est recalculée avec l'index réel et vous recevez un avoir sous cinq jours"),
        ("Je déménage à Lyon le mois prochain et je voudrais transférer mon contrat.", "transférer votre contrat à votre nouvelle adresse à Lyon",
         "Je programme l'arrêt ici et la mise en service à Lyon au premier du mois.", "le contrat est transféré au premier du mois et vous recevez la confirmation par courriel"),
        ("Je n'arrive pas à me connecter à mon espace client.", "retrouver l'accès à votre espace client",
         "Je vous envoie un lien pour choisir un nouveau mot de passe.", "un lien de réinitialisation vous est envoyé par courriel, valable une heure"),
        ("Je voudrais passer à la mensualisation pour mes paiements.", "payer chaque mois plutôt qu'à chaque facture",
         "Je mets en place douze mensualités à partir du mois prochain.", "vos mensualités commencent le mois prochain, le cinq de chaque mois"),
    ],
    "en": [
        ("My November bill is twice as high as usual.", "understand why your November bill doubled",
         "Your last reading was an estimate; I am correcting it with the real meter reading.", "the bill is recalculated and you will get a credit within five days"),
        ("I'm moving to Leeds next month and want to move my contract.", "move your contract to your new address in Leeds",
         "I am scheduling the end of supply here and the start in Leeds on the first.", "the contract moves on the first of the month and you get an e-mail confirmation"),
        ("I can't log in to my online account.", "get back into your online account",
         "I am sending you a link to choose a new password.", "a reset link is on its way by e-mail and works for one hour"),
    ],
}

PHRASES = {
    "fr": {
        "salutation": "Bonjour", "organization": "Énergie Plus, service clients", "name": "{name} à votre écoute",
        "offer": "que puis-je faire pour vous ?", "restate": "Si je comprends bien, vous souhaitez {need}.",
        "check": "C'est bien cela ?", "yes": "Oui, c'est ça.", "ask": "Pouvez-vous me donner votre numéro de client, s'il vous plaît ?",
        "ask_rude": "Donnez-moi votre numéro de client.", "number": "Oui, c'est le 4 5 8 2 1 7.",
        "jargon": "Je regarde votre PDL dans le SGE, le TURPE est appliqué sur l'option CU4.",
        "negative": "Ça, ce n'est pas possible, je ne peux rien faire de plus.",
        "recap": "Je récapitule : {recap}.", "other": "Avez-vous d'autres questions ?", "no": "Non, c'est tout, merci.",
        "thanks": "Merci de votre appel", "farewell": "bonne journée, au revoir !", "bye": "Au revoir.",
        "mail_open": "Bonjour Madame,", "mail_sign": "Cordialement,\n{name}, service clients Énergie Plus",
    },
    "en": {
        "salutation": "Good morning", "organization": "Power Plus customer service", "name": "this is {name} speaking",
        "offer": "how can I help you today?", "restate": "If I understand correctly, you want to {need}.",
        "check": "Is that right?", "yes": "Yes, that's right.", "ask": "Could you give me your customer number, please?",
        "ask_rude": "Give me your customer number.", "number": "Sure, it's 4 5 8 2 1 7.",
        "jargon": "I'm checking your MPAN in the DCC portal, the TNUoS charge is on profile class 3.",
        "negative": "That's not possible, there's nothing more I can do.",
        "recap": "To sum up: {recap}.", "other": "Is there anything else I can help you with?", "no": "No, that's all, thanks.",
        "thanks": "Thank you for calling", "farewell": "have a nice day, goodbye!", "bye": "Goodbye.",
        "mail_open": "Dear Madam,", "mail_sign": "Kind regards,\n{name}, Power Plus customer service",
    },
}


def _said(rng: random.Random, agent: Agent) -> bool:
    return rng.random() < agent.skill


def conversation(rng: random.Random, agent: Agent) -> list[tuple[str, str]]:
    """The (speaker, text) turns of one contact: each phrase of the grid said with the agent's skill."""
    p = PHRASES[agent.language]
    problem, need, action, recap = rng.choice(NEEDS[agent.language])
    opening = [p[k].format(name=agent.name) for k in ("salutation", "organization", "name", "offer") if _said(rng, agent)]
    turns = [("agent", ", ".join(opening).capitalize() or p["salutation"]), ("customer", f"{p['salutation']}. {problem}")]
    reform = [p[k].format(need=need) for k in ("restate", "check") if _said(rng, agent)]
    if reform:
        turns += [("agent", " ".join(reform)), ("customer", p["yes"])]
    turns += [("agent", p["ask"] if _said(rng, agent) else p["ask_rude"]), ("customer", p["number"])]
    middle = [action]
    if not _said(rng, agent):
        middle.append(p["jargon"])
    if rng.random() > agent.skill + 0.1:
        middle.append(p["negative"])
    turns.append(("agent", " ".join(middle)))
    closing = [p[k].format(recap=recap) for k in ("recap", "other") if _said(rng, agent)]
    if closing:
        turns += [("agent", " ".join(closing)), ("customer", p["no"])]
    goodbye = [p[k] for k in ("thanks", "farewell") if _said(rng, agent)]
    turns.append(("agent", " et ".join(goodbye) if agent.language == "fr" else ", ".join(goodbye) or p["bye"]))
    if goodbye:
        turns.append(("customer", p["bye"]))
    return turns


def email(rng: random.Random, agent: Agent) -> list[tuple[str, str]]:
    p = PHRASES[agent.language]
    problem, need, action, recap = rng.choice(NEEDS[agent.language])
    body = [p["mail_open"], p["restate"].format(need=need), action, p["recap"].format(recap=recap)]
    if _said(rng, agent):
        body.append(p["other"])
    body.append(p["mail_sign"].format(name=agent.name))
    return [("customer", f"{p['salutation']}, {problem}"), ("agent", "\n".join(body))]


def _timed(turns: list[tuple[str, str]], rng: random.Random, first_reply_s: float = 0.0) -> list[dict]:
    out, clock = [], 0.4
    for index, (speaker, text) in enumerate(turns):
        if speaker == "agent" and index == 1:
            clock += first_reply_s
        length = 0.35 * len(text.split()) + 0.5
        out.append({"speaker": speaker, "text": text, "start": round(clock, 1), "end": round(clock + length, 1)})
        clock += length + rng.uniform(0.3, 1.5)
    return out


def working_days(year: int, month: int) -> list[date]:
    day, days = date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(seed: int = 7, per_day: int = 18, year: int = 2026, month: int = 11) -> list[dict]:
    """The month's interactions (abandoned contacts included), in time order."""
    rng = random.Random(seed)
    interactions: list[dict] = []
    for day in working_days(year, month):
        incident = 16 <= day.day <= 20  # a billing incident: queues overflow
        load = (2.6 if incident else 1.0) * (1.3 if day.weekday() == 0 else 1.0)
        for _ in range(int(per_day * (1.25 if incident else 1.0))):
            agent = rng.choices(AGENTS, weights=[3, 3, 2, 3, 2, 2, 2, 2])[0]
            at = datetime(day.year, day.month, day.day, 8, 30, tzinfo=PARIS) + timedelta(seconds=rng.uniform(0, 9.5 * 3600))
            record: dict = {
                "id": f"{agent.channel}-{at:%Y%m%d-%H%M%S}-{len(interactions):04d}",
                "channel": agent.channel, "language": agent.language, "agent_id": agent.id, "team": agent.team,
                "queue": agent.queue, "started_at": at.isoformat(timespec="seconds"),
            }
            indicators: dict = {}
            if agent.channel == "email":
                delay_h = rng.lognormvariate(2.9, 0.5) * (2.2 if incident else 1.0)
                indicators["first_response_s"] = round(delay_h * 3600)
                turns = [{"speaker": s, "text": t} for s, t in email(rng, agent)]
            else:
                wait = round(rng.expovariate(1 / (10 * load)), 1)
                indicators["wait_time_s"] = wait
                if rng.random() < min(0.6, 0.02 + wait / 300):
                    interactions.append({**record, "abandoned": True, "indicators": indicators})
                    continue
                turns = _timed(conversation(rng, agent), rng, rng.uniform(20, 150) if agent.channel == "chat" else 0.0)
                if agent.channel == "voice":
                    indicators["ivr_time_s"] = round(rng.uniform(10, 70))
            record["id"] = record["id"].replace("voice", "call")
            indicators["handle_time_s"] = round(max(60, rng.gauss(330 if agent.channel != "email" else 240, 110)))
            indicators["transfers"] = rng.choices([0, 1, 2], weights=[85 * agent.skill, 12, 3])[0]
            resolved = rng.random() < 0.45 + 0.4 * agent.skill - (0.1 if incident else 0.0)
            indicators["resolved_first_contact"] = resolved
            if rng.random() < 0.35:
                mood = 2.2 + 2.6 * agent.skill + (0.6 if resolved else -0.9) - (0.6 if incident else 0.0)
                indicators["csat"] = max(1, min(5, round(rng.gauss(mood, 0.8))))
                if rng.random() < 0.7:
                    indicators["nps"] = max(0, min(10, round(rng.gauss(mood * 2, 1.5))))
            interactions.append({**record, "turns": turns, "indicators": indicators, "abandoned": False})
    interactions.sort(key=lambda r: r["started_at"])
    return interactions


# How much lower a surveyed customer's satisfaction is (CSAT points on the 1–5 scale) when a grid item
# fails or a signal is present; every other item and signal has no effect. Item verdicts and signals are
# drawn independently of each other, so each difference stands alone.
PLANTED = {
    "complaint": 1.0,
    "reformulation.checks_understanding": 0.8,
    "complaint_handling.next_step": 0.6,
    "closing.recap": 0.4,
}
PASS_RATES = {"greeting.salutation": 0.995, "complaint_handling.next_step": 0.5}  # the others pass 3 times in 4
SIGNAL_RATES = {"complaint": 0.2, "escalation_request": 0.06, "churn_threat": 0.005, "repeat_contact": 0.1}
COMPLAINT_HANDLING = ("acknowledges", "takes_ownership", "next_step")  # complaints-and-satisfaction.md, weight 20
CSAT_BASE, CSAT_NOISE = 3.9, 0.5  # the mood of a customer whom nothing lowered, and its spread


def _status(rng: random.Random, name: str, applies: bool = True) -> str:
    if not applies:
        return "not_applicable"
    return "passed" if rng.random() < PASS_RATES.get(name, 0.75) else "failed"


def _criteria(rng: random.Random, grid: dict[str, tuple[float, dict[str, float]]], complaint: bool) -> dict[str, dict]:
    """Item verdicts drawn independently; criterion scores as the scorer makes them (weighted share passed)."""
    criteria = {}
    for criterion, (weight, items) in grid.items():
        applies = complaint or criterion != "complaint_handling"
        statuses = {item: _status(rng, f"{criterion}.{item}", applies) for item in items}
        judged = {i: s for i, s in statuses.items() if s != "not_applicable"}
        total = sum(items[i] for i in judged)
        score = round(100 * sum(items[i] for i, s in judged.items() if s == "passed") / total, 2) if total else None
        reason = "planted" if applies else "no complaint in this contact"
        criteria[criterion] = {"score": score, "weight": weight,
                               "items": {i: {"status": s, "reason": reason, "evidence": [], "measures": {}} for i, s in statuses.items()}}
    return criteria


def _quality(criteria: dict[str, dict]) -> float | None:
    scored = [(c["weight"], c["score"]) for c in criteria.values() if c["score"] is not None]
    return round(sum(w * s for w, s in scored) / sum(w for w, _ in scored), 2) if scored else None


def _sentiment(rng: random.Random, complaint: bool, acknowledged: bool) -> dict:
    """A customer who complains starts low; one whose complaint the agent acknowledged ends higher."""
    clip = lambda x: round(max(-1.0, min(1.0, x)), 3)  # noqa: E731
    start = clip(rng.gauss(-0.55 if complaint else 0.1, 0.25))
    end = clip(start + rng.gauss(0.15 + (0.35 if acknowledged else 0.0), 0.2))
    turns = [{"turn": 1, "label": "negative" if start < -0.3 else "positive" if start > 0.3 else "neutral", "score": start, "time": 4.0},
             {"turn": 9, "label": "negative" if end < -0.3 else "positive" if end > 0.3 else "neutral", "score": end, "time": 240.0}]
    return {"start": start, "end": end, "shift": round(end - start, 3), "turns": turns}


def planted_results(seed: int = 7, contacts: int = 5000, planted: dict[str, float] | None = None,
                    year: int = 2026, month: int = 11) -> list[dict]:
    """`contacts` handled contacts of the month as results (what `qualicall score` writes, with signals and
    sentiment), whose CSAT and NPS are lowered by `planted` (default PLANTED): item id or signal → CSAT points."""
    from qualicall.scorer.rubric import load_rubric

    planted = PLANTED if planted is None else planted
    rng = random.Random(seed)
    days = working_days(year, month)
    grids = {}
    for language in ("fr", "en"):
        rubric = load_rubric(f"default-{language}")
        grid = {cid: (c.weight, {iid: i.weight for iid, i in c.items.items()}) for cid, c in rubric.criteria.items()}
        grids[language] = (rubric.version, grid | {"complaint_handling": (20.0, dict.fromkeys(COMPLAINT_HANDLING, 1.0))})
    results = []
    for number in range(contacts):
        agent = rng.choices(AGENTS, weights=[3, 3, 2, 3, 2, 2, 2, 2])[0]
        day = rng.choice(days)
        at = datetime(day.year, day.month, day.day, 8, 30, tzinfo=PARIS) + timedelta(seconds=rng.uniform(0, 9.5 * 3600))
        signals = {name: rng.random() < rate for name, rate in SIGNAL_RATES.items()}
        version, grid = grids[agent.language]
        criteria = _criteria(rng, grid, signals["complaint"])
        failed = {f"{c}.{i}" for c, crit in criteria.items() for i, item in crit["items"].items() if item["status"] == "failed"}
        lowered = sum(points for name, points in planted.items() if name in failed or signals.get(name))
        indicators: dict = {"handle_time_s": round(max(60, rng.gauss(330, 110))), "resolved_first_contact": rng.random() < 0.7}
        if agent.channel != "email":
            indicators["wait_time_s"] = round(rng.expovariate(1 / 12), 1)
        elif signals["complaint"]:  # a written complaint: the CRM's register times
            acknowledged = at + timedelta(hours=rng.lognormvariate(3.0, 0.6))
            answered = acknowledged + timedelta(days=rng.uniform(1, 19))
            indicators |= {"received_at": at.isoformat(timespec="seconds"), "acknowledged_at": acknowledged.isoformat(timespec="seconds")}
            if rng.random() < 0.9:
                indicators["answered_at"] = answered.isoformat(timespec="seconds")
        if rng.random() < 0.5:
            mood = rng.gauss(CSAT_BASE - lowered, CSAT_NOISE)
            indicators["csat"] = max(1, min(5, round(mood)))
            if rng.random() < 0.7:
                indicators["nps"] = max(0, min(10, round(2.2 * mood - 1 + rng.gauss(0, 0.8))))
        quality = _quality(criteria)
        acknowledged_complaint = criteria["complaint_handling"]["items"]["acknowledges"]["status"] == "passed"
        results.append({
            "interaction_id": f"planted-{number:05d}",
            "rubric": {"id": f"default-{agent.language}", "version": version},
            "language": agent.language, "channel": agent.channel, "criteria": criteria, "quality_score": quality,
            "indicators": {name: {"value": value, "score": None, "source": "input"} for name, value in indicators.items()},
            "operational_score": None, "overall_score": quality, "combination": {"used": ["quality"]},
            "agent_id": agent.id, "team": agent.team, "queue": agent.queue, "started_at": at.isoformat(timespec="seconds"), "abandoned": False,
            "signals": {name: {"present": present, "confidence": 0.9, "reason": "planted", "evidence": []} for name, present in signals.items()},
            "sentiment": _sentiment(rng, signals["complaint"], signals["complaint"] and acknowledged_complaint),
        })
    results.sort(key=lambda r: r["started_at"])
    return results


def score(interactions: list[dict]) -> Iterator[dict]:
    """The result of each interaction, scored with the default rubric of its language."""
    from qualicall.scorer.engine import Scorer
    from qualicall.core.interaction import Interaction

    scorer = Scorer()
    for record in interactions:
        yield scorer.score(Interaction.model_validate(record)).to_json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=Path, help="write the interactions (JSONL) here")
    parser.add_argument("--results", type=Path, help="score them and write the results (JSONL) here")
    parser.add_argument("--planted-results", type=Path, help="write results with planted effects on CSAT (JSONL) here")
    parser.add_argument("--planted-contacts", type=int, default=5000, help="handled contacts of the planted month")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-day", type=int, default=18, help="contacts offered per working day (before the incident)")
    args = parser.parse_args(argv)
    if not args.interactions and not args.results and not args.planted_results:
        parser.error("give --interactions, --results and/or --planted-results")
    if args.planted_results:
        planted = planted_results(args.seed, args.planted_contacts)
        with args.planted_results.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in planted)
        print(f"{len(planted)} results with planted effects written to {args.planted_results}", file=sys.stderr)
    if not args.interactions and not args.results:
        return 0
    interactions = generate(args.seed, args.per_day)
    if args.interactions:
        with args.interactions.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
        print(f"{len(interactions)} interactions written to {args.interactions}", file=sys.stderr)
    if args.results:
        with args.results.open("w", encoding="utf-8") as out:
            for done, result in enumerate(score(interactions), start=1):
                out.write(json.dumps(result, ensure_ascii=False) + "\n")
                if done % 100 == 0 or done == len(interactions):
                    print(f"\rscored {done}/{len(interactions)}", end="", file=sys.stderr)
        print(f"\n{len(interactions)} results written to {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
