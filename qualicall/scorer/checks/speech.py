"""Speech rate: agent words per minute of agent speech (voice only)."""

from __future__ import annotations

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.scorer.context import CheckContext
from qualicall.scorer.params import CheckParams
from qualicall.scorer.reasons import reason
from qualicall.scorer.registry import register_check


class SpeechRateParams(CheckParams):
    min_wpm: float = Field(default=120, gt=0)
    max_wpm: float = Field(default=190, gt=0)


def agent_speech_rate(ctx: CheckContext) -> float | None:
    timed = [t for t in ctx.agent_turns if t.start is not None and t.end is not None and t.end > t.start]
    seconds = sum(t.end - t.start for t in timed)
    if seconds <= 0:
        return None
    return round(sum(len(t.norm.words()) for t in timed) / seconds * 60, 1)


@register_check("speech_rate", SpeechRateParams)
def speech_rate(ctx: CheckContext, params: SpeechRateParams) -> ItemResult:
    """Passes when the agent speaks within the rubric's words-per-minute band."""
    if ctx.channel != "voice":
        return ctx.not_applicable(reason("speech_rate.channel", channel=ctx.channel))
    wpm = agent_speech_rate(ctx)
    if wpm is None:
        return ctx.not_applicable(reason("speech_rate.untimed"))
    band = {"wpm": wpm, "min": params.min_wpm, "max": params.max_wpm}
    if params.min_wpm <= wpm <= params.max_wpm:
        return ctx.passed(reason("speech_rate.within", **band), [], wpm=wpm)
    return ctx.failed(reason("speech_rate.too_fast" if wpm > params.max_wpm else "speech_rate.too_slow", **band), wpm=wpm)
