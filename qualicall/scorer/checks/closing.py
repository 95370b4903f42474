"""Closing: the recap of what was done or what happens next."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from qualicall.scorer.checks.formula import compile_formula
from qualicall.scorer.checks.greeting import stop_words
from qualicall.scorer.context import CheckContext, Match, TurnView, find_all, where
from qualicall.scorer.registry import register_check
from qualicall.core.result import ItemResult
from qualicall.core.text import compile_phrases, normalize

# Word stems: the first letters carry the lemma in French and English
# (« livre » / « livrera », "arrive" / "arriving") without running a tagger
# over the whole call.
STEM = 5
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "NUM"})


class RecapParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list, description="explicit recap formulas (« je récapitule »)")
    markers: list[str] = Field(default_factory=list, description="words that open a summary (« donc », « so »)")
    min_words: int = Field(default=8, ge=1, description="words a summary opened by a marker needs")
    min_restated: int = Field(
        default=3, ge=1, description="content words of a marker statement said earlier in the call (a summary repeats facts; an answer brings new ones)"
    )
    done: list[str] = Field(default_factory=list, description="what the agent has done (« je vous ai * », \"I've *\")")
    next: list[str] = Field(default_factory=list, description="what happens next (« vous recevrez », \"you'll\"); future-tense verbs count too")


def _stems(words: list[str], stops: frozenset[str]) -> set[str]:
    return {w[:STEM] for w in words if len(w) > 2 and w not in stops and not w.isdigit()}


def _sentence_spans(turn: TurnView) -> list[tuple[int, int, bool]]:
    """(start, end, is_question) of a turn's sentences in normalised text (split at . ! ?; unpunctuated text is one)."""
    spans = []
    for m in re.finditer(r"[^.!?…]+[.!?…]*", turn.text):
        if not normalize(m.group()).text:
            continue
        indices = [i for i, o in enumerate(turn.norm.offsets) if m.start() <= o < m.end()]
        if indices:
            spans.append((indices[0], indices[-1] + 1, m.group().rstrip().endswith("?")))
    return spans


def _content_words(ctx: CheckContext, turn: TurnView, start: int, end: int) -> list[str]:
    """The nouns, verbs and numbers of a span (spaCy tags: not « êtes », « ouais », « bon »)."""
    first, last = turn.norm.span(start, end)
    return [normalize(t.text).text for t in ctx.doc(turn) if first <= t.idx < last and t.pos_ in CONTENT_POS]


def _has_future(ctx: CheckContext, turn: TurnView) -> bool:
    """A verb in the future tense in the turn (spaCy morphology; asked only for candidate turns)."""
    return any("Fut" in t.morph.get("Tense") for t in ctx.doc(turn))


@register_check("recap", RecapParams)
def recap(ctx: CheckContext, params: RecapParams) -> ItemResult:
    """Passes when the agent sums up, in the closing, what was done or what happens next."""
    turns = ctx.scope()
    explicit = find_all(compile_formula(tuple(params.phrases), ()), turns)
    if explicit:
        return ctx.passed(f"recap: « {explicit[0].text} » in {where(explicit[0])}", explicit[:1])
    stops = stop_words(ctx.language)
    marker = compile_phrases(params.markers)
    done = compile_phrases(params.done)
    upcoming = compile_phrases(params.next)
    for turn in turns:
        earlier = _stems([w for t in ctx.turns if t.index < turn.index and t.speaker in ("agent", "customer") for w in t.norm.words()], stops)
        for start, end, question in _sentence_spans(turn):
            if question:
                continue
            words = turn.norm.text[start:end].split()
            opening = " ".join(words[:3])
            if marker is None or len(words) < params.min_words or not marker.search(opening):
                continue
            # A summary repeats what was established; an answer to a last question brings new facts.
            restated = _stems(_content_words(ctx, turn, start, end), stops) & earlier
            if len(restated) >= params.min_restated:
                match = Match(turn, start, end)
                return ctx.passed(f"summary in {where(match)}: « {match.text[:80]} »", [match], restated=len(restated))
        # Without a marker: a statement of what happens next (future tense, « sous 5 jours »,
        # "you'll") that repeats what the call established (« la nouvelle carte arrive chez
        # vous sous cinq jours »). An answer to a last question brings new facts instead.
        for start, end, question in _sentence_spans(turn):
            words = turn.norm.text[start:end].split()
            if question or len(words) < params.min_words:
                continue
            said = turn.norm.text[start:end]
            first, last = turn.norm.span(start, end)
            future = any("Fut" in t.morph.get("Tense") for t in ctx.doc(turn) if first <= t.idx < last)
            if not future and not (upcoming and upcoming.search(said)):
                continue
            restated = _stems(_content_words(ctx, turn, start, end), stops) & earlier
            if len(restated) >= params.min_restated:
                match = Match(turn, start, end)
                return ctx.passed(f"what happens next, restating the call, in {where(match)}: « {match.text[:80]} »", [match], restated=len(restated))
        # What was done and what happens next, said together (« c'est fait, je vous ai mis sur le vol… vous recevez la confirmation »).
        did = done.search(turn.norm.text) if done else None
        if did is None:
            continue
        tail = turn.norm.text[did.start() :]
        then = upcoming.search(tail) if upcoming else None
        if then is not None or _has_future(ctx, turn):
            end = did.start() + (then.end() if then else len(tail))
            match = Match(turn, did.start(), max(end, did.end()))
            return ctx.passed(f"what was done and what happens next in {where(match)}: « {match.text[:80]} »", [match])
    return ctx.failed(f"no recap in {ctx.describe_window(ctx.item.window)}")
