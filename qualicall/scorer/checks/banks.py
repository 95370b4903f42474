"""Items recognised by meaning: the agent's sentences read against the rubric's example banks.

`read_with_bank` judges each sentence of a window against a bank (qualicall.scorer.banks);
the grid's checks (formula, banned_formula, restatement, recap) consult it with `params: {bank: …}`
where their phrases find nothing, and say which sentence realised the item and its closest
example (« closest example: « … » (0.84) »).

The example-bank check (complaint handling): `check: example_bank` with `params: {bank: acknowledges}`
passes when one sentence of the item's window realises the rubric's bank of that name; with
`unless: shifts_blame`, a sentence realising that other bank fails the item whatever else
was said (« that's the courier's fault » is no ownership), and it is read in the clauses of a long turn
too (the bank's `clause_margin`: only clauses holding one of its cues). A bank's `cues` shift the margin
each sentence is judged at (qualicall.scorer.banks). In a conditional criterion
(`applies_if: complaint`) the window starts after the turn where the signal was first expressed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.scorer.banks import BankMatch, bank_model
from qualicall.scorer.context import CheckContext, Match, TurnView, find_all
from qualicall.scorer.params import CheckParams, Regex, Wording
from qualicall.scorer.reasons import Reason, place, reason, term
from qualicall.scorer.registry import register_check
from qualicall.scorer.signals import Unit, clauses_of, units_of


_WORD = re.compile(r"\S+")


class BankItemParams(CheckParams):
    bank: str = Field(description="the rubric bank (`banks:`) whose realisation passes the item")
    unless: str | None = Field(default=None, description="a rubric bank whose realisation fails the item")
    what: Wording = Field(default="", description="what is looked for, in reasons (the bank's name by default)")
    needs: list[Regex] = Field(
        default_factory=list,
        description="patterns on normalised text, one of which a realising sentence must also match (next_step: a delay or a reference)",
    )
    phrases: list[str] = Field(
        default_factory=list,
        description="formulas that realise the item wherever the window says them, read before the bank (acknowledges: « toutes mes "
        "excuses », \"I'm sorry about that\"): in a long unpunctuated turn the bank reads one sentence whose vector they weigh little in",
    )

    @cached_property
    def needs_matcher(self) -> re.Pattern[str] | None:
        return self.formula_matcher([], self.needs)

    @cached_property
    def matcher(self) -> re.Pattern[str] | None:
        return self.formula_matcher(self.phrases, [])

    def has_what_is_needed(self, text: str) -> bool:
        """The sentence holds what the item needs besides its meaning (always, without `needs`)."""
        return self.needs_matcher is None or bool(self.needs_matcher.search(self.normal(text)))


@dataclass(frozen=True)
class Reading:
    """One sentence of the agent read against a bank: where it is, and how it reads."""

    unit: Unit
    match: BankMatch

    def as_match(self) -> Match:
        """The sentence as a span of its turn's normalised text (what reasons and evidence take)."""
        span = self.unit.turn.norm.norm_span(self.unit.start, self.unit.end)
        return Match(self.unit.turn, *(span or (0, 0)))


def read_with_bank(
    ctx: CheckContext, bank: str, turns: list[TurnView], keep: Callable[[Unit], bool] | None = None, ends: int = 0
) -> list[Reading]:
    """Each sentence of `turns` (the parts the models read) that `keep` accepts, judged against the rubric's bank, in order;
    with `ends`, the last `ends` words of each unpunctuated turn too (read alone: in speech, a question closes the turn,
    and it weighs little in the vector of a 24-word piece).

    The checks ask only where their phrases found nothing, and only for the sentences the item
    may use (`keep`: questions, short interjections): embedding every sentence of a long call
    costs more than all the rest of its scoring. Each turn's sentences are embedded once per
    scoring (`ctx.sentences_of`), a kept sentence once per process (the encoder keeps its vectors).
    """
    if not turns:
        return []
    if keep is None and not ends:
        sentences = ctx.sentences_of(turns)
        units, vectors = sentences.units, sentences.vectors
    else:
        units = [unit for unit in units_of(turns, ctx.model_parts) + _turn_ends(turns, ends) if keep is None or keep(unit)]
        vectors = ctx.embedder.encode([unit.text for unit in units])
    model = bank_model(ctx.rubric.example_banks()[bank], ctx.embedder)
    return [Reading(unit, match) for unit, match in zip(units, model.judge_texts(vectors, [u.text for u in units]))]


def read_clauses(ctx: CheckContext, bank: str, readings: list[Reading]) -> list[Reading]:
    """The clauses of the sentences read (qualicall.scorer.signals.clauses_of), judged against the bank; for a bank
    with a `clause_margin`, only the clauses holding one of its cues, at that much above their margin (a short clause
    reads like anything: « il n'a pas été traité » near « ce n'est pas de mon ressort »)."""
    model = bank_model(ctx.rubric.example_banks()[bank], ctx.embedder)
    extra = model.bank.clause_margin
    clauses = [c for c in clauses_of([r.unit for r in readings]) if extra is None or model.has_cue(c.text)]
    if not clauses:
        return []
    return [Reading(unit, match) for unit, match in zip(clauses, model.read([u.text for u in clauses], ctx.embedder, extra or 0.0))]


def _turn_ends(turns: list[TurnView], words: int) -> list[Unit]:
    """The last `words` words of each turn without sentence punctuation and longer than that."""
    ends = []
    for turn in turns:
        if not words or any(mark in turn.text for mark in ".?!"):
            continue
        starts = [m.start() for m in _WORD.finditer(turn.text)]
        if len(starts) > words:
            ends.append(Unit(turn, starts[-words], len(turn.text.rstrip())))
    return ends


def realised(readings: list[Reading]) -> list[Reading]:
    """The sentences that realise the bank, the strongest first (the clearest evidence for a coach)."""
    return sorted((r for r in readings if r.match.realises), key=lambda r: -r.match.score)


def by_meaning(ctx: CheckContext, status: str, what: Wording, found: list[Reading], **measures: float) -> ItemResult:
    """An item's result from the sentences that realise its bank (strongest first): the sentence, where, its closest example."""
    said = found[0]
    return ItemResult(
        status=status,
        **ctx.said(
            reason("bank.meaning", what=what, text=said.unit.text, at=place(said.as_match()), closest=said.match.closest, similarity=said.match.similarity)
        ),
        evidence=[ctx.evidence(r.as_match()) for r in found[:3]],
        measures={"score": round(said.match.score, 3), "similarity": round(said.match.similarity, 3), **measures},
    )


def none_by_meaning(ctx: CheckContext, what: Wording, readings: list[Reading], **measures: float) -> Reason:
    """Why no sentence of the window realises the bank: the one that came closest, or nothing to judge."""
    window = ctx.window_param(ctx.item.window)
    if not readings:
        return reason("bank.nothing", what=what, window=window)
    best = max(readings, key=lambda r: r.match.score)
    return reason("bank.missing", what=what, window=window, text=best.unit.text, at=best.unit.place(), score=best.match.score)


@register_check("example_bank", BankItemParams)
def example_bank(ctx: CheckContext, params: BankItemParams) -> ItemResult:
    """A sentence of the window realises the item's example bank (and none realises its `unless` bank)."""
    what = params.what or term("bank", params.bank)
    turns = ctx.scope()
    readings = read_with_bank(ctx, params.bank, turns)
    if not readings:
        return ctx.failed(none_by_meaning(ctx, what, readings))
    if params.unless:
        # Blame said in passing inside a long turn (« désolé, mais c'est le service facturation qui gère ») is read in its clause.
        blames = read_with_bank(ctx, params.unless, turns)
        for blame in (realised(blames) or realised(read_clauses(ctx, params.unless, blames)))[:1]:
            unit, match = blame.unit, blame.match
            return ItemResult(
                status="failed",
                **ctx.said(reason("bank.unless", text=unit.text, at=unit.place(), closest=match.closest, similarity=match.similarity, unless=params.unless)),
                evidence=[unit.evidence()],
                measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3)},
            )
    said = find_all(params.matcher, turns)
    if said:
        return ctx.passed(reason("formula.found", what=what, text=said[0].text, at=place(said[0])), said[:3])
    margin = ctx.rubric.example_banks()[params.bank].margin
    found = [r for r in realised(readings) or realised(read_clauses(ctx, params.bank, readings)) if params.has_what_is_needed(r.unit.text)]
    if found:
        unit, match = found[0].unit, found[0].match
        return ItemResult(
            status="passed",
            **ctx.said(reason("bank.found", what=what, text=unit.text, at=unit.place(), closest=match.closest, similarity=match.similarity)),
            evidence=[r.unit.evidence() for r in found[:3]],
            measures={"score": round(match.score, 3), "similarity": round(match.similarity, 3), "margin": margin},
        )
    best = max(readings, key=lambda r: r.match.score).match
    return ItemResult(
        status="failed",
        **ctx.said(none_by_meaning(ctx, what, readings)),
        measures={"score": round(best.score, 3), "similarity": round(best.similarity, 3), "margin": margin},
    )
