"""Indicators measured from a recording's timed words (indicators.md, *measured*).

Speech activity is taken from the recognised words (merged into spans where
the gap between words is under `SPAN_GAP_S`), not from raw energy: hold music,
line noise and the other party's echo on a channel produce no words (the
guards drop what Whisper invents there), so they count as silence, which is
what a listener hears as dead air. Times are measured over the conversation,
from the first word to the last: ringing before pick-up and the line left
open after the goodbye are not the agent's silences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from qualicall.audio.roles import fold

SPAN_GAP_S = 0.6
# A silence announced as a hold, if it follows such a phrase from the agent and lasts at least this long.
ANNOUNCED_HOLD_MIN_S = 5.0
# The agent starting to speak this far inside the customer's speech is an overtalk, not a hand-over.
OVERTALK_MARGIN_S = 0.3
HOLD_ANNOUNCEMENTS = re.compile(
    r"\b(mets? en attente|mettre en attente|patienter|ne quittez pas|un (petit )?instant|deux (petites )?minutes"
    r"|put you on hold|place you on hold|bear with me|one moment|hold on|please hold|just a (moment|second|minute))\b"
)

Span = tuple[float, float]


@dataclass
class TimedWord:
    start: float
    end: float
    speaker: str  # "agent" | "customer"


@dataclass
class Utterance:
    """A turn's text and times, for the announced-hold rule."""

    speaker: str
    text: str
    end: float


def speech_spans(words: Iterable[TimedWord], gap: float = SPAN_GAP_S) -> list[Span]:
    spans: list[list[float]] = []
    for word in sorted(words, key=lambda w: w.start):
        if spans and word.start - spans[-1][1] <= gap:
            spans[-1][1] = max(spans[-1][1], word.end)
        else:
            spans.append([word.start, word.end])
    return [(a, b) for a, b in spans]


def union(*groups: list[Span]) -> list[Span]:
    merged: list[list[float]] = []
    for start, end in sorted(s for group in groups for s in group):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def intersection(first: list[Span], second: list[Span]) -> list[Span]:
    """Where both lists of spans cover the same time (each sorted and disjoint, as `union` gives them)."""
    found: list[Span] = []
    i = j = 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < end:
            found.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return found


def total(spans: list[Span]) -> float:
    return sum(b - a for a, b in spans)


def measure(words: list[TimedWord], utterances: list[Utterance], dual_channel: bool, hold_min_s: float) -> dict[str, float]:
    """The measured indicators of one call; empty when nobody said anything."""
    agent = speech_spans(w for w in words if w.speaker == "agent")
    customer = speech_spans(w for w in words if w.speaker == "customer")
    speech = union(agent, customer)
    if not speech:
        return {}
    start, end = speech[0][0], speech[-1][1]
    gaps = [(a_end, b_start) for (_, a_end), (b_start, _) in zip(speech, speech[1:])]
    announced_at = [u.end for u in utterances if u.speaker == "agent" and HOLD_ANNOUNCEMENTS.search(fold(u.text))]

    def announced(gap: Span) -> bool:
        # The announcement ends the agent's speech just before this silence (within 2 s).
        return gap[1] - gap[0] >= ANNOUNCED_HOLD_MIN_S and any(gap[0] - 2.0 <= t <= gap[0] + 0.5 for t in announced_at)

    holds = [g for g in gaps if g[1] - g[0] >= hold_min_s or announced(g)]
    dead_air = [g[1] - g[0] for g in gaps if not announced(g)]
    conversation = end - start
    agent_talk, customer_talk = total(agent), total(customer)
    measured: dict[str, float] = {
        "silence_ratio": round(1 - total(speech) / conversation, 3) if conversation > 0 else 0.0,
        "longest_silence_s": round(max(dead_air, default=0.0), 2),
        "hold_time_s": round(sum(b - a for a, b in holds), 2),
    }
    if agent_talk + customer_talk > 0 and customer:
        measured["agent_talk_ratio"] = round(agent_talk / (agent_talk + customer_talk), 3)
    agent_words = sum(1 for w in words if w.speaker == "agent")
    if agent_talk >= 5.0:
        measured["agent_speech_rate_wpm"] = round(agent_words / (agent_talk / 60.0), 1)
    if dual_channel:
        # Only separate channels show who started while the other was speaking.
        measured["overtalk_count"] = sum(
            1 for a_start, _ in agent for c_start, c_end in customer if c_start + OVERTALK_MARGIN_S < a_start < c_end - OVERTALK_MARGIN_S
        )
    return measured
