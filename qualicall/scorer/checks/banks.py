"""The example-bank check: does the agent say something that means the item (complaint handling)?

`check: example_bank` with `params: {bank: acknowledges}` passes when one sentence of the
item's window realises the rubric's bank of that name (qualicall.scorer.banks); with
`unless: shifts_blame`, a sentence realising that other bank fails the item whatever else
was said (« that's the courier's fault » is no ownership). In a conditional criterion
(`applies_if: complaint`) the window starts after the turn where the signal was first expressed.
"""

from __future__ import annotations

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.scorer.context import CheckContext
from qualicall.scorer.params import CheckParams, Wording
from qualicall.scorer.reasons import reason, term
from qualicall.scorer.registry import register_check
from qualicall.scorer.signals import bank_model


class BankItemParams(CheckParams):
    bank: str = Field(description="the rubric bank (`banks:`) whose realisation passes the item")
    unless: str | None = Field(default=None, description="a rubric bank whose realisation fails the item")
    what: Wording = Field(default="", description="what is looked for, in reasons (the bank's name by default)")


@register_check("example_bank", BankItemParams)
def example_bank(ctx: CheckContext, params: BankItemParams) -> ItemResult:
    """A sentence of the window realises the item's example bank (and none realises its `unless` bank)."""
    what = params.what or term("bank", params.bank)
    window = ctx.window_param(ctx.item.window)
    sentences = ctx.sentences_of(ctx.scope())
    if not sentences.units:
        return ctx.failed(reason("bank.nothing", what=what, window=window))
    banks = ctx.rubric.example_banks()
    if params.unless:
        blame = bank_model(banks[params.unless], ctx.embedder)
        for unit, match in zip(sentences.units, blame.judge(sentences.vectors)):
            if match.realises:
                return ItemResult(
                    status="failed",
                    **ctx.said(reason("bank.unless", text=unit.text, at=unit.place(), closest=match.closest, similarity=match.similarity, unless=params.unless)),
                    evidence=[unit.evidence()],
                    measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3)},
                )
    model = bank_model(banks[params.bank], ctx.embedder)
    matches = model.judge(sentences.vectors)
    # The strongest sentences first: the evidence a coach reads is the clearest one.
    found = sorted(((unit, match) for unit, match in zip(sentences.units, matches) if match.realises), key=lambda um: -um[1].score)
    if found:
        unit, match = found[0]
        return ItemResult(
            status="passed",
            **ctx.said(reason("bank.found", what=what, text=unit.text, at=unit.place(), closest=match.closest, similarity=match.similarity)),
            evidence=[u.evidence() for u, _ in found[:3]],
            measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3), "margin": model.bank.margin},
        )
    best = max(range(len(matches)), key=lambda i: matches[i].score)
    unit, match = sentences.units[best], matches[best]
    return ItemResult(
        status="failed",
        **ctx.said(reason("bank.missing", what=what, window=window, text=unit.text, at=unit.place(), score=match.score)),
        measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3), "margin": model.bank.margin},
    )
