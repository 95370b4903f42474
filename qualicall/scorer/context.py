"""What a check sees: the interaction's turns, normalised, windowed, with evidence helpers."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from qualicall.core.interaction import AGENT, CUSTOMER, SYSTEM, Interaction
from qualicall.core.result import Evidence, ItemResult
from qualicall.scorer.reasons import Reason, said
from qualicall.scorer.rubric import ItemSpec, Rubric, Window
from qualicall.core.text import NormText, normalize, without_quoted

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from qualicall.models.embeddings import Embedder
    from qualicall.scorer.signals import SpeakerSentences

# A customer's turn this long before the agent's first is more than « allô oui bonjour » or "hello, hi there".
PICKUP_CUSTOMER_WORDS = 4

# A sentence's end: its marks, not a decimal point (« 3.5 »), followed by a space, an emoji, a bracket or nothing.
SENTENCE_END = re.compile(r"[.!?…]+(?!\w)")


@dataclass
class TurnView:
    """One turn as checks see it. `index` is the turn's index in the interaction."""

    index: int
    speaker: str
    text: str
    start: float | None
    end: float | None
    norm: NormText

    def time_at(self, char: int) -> float | None:
        """Time of a character, interpolated within the turn (no word times needed)."""
        if self.start is None:
            return None
        if self.end is None or not self.text:
            return round(self.start, 2)
        share = min(max(char / len(self.text), 0.0), 1.0)
        return round(self.start + share * (self.end - self.start), 2)

    # Facts about the whole turn that checks ask once per match: computed once per turn.
    @cached_property
    def asks(self) -> bool:
        return "?" in self.text

    @cached_property
    def lower_case(self) -> bool:
        return self.text == self.text.lower()

    @cached_property
    def upper_case(self) -> bool:
        return self.text == self.text.upper()


@dataclass
class Match:
    """A span found in a turn's normalised text."""

    turn: TurnView
    start: int
    end: int

    @property
    def text(self) -> str:
        s, e = self.turn.norm.span(self.start, self.end)
        return self.turn.text[s:e]


def _midpoint(turn: TurnView) -> float:
    """The middle of the turn's time (its start or end alone when only one is known)."""
    times = [time for time in (turn.start, turn.end) if time is not None]
    return sum(times) / len(times) if times else 0.0


@dataclass
class CheckContext:
    interaction: Interaction
    rubric: Rubric
    language: str
    turns: list[TurnView]
    # The item being scored, set by the engine before each check runs.
    item: ItemSpec = field(default_factory=lambda: ItemSpec(check="formula"))
    # In a conditional criterion, set by the engine: only the turns after this one are judged.
    after_turn: int | None = None
    # The current criterion's items scored so far, by id, set by the engine (an item may read an earlier one's verdict).
    scored: dict[str, ItemResult] = field(default_factory=dict)
    # The current criterion's items, by id.
    criterion_items: dict[str, ItemSpec] = field(default_factory=dict)
    _tagged: dict[int, list["_Tagged"]] = field(default_factory=dict)
    _sentences: dict[int, "SpeakerSentences"] = field(default_factory=dict)  # by turn index

    @classmethod
    def build(cls, interaction: Interaction, rubric: Rubric, language: str) -> "CheckContext":
        hesitations, contractions = rubric.text.hesitation_set, rubric.text.contraction_set
        spellings = rubric.text.spelling_pairs if interaction.channel == "chat" else ()  # written shorthand; ASR spells letters out ("the u k")
        views = []
        for i, t in enumerate(interaction.turns or []):
            text = without_quoted(t.text) if interaction.channel == "email" else t.text  # a reply's own words (core.text)
            views.append(TurnView(i, t.speaker, text, t.start, t.end, normalize(text, hesitations, contractions, spellings)))
        return cls(interaction, rubric, language, views)

    def customer_spoke_before(self, turn: TurnView) -> bool:
        """The customer said more than a hello before this turn (a request, after a bot's welcome or on an outbound call):
        the agent's words answer them, they are no pick-up (« Ugh, sorry about that », « Mme Diallo, bonjour »)."""
        return any(t.index < turn.index and len(t.norm.words()) >= PICKUP_CUSTOMER_WORDS for t in self.customer_turns)

    @property
    def channel(self) -> str:
        return self.interaction.channel

    @cached_property
    def agent_turns(self) -> list[TurnView]:
        return [t for t in self.turns if t.speaker == AGENT and t.norm.text]

    @cached_property
    def customer_turns(self) -> list[TurnView]:
        return [t for t in self.turns if t.speaker == CUSTOMER and t.norm.text]

    @cached_property
    def timed(self) -> bool:
        return bool(self.turns) and all(t.start is not None for t in self.turns if t.speaker in (AGENT, CUSTOMER))

    @cached_property
    def call_start(self) -> float:
        return 0.0

    @cached_property
    def call_end(self) -> float:
        return max((t.end if t.end is not None else t.start or 0.0) for t in self.turns) if self.turns else 0.0

    def _opening(self, window: Window) -> list[TurnView]:
        turns = self.agent_turns
        count = min(window.agent_turns, len(turns))
        if self.timed:
            timed = sum(1 for t in turns if (t.start or 0.0) < self.call_start + window.seconds)
            count = max(count, timed)
        return turns[:count]

    def _closing(self, window: Window) -> list[TurnView]:
        turns = self.agent_turns
        count = min(window.agent_turns, len(turns))
        if self.timed:
            end = self.call_end
            # The agent's speech in the last seconds: turns said mostly there, or for half of them at least (a long
            # explanation that only ends in them answered the request, it does not close the call; a recap of 40 s with
            # 18 in them does).
            since = end - window.seconds
            timed = sum(1 for t in turns if _midpoint(t) >= since or (t.end or 0.0) - since >= window.seconds / 2)
            count = max(count, timed)
        closing = turns[len(turns) - count :] if count else []
        # A short call's last turns may reach back to the agent's opening: what was said before the customer
        # first spoke (« que puis-je faire pour vous ? ») opens the call, it does not close it.
        first_customer = next((t.index for t in self.customer_turns), None)
        return [t for t in closing if first_customer is None or t.index > first_customer]

    def window(self, name: str) -> list[TurnView]:
        if name == "opening":
            return self._opening(self.rubric.windows.opening)
        if name == "closing":
            return self._closing(self.rubric.windows.closing)
        if name == "conversation":
            return [t for t in self.turns if t.speaker in (AGENT, CUSTOMER) and t.norm.text]
        return self.agent_turns

    def scope(self) -> list[TurnView]:
        """The turns of the current item's window (after `after_turn` in a conditional criterion)."""
        turns = self.window(self.item.window)
        return turns if self.after_turn is None else [t for t in turns if t.index > self.after_turn]

    def window_param(self, name: str) -> dict[str, Any]:
        """The part of the call an item judges, as a reason's `window` parameter (qualicall.scorer.reasons)."""
        if name in ("opening", "closing"):
            w: Window = getattr(self.rubric.windows, name)
            return {"name": name, "turns": w.agent_turns, "seconds": w.seconds if self.timed else None}
        return {"name": "turns", "after_turn": self.after_turn}

    # --- NLP, loaded only when a check asks -------------------------------------------

    @cached_property
    def nlp(self):
        from qualicall.models.nlp import load_nlp

        return load_nlp(self.language)

    def model_parts(self, turn: TurnView) -> list[tuple[int, int]]:
        """The character ranges of a turn that the models (spaCy, sentence embeddings) read.

        All of it, or, for a turn longer than the rubric's `text.model_chars`, its
        first and last halves of that (cut at a space): a turn of any length costs
        the models no more than that, while phrases and patterns still see it all.
        """
        size = len(turn.text)
        limit = self.rubric.text.model_chars
        if size <= limit:
            return [(0, size)]
        head = turn.text.rfind(" ", 0, limit // 2)
        tail = turn.text.find(" ", size - limit // 2)
        head = head if head > 0 else limit // 2
        tail = tail + 1 if 0 <= tail < size else size - limit // 2
        return [(0, head), (tail, size)]

    def model_ranges(self, turn: TurnView) -> list[tuple[int, int]]:
        """`model_parts` as spans of the turn's normalised text."""
        spans = (turn.norm.norm_span(start, end) for start, end in self.model_parts(turn))
        return [span for span in spans if span is not None]

    def model_text(self, turn: TurnView) -> str:
        """The normalised text the models read of a turn (all of it for any ordinary turn)."""
        return " ".join(turn.norm.text[start:end].strip() for start, end in self.model_ranges(turn))

    def tag(self, turns: list[TurnView]) -> None:
        """Tag turns with spaCy (parts of speech, morphology, lemmas) in one `nlp.pipe` batch, once per scoring."""
        from qualicall.models.nlp import tag

        missing = list({t.index: t for t in turns if t.index not in self._tagged}.values())
        pieces = [(turn, start, end) for turn in missing for start, end in self.model_parts(turn)]
        if not pieces:
            return
        for turn in missing:
            self._tagged[turn.index] = []
        for (turn, start, _), doc in zip(pieces, tag(self.nlp, [turn.text[start:end] for turn, start, end in pieces])):
            self._tagged[turn.index].append(_Tagged(start, doc, [start + token.idx for token in doc]))

    def says_something(self, turn: TurnView, start_char: int, end_char: int, copula: bool = True) -> bool:
        """original[start_char:end_char] holds a verb: words that say something (« vous voulez … », "she's been sick", an
        explanation), not data read back (a name, an address, a number). `copula=False`: a full verb, « être », "be" and
        the other auxiliaries aside (« votre adresse est 12 rue des Tanneurs » reads back data)."""
        verbs = ("VERB", "AUX") if copula else ("VERB",)
        return any(t.pos_ in verbs for t in self.tokens(turn, start_char, end_char))

    def tokens(self, turn: TurnView, start_char: int = 0, end_char: int | None = None) -> list["Token"]:
        """The turn's tokens that start in original[start_char:end_char], tagged on first use.

        Found by binary search on the token starts: asking for each sentence of a
        turn costs the sentence, not the turn. `token.idx` is in the whole turn.
        """
        self.tag([turn])
        end_char = len(turn.text) if end_char is None else end_char
        found: list[Any] = []
        for piece in self._tagged[turn.index]:
            first = bisect_left(piece.starts, start_char)
            last = bisect_left(piece.starts, end_char, first)
            # Token by token: slicing a Doc (a Span) walks the whole doc.
            tokens = (piece.doc[i] for i in range(first, last))
            found.extend(tokens if piece.offset == 0 else (_Shifted(token, piece.offset) for token in tokens))
        return found

    def speaker_sentences(self, speaker: str) -> "SpeakerSentences":
        """Every sentence of a speaker's turns (the parts the models read), embedded in one batch that every bank reads."""
        return self.sentences_of([t for t in self.turns if t.speaker == speaker and t.norm.text])

    def sentences_of(self, turns: list[TurnView]) -> "SpeakerSentences":
        """The embedded sentences of these turns: those not embedded yet in one batch, each turn once per scoring."""
        from qualicall.scorer.signals import SpeakerSentences

        missing = [t for t in turns if t.index not in self._sentences]
        if missing:
            embedded = SpeakerSentences.embed(missing, self.embedder, self.model_parts).by_turn()
            empty = SpeakerSentences([], np.zeros((0, 0), np.float32))
            self._sentences.update({turn.index: embedded.get(turn.index, empty) for turn in missing})
        return SpeakerSentences.join([self._sentences[t.index] for t in turns])

    @cached_property
    def embedder(self) -> "Embedder":
        return self.rubric.embeddings.embedder()

    # --- results ----------------------------------------------------------------------

    def evidence(self, match: Match) -> Evidence:
        start, end = match.turn.norm.span(match.start, match.end)
        return Evidence(
            turn=match.turn.index,
            start_char=start,
            end_char=end,
            text=match.turn.text[start:end],
            time=match.turn.time_at(start),
        )

    def evidence_chars(self, turn: TurnView, start: int, end: int) -> Evidence:
        return Evidence(turn=turn.index, start_char=start, end_char=end, text=turn.text[start:end], time=turn.time_at(start))

    def said(self, reason: Reason | str) -> dict[str, Any]:
        """An item's reason fields, its text in the rubric's language."""
        return said(reason, self.language)

    def passed(self, reason: Reason | str, matches: list[Match], **measures) -> ItemResult:
        return ItemResult(status="passed", **self.said(reason), evidence=[self.evidence(m) for m in matches], measures=measures)

    def failed(self, reason: Reason | str, matches: list[Match] | None = None, **measures) -> ItemResult:
        return ItemResult(status="failed", **self.said(reason), evidence=[self.evidence(m) for m in matches or []], measures=measures)

    def not_applicable(self, reason: Reason | str) -> ItemResult:
        return ItemResult(status="not_applicable", **self.said(reason))


@dataclass
class _Tagged:
    """A tagged piece of a turn: where it starts in the turn, its spaCy doc, its tokens' starts in the turn."""

    offset: int
    doc: "Doc"
    starts: list[int]


class _Shifted:
    """A token of a piece that does not start the turn, with `idx` counted from the turn's start."""

    __slots__ = ("_token", "idx")

    def __init__(self, token: "Token", offset: int) -> None:
        self._token = token
        self.idx = token.idx + offset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._token, name)


def first_saying(turns: list[TurnView], words: Callable[[TurnView], Iterable[str]]) -> dict[str, int]:
    """Each word of `turns` (as `words` reads a turn) and the index of the first turn saying it.

    One pass over the call, then a look-up for « said before turn N? », instead of rescanning the earlier turns each time.
    """
    first: dict[str, int] = {}
    for turn in turns:
        for word in words(turn):
            first.setdefault(word, turn.index)
    return first


def confirmed_sentence(turn: TurnView, first_char: int, says: Callable[[int, int], bool]) -> tuple[int, int]:
    """The original span a confirmation question starting at `first_char` asks about: its own sentence's words before it
    (from the last sentence end, else the turn's start), or, when those say nothing (`says` on an original span), the
    sentence before it (« …. C'est bien cela ? »)."""
    ends = [m.end() for m in SENTENCE_END.finditer(turn.text, 0, first_char)]
    opening, end = (ends[-1] if ends else 0), first_char
    if not says(opening, end) and ends:
        opening, end = (ends[-2] if len(ends) > 1 else 0), ends[-1]
    return opening, end


def opens_sentence(text: str, start: int, marks: str = ".!?") -> bool:
    """text[start:] begins the text or follows a sentence's end: one of `marks` (a line break too, where `marks` holds
    one), or an emoji, its variation selector, skin tone or joiner aside (« Salut 👋 Ici Nico », « Salut ❤️ Ici … »)."""
    stripped = text[:start].rstrip()
    if "\n" in marks and "\n" in text[len(stripped) : start]:
        return True
    # An emoji's variation selector, skin tone or joiner (categories Mn, Sk, Cf) after its symbol.
    before = stripped.rstrip("".join(c for c in stripped if unicodedata.category(c) in ("Mn", "Sk", "Cf")))
    return not before or before[-1] in marks or unicodedata.category(before[-1]) == "So"


def without_overlaps(matches: list[Match], excluded: list[Match]) -> list[Match]:
    """The matches that overlap none of `excluded` (found by one regex: sorted, disjoint in each turn)."""
    ends: dict[int, list[int]] = {}
    starts: dict[int, list[int]] = {}
    for other in excluded:
        ends.setdefault(other.turn.index, []).append(other.end)
        starts.setdefault(other.turn.index, []).append(other.start)
    kept = []
    for match in matches:
        turn_ends = ends.get(match.turn.index, [])
        # The first excluded span ending after the match starts is the only one that may overlap it.
        i = bisect_right(turn_ends, match.start)
        if i < len(turn_ends) and starts[match.turn.index][i] < match.end:
            continue
        kept.append(match)
    return kept


def find_all(pattern: re.Pattern[str] | None, turns: list[TurnView]) -> list[Match]:
    if pattern is None:
        return []
    return [Match(t, m.start(), m.end()) for t in turns for m in pattern.finditer(t.norm.text)]


def find_as_written(ctx: CheckContext, pattern: re.Pattern[str] | None, turns: list[TurnView]) -> list[Match]:
    """`find_all` on the turns before chat shorthand is read as words (`text.spellings`): "u", "thx" and « tkt » are
    the register's own words. Each match is the stretch of the turn's reading that its written words became."""
    text = ctx.rubric.text
    if pattern is None or ctx.channel != "chat" or not text.spelling_pairs:
        return find_all(pattern, turns)
    found = []
    for turn in turns:
        written = normalize(turn.text, text.hesitation_set, text.contraction_set)
        if written.text == turn.norm.text:
            found.extend(find_all(pattern, [turn]))  # no shorthand in this turn
            continue
        for m in pattern.finditer(written.text):
            span = turn.norm.norm_span(*written.span(m.start(), m.end()))
            if span is not None:
                found.append(Match(turn, *span))
    return found
