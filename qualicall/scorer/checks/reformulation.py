"""Reformulation: the agent restates the customer's need in their own words."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from qualicall.scorer.checks.formula import compile_formula
from qualicall.scorer.context import CheckContext, Match, TurnView, find_all, where
from qualicall.scorer.registry import register_check
from qualicall.scorer.result import ItemResult

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}


class RestatementParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    formulas: list[str] = Field(default_factory=list, description="announcing formulas (« si je comprends bien »)")
    patterns: list[str] = Field(default_factory=list, description="announcing formulas as regular expressions on normalised text (« vous <verbe> donc »)")
    min_content_words: int = Field(default=4, ge=1, description="content words the restatement needs (one repeated word is not a restatement)")
    min_overlap: float = Field(default=0.34, ge=0, le=1, description="share of the restatement's content lemmas that the customer used")
    min_similarity: float = Field(default=0.5, ge=0, le=1, description="embedding cosine with the customer's words")
    max_words: int = Field(default=40, ge=5, description="words after the formula taken as the restatement")
    customer_turns: int = Field(default=3, ge=1, description="customer turns before the formula taken as the need")


def _content_lemmas(ctx: CheckContext, text: str) -> list[str]:
    doc = ctx.nlp(text)
    return [t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and not t.is_stop and len(t.text) > 1 and t.is_alpha]


def _restatement(turn: TurnView, match: Match, max_words: int) -> tuple[str, int, int]:
    """The words the agent says after the formula (and before it, when it closes the sentence)."""
    after = turn.norm.text[match.end :].split()[:max_words]
    if len(after) >= 3:
        end = match.end + len(" ".join(after)) + 1
        return " ".join(after), match.start, min(end, len(turn.norm.text))
    before = turn.norm.text[: match.start].split()[-max_words:]
    return " ".join(before + after), max(0, match.start - len(" ".join(before)) - 1), match.end


@register_check("restatement", RestatementParams)
def restatement(ctx: CheckContext, params: RestatementParams) -> ItemResult:
    """Passes when an announcing formula is followed by the customer's need in the agent's words."""
    from qualicall.models.embeddings import cosine_matrix

    agent = ctx.scope()
    formulas = find_all(compile_formula(tuple(params.formulas), tuple(params.patterns)), agent)
    if not ctx.customer_turns:
        return ctx.not_applicable("the customer never states a need")
    best: tuple[float, float, Match | None, int] = (0.0, 0.0, None, 0)
    for match in formulas:
        need_turns = [t for t in ctx.customer_turns if t.index < match.turn.index][-params.customer_turns :]
        if not need_turns:
            continue
        text, start, end = _restatement(match.turn, match, params.max_words)
        content = _content_lemmas(ctx, text)
        if len(content) < params.min_content_words:
            best = max(best, (0.0, 0.0, Match(match.turn, start, end), len(content)), key=lambda b: (b[0] + b[1], b[3]))
            continue
        need_text = " ".join(t.norm.text for t in need_turns)
        need = set(_content_lemmas(ctx, need_text))
        overlap = sum(1 for lemma in content if lemma in need) / len(content)
        similarity = float(cosine_matrix(ctx.embedder, [text], [need_text])[0, 0])
        candidate = (round(overlap, 3), round(similarity, 3), Match(match.turn, start, end), len(content))
        if overlap >= params.min_overlap or similarity >= params.min_similarity:
            return ctx.passed(
                f"restates the need in {where(match)}: « {match.text} » + the customer's need "
                f"(lemma overlap {overlap:.2f}, similarity {similarity:.2f})",
                [candidate[2]],
                overlap=candidate[0],
                similarity=candidate[1],
            )
        best = max(best, candidate, key=lambda b: (b[0] + b[1], b[3]))
    if not formulas:
        return ctx.failed("no announcing formula (« si je comprends bien… ») before answering")
    overlap, similarity, closest, words = best
    if words < params.min_content_words:
        return ctx.failed(f"formula without a restatement ({words} content words) in {where(closest)}", [closest] if closest else [], content_words=words)
    return ctx.failed(
        f"formula followed by something else than the customer's need in {where(closest)} "
        f"(lemma overlap {overlap:.2f}, similarity {similarity:.2f})",
        [closest] if closest else [],
        overlap=overlap,
        similarity=similarity,
    )
