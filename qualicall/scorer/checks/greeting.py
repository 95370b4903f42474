"""Greeting items that need structure, not just phrases: the organisation and the agent's name."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cached_property, lru_cache

from pydantic import Field, model_validator

from qualicall.core.result import ItemResult
from qualicall.core.text import is_placeholder, normalize
from qualicall.scorer.context import SENTENCE_END, CheckContext, Match, TurnView, find_all, first_saying, opens_sentence, without_overlaps
from qualicall.scorer.params import CheckParams, ExclusionParams
from qualicall.scorer.reasons import place, reason
from qualicall.scorer.registry import register_check

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def _looks_like_a_name(word: str) -> bool:
    """Four letters or more with a vowel: a person's name, not a department's letters (« le sav à l'appareil », « edf », « rh »)."""
    return len(word) >= 4 and any(letter in "aeiouy" for letter in word)


def _first_names_only(compound: str) -> bool:
    """Every part of a hyphenated compound is a first name (« Marie-Laure »; not « Vaulx-en-Velin »)."""
    from qualicall.models.names import is_first_name

    return all(is_first_name(normalize(part).text) for part in compound.split("-"))


# The default of the organisation's `connectors` (the default rubrics state it).
CONNECTORS = ["du", "de", "des", "la", "le", "l", "d", "et", "of", "the", "and"]


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    """The language's function words, normalised (spaCy's lists, no model needed)."""
    from qualicall.models.nlp import stop_words as spacy_stop_words

    words: set[str] = set()
    for word in spacy_stop_words("fr" if language == "fr" else "en"):
        words.update(normalize(word).text.split())
    return frozenset(words)


def _breaks(gap: str) -> bool:
    """Written text between two words that ends a phrase: punctuation, or an emoji in a chat (« Ici Jade 🧶 raconte-moi »)."""
    return bool(re.search(r"[,.;:!?()]", gap)) or any(unicodedata.category(char) == "So" for char in gap)


def _words(turn: TurnView) -> list[tuple[str, int, int, bool]]:
    """(word, start, end, pause_before) for each word of a turn's normalised text (a pause: `_breaks`)."""
    out = []
    previous_end_char = 0
    for m in re.finditer(r"\S+", turn.norm.text):
        start_char, _ = turn.norm.span(m.start(), m.end())
        gap = turn.text[previous_end_char:start_char]
        out.append((m.group(), m.start(), m.end(), _breaks(gap) and bool(out)))
        previous_end_char = turn.norm.span(m.start(), m.end())[1]
    return out


def _phrase_at(words: list[tuple[str, int, int, bool]], i: int, phrases: frozenset[str]) -> int:
    """How many words from word `i` the longest of `phrases` takes (« good day », "g'day" read « g day »), with no punctuation inside; 0 if none."""
    longest = max((len(phrase.split()) for phrase in phrases), default=0)
    for n in range(min(longest, len(words) - i), 0, -1):
        if " ".join(w[0] for w in words[i : i + n]) in phrases and not any(w[3] for w in words[i + 1 : i + n]):
            return n
    return 0


def _written(turn: TurnView, word: tuple[str, int, int, bool]) -> str:
    start, end = turn.norm.span(word[1], word[2])
    return turn.text[start:end]


def _title_run(ctx: CheckContext, turn: TurnView, words: list[tuple[str, int, int, bool]], i: int, params: OrganizationParams) -> list[tuple[str, int, int, bool]] | None:
    """In cased text, the words from `i` to the next pause or the turn's end when they read as a title: every word capitalised
    but the function words inside (« Bonjour, La Boîte à Meeples, dites-moi ! »), no longer than a company name."""
    if turn.lower_case or turn.upper_case:
        return None
    run = words[i : i + 1] + list(itertools.takewhile(lambda w: not w[3], words[i + 1 :]))
    stops = stop_words(ctx.language)
    content = [w for w in run if w[0] not in stops]
    if not content or len(content) > params.max_words or run[0][0] in stops or run[-1][0] in stops:
        return None
    return run if all(_written(turn, w)[:1].isupper() for w in content) else None


def _name_of_words(ctx: CheckContext, turn: TurnView, words: list[tuple[str, int, int, bool]], i: int) -> bool:
    """« Clair Vitrage », "Olive Garden": in cased text, a capitalised first name that is also an ordinary word, followed in the
    same phrase by a capitalised ordinary word that is no first name, begins a name made of words (a company's), not a person's
    first name and surname (« Élodie Marchand »: no ordinary word)."""
    from qualicall.models.lexicon import dictionary
    from qualicall.models.names import is_first_name

    if turn.lower_case or turn.upper_case or i + 1 >= len(words) or words[i + 1][3] or words[i + 1][0] in stop_words(ctx.language):
        return False
    first, second = _written(turn, words[i]), _written(turn, words[i + 1])
    known = dictionary(ctx.nlp)
    capitalised = first[:1].isupper() and second[:1].isupper()
    return capitalised and first.lower() in known and second.lower() in known and not is_first_name(second)


class OrganizationParams(ExclusionParams):
    names: list[str] = Field(default_factory=list, description="the deployment's own company and service names")
    phrases: list[str] = Field(default_factory=list, description="formulas that introduce the organisation")
    leads: list[str] = Field(
        default_factory=list,
        description="the last words of those `phrases` that the company's name must follow (\"thanks for calling\", « bienvenue chez »): "
        "with nothing or one of `not_led` after them (articles and possessives aside: \"thanks for calling, how can I help?\", \"thank you for "
        "contacting us\", \"thanks for calling, my name is Dana\"), no one is named",
    )
    not_led: list[str] = Field(default_factory=list, description="with `leads`: words that show that no name follows")
    pickup: bool = Field(default=True, description="accept a name said at pick-up (« Maison Boréal, bonjour »)")
    salutations: list[str] = Field(default_factory=list)
    fillers: list[str] = Field(default_factory=list, description="words skipped at the start of the pick-up")
    not_names: list[str] = Field(default_factory=list, description="ordinary words that cannot be a company name")
    roles: list[str] = Field(default_factory=list, description="the agent's job title, which the company name may follow (« conseillère Banque Lumio »)")
    of_words: list[str] = Field(default_factory=list, description="words joining the agent's name or role to the company (« Antoine d'Onda Mobile », \"Sam from Acme\")")
    presenting: list[str] = Field(
        default_factory=list, description="words that may come between the agent's name and a joining word (\"Evan here from Acme\", \"Zoe speaking, from Acme\")"
    )
    determiners: list[str] = Field(
        default_factory=list,
        description="articles and possessives: a company name may begin with one at pick-up when a salutation follows it (« les délices d'Albane, "
        "bonjour »); one and a word is no name (\"your desk\", « l'équipe »)",
    )
    connectors: list[str] = Field(
        default_factory=lambda: list(CONNECTORS),
        description="function words a company name may contain, not end with (« Banque de France », \"Bank of America\")",
    )
    max_words: int = Field(default=5, ge=1, description="the longest company name, in words other than `connectors` (« Centre des finances publiques de Valmorin »: 4)")

    @cached_property
    def name_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.names)

    @cached_property
    def intro_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.phrases)

    @cached_property
    def word_sets(self) -> dict[str, frozenset[str]]:
        """The word lists, normalised once: salutations, not_names, roles, of_words, presenting, determiners, leads, not_led, connectors, names,
        skipped (fillers and salutations)."""
        lists = {"salutations": self.salutations, "not_names": self.not_names, "roles": self.roles, "of_words": self.of_words}
        lists |= {"presenting": self.presenting, "determiners": self.determiners, "leads": self.leads, "not_led": self.not_led}
        lists |= {"connectors": self.connectors, "names": self.names, "skipped": self.fillers + self.salutations}
        return {name: self.normal_words(words) for name, words in lists.items()}


def _slot_words(ctx: CheckContext, words: list[tuple[str, int, int, bool]], i: int, params: OrganizationParams) -> list[tuple[str, int, int, bool]] | None:
    """The words of the company-like noun phrase starting at word `i`: the run before the first function word, punctuation or
    the agent's first name (« mairie de pessac restauration scolaire margot bonjour »; not after a connector: « le cellier de
    marthe »); None when it is too long to be a name."""
    from qualicall.models.names import is_first_name

    stops = stop_words(ctx.language)
    sets = params.word_sets
    connectors = sets["connectors"]
    slot: list[tuple[str, int, int, bool]] = []
    content = 0
    for word in words[i:]:
        if slot and word[3]:
            break
        if word[0] in sets["salutations"] or word[0] in sets["not_names"]:
            break
        if word[0] in stops and not (slot and word[0] in connectors):
            break
        if slot and slot[-1][0] not in connectors and word[0] not in stops and is_first_name(word[0]) and word[0] not in sets["names"]:
            break
        slot.append(word)
        content += word[0] not in connectors
        if content > params.max_words:
            return None  # too long to be a name, whatever follows
    while slot and slot[-1][0] in connectors:
        slot.pop()
    return slot


def _slot(ctx: CheckContext, turn: TurnView, words: list[tuple[str, int, int, bool]], i: int, params: OrganizationParams) -> Match | None:
    """The company-like noun phrase starting at word `i` (`_slot_words`), as a match."""
    slot = _slot_words(ctx, words, i, params)
    return Match(turn, slot[0][1], slot[-1][2]) if slot else None


def _asked_right_after(turn: TurnView, end: int) -> bool:
    """A question mark comes right after the word ending at the normalised position `end` (punctuated text)."""
    _, original = turn.norm.span(max(end - 1, 0), max(end, 1))
    closing = SENTENCE_END.search(turn.text, original)
    return closing is not None and "?" in closing.group() and not re.search(r"\w", turn.text[original : closing.start()])


def _capitalised(turn: TurnView, match: Match) -> bool:
    """In cased text a company name holds a capital (« l'agence Jobéo Intérim »); all-lower-case text (ASR) cannot tell."""
    if turn.lower_case:
        return True
    start, end = turn.norm.span(match.start, match.end)
    return any(word[:1].isupper() for word in turn.text[start:end].split())


def _pickup_slot(ctx: CheckContext, turn: TurnView, params: OrganizationParams) -> Match | None:
    """A company-like noun phrase at the very start of the first agent turn.

    Contact-centre pick-ups put the company first (« Onda Mobile, bonjour »,
    « oui protectis auto assistance je vous écoute »), possibly after a
    salutation (« Bonjour, Cinéflux à votre écoute », "g'day, …"). The phrase is
    the run of words before the first function word or punctuation; it is
    rejected when it is a person (a first name), addresses the customer
    (« madame »), is an ordinary conversational word, or holds no capital in
    cased text ("Hello o, good evening!").
    """
    from qualicall.models.names import is_first_name

    words = _words(turn)
    sets = params.word_sets
    i = 0
    while skipped := _phrase_at(words, i, sets["skipped"]):
        i += skipped
    if i + 1 < len(words) and words[i][0] in sets["determiners"] and not words[i + 1][3]:
        # « les délices d'albane bonjour »: a determiner begins the name when a salutation closes it, or, in cased text,
        # a title up to a pause or the turn's end (« Bonjour, La Boîte à Meeples, dites-moi ! »).
        named = _slot_words(ctx, words, i + 1, params)
        after = i + 1 + len(named) if named else len(words)
        # Or the agent's first name, after a name of two words at least: « les violons du wouri euh joseph je vous écoute »
        # (not « l'accueil nadia bonjour », « votre équipe lucie »: a place or a team, no one's name).
        two_words = named and sum(w[0] not in sets["connectors"] for w in named) >= 2
        if named and after < len(words) and (words[after][0] in sets["salutations"] or two_words and is_first_name(words[after][0])):
            return Match(turn, words[i][1], named[-1][2])
        titled = _title_run(ctx, turn, words, i + 1, params)
        if titled:
            return Match(turn, words[i][1], titled[-1][2])
    slot_words = _slot_words(ctx, words, i, params)
    while slot_words and len(slot_words) > 1 and slot_words[-1][0] in sets["presenting"]:
        slot_words.pop()  # "Harriet Penrose speaking": the word presenting the agent is no part of the name before it
    if not slot_words:
        return None
    slot = Match(turn, slot_words[0][1], slot_words[-1][2])
    if not _capitalised(turn, slot) or _asks_or_bids(turn, slot_words):
        return None
    first_name = is_first_name(words[i][0]) and words[i][0] not in sets["names"]
    if first_name and len(slot_words) > 2 and slot_words[1][0] in sets["of_words"]:
        # « Léa de la Banque Lumio », « Léa de la facturation »: the agent, then the company or the service, which is the evidence.
        named = slot_words[2:]
        while len(named) > 1 and named[0][0] in sets["determiners"]:
            named = named[1:]
        return Match(turn, named[0][1], named[-1][2])
    person = first_name and len(slot.text.split()) <= 2
    if person and not _name_of_words(ctx, turn, words, i):
        return None  # « Marc, bonjour », « Élodie Marchand, bonjour »: a person, not a company (not "core strong leisure services")
    presented = i + 1 < len(words) and not words[i + 1][3] and words[i + 1][0] in sets["presenting"]
    if presented and all(w[0] in sets["presenting"] for w in slot_words[1:]):
        return None  # "Sipho here", « Mathéo ici »: one word presented so is the agent
    return slot


# A hyphen and a pronoun after a verb make it an imperative (« allez-y », « dites-moi »); not « rendez-vous », nor a
# pronoun-like word inside a hyphenated name (« villeneuve-la-garenne », « aix-en-provence »).
_CLITIC = re.compile(r"-(?:y|moi|nous|toi|le|la|les|lui|leur)(?![\w-])", re.IGNORECASE)


def _asks_or_bids(turn: TurnView, slot_words: list[tuple[str, int, int, bool]]) -> bool:
    """The pick-up's first words ask something (« Adresse du chantier ? ») or are a verb bidding the customer go on
    (« oui allez-y », « dites-moi »): no company's name. (spaCy's tags cannot tell a sentence's first word: it reads
    « Pharmacie » as a verb.)"""
    if _asked_right_after(turn, slot_words[-1][2]):
        return True
    _, first_end = turn.norm.span(slot_words[0][1], slot_words[0][2])
    return _CLITIC.match(turn.text, first_end) is not None


def _attached_slot(ctx: CheckContext, turn: TurnView, params: OrganizationParams) -> Match | None:
    """The company named after the agent's role or name: « Léa, conseillère Banque Lumio », « Lucille, de l'agence Jobéo »,
    "Sam from Acme", "Evan here w/ Summit Miles"."""
    from qualicall.models.names import is_first_name

    words = _words(turn)
    sets = params.word_sets
    roles, joins = sets["roles"], sets["of_words"]
    stops = stop_words(ctx.language)
    for i, (word, *_rest) in enumerate(words[:-1]):
        j = i + 1
        if word in sets["not_names"]:
            continue  # « ah d'accord »: an interjection the first-name lexicon holds is no one's name
        # In cased text a name is capitalised: "may at the School's discretion" names no one ("Will from Northwind" does); in
        # lower-case speech, a function word the lexicon holds is no one either ("what can i assist you with today").
        capitalised = not turn.lower_case and _written(turn, words[i])[:1].isupper()
        named = is_first_name(word) and ((turn.lower_case and word not in stops) or capitalised)
        if named and words[j][0] in sets["presenting"]:
            j += 1
        after_role = word in roles
        after_name = named and j < len(words) and words[j][0] in joins
        if not (after_role or after_name):
            continue
        if j < len(words) and words[j][0] in joins:
            j += 1
        if j + 1 < len(words) and words[j][0] in sets["determiners"]:
            j += 1
        slot = _slot(ctx, turn, words, j, params) if j < len(words) and not words[j][3] else None
        if slot is not None and _capitalised(turn, slot) and slot.text.lower() not in roles:
            return slot
    return None


def _proper_name_run(ctx: CheckContext, turn: TurnView, params: OrganizationParams) -> Match | None:
    """In cased text, two or more capitalised words in one phrase of the agent's first turn, function words inside (« Bonjour Madame,
    Monsieur, Piscines Azur Services vous souhaite la bienvenue », « conseiller voyages chez Les Années Belles », "hey there,
    Top Hat Chimney Co, Bec here"): a proper name, the company's, unless it is a person's (a first name and a surname) or
    made of salutations and forms of address."""
    from qualicall.models.names import is_first_name

    if turn.lower_case or turn.upper_case:
        return None
    words = _words(turn)
    stops, sets = stop_words(ctx.language), params.word_sets
    ordinary = sets["salutations"] | sets["not_names"] | sets["skipped"] | sets["roles"]

    def capitalised(word: tuple[str, int, int, bool]) -> bool:
        return _written(turn, word)[:1].isupper() and word[0] not in ordinary

    i = 0
    while i < len(words):
        run = words[i : i + 1] if capitalised(words[i]) else []
        for word in words[i + 1 :] if run else ():
            if word[3] or not (capitalised(word) or word[0] in stops):
                break
            run.append(word)
        i += max(len(run), 1)
        while run and run[-1][0] in stops:
            run.pop()
        content = [w for w in run if w[0] not in stops]
        if not 2 <= len(content) <= params.max_words:
            continue
        named = turn.text[slice(*turn.norm.span(content[0][1], content[-1][2]))]
        if len(named.split()) <= 2 and is_first_name(content[0][0]) and not _name_of_words(ctx, turn, words, words.index(content[0])):
            continue  # « Hélène Vasseur-Dumas », « Je suis Paul Durand »: a person
        return Match(turn, run[0][1], run[-1][2])
    return None


def _introduces_organisation(ctx: CheckContext, match: Match, params: OrganizationParams) -> bool:
    """An introducing formula's match names the organisation: not a person (\"you're through to sarah how can i help\": a
    first name, then a function word or nothing, also after the formula's last word said again: « en ligne avec euh avec
    sébastien »), nor a function word and one word (\"your desk\", \"the team\"), nor a formula leading to a name that does
    not come (`leads`: \"thanks for calling, how can I help?\")."""
    from qualicall.models.names import is_first_name

    words = match.turn.norm.text[match.start : match.end].split()
    if len(words) == 2 and words[0] in params.word_sets["determiners"]:
        return False
    stops = stop_words(ctx.language)
    after = match.turn.norm.words_after(match.end, 3)
    if after and after[0] == words[-1]:
        after = after[1:]  # the formula's last word said again, raw speech starting over: « en ligne avec euh avec sébastien »
    after = after[:2]
    if words[-1] in params.word_sets["leads"]:
        named = [w for w in match.turn.norm.words_after(match.end, 3) if w not in params.word_sets["determiners"]]
        if not named or named[0] in params.word_sets["not_led"]:
            return False  # "thanks for calling, how can I help?": the name the formula leads to is not said
    person = bool(after) and after[0] not in stops and is_first_name(after[0]) and after[0] not in params.word_sets["names"]
    return not (person and (len(after) == 1 or after[1] in stops or after[1] in params.word_sets["presenting"]))


@register_check("organization", OrganizationParams)
def organization(ctx: CheckContext, params: OrganizationParams) -> ItemResult:
    """Passes when the agent names the company or the service in the opening."""
    turns = ctx.scope()
    if not turns:
        return ctx.failed(reason("opening.no_agent_turn"))
    known = find_all(params.name_matcher, turns)
    if known:
        return ctx.passed(reason("organization.named", text=known[0].text, at=place(known[0])), known[:1])
    intro = [m for m in without_overlaps(find_all(params.intro_matcher, turns), find_all(params.excluded, turns)) if _introduces_organisation(ctx, m, params)]
    if intro:
        return ctx.passed(reason("organization.introduced", text=intro[0].text, at=place(intro[0])), intro[:1])
    if params.pickup and not ctx.customer_spoke_before(turns[0]):
        slot = _pickup_slot(ctx, turns[0], params)
        if slot is not None:
            return ctx.passed(reason("organization.pickup", text=slot.text, at=place(slot)), [slot])
    for turn in turns:
        if turn.lower_case and ctx.customer_spoke_before(turn):
            break  # lower-case speech after the request: « le polo de votre garçon » names no company
        slot = _attached_slot(ctx, turn, params)
        if slot is not None:
            return ctx.passed(reason("organization.with_agent", text=slot.text, at=place(slot)), [slot])
    named = _proper_name_run(ctx, turns[0], params)  # at pick-up: later, products, places and courses have proper names too
    if named is not None:
        return ctx.passed(reason("organization.proper_name", text=named.text, at=place(named)), [named])
    return ctx.failed(reason("organization.missing", window=ctx.window_param(ctx.item.window)))


class AgentNameParams(CheckParams):
    patterns: list[str] = Field(
        default_factory=list,
        description="phrases with a {name} slot, said in the first person; a leading ^ anchors at the turn start",
    )
    naming: list[str] = Field(
        default_factory=list,
        description="phrases with a {name} slot that call what follows a name (« je m'appelle {name} », \"my name is {name}\"): the word in "
        "the slot is the agent's name whatever it is, one no lexicon holds in lower-case speech too (\"my name is funmilayo\")",
    )
    titles: list[str] = Field(
        default_factory=list,
        description="forms of address that mark the customer's name; in a pattern's slot before the customer has spoken, the agent's own "
        "(« je suis madame Roux », \"Mrs Patel speaking\")",
    )
    not_names: list[str] = Field(default_factory=list)
    lead_words: list[str] = Field(default_factory=list, description="words a ^-anchored pattern may follow at the turn start (« bonjour », « oui »)")
    first_person: list[str] = Field(
        default_factory=list,
        description="first-person words (« je », « moi », \"my\"): a pattern without one (« {name}, bonjour ») takes only a known first name, "
        "since a company said at pick-up fills the same slot",
    )
    name_requests: list[str] = Field(
        default_factory=list,
        description="how the agent asks for the customer's name (« c'est à quel nom ? »): a name in that turn is the customer's",
    )
    part_of_after: list[str] = Field(
        default_factory=list,
        description="words after which a first name belongs to another name (« le cellier de Marthe », « rue Victor-Hugo »)",
    )
    third_person: list[str] = Field(
        default_factory=list,
        description="third-person words (« elle », \"he's\"): a first name said outside the first-person phrases and followed by one is "
        "someone else's (\"that would be darren, he's moved to Australia\"; not an impersonal « il »)",
    )
    lower_case_slots: list[str] = Field(
        default_factory=list,
        description="those of the patterns a company seldom fills (\"{name} speaking\", « vous parlez à {name} »): in lower-case speech, "
        "which has no capitals to tell a name by, a word no dictionary holds opening their slot is the agent's name (\"sipho speaking\")",
    )
    person_slots: list[str] = Field(
        default_factory=list,
        description="those of the lower_case_slots a company never fills (« {name} à l'appareil »): a word no dictionary holds opening their slot "
        "is the agent's name whatever word comes before it, the end of the company's name too (« … franchise koffi à l'appareil »; not "
        "\"harbour freight douala here\")",
    )

    @model_validator(mode="after")
    def _slots_are_patterns(self) -> "AgentNameParams":
        unknown = [slot for slot in self.lower_case_slots if slot not in self.patterns]
        if unknown:
            raise ValueError(f"lower_case_slots: {unknown[0]!r} is not one of the patterns")
        unknown = [slot for slot in self.person_slots if slot not in self.lower_case_slots]
        if unknown:
            raise ValueError(f"person_slots: {unknown[0]!r} is not one of the lower_case_slots")
        return self

    @cached_property
    def lower_case_regexes(self) -> frozenset[str]:
        """The regexes (as `name_patterns` compiles them) of `lower_case_slots`."""
        return self._regex_texts(self.lower_case_slots)

    @cached_property
    def person_regexes(self) -> frozenset[str]:
        """The regexes (as `name_patterns` compiles them) of `person_slots`."""
        return self._regex_texts(self.person_slots)

    def _regex_texts(self, patterns: list[str]) -> frozenset[str]:
        return frozenset(self._regex(p, self.normal_lead_words).pattern for p in patterns)

    @cached_property
    def normal_lead_words(self) -> tuple[str, ...]:
        return tuple(w for w in (self.normal(word) for word in self.lead_words) if w)

    @cached_property
    def name_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """Each pattern as a regex on normalised text, and how strongly it calls its slot a name: `naming`, `first_person`
        (« je suis {name} »), `company_like` (a slot a company fills as often: « {name} bonjour », « ^{name} de »), or
        `other` (« {name} à votre écoute »)."""
        lead = self.normal_lead_words
        first_person = self.normal_words(self.first_person)
        company_like = set(lead) | {"de", "d", "du", "des", "chez", "from", "at", "of"}

        def kind(pattern: str) -> str:
            before, _, after = (self.normal(part).split() for part in pattern.partition("{name}"))
            if any(w in first_person for w in before):
                return "first_person"
            # The speaker's own words after the slot say nothing of what fills it: « Clair Vitrage, je vous écoute ».
            return "company_like" if after and (after[0] in company_like or after[0] in first_person) else "other"

        return [(self._regex(p, lead), "naming") for p in self.naming] + [(self._regex(p, lead), kind(p)) for p in self.patterns]

    @cached_property
    def name_leaders(self) -> frozenset[str]:
        """The words a pattern puts right before a name (« ici », « à », "to", "is"): a name after one of them opens no other name."""
        before = (self.normal(p.partition("{name}")[0]).split() for p in self.patterns + self.naming)
        return frozenset(words[-1] for words in before if words)

    @cached_property
    def name_followers(self) -> frozenset[str]:
        """The words a pattern puts right after a name (« à », \"speaking\", « bonjour »): a name before one of them is not inside another name."""
        after = (self.normal(p.partition("{name}")[2]).split() for p in self.patterns + self.naming)
        return frozenset(words[0] for words in after if words)

    @cached_property
    def word_sets(self) -> dict[str, frozenset[str]]:
        """The word lists, normalised once: titles, never (not_names, titles, lead words: "hey" is a name too), part_of_after, lead."""
        return {
            "titles": self.normal_words(self.titles),
            "never": self.normal_words(self.not_names + self.titles + self.lead_words),
            "part_of_after": self.normal_words(self.part_of_after),
            "lead": self.normal_words(self.lead_words),
            "third_person": self.normal_words(self.third_person),
        }

    @cached_property
    def request_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.name_requests)

    def _regex(self, pattern: str, lead_words: tuple[str, ...]) -> re.Pattern[str]:
        anchored = pattern.startswith("^")
        before, _, after = pattern.lstrip("^").partition("{name}")
        parts = []
        if before.strip():
            parts.append(r"\s".join(re.escape(w) for w in self.normal(before).split()) + r"\s")
        titles = "|".join(re.escape(w) for w in sorted(self.normal_words(self.titles), key=lambda title: (-len(title), title)))
        parts.append((f"(?:(?P<title>{titles})\\s)?" if titles else "") + r"(?P<name>[a-z]+)")
        if after.strip():
            parts.append(r"\s" + r"\s".join(re.escape(w) for w in self.normal(after).split()))
        lead = "|".join(re.escape(w) for w in lead_words)
        prefix = (f"^(?:(?:{lead})\\s)*" if lead else "^") if anchored else r"(?<![a-z0-9])"
        return re.compile(prefix + "".join(parts) + r"(?![a-z0-9])")


class _NameReader:
    """What a word of the agent's opening is: a person's first name (lexicon, spaCy's person entities), an ordinary word, the customer's name."""

    def __init__(self, ctx: CheckContext, params: AgentNameParams, turns: list[TurnView]) -> None:
        self.ctx, self.params, self.sets, self.turns = ctx, params, params.word_sets, turns
        self.stops = stop_words(ctx.language)
        self.words_of: dict[int, tuple[list[tuple[str, int, int, bool]], dict[int, int]]] = {}
        self.titled_in_turn: dict[int, dict[str, int]] = {}
        # Who said a word first: a name the customer gave before the agent says it is the customer's.
        self.customer_first = first_saying(ctx.customer_turns, lambda t: t.norm.words())

    @cached_property
    def name_asked(self) -> tuple[int, int] | None:
        """Where the agent first asks the customer's name in the opening (« c'est à quel nom ? »): the turn, and where in its
        normalised text the request begins. A name after it is the customer's or one of theirs (« Bramble and Pip, arriving on
        Saturday? »); agents give their own before asking, in the same turn too (« … ici Nicolas, c'est à quel nom ? »)."""
        matcher = self.params.request_matcher
        if matcher is None:
            return None
        return next(((t.index, m.start()) for t in self.turns if (m := matcher.search(t.norm.text)) is not None), None)

    def department_after(self, turn: TurnView, end: int) -> bool:
        """Ordinary words after the word with no pause, a company's service or team ("you're chatting with Munchbox customer
        care", « vous parlez avec Vitalis service client »): the word is the company's, not a name (not "Wanjiru from …")."""
        after = turn.norm.words_after(end, 2)
        _, e = turn.norm.span(end - 1, end)
        return len(after) == 2 and not self.closes_clause(turn, end) and not turn.text[e:].lstrip()[:1].isupper() and all(
            w in self.dictionary and w not in self.stops and w not in self.params.name_followers for w in after)

    def greeted_by_name(self) -> Match | None:
        """The word of the agent's opening the customer greets them by in the reply (« kwame speaking how may i help » —
        « good morning kwame … »): the agent's name, one no lexicon holds too. A word the customer greets is no title, no
        ordinary word unless a first name, and not said by the customer before the agent ("hello support" names nothing)."""
        from qualicall.models.names import is_first_name

        for customer in self.ctx.customer_turns:
            said = [t for t in self.turns if t.index < customer.index]
            if not said:
                continue
            words = _words(customer)
            i = 0
            while skipped := _phrase_at(words, i, self.sets["lead"]):
                i += skipped
            if i == 0 or i >= len(words):
                return None  # (only the customer's first turn after the agent spoke: a greeting opens it or none)
            word = words[i][0]
            acknowledging = self.ctx.rubric.window_words("acknowledging")
            if len(word) < 3 or word in self.stops or word in self.sets["never"] or (word in self.dictionary and not is_first_name(word)) \
                    or acknowledging is not None and acknowledging.fullmatch(word):
                return None  # (« salut euh ouais j'ai envoyé … »)
            for turn in reversed(said):
                for m in re.finditer(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", turn.norm.text):
                    # (not the company named at pick-up and greeted back: « Bonjour, Enedis. » « Bonjour Enedis, … »)
                    if not self.at_pickup(turn, m.start()) and not self.excluded(turn, m.start(), m.end()):
                        return Match(turn, m.start(), m.end())
            return None
        return None

    def before_customer_surname(self, turn: TurnView, end: int) -> bool:
        """The word after the name is one said after a title earlier (« Madame Tremblay, c'est bien vous ? Hélène Tremblay,
        à Trois-Rivières ? »): the first name of the customer or of their family."""
        after = turn.norm.words_after(end, 1)
        return bool(after) and (self.titled_first.get(after[0], turn.index) < turn.index or self.titled_ends(turn).get(after[0], end + 1) <= end)

    def titled_ends(self, turn: TurnView) -> dict[str, int]:
        """Each word said right after a title in the turn, and where it first ends: once per turn (it split the turn's
        beginning for every candidate name, a long turn's cost growing with its square)."""
        if turn.index not in self.titled_in_turn:
            words = list(re.finditer(r"\S+", turn.norm.text))
            ends: dict[str, int] = {}
            for title, word in zip(words, words[1:]):
                if title.group() in self.sets["titles"]:
                    ends.setdefault(word.group(), word.end())
            self.titled_in_turn[turn.index] = ends
        return self.titled_in_turn[turn.index]

    def titled(self, words: list[str]) -> set[str]:
        """The words said right after a title (« madame Tremblay »)."""
        return {word for title, word in zip(words, words[1:]) if title in self.sets["titles"]}

    @cached_property
    def titled_first(self) -> dict[str, int]:
        """Each word said after a title, and the first turn saying it so."""
        return first_saying(self.ctx.turns, lambda t: self.titled(t.norm.words()))

    def after_name_asked(self, turn: TurnView, start: int) -> bool:
        """The word at `start` of the turn (−1: anywhere in it) comes after the agent asked the customer's name."""
        return self.name_asked is not None and (turn.index, start if start >= 0 else len(turn.norm.text)) >= self.name_asked

    @cached_property
    def dictionary(self):  # type: ignore[no-untyped-def]
        from qualicall.models.lexicon import dictionary

        return dictionary(self.ctx.nlp)

    @cached_property
    def persons(self) -> dict[int, list[tuple[int, int]]]:
        """spaCy's person entities of the opening's cased turns, in one batch, asked only when the lexicon cannot tell
        (lower-case ASR text has none to find)."""
        from qualicall.models.nlp import person_names

        cased = [t for t in self.turns if not t.lower_case and not t.upper_case]
        if not cased:
            return {}
        return {turn.index: spans for turn, spans in zip(cased, person_names(self.ctx.nlp, [t.text[: self.ctx.rubric.text.model_chars] for t in cased]))}

    def is_person(self, turn: TurnView, start: int, end: int) -> bool:
        """The word is (in) a person entity of the cased turn."""
        s, e = turn.norm.span(start, end)
        return any(ps <= s and e <= pe for ps, pe in self.persons.get(turn.index, ()))

    def written(self, turn: TurnView, start: int, end: int) -> str:
        s, e = turn.norm.span(start, end)
        return turn.text[s:e]

    def capitalised_inside(self, turn: TurnView, start: int, end: int) -> bool:
        """Cased text, a capital not owed to the start of a sentence: « c'est Rose qui vous répond »."""
        if turn.lower_case or turn.upper_case:
            return False
        s, _ = turn.norm.span(start, end)
        return turn.text[s : s + 1].isupper() and not self.sentence_start(turn, start)

    def excluded(self, turn: TurnView, start: int, end: int, kind: str = "other") -> bool:
        """Not the agent's name: a function word, the customer's (after a title, said by the customer first, asked for), part of another name
        (the company's). Kind `titled`: a title and a name in a pattern's slot, the agent presenting themselves so (« madame Lefèvre à
        votre écoute ») before the customer has said a word; once they have, the customer's (« c'est madame Roux ? »). Kind `bare`:
        a first name said in no pattern, as `other` but wherever in the turn that asks the customer's name."""
        word = turn.norm.text[start:end]
        if (word in self.stops and not self.redacted_name(turn, start, end)) or word in self.sets["never"] or self.opens_phrase(turn, start, end):
            return True  # (« [NAME] » of a redacted transcript reads "name", an English function word)
        before = turn.norm.words_before(start, 1)
        if kind == "titled":
            # once the customer has spoken, or asked of them (« Bonjour, c'est madame Roux ? »): the customer's
            return any(t.index < turn.index and t.norm.text for t in self.ctx.customer_turns) or _asked_right_after(turn, end)
        if before and (before[0] in self.sets["titles"] or before[0] in self.sets["part_of_after"]) and not self.paused_before(turn, start):
            return True  # (not across a pause: « Bonjour madame, Karim à votre écoute », « Bonjour madame ! Salif au clavier »)
        if self.customer_first.get(word, turn.index) < turn.index or self.before_customer_surname(turn, end):
            return True
        if self.after_name_asked(turn, start if kind in ("naming", "first_person", "other") else -1):
            return True  # (before the request in its turn, only in a presenting phrase: not « Pharmacie Durand bonjour, c'est à quel nom ? »)
        if kind in ("other", "company_like", "bare") and self.in_company_name(turn, start, end):
            return True  # not after « je suis », "my name is": a name given so is the agent's, whatever words make it ("Helen Strand")
        # « Bonjour Sophie, … » once the customer has spoken: the agent greets the customer by name, the
        # name closing the greeting (not « Bonjour ! Agathe, du service … », "Hello, Jordan here").
        spoke_first = any(t.index < turn.index for t in self.ctx.customer_turns)
        greeted = bool(before) and before[0] in self.sets["lead"] and not self.sentence_start(turn, start)
        return spoke_first and greeted and self.closes_clause(turn, end)

    @cached_property
    def phrases(self) -> list[list[str]]:
        """The word lists' phrases of several words (« kia ora »): their first word is no name there."""
        return [phrase.split() for phrase in self.sets["never"] if " " in phrase]

    def opens_phrase(self, turn: TurnView, start: int, end: int) -> bool:
        """The word begins a phrase of the lists: "Kia" in "Kia ora" is a greeting's."""
        word = turn.norm.text[start:end]
        return any(p[0] == word and turn.norm.words_after(end, len(p) - 1) == p[1:] for p in self.phrases)

    @cached_property
    def ordinary(self) -> frozenset[str]:
        return frozenset(self.stops | self.sets["lead"] | self.sets["never"])

    def in_company_name(self, turn: TurnView, start: int, end: int) -> bool:
        """A first name inside a name of several words, the company's: glued to the next word (« Tram'Agglo », "Sam's
        Plumbing"); after a capitalised word of the same phrase, not one that only begins a sentence (« Garde-Meubles
        Morel », « Atelier Blanche Couture »; in lower-case speech, a word of it must follow too: not « … restauration
        scolaire margot bonjour », "… support sarah speaking"); or the first of ordinary words (« Clair Vitrage »)."""
        from qualicall.models.names import is_first_name

        _, e = turn.norm.span(start, end)
        if re.match(r"['’][^\W\d_]", turn.text[e : e + 2]):
            return True
        # Once per turn, each word found by where it starts: this runs for every word the first-name lexicon takes
        # (« je », « du » are first names too), and a pass over the turn each time made a 40,000-character chat turn
        # cost 48 s of scoring (setdefault computed the words every call).
        if turn.index not in self.words_of:
            found = _words(turn)
            self.words_of[turn.index] = (found, {w[1]: k for k, w in enumerate(found)})
        words, index_at = self.words_of[turn.index]
        i = index_at.get(start)
        if i is None:
            return False
        if _name_of_words(self.ctx, turn, words, i) or self.capitalised_run_after(turn, words, i):
            return True
        if i == 0 or words[i][3] or words[i - 1][0] in self.ordinary or words[i - 1][0] in self.params.name_leaders:
            return False
        following = i + 1 < len(words) and not words[i + 1][3] and words[i + 1][0] not in self.ordinary and words[i + 1][0] not in self.params.name_followers
        following = following and not is_first_name(words[i + 1][0])
        if turn.lower_case or turn.upper_case:
            return following
        before = _written(turn, words[i - 1])
        if not before[:1].isupper():
            return False
        return following or not self.sentence_start(turn, words[i - 1][1])

    def capitalised_run_after(self, turn: TurnView, words: list[tuple[str, int, int, bool]], i: int) -> bool:
        """Cased text: the two words after the first name capitalised, no pause between, no first names, one of them an ordinary
        word — a company's name the first name opens ("you're through to Fingal North Council"), not a surname ("Sarah Green")."""
        from qualicall.models.names import is_first_name

        if turn.lower_case or turn.upper_case:
            return False
        run = words[i : i + 3]
        if len(run) < 3 or any(w[3] for w in run[1:]):
            return False
        # (words joined by a hyphen make one: a surname « Hélène Vasseur-Dumas », a chat agent's team « Léa-SAV Boulanger »)
        gaps = [turn.text[turn.norm.span(a[1], a[2])[1] : turn.norm.span(b[1], b[2])[0]] for a, b in zip(run, run[1:])]
        # (one of them an ordinary word: « Fatou Ndiaye Diop », "Maria Garcia Lopez" are a person's surnames)
        return all(gap.strip() != "-" for gap in gaps) and all(_written(turn, w)[:1].isupper() and not is_first_name(w[0]) for w in run[1:]) \
            and any(w[0] in self.dictionary for w in run[1:])

    def someone_else(self, turn: TurnView, end: int) -> bool:
        """The name, or the phrase presenting it, is followed by a third-person word: the agent speaks of someone (« c'est Julie,
        elle passe jeudi »)."""
        after = turn.norm.words_after(end, 1)
        return bool(after) and after[0] in self.sets["third_person"]

    def closes_clause(self, turn: TurnView, end: int) -> bool:
        _, e = turn.norm.span(end - 1, end)
        after = turn.text[e:].lstrip()
        return not after or after[0] in ",.;:!?"

    def paused_before(self, turn: TurnView, start: int) -> bool:
        """A punctuation mark between the word at `start` (normalised) and the word before it in the original text."""
        s, _ = turn.norm.span(start, start + 1)
        said = turn.text[:s].rstrip()
        return bool(said) and said[-1] in ",;:.!?…"

    def sentence_start(self, turn: TurnView, start: int) -> bool:
        """The word begins the turn or follows a sentence's end: its mark, or an emoji (« Salut 👋 Ici Nico », « Salut ❤️ Ici … »)."""
        return opens_sentence(turn.text, turn.norm.span(start, start + 1)[0])

    def at_pickup(self, turn: TurnView, start: int) -> bool:
        """Only salutations before the word in the turn: where a company is named (« Hello, Acme here »)."""
        return all(w in self.sets["lead"] for w in turn.norm.text[:start].split())

    def first_name(self, turn: TurnView, start: int, end: int) -> bool:
        """A first name of the lexicon that is no ordinary word, or that cased text capitalises or tags as a person. (A
        name redaction replaced, « [NAME] », is the agent's only in a presenting phrase, `in_slot`: alone it may be
        anyone's, « Bonjour [NAME] ! ».)"""
        from qualicall.models.names import is_first_name

        word = turn.norm.text[start:end]
        if not is_first_name(word) or self.in_hyphenated_place(turn, start, end) or self.short_capitals(turn, start, end):
            return False
        # Two letters are a name only as cased text writes one (« Jo », not the Afrikaans « ja » of a raw transcript);
        # a presenting phrase (« this is jo ») takes them all the same (`in_slot`).
        if len(word) > 2 and (self.written(turn, start, end).lower() not in self.dictionary or self.compound_first_name(turn, start)):
            return True
        return self.capitalised_inside(turn, start, end) or self.is_person(turn, start, end)

    @staticmethod
    def redacted_name(turn: TurnView, start: int, end: int) -> bool:
        return is_placeholder(turn.text, *turn.norm.span(start, end), kind="NAME")

    def short_capitals(self, turn: TurnView, start: int, end: int) -> bool:
        """Cased text writing two letters in capitals: a code (« Votre box est en statut BO »), not a first name; a presenting
        phrase (« this is JO ») takes it all the same (`in_slot`), and a longer name typed in capitals is still one
        (« vous échangez avec CLAIRE »)."""
        if turn.upper_case:
            return False
        written = self.written(turn, start, end)
        return len(written) == 2 and written.isupper()

    def in_hyphenated_place(self, turn: TurnView, start: int, end: int) -> bool:
        """A word joined by hyphens after other words that are not all first names: part of a place's name
        (« Vaulx-en-Velin », « Saint-Aubin-sur-Loire »), not a person's (« Marie-Laure »); a name that opens the compound
        is still one (« Léa-SAV », a chat agent's name and team)."""
        s, e = turn.norm.span(start, end)
        if not (s > 1 and turn.text[s - 1] == "-" and turn.text[s - 2].isalpha()):
            return False
        compound = next((m for m in _HYPHENATED.finditer(turn.text) if m.start() <= s < m.end()), None)
        return compound is not None and not _first_names_only(compound.group())

    def compound_first_name(self, turn: TurnView, start: int) -> bool:
        """« marie-laure », « jean-pierre »: first names joined by hyphens make one, whatever the dictionary says of each part."""
        s, _ = turn.norm.span(start, start + 1)
        compound = _HYPHENATED.match(turn.text, s)
        return compound is not None and _first_names_only(compound.group())

    def in_slot(self, turn: TurnView, start: int, end: int, kind: str, lower_case_slot: bool = False, person_slot: bool = False) -> bool:
        """A word in a pattern's {name} slot: after a naming phrase (« je m'appelle X »), any word; said in the first person
        (« je suis X »), a first name or a word the tagger takes for a proper noun; otherwise (« X, bonjour ») a company fits the
        slot too, so a first name, a person entity, or a surname after one."""
        from qualicall.models.names import is_first_name

        if kind == "naming" or self.redacted_name(turn, start, end):
            return True
        first_person = kind == "first_person"
        word = turn.norm.text[start:end]
        # The recogniser takes a common noun for a person now and then (« Numéro de contrat ? », « Ciné Lumière,
        # bonjour »): in a slot a company fills as often, or opening a sentence, a person entity counts when it is no
        # ordinary word (« Boulanger à votre écoute » still does).
        ordinary = self.written(turn, start, end).lower() in self.dictionary
        if is_first_name(word) or self.is_person(turn, start, end) and not (ordinary and (kind == "company_like" or self.sentence_start(turn, start))):
            return True
        if not first_person:
            # A surname after a first name (« Élodie Marchand à votre service »), or a capitalised word no
            # dictionary holds, past the pick-up's company slot ("Hello, Acme support, Oyelaran here").
            before = turn.norm.words_before(start, 1)
            # (Not an ordinary word where a company fills the slot as often: « serrurerie martin dépannage je vous écoute ».)
            if before and is_first_name(before[0]) and before[0] not in self.stops and not (ordinary and kind == "company_like"):
                return True
            unknown = self.written(turn, start, end).lower() not in self.dictionary
            if unknown and turn.lower_case and lower_case_slot and (
                    person_slot and _looks_like_a_name(word) or not before or before[0] in self.sets["lead"] | self.sets["never"] | self.params.name_leaders):
                # Lower-case speech has no capitals to tell a name by: a word no dictionary holds opening a presenting
                # phrase that a company fills seldom ("sipho speaking", "you're speaking to otieno") is a name (not the end
                # of the company's: "harbour freight douala here", unless no company fills the slot: « … franchise koffi à l'appareil »).
                return True
            # (Opening a sentence too, past the pick-up, in a slot a company seldom fills: "Welcome to the Tool Library! Thandi speaking.")
            capitalised = self.capitalised_inside(turn, start, end) or lower_case_slot and self.written(turn, start, end)[:1].isupper() and not turn.upper_case
            return unknown and capitalised and not self.at_pickup(turn, start) and not self.department_after(turn, end)
        s, _ = turn.norm.span(start, end)
        if turn.text[s : s + 1].isupper() and not turn.upper_case:
            token = next(iter(self.ctx.tokens(turn, s, s + 1)), None)
            return token is not None and token.pos_ == "PROPN"
        return False


@register_check("agent_name", AgentNameParams)
def agent_name(ctx: CheckContext, params: AgentNameParams) -> ItemResult:
    """Passes when the agent gives a person's name of their own in the opening (not the customer's, not a company's).

    A name is recognised by what it is, wherever the agent says it: a first name
    of the lexicon (accents and case do not matter) that is no ordinary word, or
    that cased text capitalises inside a sentence or spaCy tags as a person
    (« Transports Lumen bonjour, Maëlle. », « vous avez Anaïs au secrétariat »).
    A presenting phrase (« je suis X », "X speaking") also takes names the
    lexicon lacks. The customer's name is not the agent's: after a title
    (« madame Durand »), said by the customer first, in the turn that asks for it
    (« c'est à quel nom ? ») unless a presenting phrase gave it before the request,
    before a surname said after a title, or greeted (« bonjour Sophie » after the
    customer spoke). Last, the word of the pick-up the customer greets the agent by
    (« kwame speaking » — « good morning kwame ») is the agent's name.
    """
    turns = ctx.scope()
    if not turns:
        return ctx.failed(reason("opening.no_agent_turn"))
    reader = _NameReader(ctx, params, turns)
    for turn in turns:
        for pattern, kind in params.name_patterns:
            for m in pattern.finditer(turn.norm.text):
                start, end = m.span("name")
                if m.groupdict().get("title") and not reader.excluded(turn, start, end, "titled"):
                    match = Match(turn, m.start(), m.end())
                    return ctx.passed(reason("agent_name.given", text=match.text, at=place(match)), [match])
                if kind in ("other", "company_like") and reader.someone_else(turn, m.end()):
                    continue  # « c'est Julie, elle finit la roue ce soir »
                if not reader.excluded(turn, start, end, kind) and reader.in_slot(
                        turn, start, end, kind, pattern.pattern in params.lower_case_regexes, pattern.pattern in params.person_regexes):
                    # (a title across a pause is not the name's: « Bonjour madame, Karim à votre écoute » quotes « Karim à votre écoute »)
                    match = Match(turn, start if m.groupdict().get("title") else m.start(), m.end())
                    return ctx.passed(reason("agent_name.given", text=match.text, at=place(match)), [match])
        for m in re.finditer(r"[a-z]+", turn.norm.text):
            if not reader.excluded(turn, *m.span(), kind="bare") and not reader.someone_else(turn, m.end()) and reader.first_name(turn, *m.span()):
                match = Match(turn, *m.span())
                return ctx.passed(reason("agent_name.given", text=match.text, at=place(match)), [match])
    greeted = reader.greeted_by_name()
    if greeted is not None:
        return ctx.passed(reason("agent_name.given", text=greeted.text, at=place(greeted)), [greeted])
    return ctx.failed(reason("agent_name.missing", window=ctx.window_param(ctx.item.window)))
