"""Closing: the recap of what was done or what happens next."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from qualicall.scorer.checks.formula import compile_formula
from qualicall.scorer.context import CheckContext, Match, find_all, where
from qualicall.scorer.registry import register_check
from qualicall.scorer.result import ItemResult
from qualicall.scorer.text import compile_phrases, normalize


class RecapParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = Field(default_factory=list, description="explicit recap formulas (« je récapitule »)")
    markers: list[str] = Field(default_factory=list, description="words that open a summary (« donc », « so »)")
    min_words: int = Field(default=8, ge=1)
    min_verbs: int = Field(default=2, ge=1, description="facts a summary states (verbs in the sentence)")


@register_check("recap", RecapParams)
def recap(ctx: CheckContext, params: RecapParams) -> ItemResult:
    """Passes when the agent sums up, in the closing, what was done or what happens next."""
    turns = ctx.scope()
    explicit = find_all(compile_formula(tuple(params.phrases), ()), turns)
    if explicit:
        return ctx.passed(f"recap: « {explicit[0].text} » in {where(explicit[0])}", explicit[:1])
    marker = compile_phrases(params.markers)
    for turn in turns:
        # A summary is a statement opening with a marker and stating several facts.
        doc = ctx.doc(turn)
        for sent in doc.sents:
            if sent.text.rstrip().endswith("?"):
                continue
            norm = normalize(sent.text).text
            words = norm.split()
            found = marker.search(" ".join(words[:3])) if marker else None
            if not found or len(words) < params.min_words:
                continue
            verbs = [t for t in sent if t.pos_ == "VERB" or (t.pos_ == "AUX" and t.head == t)]
            if len(verbs) >= params.min_verbs:
                start = next(i for i, o in enumerate(turn.norm.offsets) if o >= sent.start_char)
                end = max(i for i, o in enumerate(turn.norm.offsets) if o < sent.end_char) + 1
                match = Match(turn, start, end)
                return ctx.passed(f"summary of what happens next in {where(match)}: « {match.text[:80]} »", [match], verbs=len(verbs))
    return ctx.failed(f"no recap in {ctx.describe_window(ctx.item.window)}")
