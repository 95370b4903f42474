"""Why a check decided: a stable code, its parameters, and their wording in French and English.

A check says why with `reason("formula.found", what=…, text=…, at=place(match))`. The
result keeps the code and the parameters (`reason_code`, `reason_params`: the same in
every language) next to `reason`, the text in the rubric's language; the coach pages render
the code in the coach's language (`render`). A result without a code (from a third-party
check, or stored before codes) keeps its text.

The templates are here, not in the rubric YAML: a template names the parameters that the
check code fills, so the two change together and are reviewed together; a rubric is the
deployment's words to find (a template there could name a parameter the code never gives,
and each rubric would carry both languages of every reason again). What a rubric does
word is the *thing looked for* (`what: {fr: proposition d'aide, en: offer of help}`),
given to the templates as a parameter.

In a template, `{name:kind}` says how a parameter is written:
  .2f, +.2f, g, .0%  a number (a decimal comma in French, « 25 % »);
  place              {"turn": 3, "time": 16.3}: « tour 3 (16,3 s) », "turn 3 (16.3 s)";
  span               the same between parentheses already: « tour 3, 16,3 s »;
  window             {"name": "opening", "turns": 2, "seconds": 20}: the part of the call judged;
  quoted             [{"text", "turn", "time"}, …]: « … » (turn 3 (16.3 s)), …;
  words              ["…", …]: « … », « … »;
  text               "…" or {"fr": "…", "en": "…"}: words of the rubric;
  sentences          a count of sentences;
  channel, a_channel, signal, a_signal, bank   a term of TERMS (with its article for a_…);
  reason             {"code", "params"}: another reason, rendered in place.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualicall.core import locale

if TYPE_CHECKING:
    from qualicall.scorer.context import Match

LANGUAGES = locale.LANGUAGES  # the order of each (fr, en) pair below

# code → (French, English). English reproduces the reasons written before codes, word for word.
TEMPLATES: dict[str, tuple[str, str]] = {
    # the engine
    "item.not_on_channel": ("sans objet pour {channel:a_channel}", "not judged on a {channel:channel}"),
    "item.abandoned": ("contact abandonné : pas de conversation", "abandoned contact: no conversation"),
    "item.no_turns": ("aucun tour de parole", "no turns"),
    "item.no_roles": (
        "aucun tour de l'agent ni du client (locuteurs donnés : {speakers})", "no agent or customer turn (speakers given: {speakers})",
    ),
    "item.condition_absent": (
        "pas de {signal:signal} dans ce contact : jugé seulement après {signal:a_signal}",
        "no {signal:signal} in this contact: judged only after a {signal:signal}",
    ),
    "item.interrupted": ("le contact s'est interrompu avant sa conclusion (« {said} »)", "the contact ended before its closing phase (« {said} »)"),
    # formula, banned_formula
    "formula.no_agent_turn": ("aucun tour de l'agent dans {window:window}", "no agent turn in {window:window}"),
    "formula.found": ("{what:text} : « {text} » au {at:place}", "{what:text}: « {text} » in {at:place}"),
    "formula.tag_after": (
        "{what:text} : « {text} », question qui clôt l'item « {item:text} » au {at:place}",
        "{what:text}: « {text} », a question closing the item \"{item:text}\" in {at:place}",
    ),
    "formula.pickup_question": (
        "{what:text} : « {text} », question ouverte au décroché, avant la demande du client, au {at:place}",
        "{what:text}: « {text} », an open question at pick-up, before the customer's request, in {at:place}",
    ),
    "formula.same_meaning": (
        "{what:text} (même sens, similarité {similarity:.2f}) : « {text} » au {at:place}",
        "{what:text} (same meaning, similarity {similarity:.2f}): « {text} » in {at:place}",
    ),
    "formula.missing_closest": (
        "{what:text} : rien de tel dans {window:window} (similarité la plus proche {similarity:.2f})",
        "no {what:text} in {window:window} (closest similarity {similarity:.2f})",
    ),
    "formula.missing": ("{what:text} : rien de tel dans {window:window}", "no {what:text} in {window:window}"),
    "banned.found": ("{what:text} : {found:quoted}", "{what:text}: {found:quoted}"),
    "banned.absent": ("{what:text} : rien de tel dans {window:window}", "no {what:text} in {window:window}"),
    # organization, agent_name
    "opening.no_agent_turn": ("aucun tour de l'agent dans l'accueil", "no agent turn in the opening"),
    "organization.named": ("entreprise nommée : « {text} » au {at:place}", "organisation named: « {text} » in {at:place}"),
    "organization.introduced": ("entreprise présentée : « {text} » au {at:place}", "organisation introduced: « {text} » in {at:place}"),
    "organization.pickup": ("entreprise nommée au décroché : « {text} » au {at:place}", "organisation named at pick-up: « {text} » in {at:place}"),
    "organization.with_agent": (
        "entreprise nommée avec le nom ou la fonction de l'agent : « {text} » au {at:place}",
        "organisation named with the agent's name or role: « {text} » in {at:place}",
    ),
    "organization.proper_name": ("entreprise nommée par son nom propre : « {text} » au {at:place}", "organisation named by its proper name: « {text} » in {at:place}"),
    "organization.missing": ("aucune entreprise ni aucun service nommé dans {window:window}", "no company or service named in {window:window}"),
    "agent_name.given": ("l'agent se présente : « {text} » au {at:place}", "agent gives their name: « {text} » in {at:place}"),
    "agent_name.missing": ("aucun nom de l'agent dans {window:window}", "the agent does not give their name in {window:window}"),
    # readability, no_jargon, courtesy
    "readability.nothing": ("l'agent ne dit rien à mesurer", "the agent says nothing to measure"),
    "readability.too_few_words": (
        "trop peu de mots de l'agent pour juger sa lisibilité ({words} ; {min_words} au moins)",
        "too few of the agent's words to judge how easy they are to follow ({words}; at least {min_words})",
    ),
    "readability.hard": (
        "difficile à suivre : lisibilité de Flesch {flesch:.1f} < {min_score:g}",
        "hard to follow: Flesch reading ease {flesch:.1f} < {min_score:g}",
    ),
    "readability.long_sentences": (
        "phrases longues : {long_share:.0%} des mots de l'agent dans des phrases de plus de {max_words} mots (la plus longue : {longest})",
        "long sentences: {long_share:.0%} of the agent's words in runs over {max_words} words (longest {longest})",
    ),
    "readability.run_on": (
        "phrase trop longue : {words} mots, {max_words} au plus (« {text} »)",
        "run-on sentence: {words} words > {max_words} (« {text} »)",
    ),
    "readability.easy": (
        "facile à suivre : lisibilité de Flesch {flesch:.1f}, {mean_words:.1f} mots par phrase",
        "easy to follow: Flesch reading ease {flesch:.1f}, {mean_words:.1f} words per sentence",
    ),
    "jargon.found": ("jargon ou sigle non expliqué : {found:quoted}", "jargon or unexplained acronym: {found:quoted}"),
    "jargon.none": ("ni jargon interne ni sigle non expliqué", "no internal jargon and no unexplained acronym"),
    "jargon.echo_asked": (
        "le client reprend « {text} » ({at:span}) pour demander ce que c'est : « {question} » ({asked_at:span})",
        "the customer repeats « {text} » ({at:span}) to ask what it is: « {question} » ({asked_at:span})",
    ),
    "jargon.elided_asked": (
        "le client demande ce qu'est « {text} » ({at:span}) en le remplaçant par « quoi » : « {question} » ({asked_at:span})",
        "the customer asks what « {text} » ({at:span}) is, saying \"what\" in its place: « {question} » ({asked_at:span})",
    ),
    "jargon.meaning_asked": (
        "le client demande ce que veut dire « {text} » ({at:span}) : « {question} » ({asked_at:span}) ressemble à « {closest} » ({similarity:.2f})",
        "the customer asks what « {text} » ({at:span}) means: « {question} » ({asked_at:span}) reads like « {closest} » ({similarity:.2f})",
    ),
    "courtesy.familiar_address": ("adresse familière : « {text} » au {at:place}", "familiar address: « {text} » in {at:place}"),
    "courtesy.familiar_register": ("registre familier : {words:words}", "familiar register: {words:words}"),
    "courtesy.no_courtesy": ("aucun mot de politesse dans {window:window}", "no courtesy word in {window:window}"),
    "courtesy.polite": ("registre poli : « {text} » au {at:place}, aucun mot familier", "polite register: « {text} » in {at:place}, no familiar word"),
    # recap
    "recap.explicit": ("récapitulatif : « {text} » au {at:place}", "recap: « {text} » in {at:place}"),
    "recap.summary": ("résumé au {at:place} : « {text} »", "summary in {at:place}: « {text} »"),
    "recap.next_restating": (
        "la suite, en reprenant l'appel, au {at:place} : « {text} »",
        "what happens next, restating the call, in {at:place}: « {text} »",
    ),
    "recap.done_and_next": ("ce qui a été fait et la suite au {at:place} : « {text} »", "what was done and what happens next in {at:place}: « {text} »"),
    "recap.missing": ("aucun récapitulatif dans {window:window}", "no recap in {window:window}"),
    # restatement
    "restatement.no_need": ("le client n'exprime aucun besoin", "the customer never states a need"),
    "restatement.words": (
        "reformule le besoin au {at:place} : « {text} » + les mots du client (recouvrement des lemmes {overlap:.2f})",
        "restates the need in {at:place}: « {text} » + the customer's words (lemma overlap {overlap:.2f})",
    ),
    "restatement.meaning": (
        "reformule le besoin au {at:place} : « {text} » + le besoin du client en d'autres mots "
        "(recouvrement des lemmes {overlap:.2f}, similarité {similarity:.2f})",
        "restates the need in {at:place}: « {text} » + the customer's need in other words (lemma overlap {overlap:.2f}, similarity {similarity:.2f})",
    ),
    "restatement.words_by_meaning": (
        "reformule le besoin au {at:place} : « {text} » (exemple le plus proche : « {closest} » ({example_similarity:.2f})) "
        "+ les mots du client (recouvrement des lemmes {overlap:.2f})",
        "restates the need in {at:place}: « {text} » (closest example: « {closest} » ({example_similarity:.2f})) "
        "+ the customer's words (lemma overlap {overlap:.2f})",
    ),
    "restatement.meaning_by_meaning": (
        "reformule le besoin au {at:place} : « {text} » (exemple le plus proche : « {closest} » ({example_similarity:.2f})) "
        "+ le besoin du client en d'autres mots (recouvrement des lemmes {overlap:.2f}, similarité {similarity:.2f})",
        "restates the need in {at:place}: « {text} » (closest example: « {closest} » ({example_similarity:.2f})) "
        "+ the customer's need in other words (lemma overlap {overlap:.2f}, similarity {similarity:.2f})",
    ),
    "restatement.confirmed": (
        "reformule le besoin au {at:place} : « {text} » + le besoin du client en d'autres mots (similarité {similarity:.2f}), "
        "confirmé : « {confirmed} »",
        "restates the need in {at:place}: « {text} » + the customer's need in other words (similarity {similarity:.2f}), confirmed: « {confirmed} »",
    ),
    "restatement.confirmed_by_meaning": (
        "reformule le besoin au {at:place} : « {text} » (exemple le plus proche : « {closest} » ({example_similarity:.2f})) "
        "+ le besoin du client en d'autres mots (similarité {similarity:.2f}), confirmé : « {confirmed} »",
        "restates the need in {at:place}: « {text} » (closest example: « {closest} » ({example_similarity:.2f})) "
        "+ the customer's need in other words (similarity {similarity:.2f}), confirmed: « {confirmed} »",
    ),
    "restatement.unconfirmed": (
        "une phrase qui ressemble à une reformulation au {at:place}, sans formule d'annonce ni confirmation du client",
        "a sentence that reads like a restatement in {at:place}, with no announcing formula and unconfirmed by the customer",
    ),
    "restatement.too_early": ("une formule d'annonce, mais avant que le client ait rien dit", "an announcing formula, but before the customer said anything"),
    "restatement.no_formula": (
        "aucune formule d'annonce (« si je comprends bien… ») avant de répondre",
        "no announcing formula (\"if I understand correctly…\") before answering",
    ),
    "restatement.too_short": (
        "formule sans reformulation ({words} mots pleins) au {at:place}",
        "formula without a restatement ({words} content words) in {at:place}",
    ),
    "restatement.other": (
        "formule suivie d'autre chose que le besoin du client au {at:place} (recouvrement des lemmes {overlap:.2f}, similarité {similarity:.2f})",
        "formula followed by something else than the customer's need in {at:place} (lemma overlap {overlap:.2f}, similarity {similarity:.2f})",
    ),
    # speech_rate
    "speech_rate.channel": ("pas de débit de parole pour {channel:a_channel}", "no speech rate for a {channel:channel}"),
    "speech_rate.untimed": ("pas d'horodatage des tours pour mesurer le débit", "no turn times to measure the speech rate"),
    "speech_rate.within": ("{wpm:g} mots par minute, dans {min:g}–{max:g}", "{wpm:g} words per minute, within {min:g}–{max:g}"),
    "speech_rate.too_fast": ("trop rapide : {wpm:g} mots par minute, hors de {min:g}–{max:g}", "too fast: {wpm:g} words per minute, outside {min:g}–{max:g}"),
    "speech_rate.too_slow": ("trop lent : {wpm:g} mots par minute, hors de {min:g}–{max:g}", "too slow: {wpm:g} words per minute, outside {min:g}–{max:g}"),
    # example_bank
    "bank.nothing": ("{what:text} : aucune phrase à juger dans {window:window}", "no {what:text}: {window:window} hold no sentence to judge"),
    "bank.unless": (
        "« {text} » ({at:span}) ressemble à « {closest} » ({similarity:.2f}) : {unless:bank}",
        "« {text} » ({at:span}) reads like « {closest} » ({similarity:.2f}): {unless:bank}",
    ),
    "bank.found": (
        "{what:text} : « {text} » ({at:span}) ressemble à « {closest} » ({similarity:.2f})",
        "{what:text}: « {text} » ({at:span}) reads like « {closest} » ({similarity:.2f})",
    ),
    "bank.meaning": (
        "{what:text} (par le sens) : « {text} » au {at:place}, exemple le plus proche : « {closest} » ({similarity:.2f})",
        "{what:text} (by meaning): « {text} » in {at:place}, closest example: « {closest} » ({similarity:.2f})",
    ),
    "bank.missing": (
        "{what:text} : rien de tel dans {window:window} ; la plus proche, « {text} » ({at:span}), obtient {score:+.2f}",
        "no {what:text} in {window:window}; the closest, « {text} » ({at:span}), scores {score:+.2f}",
    ),
    # customer signals
    "signal.no_turn": ("aucun tour du client à juger", "no customer turn to judge"),
    "signal.found": (
        "{signal:signal} : « {text} » ({at:span}) ressemble à « {closest} » ({similarity:.2f}) ; {count:sentences}, meilleur score {strongest:+.2f}",
        "{signal:signal}: « {text} » ({at:span}) reads like « {closest} » ({similarity:.2f}); {count:sentences}, strongest score {strongest:+.2f}",
    ),
    "signal.absent": (
        "aucune phrase du client ne ressemble à {signal:a_signal} ; la plus proche, « {text} » ({at:span}), obtient {score:+.2f}",
        "no customer sentence reads as {signal:a_signal}; the closest, « {text} » ({at:span}), scores {score:+.2f}",
    ),
    "signal.lone": (
        "trop peu pour {signal:a_signal} : une phrase, « {text} » ({at:span}), proche de « {closest} », avec un score de "
        "{score:+.3f} ; seule parmi {count:sentences} d'au moins {words} mots, il lui faudrait plus de {needed:+.3f}",
        "too little for {signal:a_signal}: one sentence, « {text} » ({at:span}), near « {closest} », with a score of {score:+.3f}; "
        "alone among {count:sentences} of {words} words or more, it would need more than {needed:+.3f}",
    ),
    "signal.upset_cue": (
        "{signal:signal} : « {text} » ({at:span}) en contient un mot, dans un tour où une phrase du client est jugée négative ; "
        "lue à la marge abaissée et sans plancher de similarité, son score de {score:+.3f} passe {needed:+.3f} "
        "(exemple le plus proche : « {closest} », {similarity:.2f})",
        "{signal:signal}: « {text} » ({at:span}) holds one of its words, in a turn where a customer sentence reads negative; "
        "read at the lowered margin and without the similarity floor, its score of {score:+.3f} passes {needed:+.3f} "
        "(closest example: « {closest} », {similarity:.2f})",
    ),
    "signal.disclaimed": (
        "« {text} » ({at:span}) ressemble à {signal:a_signal} (« {closest} »), mais le client l'écarte lui-même : « {words} »",
        "« {text} » ({at:span}) reads as {signal:a_signal} (« {closest} »), but the customer says it is not one: « {words} »",
    ),
    "signal.elsewhere": (
        "« {text} » ({at:span}) ressemble à {signal:a_signal} (« {closest} »), mais vise un tiers : « {words} »",
        "« {text} » ({at:span}) reads as {signal:a_signal} (« {closest} »), but it is aimed at someone else: « {words} »",
    ),
    "signal.cleared": (
        "« {text} » ({at:span}) ressemble à {signal:a_signal} (« {closest} »), mais le client met l'organisation hors de cause "
        "({where:span}) : « {words} »",
        "« {text} » ({at:span}) reads as {signal:a_signal} (« {closest} »), but the customer clears the organisation ({where:span}): « {words} »",
    ),
    "signal.implied": ("réclamation exprimée dans {cause:a_signal} : {because:reason}", "a complaint made in {cause:a_signal}: {because:reason}"),
}

# Terms that parameters name by id (a channel, a signal, a bank): (French, English).
TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "channel": {"voice": ("appel", "voice"), "chat": ("chat", "chat"), "email": ("e-mail", "email")},
    "a_channel": {"voice": ("un appel", "a voice"), "chat": ("un chat", "a chat"), "email": ("un e-mail", "a email")},
    "signal": {
        "complaint": ("réclamation", "complaint"),
        "escalation_request": ("demande d'escalade", "escalation request"),
        "churn_threat": ("menace de départ", "churn threat"),
        "repeat_contact": ("contact répété", "repeat contact"),
    },
    "a_signal": {
        "complaint": ("une réclamation", "a complaint"),
        "escalation_request": ("une demande d'escalade", "an escalation request"),
        "churn_threat": ("une menace de départ", "a churn threat"),
        "repeat_contact": ("un contact répété", "a repeat contact"),
    },
    "bank": {
        "acknowledges": ("reconnaissance du problème", "acknowledges"),
        "takes_ownership": ("prise en charge", "takes ownership"),
        "shifts_blame": ("rejet de la faute", "shifts blame"),
        "next_step": ("étape suivante", "next step"),
    },
}


@dataclass(frozen=True)
class Reason:
    """A reason as a check gives it: its code and its parameters (JSON values)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str) -> str:
        return render(self.code, self.params, language)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def _plain(value: Any) -> Any:
    """A parameter as JSON keeps it: a NumPy number (a similarity) as a Python float, to 4 decimals."""
    if hasattr(value, "item") and not isinstance(value, (dict, list, str)):
        value = value.item()
        return round(value, 4) if isinstance(value, float) else value
    return value


def reason(code: str, **params: Any) -> Reason:
    if code not in TEMPLATES:
        raise KeyError(f"no template for reason code {code!r}")
    return Reason(code, {name: _plain(value) for name, value in params.items()})


def said(given: Reason | str, language: str) -> dict[str, Any]:
    """The reason fields of an item or a signal: `reason` (the text in `language`), `reason_code`, `reason_params`.
    A plain string (a third-party check's) is the text alone."""
    if isinstance(given, str):
        return {"reason": given}
    return {"reason": given.text(language), "reason_code": given.code, "reason_params": given.params}


def place(match: "Match") -> dict[str, Any]:
    """Where a match was said, as a `place` parameter: its turn and time."""
    turn = match.turn
    return {"turn": turn.index, "time": turn.time_at(turn.norm.span(match.start, match.end)[0])}


def quoted(matches: list["Match"]) -> list[dict[str, Any]]:
    """Matches as a `quoted` parameter: what was said, and where."""
    return [{"text": m.text, **place(m)} for m in matches]


def term(kind: str, value: str) -> dict[str, str]:
    """A term of TERMS as a `text` parameter ({"fr": …, "en": …}); an unknown one is its id in words."""
    found = TERMS[kind].get(value)
    words = value.replace("_", " ")
    return dict(zip(LANGUAGES, found)) if found else {language: words for language in LANGUAGES}


def place_text(where: dict[str, Any], language: str, between: str = " ({})") -> str:
    """A `place` ({"turn": 3, "time": 16.3}) in words: « tour 3 (16,3 s) », "turn 3 (16.3 s)"; its time to the tenth of a
    second, as a reader finds it in the transcript (« 31,63 s » beside « 32,6 s » in one reason: an agent's review; the
    evidence's `time` keeps every digit)."""
    turn = ("tour " if language == "fr" else "turn ") + str(where["turn"])
    return turn + (between.format(locale.seconds(round(where["time"], 1), language)) if where.get("time") is not None else "")


def _article_en(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


class _Formatter(string.Formatter):
    def __init__(self, language: str) -> None:
        self.language = language
        self.index = LANGUAGES.index(language)

    def format_field(self, value: Any, spec: str) -> str:
        language = self.language
        if spec == "place":
            return place_text(value, language)
        if spec == "span":
            return place_text(value, language, between=", {}")
        if spec == "window":
            return self._window(value)
        if spec == "quoted":
            return ", ".join(f"« {q['text']} » ({self.format_field(q, 'place')})" for q in value)
        if spec == "words":
            return ", ".join(f"« {w} »" for w in value)
        if spec == "text":
            return value.get(language) or next(iter(value.values()), "") if isinstance(value, dict) else str(value)
        if spec == "sentences":
            noun = ("phrase" if language == "fr" else "sentence") + ("s" if value > 1 else "")
            return f"{value} {noun}"
        if spec == "reason":
            return render(value["code"], value.get("params") or {}, language)
        if spec in TERMS:
            found = TERMS[spec].get(value)
            if found:
                return found[self.index]
            words = str(value).replace("_", " ")
            return _article_en(words) if spec.startswith("a_") and language == "en" else words
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return locale.formatted(value, spec or "g", language)
        return format(value, spec)

    def _window(self, value: dict[str, Any]) -> str:
        name, turns, seconds = value.get("name"), value.get("turns"), value.get("seconds")
        fr = self.language == "fr"
        if name in ("opening", "closing"):
            if fr:
                part, masculine, feminine = ("l'accueil", "premier", "première") if name == "opening" else ("la conclusion", "dernier", "dernière")
                s_turns = _french_plural(turns)
                span = f"{turns} {masculine}{s_turns} tour{s_turns}"
                if seconds is not None:
                    s_seconds = _french_plural(seconds)
                    span += f" ou {locale.decimal(format(seconds, 'g'), 'fr')} {feminine}{s_seconds} seconde{s_seconds}"
                return f"{part} de l'agent ({span})"
            which = "first" if name == "opening" else "last"
            return f"the agent's {name} ({which} {turns} turn{'' if turns == 1 else 's'}" + (f" or {which} {seconds:g} s)" if seconds is not None else ")")
        after = value.get("after_turn")
        if after is not None:
            return f"les tours de l'agent après le tour {after}" if fr else f"the agent's turns after turn {after}"
        return "les tours de l'agent" if fr else "the agent's turns"


def _french_plural(count: float) -> str:
    """The plural's « s » of French words after `count` (« 1 dernier tour », « 1,5 seconde », « 3 derniers tours »)."""
    return "" if abs(count) < 2 else "s"


def render(code: str, params: dict[str, Any], language: str) -> str:
    """The reason `code` with its `params` in `language` ("fr" or "en"); KeyError for an unknown code or a missing parameter."""
    language = language if language in LANGUAGES else "en"
    return _Formatter(language).format(TEMPLATES[code][LANGUAGES.index(language)], **params)


def reason_text(said: Mapping[str, Any], language: str) -> str:
    """An item's or a signal's reason (its `reason`, `reason_code`, `reason_params`) in `language`, from its code;
    its stored text when it has no code, or one this version does not know (a result from another version)."""
    code = said.get("reason_code")
    if code:
        try:
            return render(code, said.get("reason_params") or {}, language)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass  # a result from another version: its own words
    return str(said.get("reason") or "")
