"""The waveform under the call page's player: two lanes (agent above, customer below) drawn as inline SVG.

Each lane shows its party's peak envelope (its channel of a stereo recording; for a mono one, the one
envelope where the turns say that party speaks), its turns shaded; silences (nobody speaking for more than
SILENCE_MARK_S) and overtalk (both speaking for at least OVERTALK_MARGIN_S) are bands across both lanes;
each item with evidence in time is a tick the coach can click or reach with Tab to hear it.

Coordinates are in the SVG's own units: one unit of x per slice of the envelope, so that the drawing
stretches to the page's width (`preserveAspectRatio="none"`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qualicall.api.web.views import ItemView, TurnView, clock
from qualicall.audio.measures import OVERTALK_MARGIN_S, Span, intersection, union
from qualicall.audio.waveform import Envelope

SILENCE_MARK_S = 2.0
LANE_HEIGHT = 40.0
LANE_GAP = 4.0
# A lane's envelope is scaled to its own peak (telephony records one party far quieter than the other), but
# never by more than for a peak at this level: a silent channel stays a flat line, not magnified hiss.
QUIETEST_PEAK = 0.05
ROLES = ("agent", "customer")
CHANNEL_NAMES = ("left", "right")  # the interaction's roles.agent for a dual-channel recording


@dataclass
class Band:
    x: float
    width: float
    start_clock: str
    end_clock: str


@dataclass
class Lane:
    role: str
    y: float
    outline: str  # the envelope as SVG polygon points
    turns: list[Band] = field(default_factory=list)


@dataclass
class Tick:
    key: str
    label: str
    left: float  # percent of the width: ticks are buttons laid over the drawing
    time: float
    clock: str
    status: str  # the item's verdict of record: its colour


@dataclass
class WaveformView:
    width: int
    height: float
    seconds: float
    lane_height: float
    lanes: list[Lane]
    silences: list[Band]
    overtalk: list[Band]
    ticks: list[Tick]


def agent_channel(roles: dict | None) -> int:
    """Which channel of a stereo recording is the agent's: as the transcription found it, else the left one
    (the interaction format's default)."""
    label = (roles or {}).get("agent")
    return CHANNEL_NAMES.index(label) if label in CHANNEL_NAMES else 0


def waveform_view(envelope: Envelope, turns: list[TurnView], items: list[ItemView], roles: dict | None) -> WaveformView | None:
    """The drawing of one recording; None for an empty one."""
    if envelope.points == 0 or envelope.seconds <= 0:
        return None
    width, seconds = envelope.points, envelope.seconds

    def x(time: float) -> float:
        return round(min(max(time, 0.0), seconds) / seconds * width, 2)

    def band(span: Span) -> Band:
        return Band(x(span[0]), max(round(x(span[1]) - x(span[0]), 2), 0.5), clock(span[0]), clock(span[1]))

    spoken = {role: union([(t.start, t.end if t.end is not None else t.start) for t in turns
                           if t.role == role and t.start is not None]) for role in ROLES}
    centres = (np.arange(width) + 0.5) * seconds / width
    lanes = []
    for index, role in enumerate(ROLES):
        if envelope.channels == 2:
            channel = agent_channel(roles) if role == "agent" else 1 - agent_channel(roles)
            low, high = envelope.low[channel], envelope.high[channel]
        else:  # one signal: this party's part of it is where its turns are
            speaking = _inside(centres, spoken[role])
            low, high = np.where(speaking, envelope.low[0], 0.0), np.where(speaking, envelope.high[0], 0.0)
        y = index * (LANE_HEIGHT + LANE_GAP)
        lane_turns = [band((t.start, t.end if t.end is not None else t.start)) for t in turns if t.role == role and t.start is not None]
        lanes.append(Lane(role, y, _outline(low, high, y + LANE_HEIGHT / 2), lane_turns))
    speech = union(spoken["agent"], spoken["customer"])
    silences = [band((end, start)) for (_, end), (start, _) in zip(speech, speech[1:]) if start - end > SILENCE_MARK_S]
    overtalk = [band(span) for span in intersection(spoken["agent"], spoken["customer"]) if span[1] - span[0] >= OVERTALK_MARGIN_S]
    ticks = [Tick(item.key, item.label, round(x(item.time) / width * 100, 3), round(item.time, 2), clock(item.time), item.effective)
             for item in items if item.time is not None and 0 <= item.time <= seconds]
    return WaveformView(width, 2 * LANE_HEIGHT + LANE_GAP, round(seconds, 2), LANE_HEIGHT, lanes, silences, overtalk, ticks)


def _inside(times: np.ndarray, spans: list[Span]) -> np.ndarray:
    """For each time, whether it falls in one of `spans` (sorted, disjoint)."""
    if not spans:
        return np.zeros(times.shape, bool)
    starts, ends = np.array([s for s, _ in spans]), np.array([e for _, e in spans])
    index = np.searchsorted(starts, times, side="right") - 1
    return (index >= 0) & (times <= ends[np.maximum(index, 0)])


def _outline(low: np.ndarray, high: np.ndarray, middle: float) -> str:
    """The envelope as one closed shape: along the highs, back along the lows."""
    scale = (LANE_HEIGHT / 2 - 1) / max(float(np.abs(low).max(initial=0.0)), float(np.abs(high).max(initial=0.0)), QUIETEST_PEAK)
    xs = np.arange(low.size) + 0.5
    top = np.round(middle - np.maximum(high, 0.0) * scale, 1)
    bottom = np.round(middle - np.minimum(low, 0.0) * scale, 1)
    points = [f"{a:g},{b:g}" for a, b in zip(xs, top)] + [f"{a:g},{b:g}" for a, b in zip(xs[::-1], bottom[::-1])]
    return " ".join(points)
