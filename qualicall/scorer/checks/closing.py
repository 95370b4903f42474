"""Closing: the recap of what was done or what happens next."""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.core.text import normalize
from qualicall.scorer.checks.banks import by_meaning, read_with_bank, realised
from qualicall.scorer.checks.formula import items_formulas
from qualicall.scorer.checks.greeting import stop_words
from qualicall.scorer.context import AGENT, CUSTOMER, CheckContext, Match, TurnView, find_all, first_saying
from qualicall.scorer.params import CheckParams
from qualicall.scorer.reasons import place, reason
from qualicall.scorer.registry import register_check

# Word stems: the first letters carry the lemma in French and English
# (« livre » / « livrera », "arrive" / "arriving") without running a tagger
# over the whole call.
STEM = 5
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "NUM"})
# A sentence ends on stops followed by a space or the turn's end: not inside "a.m.", « 1.95 m », "e.g.", nor after "a.m."
# when the sentence goes on in lower case ("Come at 9 a.m. tomorrow.").
_SENTENCE = re.compile(r"(?:[^.!?…]|[.!?…]+(?![\s.!?…]|$)|(?<=\b[apAP]\.[mM])\.(?=\s+[a-z]))+[.!?…]*")
_PUNCTUATION = re.compile(r"[.,;:!?…]")


class RecapParams(CheckParams):
    phrases: list[str] = Field(default_factory=list, description="explicit recap formulas (« je récapitule »)")
    markers: list[str] = Field(default_factory=list, description="words that open a summary (« donc », « so »)")
    headings: list[str] = Field(
        default_factory=list,
        description="words that open a summary as a heading, a colon after them (« Bilan : », « Je reprends : », \"Recap:\"; not « le bilan "
        "de votre société », « je reprends votre numéro »)",
    )
    min_words: int = Field(default=8, ge=1, description="words a summary opened by a marker needs")
    min_restated: int = Field(
        default=3, ge=1, description="content words of a marker statement said earlier in the call (a summary repeats facts; an answer brings new ones)"
    )
    done: list[str] = Field(default_factory=list, description="what the agent has done (« je vous ai * », \"I've *\")")
    next: list[str] = Field(default_factory=list, description="what happens next (« vous recevrez », \"you'll\"); future-tense verbs count too")
    days: list[str] = Field(
        default_factory=list,
        description="days that date what happens next (« je vous bloque le court samedi »), in a statement restating the call only "
        "(with what was done they date the past or an offer: « j'ai un créneau mardi »)",
    )
    offers: list[str] = Field(
        default_factory=list,
        description="words that offer a slot or tell when the place is open (« il reste une place », « je peux vous inscrire », "
        "\"we're open\", « du lundi au samedi »): a statement holding one proposes or informs, it sums nothing up (unless a marker opens "
        "it, or it says what will happen or what was done: « le technicien passera jeudi de 8 heures à 12 heures », \"I have reserved "
        "the room for Wednesday from two until five\")",
    )
    requests: list[str] = Field(
        default_factory=list,
        description="words of a statement asking the customer for what the agent still needs (« il nous faudra aussi l'adresse », \"we'll "
        "need the PO number\"): it sums nothing up, whatever its tense (unless a marker opens it)",
    )
    bank: str | None = Field(
        default=None, description="a rubric bank (`banks:`) of recaps: a sentence of the window that realises it is a recap (recognised by meaning)"
    )
    closed_questions: list[str] = Field(
        default_factory=list,
        description="with `question_words`: words that make a customer turn a question only where it asks with a '?' (\"Is that "
        "possible?\"; in unpunctuated speech \"the only thing is that i'm out\" asks nothing)",
    )
    question_words: list[str] = Field(
        default_factory=list,
        description="words that make a customer turn a question (« comment », \"when\"; with a '?' where punctuated): the agent's next turn answers it, "
        "and an answer brings new facts, it sums nothing up (only an explicit formula or a marked summary is a recap there)",
    )

    @cached_property
    def matchers(self) -> dict[str, re.Pattern[str] | None]:
        """The explicit formulas, the markers, the headings, what was done, what happens next, the days, the requests, the question words, the offers:
        each one regex."""
        lists = {"phrases": self.phrases, "markers": self.markers, "headings": self.headings, "done": self.done, "next": self.next, "days": self.days,
                 "requests": self.requests}
        lists |= {"question_words": self.question_words, "closed_questions": self.closed_questions, "offers": self.offers}
        matchers = {name: self.phrase_matcher(phrases) for name, phrases in lists.items()}
        if matchers["days"] is not None:
            # « à samedi » takes leave, it dates nothing (« merci de votre appel et à samedi 22 »)
            matchers["days"] = re.compile(r"(?<!\ba )" + matchers["days"].pattern)
        return matchers


def _stems(words: list[str], stops: frozenset[str]) -> set[str]:
    return {w[:STEM] for w in words if len(w) > 2 and w not in stops and not w.isdigit()}


def _sentence_spans(turn: TurnView) -> list[tuple[int, int, bool]]:
    """(start, end, is_question) of a turn's sentences in normalised text (split at . ! ?; unpunctuated text is one)."""
    spans = []
    for m in _SENTENCE.finditer(turn.text):
        # A sentence of punctuation or hesitations alone has no normalised text.
        span = turn.norm.norm_span(m.start() + len(m.group()) - len(m.group().lstrip()), m.end())
        if span is not None:
            spans.append((*span, m.group().rstrip().endswith("?")))
    return spans


def _content_words(ctx: CheckContext, turn: TurnView, start: int, end: int) -> list[str]:
    """The nouns, verbs and numbers of a span (spaCy tags: not « êtes », « ouais », « bon »)."""
    first, last = turn.norm.span(start, end)
    return [normalize(t.text).text for t in ctx.tokens(turn, first, last) if t.pos_ in CONTENT_POS]


def _answers(ctx: CheckContext, asking: re.Pattern[str] | None, closed: re.Pattern[str] | None) -> set[int]:
    """The agent turns that answer a question: the customer's turn just before asks one (a question word, and a '?' where the
    text is punctuated; or, with a '?', one of the `closed` questions: "Is that possible?"). A request (« vous pouvez
    m'envoyer le devis ? ») is no such question: the agent's reply does it and may sum up."""
    answers: set[int] = set()
    if asking is None and closed is None:
        return answers
    previous = None
    for turn in ctx.window("conversation"):
        if turn.speaker == AGENT and previous is not None and previous.speaker == CUSTOMER:
            worded = asking is not None and (previous.asks or not _PUNCTUATION.search(previous.text)) and asking.search(previous.norm.text)
            if worded or closed is not None and previous.asks and closed.search(previous.norm.text):
                answers.add(turn.index)
        previous = turn
    return answers


def _opens_with(marker: re.Pattern[str] | None, words: list[str]) -> bool:
    """One of the markers among the sentence's first three words (« bon alors donc … »)."""
    return marker is not None and marker.search(" ".join(words[:3])) is not None


def _heads(headings: re.Pattern[str] | None, turn: TurnView, start: int) -> bool:
    """The sentence opens on a heading followed by a colon (« Bilan : … », "Recap: …")."""
    heading = headings.match(turn.norm.text, start) if headings is not None else None
    if heading is None:
        return False
    _, end = turn.norm.span(heading.start(), heading.end())
    return turn.text[end:].lstrip().startswith(":")


def _has_future(ctx: CheckContext, turn: TurnView, first: int = 0, last: int | None = None) -> bool:
    """A verb in the future tense in the turn, or in original[first:last] of it (spaCy morphology; asked only for candidates)."""
    return any("Fut" in t.morph.get("Tense") for t in ctx.tokens(turn, first, last))


# How many words may part a leave-taking from the day it names (« bonne route pour samedi », « bon courage pour mardi »).
_WISH_TO_DAY_WORDS = 3


def _leave_taken(ctx: CheckContext, turn: TurnView) -> list[tuple[int, int]]:
    """The spans of the turn's leave-taking formulas (the items flagged `closes_contact`: « bonne route pour samedi »)."""
    return [(m.start, m.end) for m in items_formulas(ctx, ctx.rubric.closes_contact(), [turn], limit=5)]


# How many of each closing item's formulas a turn's marker summary is read without (« merci », « bonne soirée », « bons
# échanges … »): a turn holds few.
_CLOSING_FORMULAS_PER_ITEM = 10


def _closing_formulas(ctx: CheckContext, turn: TurnView) -> list[tuple[int, int]]:
    """The spans of the turn's formulas of the closing's formula items (thanks, other needs, leave-taking)."""
    return [(m.start, m.end) for m in items_formulas(ctx, ctx.rubric.closing_items(), [turn], limit=_CLOSING_FORMULAS_PER_ITEM)]


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) that no span covers."""
    parts, at = [], start
    for low, high in sorted(spans):
        if high <= at or low >= end:
            continue
        if low > at:
            parts.append((at, low))
        at = max(at, high)
    return parts + ([(at, end)] if at < end else [])


@register_check("recap", RecapParams)
def recap(ctx: CheckContext, params: RecapParams) -> ItemResult:
    """Passes when the agent sums up, in the closing, what was done or what happens next."""
    turns = ctx.scope()
    matchers = params.matchers
    explicit = find_all(matchers["phrases"], turns)
    if explicit:
        return ctx.passed(reason("recap.explicit", text=explicit[0].text, at=place(explicit[0])), explicit[:1])
    stops = stop_words(ctx.language)
    marker, done, upcoming, days, offers = matchers["markers"], matchers["done"], matchers["next"], matchers["days"], matchers["offers"]
    requests = matchers["requests"]
    first_said = first_saying(ctx.window("conversation"), lambda t: _stems(t.norm.words(), stops))
    answers = _answers(ctx, matchers["question_words"], matchers["closed_questions"])
    for turn in turns:

        def restated(start: int, end: int) -> set[str]:
            """The span's content words said in an earlier turn: a summary repeats what was established."""
            return {s for s in _stems(_content_words(ctx, turn, start, end), stops) if first_said.get(s, turn.index) < turn.index}

        spans = _sentence_spans(turn)
        formulas: list[tuple[int, int]] | None = None
        for start, end, question in spans:
            if question:
                continue
            words = turn.norm.text[start:end].split()
            if len(words) < params.min_words or not (_opens_with(marker, words) or _heads(matchers["headings"], turn, start)):
                continue
            # A summary repeats what was established; an answer to a last question brings new facts. The words of the
            # closing's formulas in the sentence restate nothing (« Alors bonne soirée et bons échanges en anglais », "Thanks
            # so much for your patience, and happy birthday to your dad", v25).
            formulas = _closing_formulas(ctx, turn) if formulas is None else formulas
            found = {stem for low, high in _outside(formulas, start, end) for stem in restated(low, high)}
            if len(found) >= params.min_restated:
                match = Match(turn, start, end)
                return ctx.passed(reason("recap.summary", at=place(match), text=match.text[:80]), [match], restated=len(found))
        if turn.index in answers:
            continue
        # Without a marker: a statement of what happens next (future tense, « sous 5 jours »,
        # "you'll") that repeats what the call established (« la nouvelle carte arrive chez
        # vous sous cinq jours »). An answer to a last question brings new facts instead.
        leave: list[tuple[int, int]] | None = None
        for start, end, question in spans:
            said = turn.norm.text[start:end]
            if question or len(said.split()) < params.min_words or requests is not None and requests.search(said):
                continue
            coming = upcoming.search(said) if upcoming is not None else None
            dated = days.search(said) if days is not None else None
            # (What was done is no offer: "I have reserved study room B for Wednesday from two until five".)
            offered = offers is not None and offers.search(said) is not None and not (done is not None and done.search(said))
            # Nothing ahead; or a slot offered, the opening hours (« le samedi de dix heures à seize heures »), with nothing said
            # to happen (not « le technicien passera jeudi de 8 heures à 12 heures »).
            if not coming and (offered or not dated) and not _has_future(ctx, turn, *turn.norm.span(start, end)):
                continue
            ahead = [m.start() for m in (coming, dated) if m is not None]
            # The day ahead named by a leave-taking, a few words after it (« merci, et bonne route pour samedi », « au plaisir
            # de vous voir mardi »), sums nothing up; « votre colis arrive jeudi, bon week-end » and « bonne journée, votre
            # détartrage est déplacé à jeudi » still do.
            leave = _leave_taken(ctx, turn) if leave is None else leave
            named = start + min(ahead) if ahead else None
            if named is not None and any(start <= s < named and len(turn.norm.text[e:named].split()) <= _WISH_TO_DAY_WORDS for s, e in leave):
                continue
            found = restated(start, end)
            if len(found) >= params.min_restated:
                match = Match(turn, start, end)
                return ctx.passed(reason("recap.next_restating", at=place(match), text=match.text[:80]), [match], restated=len(found))
        # What was done and what happens next, said together (« c'est fait, je vous ai mis sur le vol… vous recevez la confirmation »).
        # (Not an offer asked: « Je vous réserve une place ? Vous pourrez payer sur place. »)
        asked = [(low, high) for low, high, question in spans if question]
        did = next((m for m in done.finditer(turn.norm.text) if not any(low <= m.start() < high for low, high in asked)), None) if done else None
        if did is None:
            continue
        then = upcoming.search(turn.norm.text, did.start()) if upcoming else None
        asked_for = requests is not None and requests.search(turn.norm.text, did.start()) is not None
        # (« J'ai bien noté la panne. Il nous faudra le numéro de série »: the future is the agent's request, nothing happens next.)
        if then is not None or _has_future(ctx, turn) and not asked_for:
            end = then.end() if then else len(turn.norm.text)
            match = Match(turn, did.start(), max(end, did.end()))
            return ctx.passed(reason("recap.done_and_next", at=place(match), text=match.text[:80]), [match])
    # Read by meaning last: the rules above need no sentence embedded.
    if params.bank:
        found = realised(read_with_bank(ctx, params.bank, [t for t in turns if t.index not in answers]))
        if requests is not None:
            found = [r for r in found if not requests.search((said := r.as_match()).turn.norm.text, said.start, said.end)]
        if found:
            return by_meaning(ctx, "passed", {"fr": "récapitulatif", "en": "recap"}, found)
    return ctx.failed(reason("recap.missing", window=ctx.window_param(ctx.item.window)))
