"""The generic check: does the agent say a formula (or something that means it)?"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from qualicall.scorer.context import CheckContext, Match, TurnView, find_all, where
from qualicall.scorer.registry import register_check
from qualicall.core.result import ItemResult
from qualicall.core.text import compile_phrases, normalize

# Words that turn a question formula into an answer (« oui c'est bien ça »).
AFFIRMATIONS = ("oui", "yes", "exactement", "exactly", "tout a fait", "effectivement", "absolument", "right", "voila", "yeah", "ouais")


class FormulaParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="regular expressions on normalised text")
    exclude: list[str] = Field(default_factory=list, description="phrases that cancel a match they overlap")
    anchors: list[str] = Field(default_factory=list, description="sentences meaning the formula, for the semantic match")
    similarity: float = Field(default=0.8, ge=0, le=1)
    question: bool = Field(default=False, description="the formula must be asked, not said as an answer")
    tags: list[str] = Field(
        default_factory=list,
        description="short words that count only as a tag question closed by '?' (\"…, right?\"); said bare, they are backchannel",
    )
    lemmas: list[str] = Field(
        default_factory=list,
        description="verbs that say the formula in any form (« remercier »: « c'est moi qui vous remercie »), matched on spaCy lemmas",
    )
    what: str = Field(default="formula", description="what is looked for, in reasons")


@lru_cache(maxsize=1024)
def compile_formula(phrases: tuple[str, ...], patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    literal = compile_phrases(list(phrases))
    parts = ([literal.pattern] if literal else []) + [f"(?:{p})" for p in patterns]
    return re.compile("|".join(parts)) if parts else None


def _overlaps(match: Match, others: list[Match]) -> bool:
    return any(o.turn is match.turn and o.start < match.end and match.start < o.end for o in others)


def _is_question(match: Match) -> bool:
    turn = match.turn
    start, end = turn.norm.span(match.start, match.end)
    tail = turn.text[end : end + 25]
    if "?" in turn.text:
        # Punctuated text: the formula is a question if a '?' closes its sentence.
        following = re.split(r"[.!]", tail, maxsplit=1)[0]
        return "?" in following
    before = turn.norm.text[: match.start].split()[-3:]
    before_text = " ".join(before)
    return not any(re.search(rf"(?<![a-z]){a}$", before_text) or a in before for a in AFFIRMATIONS)


def chunks(turn: TurnView, size: int = 12, step: int = 6) -> list[tuple[int, int]]:
    """Normalised-text spans to embed: sentences, or word windows for long unpunctuated turns."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", turn.norm.text)]
    if len(words) <= size:
        return [(words[0][0], words[-1][1])] if words else []
    spans = []
    for first in range(0, max(len(words) - size, 0) + step, step):
        window = words[first : first + size]
        if window:
            spans.append((window[0][0], window[-1][1]))
    return spans


def semantic_match(ctx: CheckContext, turns: list[TurnView], anchors: list[str], threshold: float) -> tuple[Match | None, float]:
    """The agent chunk closest in meaning to any anchor sentence, if above the threshold."""
    candidates = [Match(t, s, e) for t in turns for s, e in chunks(t)]
    if not candidates or not anchors:
        return None, 0.0
    from qualicall.models.embeddings import cosine_matrix

    scores = cosine_matrix(ctx.embedder, [c.turn.norm.text[c.start : c.end] for c in candidates], [normalize(a).text for a in anchors])
    best = scores.max(axis=1)
    index = int(best.argmax())
    similarity = float(best[index])
    return (candidates[index] if similarity >= threshold else None), round(similarity, 3)


def _lemma_matches(ctx: CheckContext, lemmas: list[str], turns: list[TurnView]) -> list[Match]:
    """Tokens whose lemma is one of `lemmas`, as matches on normalised text."""
    wanted = {normalize(lemma).text for lemma in lemmas}
    found = []
    for turn, doc in zip(turns, ctx.docs(turns)):
        for token in doc:
            if normalize(token.lemma_).text in wanted:
                start = next((i for i, o in enumerate(turn.norm.offsets) if o >= token.idx), None)
                end = next((i for i, o in enumerate(turn.norm.offsets) if o >= token.idx + len(token.text)), len(turn.norm.text))
                if start is not None and start < end:
                    found.append(Match(turn, start, end))
    return found


def find_formula(ctx: CheckContext, params: FormulaParams, turns: list[TurnView]) -> list[Match]:
    matches = find_all(compile_formula(tuple(params.phrases), tuple(params.patterns)), turns)
    if params.lemmas and not matches:
        matches = _lemma_matches(ctx, params.lemmas, turns)
    if params.exclude:
        excluded = find_all(compile_phrases(params.exclude), turns)
        matches = [m for m in matches if not _overlaps(m, excluded)]
    if params.question:
        matches = [m for m in matches if _is_question(m)]
    return matches + [m for m in find_all(compile_phrases(params.tags), turns) if _is_tag_question(m)]


def _is_tag_question(match: Match) -> bool:
    """« …, d'accord ? », "…, right?": the word closes a sentence with a question mark."""
    _, end = match.turn.norm.span(match.start, match.end)
    return match.turn.text[end:].lstrip().startswith("?")


@register_check("formula", FormulaParams)
def formula(ctx: CheckContext, params: FormulaParams) -> ItemResult:
    """Passes when the agent says one of the phrases (or, with anchors, something that means the same) in the item's window."""
    turns = ctx.scope()
    where_said = ctx.describe_window(ctx.item.window)
    if not turns:
        return ctx.failed(f"no agent turn in {where_said}")
    matches = find_formula(ctx, params, turns)
    if matches:
        first = matches[0]
        return ctx.passed(f"{params.what}: « {first.text} » in {where(first)}", matches[:3])
    if params.anchors:
        match, similarity = semantic_match(ctx, turns, params.anchors, params.similarity)
        if match is not None:
            return ctx.passed(
                f"{params.what} (same meaning, similarity {similarity:.2f}): « {match.text} » in {where(match)}",
                [match],
                similarity=similarity,
            )
        return ctx.failed(f"no {params.what} in {where_said} (closest similarity {similarity:.2f})", similarity=similarity)
    return ctx.failed(f"no {params.what} in {where_said}")


class BannedParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    what: str = "banned formula"


@register_check("banned_formula", BannedParams)
def banned_formula(ctx: CheckContext, params: BannedParams) -> ItemResult:
    """Fails when the agent uses one of the banned formulas; negative information elsewhere is fine."""
    turns = ctx.scope()
    matches = find_all(compile_formula(tuple(params.phrases), tuple(params.patterns)), turns)
    if params.exclude:
        excluded = find_all(compile_phrases(params.exclude), turns)
        matches = [m for m in matches if not _overlaps(m, excluded)]
    if matches:
        listed = ", ".join(f"« {m.text} » ({where(m)})" for m in matches[:3])
        return ctx.failed(f"{params.what}: {listed}", matches, count=len(matches))
    return ctx.passed(f"no {params.what} in {ctx.describe_window(ctx.item.window)}", [])
