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
from qualicall.scorer.params import CheckParams
from qualicall.scorer.registry import register_check
from qualicall.scorer.signals import bank_model


class BankItemParams(CheckParams):
    bank: str = Field(description="the rubric bank (`banks:`) whose realisation passes the item")
    unless: str | None = Field(default=None, description="a rubric bank whose realisation fails the item")
    what: str = Field(default="", description="what is looked for, in reasons")


@register_check("example_bank", BankItemParams)
def example_bank(ctx: CheckContext, params: BankItemParams) -> ItemResult:
    """A sentence of the window realises the item's example bank (and none realises its `unless` bank)."""
    what = params.what or params.bank.replace("_", " ")
    sentences = ctx.sentences_of(ctx.scope())
    if not sentences.units:
        return ctx.failed(f"no {what}: {ctx.describe_window(ctx.item.window)} hold no sentence to judge")
    banks = ctx.rubric.example_banks()
    if params.unless:
        blame = bank_model(banks[params.unless], ctx.embedder)
        for unit, match in zip(sentences.units, blame.judge(sentences.vectors)):
            if match.realises:
                return ItemResult(
                    status="failed",
                    reason=f"« {unit.text} » ({unit.where()}) reads like « {match.closest} » ({match.similarity:.2f}): "
                    f"{params.unless.replace('_', ' ')}",
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
            reason=f"{what}: « {unit.text} » ({unit.where()}) reads like « {match.closest} » ({match.similarity:.2f})",
            evidence=[u.evidence() for u, _ in found[:3]],
            measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3), "margin": model.bank.margin},
        )
    best = max(range(len(matches)), key=lambda i: matches[i].score)
    unit, match = sentences.units[best], matches[best]
    return ItemResult(
        status="failed",
        reason=f"no {what} in {ctx.describe_window(ctx.item.window)}; the closest, « {unit.text} » ({unit.where()}), scores {match.score:+.2f}",
        measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3), "margin": model.bank.margin},
    )
