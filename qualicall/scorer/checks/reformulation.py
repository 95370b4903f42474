"""Reformulation: the agent restates the customer's need in their own words."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cached_property
from typing import NamedTuple

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.scorer.checks.banks import Reading, read_with_bank, realised
from qualicall.scorer.checks.greeting import stop_words
from qualicall.scorer.context import CheckContext, Match, TurnView, find_all
from qualicall.scorer.params import CheckParams, Regex
from qualicall.scorer.reasons import Reason, place, reason
from qualicall.scorer.registry import register_check

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}


class RestatementParams(CheckParams):
    formulas: list[str] = Field(default_factory=list, description="announcing formulas (« si je comprends bien »)")
    patterns: list[Regex] = Field(default_factory=list, description="announcing formulas as regular expressions on normalised text (« vous <verbe> donc »)")
    min_content_words: int = Field(default=4, ge=1, description="content words the restatement needs (one repeated word is not a restatement)")
    min_overlap: float = Field(default=0.34, ge=0, le=1, description="share of the restatement's content lemmas that the customer used")
    min_similarity: float = Field(default=0.5, ge=0, le=1, description="embedding cosine with the customer's words")
    max_words: int = Field(default=40, ge=5, description="words after the formula taken as the restatement")
    customer_turns: int = Field(default=3, ge=1, description="customer turns before the formula taken as the need")
    bank: str | None = Field(
        default=None,
        description="a rubric bank (`banks:`) of announcing sentences: a sentence that realises it is a candidate restatement too (recognised by meaning)",
    )
    bank_agent_turns: int = Field(
        default=3, ge=1, description="with `bank`: the agent's turns read against it, from the first (a restatement comes before the answer)"
    )

    @cached_property
    def matcher(self) -> re.Pattern[str] | None:
        return self.formula_matcher(self.formulas, self.patterns)


def _content_lemmas(ctx: CheckContext, turn: TurnView, start: int | None = None, end: int | None = None) -> list[str]:
    """Content lemmas of a turn, or of a normalised-text span of it (the turn is tagged once per scoring)."""
    if start is not None and end is not None and start >= end:
        return []
    first, last = turn.norm.span(start, end) if start is not None and end is not None else (0, len(turn.text))
    return [t.lemma_.lower() for t in ctx.tokens(turn, first, last) if t.pos_ in CONTENT_POS and not t.is_stop and len(t.text) > 1 and t.is_alpha]


def _restatement(turn: TurnView, match: Match, max_words: int) -> tuple[str, int, int]:
    """The words the agent says after the formula (and before it, when it closes the sentence)."""
    after = turn.norm.words_after(match.end, max_words)
    if len(after) >= 3:
        end = match.end + len(" ".join(after)) + 1
        return " ".join(after), match.start, min(end, len(turn.norm.text))
    before = turn.norm.words_before(match.start, max_words)
    return " ".join(before + after), max(0, match.start - len(" ".join(before)) - 1), match.end


class _Candidate(NamedTuple):
    """A restatement to judge: what announces it (a formula, or a sentence read against the bank), its text and
    normalised span, the spans whose content lemmas count."""

    announced: Match
    text: str
    start: int
    end: int
    content_spans: list[tuple[int, int]]
    reading: Reading | None = None


def _announced(code: str, match: Match, reading: Reading | None, **measured: float) -> Reason:
    """A passing reason: the formula, or the sentence read against the bank and its closest example."""
    if reading is None:
        return reason(code, at=place(match), text=match.text, **measured)
    example = {"closest": reading.match.closest, "example_similarity": reading.match.similarity}
    return reason(f"{code}_by_meaning", at=place(match), text=match.text, **example, **measured)


@register_check("restatement", RestatementParams)
def restatement(ctx: CheckContext, params: RestatementParams) -> ItemResult:
    """Passes when an announcing formula is followed by the customer's need in the agent's words."""
    from qualicall.models.embeddings import cosine_matrix

    agent = ctx.scope()
    if not ctx.customer_turns:
        return ctx.not_applicable(reason("restatement.no_need"))
    formulas = find_all(params.matcher, agent)

    def candidates() -> Iterator[_Candidate]:
        """The formulas' restatements, then (read only when none of those passes) the sentences that announce one by meaning."""
        for match in formulas:
            text, start, end = _restatement(match.turn, match, params.max_words)
            # The restatement around the formula, not the formula's own words.
            yield _Candidate(match, text, start, end, [(start, match.start), (match.end, end)])
        if params.bank:
            # A sentence that announces a restatement by meaning (« en gros vous … ») is the restatement itself.
            for reading in realised(read_with_bank(ctx, params.bank, agent[: params.bank_agent_turns])):
                said = reading.as_match()
                if any(f.turn is said.turn and f.start < said.end and said.start < f.end for f in formulas):
                    continue  # its formula was a candidate already
                yield _Candidate(said, said.turn.norm.text[said.start : said.end], said.start, said.end, [(said.start, said.end)], reading)

    judged: list[_Candidate] = []
    # The closest miss (overlap, similarity, evidence, content words), for the reason.
    best: tuple[float, float, Match, int] | None = None

    def keep(candidate: tuple[float, float, Match, int]) -> None:
        nonlocal best
        if best is None or (candidate[0] + candidate[1], candidate[3]) > (best[0] + best[1], best[3]):
            best = candidate

    stops = stop_words(ctx.language)
    customer_indices = [t.index for t in ctx.customer_turns]
    needs: dict[int, tuple[str, set[str]]] = {}  # by the last customer turn before the formula

    def need_of(turns: list[TurnView]) -> tuple[str, set[str]]:
        """The customer's need: their words (what the models read) and their content lemmas, once per set of turns."""
        key = turns[-1].index
        if key not in needs:
            needs[key] = (" ".join(ctx.model_text(t) for t in turns), {lemma for t in turns for lemma in _content_lemmas(ctx, t)})
        return needs[key]

    for candidate in candidates():
        judged.append(candidate)
        match, text, start, end, content_spans, reading = candidate
        before = bisect_left(customer_indices, match.turn.index)
        need_turns = ctx.customer_turns[max(0, before - params.customer_turns) : before]
        if not need_turns:
            continue
        if sum(1 for w in text.split() if w not in stops and len(w) > 1) < params.min_content_words:
            # Too few words to restate anything (« Remboursée ? »): no need to tag.
            keep((0.0, 0.0, Match(match.turn, start, end), 0))
            continue
        ctx.tag([match.turn, *need_turns])  # one batch; most calls stop at their first formula
        content = [lemma for low, high in content_spans for lemma in _content_lemmas(ctx, match.turn, low, high)]
        if len(content) < params.min_content_words:
            keep((0.0, 0.0, Match(match.turn, start, end), len(content)))
            continue
        need_text, need = need_of(need_turns)
        overlap = sum(1 for lemma in content if lemma in need) / len(content)
        # Embeddings only when the words alone do not show the same need (paraphrase).
        similarity = float(cosine_matrix(ctx.embedder, [text], [need_text])[0, 0]) if overlap < params.min_overlap else None
        evidence = Match(match.turn, start, end)
        if overlap >= params.min_overlap:
            return ctx.passed(
                _announced("restatement.words", match, reading, overlap=overlap),
                [evidence],
                overlap=round(overlap, 3),
            )
        if similarity >= params.min_similarity:
            return ctx.passed(
                _announced("restatement.meaning", match, reading, overlap=overlap, similarity=similarity),
                [evidence],
                overlap=round(overlap, 3),
                similarity=round(similarity, 3),
            )
        keep((round(overlap, 3), round(similarity, 3), evidence, len(content)))
    if best is None:
        if judged:
            return ctx.failed(reason("restatement.too_early"), [judged[0].announced])
        return ctx.failed(reason("restatement.no_formula"))
    overlap, similarity, closest, words = best
    if words < params.min_content_words:
        return ctx.failed(reason("restatement.too_short", words=words, at=place(closest)), [closest], content_words=words)
    return ctx.failed(
        reason("restatement.other", at=place(closest), overlap=overlap, similarity=similarity),
        [closest],
        overlap=overlap,
        similarity=similarity,
    )
