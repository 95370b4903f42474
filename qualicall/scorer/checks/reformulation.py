"""Reformulation: the agent restates the customer's need in their own words."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cached_property
from typing import NamedTuple

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.models.nlp import like_num
from qualicall.scorer.checks.banks import Reading, read_with_bank, realised
from qualicall.scorer.checks.greeting import stop_words
from qualicall.scorer.context import AGENT, CUSTOMER, SENTENCE_END, CheckContext, Match, TurnView, confirmed_sentence, find_all
from qualicall.scorer.params import CheckParams, Regex
from qualicall.scorer.reasons import Reason, place, reason
from qualicall.scorer.registry import register_check

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"}


class RestatementParams(CheckParams):
    formulas: list[str] = Field(default_factory=list, description="announcing formulas (« si je comprends bien »)")
    patterns: list[Regex] = Field(default_factory=list, description="announcing formulas as regular expressions on normalised text (« vous <verbe> donc »)")
    min_content_words: int = Field(default=4, ge=1, description="content words the restatement needs, or as many as the customer's need holds where fewer (two at least: one repeated word is not a restatement)")
    min_overlap: float = Field(default=0.34, ge=0, le=1, description="share of the restatement's content lemmas that the customer used")
    min_similarity: float = Field(default=0.5, ge=0, le=1, description="embedding cosine with the customer's words")
    max_words: int = Field(default=40, ge=5, description="words after the formula taken as the restatement")
    customer_turns: int = Field(default=3, ge=1, description="customer turns before the formula taken as the need")
    confirm_questions: list[str] = Field(
        default_factory=list,
        description="the agent's question closing a restatement (« c'est bien ça »): the restatement ends there, and the agent asked the customer to confirm it",
    )
    confirmations: list[str] = Field(
        default_factory=list,
        description="what opens the customer's next turn when they confirm the restatement (« c'est ça », « exactement »)",
    )
    affirmations: list[str] = Field(
        default_factory=list,
        description="a word opening the customer's reply that confirms a restatement the agent stated as the last sentence of their turn (« Oui. »)",
    )
    confirmed_similarity: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="embedding cosine with the customer's words enough for a restatement the agent asked to confirm or the customer confirmed (a paraphrase shares few words)",
    )
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

    @cached_property
    def confirm_question_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.confirm_questions)

    @cached_property
    def affirmation_words(self) -> frozenset[str]:
        return self.normal_words(self.affirmations)

    @cached_property
    def confirmation_matcher(self) -> re.Pattern[str] | None:
        """A confirmation opening the customer's turn, after affirmations (« oui c'est ça »; not « … c'est ça le problème »)."""
        phrases = self.phrase_matcher(self.confirmations)
        if phrases is None:
            return None
        affirmed = "".join(f"(?:{re.escape(word)} )?" for word in sorted(self.affirmation_words))
        return re.compile(f"^{affirmed}(?:{phrases.pattern})")


def _content_lemmas(ctx: CheckContext, turn: TurnView, start: int | None = None, end: int | None = None) -> list[str]:
    """Content lemmas of a turn, or of a normalised-text span of it (the turn is tagged once per scoring)."""
    if start is not None and end is not None and start >= end:
        return []
    first, last = turn.norm.span(start, end) if start is not None and end is not None else (0, len(turn.text))
    # Numbers are content, though spaCy lists number words among the stop words ("eight"): « deux places », "at eight";
    # not « un » the article (tagged DET).
    return [
        t.lemma_.lower()
        for t in ctx.tokens(turn, first, last)
        if (t.is_digit or t.like_num and t.pos_ == "NUM" or t.pos_ in CONTENT_POS and not t.is_stop and len(t.text) > 1) and (t.is_alpha or t.is_digit)
    ]


# One repeated word is no restatement, however few the customer's.
_FEWEST_CONTENT_WORDS = 2

ASKED, STATED = "asked", "stated"
# A restatement whose content words are figures for more than this share reads a number back (« vous voulez 2 places le 12 »
# still restates).
_READ_BACK_NUMBERS = 2 / 3


def _sentence_end(turn: TurnView, position: int, confirm: re.Pattern[str] | None) -> tuple[int, str | None]:
    """Where the restatement that starts at a normalised position ends: at the agent's question asking to confirm it
    (« …, c'est bien ça ? »), or at the end of its sentence in punctuated text; and how it closes the agent's say:
    ASKED (that question), STATED (a statement, the turn's last sentence: the customer's reply is to it), or None."""
    asked = confirm.search(turn.norm.text, position) if confirm is not None else None
    end = asked.start() if asked is not None else len(turn.norm.text)
    _, original = turn.norm.span(position, position + 1)
    stop = SENTENCE_END.search(turn.text, original)
    if stop is not None:
        end = min(end, bisect_left(turn.norm.offsets, stop.start()))
    # The question closes the restatement, or is the sentence right after it (« …. Est-ce bien cela ? »).
    if asked is not None and len(turn.norm.text[end : asked.start()].split()) <= 1:
        return end, ASKED
    stated = stop is not None and set(stop.group()) <= set(".!") and not turn.text[stop.end() :].strip()
    # Speech written without punctuation (ASR): the restatement that runs to the end of the turn is what the customer answers.
    unpunctuated = stop is None and SENTENCE_END.search(turn.text) is None
    return end, STATED if stated or unpunctuated else None


def _overlaps(match: Match, others: list[Match]) -> bool:
    return any(o.turn is match.turn and o.start < match.end and match.start < o.end for o in others)


def _asked_about(turn: TurnView, asked: Match, max_words: int) -> tuple[int, int] | None:
    """The normalised span of the words a confirmation question asks about: those after it in its sentence when it opens
    one ("Correct me if I'm wrong, but you need …?"), else its sentence's words before it, or the sentence before when it
    is a sentence of its own (« …. C'est bien ça ? »); at most `max_words` words."""

    def holds_words(first: int, last: int) -> bool:
        span = turn.norm.norm_span(first, last)
        return span is not None and bool(turn.norm.text[span[0] : span[1]].strip())

    first, last = turn.norm.span(asked.start, asked.end)
    closing = SENTENCE_END.search(turn.text, last)
    after_end = closing.start() if closing else len(turn.text)
    own_start = max((m.end() for m in SENTENCE_END.finditer(turn.text, 0, first)), default=0)
    if not holds_words(own_start, first) and holds_words(last, after_end):
        start, end = turn.norm.norm_span(last, after_end)  # type: ignore[misc]
        words = turn.norm.words_after(start, max_words)
        end = min(end, start + len(" ".join(words)) + 1)
    else:
        before = turn.norm.norm_span(*confirmed_sentence(turn, first, holds_words))
        if before is None:
            return None
        start, end = before
        while end > start and turn.norm.text[end - 1] == " ":
            end -= 1
        words = turn.norm.words_before(end, max_words)
        start = max(start, end - len(" ".join(words)))
    while start < end and turn.norm.text[start] == " ":
        start += 1
    while end > start and turn.norm.text[end - 1] == " ":
        end -= 1
    return (start, end) if start < end else None


def _restatement(turn: TurnView, match: Match, max_words: int, confirm: re.Pattern[str] | None) -> tuple[str, int, int, str | None]:
    """The words the agent says after the formula, to the end of its sentence or the question asking to confirm them
    (and the words before it, when the formula closes the sentence), and how they close the agent's say (`_sentence_end`)."""
    end, closes = _sentence_end(turn, match.end, confirm)
    after = turn.norm.words_after(match.end, max_words)
    after = turn.norm.text[match.end : min(end, match.end + len(" ".join(after)) + 1)].split()
    if len(after) >= 3:
        end = match.end + len(" ".join(after)) + 1
        return " ".join(after), match.start, min(end, len(turn.norm.text)), closes
    before = turn.norm.words_before(match.start, max_words)
    return " ".join(before + after), max(0, match.start - len(" ".join(before)) - 1), match.end, closes


class _Candidate(NamedTuple):
    """A restatement to judge: what announces it (a formula, or a sentence read against the bank), its text and
    normalised span, the spans whose content lemmas count."""

    announced: Match
    text: str
    start: int
    end: int
    content_spans: list[tuple[int, int]]
    closes: str | None
    reading: Reading | None = None
    by_question: bool = False  # the sentence the agent asked the customer to confirm, no formula announcing it


def _announced(code: str, match: Match, reading: Reading | None, **measured: float) -> Reason:
    """A passing reason: the formula, or the sentence read against the bank and its closest example."""
    if reading is None:
        return reason(code, at=place(match), text=match.text, **measured)
    example = {"closest": reading.match.closest, "example_similarity": reading.match.similarity}
    return reason(f"{code}_by_meaning", at=place(match), text=match.text, **example, **measured)


@register_check("restatement", RestatementParams)
def restatement(ctx: CheckContext, params: RestatementParams) -> ItemResult:
    """Passes when the agent restates the customer's need: an announcing formula (or a sentence announcing one by meaning)
    followed by the need in the agent's words, or a sentence holding the need that the agent asks the customer to confirm."""
    from qualicall.models.embeddings import cosine_matrix

    agent = ctx.scope()
    if not ctx.customer_turns:
        return ctx.not_applicable(reason("restatement.no_need"))
    formulas = find_all(params.matcher, agent)

    def candidates() -> Iterator[_Candidate]:
        """The formulas' restatements, then (read only when none of those passes) the sentences that announce one by meaning,
        then the sentences the agent asks to confirm."""
        for match in formulas:
            text, start, end, closes = _restatement(match.turn, match, params.max_words, params.confirm_question_matcher)
            # The restatement around the formula, not the formula's own words.
            yield _Candidate(match, text, start, end, [(start, match.start), (match.end, end)], closes)
        judged_spans = list(formulas)
        if params.bank:
            # A sentence that announces a restatement by meaning (« en gros vous … ») is the restatement itself.
            for reading in realised(read_with_bank(ctx, params.bank, agent[: params.bank_agent_turns])):
                said = reading.as_match()
                if _overlaps(said, judged_spans):
                    continue  # its formula was a candidate already
                judged_spans.append(said)
                end, closes = _sentence_end(said.turn, said.start, params.confirm_question_matcher)
                end = min(end, said.end)
                text = said.turn.norm.text[said.start : end]
                yield _Candidate(said, text, said.start, end, [(said.start, end)], closes, reading)
        # Last, a sentence the agent asks the customer to confirm (« …, c'est bien ça ? », "…, have I got that right?"):
        # a restatement by what it does, when it holds the customer's need.
        for turn in agent[: params.bank_agent_turns]:
            for asked in find_all(params.confirm_question_matcher, [turn]):
                span = _asked_about(turn, asked, params.max_words)
                if span is None or _overlaps(said := Match(turn, *span), judged_spans):
                    continue  # data too short to ask about, or judged already as a formula's or a bank's restatement
                yield _Candidate(said, turn.norm.text[span[0] : span[1]], *span, [span], ASKED, by_question=True)

    judged: list[_Candidate] = []
    unconfirmed: list[Match] = []  # sentences read as restatements by meaning alone, that nobody confirmed
    # The closest miss (overlap, similarity, evidence, content words), for the reason.
    best: tuple[float, float, Match, int] | None = None

    def keep(candidate: tuple[float, float, Match, int]) -> None:
        nonlocal best
        if best is None or (candidate[0] + candidate[1], candidate[3]) > (best[0] + best[1], best[3]):
            best = candidate

    stops, number = stop_words(ctx.language), like_num(ctx.language)
    customer_indices = [t.index for t in ctx.customer_turns]
    needs: dict[int, tuple[str, set[str]]] = {}  # by the last customer turn before the formula

    def need_of(turns: list[TurnView]) -> tuple[str, set[str]]:
        """The customer's need: their words (what the models read) and their content lemmas, once per set of turns."""
        key = turns[-1].index
        if key not in needs:
            needs[key] = (" ".join(ctx.model_text(t) for t in turns), {lemma for t in turns for lemma in _content_lemmas(ctx, t)})
        return needs[key]

    def confirmed_by(candidate: _Candidate) -> str | None:
        """The words confirming a restatement: the agent's question asking to, or the customer's reply opening with a confirmation."""
        turn = candidate.announced.turn
        if candidate.closes == ASKED:
            asked = params.confirm_question_matcher.search(turn.norm.text, candidate.end)  # type: ignore[union-attr]
            return asked.group() if asked else None
        # The next thing said (a system line in a chat aside): the customer's reply, not an answer to a later question.
        reply = next((t for t in ctx.turns if t.index > turn.index and t.speaker in (AGENT, CUSTOMER) and t.norm.text), None)
        if reply is None or reply.speaker != CUSTOMER:
            return None
        said = params.confirmation_matcher.match(reply.norm.text) if params.confirmation_matcher else None
        if said:
            return said.group()
        # A bare « oui » confirms a restatement the agent stated last, not one followed by a question.
        first = reply.norm.text.split(maxsplit=1)[0]
        return first if candidate.closes == STATED and first in params.affirmation_words else None

    for candidate in candidates():
        match, text, start, end, content_spans, _, reading, by_question = candidate
        # A sentence asked to confirm is judged only for what it passes: a miss says nothing of a formula.
        record = (lambda _miss: None) if by_question else keep
        if not by_question:
            judged.append(candidate)
        before = bisect_left(customer_indices, match.turn.index)
        need_turns = ctx.customer_turns[max(0, before - params.customer_turns) : before]
        if not need_turns:
            continue
        # A cheap gate before tagging (« un » passes it as a number; the tags tell the article apart).
        words = sum(1 for w in text.split() if (w not in stops and len(w) > 1) or number(w))
        if words < min(params.min_content_words, _FEWEST_CONTENT_WORDS):
            # Too few words to restate anything (« Remboursée ? »): no need to tag.
            record((0.0, 0.0, Match(match.turn, start, end), words))
            continue
        if reading is not None and confirmed_by(candidate) is None:
            # Read by meaning, a sentence may sound like a restatement and be the answer (« il faut venir à jeun »):
            # without a formula, the customer's confirmation (or the agent's asking for it) shows it restated their need.
            unconfirmed.append(Match(match.turn, start, end))
            continue
        ctx.tag([match.turn, *need_turns])  # one batch; most calls stop at their first formula
        if by_question and not ctx.says_something(match.turn, *match.turn.norm.span(start, end), copula=False):
            # A name, an address, a number read back (« votre adresse est 12 rue des Tanneurs, c'est ça ? »): data confirmed;
            # the need restated without a formula has a full verb of its own (« vous voulez … », "she has vomited").
            continue
        content = [lemma for low, high in content_spans for lemma in _content_lemmas(ctx, match.turn, low, high)]
        need_text, need = need_of(need_turns)
        # A need said in fewer content words is restated by saying them again ("my internet is down since yesterday": both
        # words), two of them at least; not one of them with the restatement's own words or itself twice ("your bill, right
        # now?", "your parcel, your parcel?").
        short_need = len(need) < params.min_content_words and len(set(content) & need) >= _FEWEST_CONTENT_WORDS
        if (len(content) < params.min_content_words and not short_need) or sum(map(number, content)) > _READ_BACK_NUMBERS * len(content):
            # (Figures for the most part, « Je répète : 06 45 12 78 90, c'est bien ça ? »: a number read back, not the need.)
            record((0.0, 0.0, Match(match.turn, start, end), len(content)))
            continue
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
        # A paraphrase shares few words and reads apart from the customer's: the confirmation asked or given says it is their need
        # (not for a sentence that is only asked to confirm: the question is all that makes it a restatement).
        if not by_question and similarity >= params.confirmed_similarity and (confirmation := confirmed_by(candidate)) is not None:
            return ctx.passed(
                _announced("restatement.confirmed", match, reading, overlap=overlap, similarity=similarity, confirmed=confirmation),
                [evidence],
                overlap=round(overlap, 3),
                similarity=round(similarity, 3),
            )
        record((round(overlap, 3), round(similarity, 3), evidence, len(content)))
    if best is None:
        if unconfirmed:
            return ctx.failed(reason("restatement.unconfirmed", at=place(unconfirmed[0])), unconfirmed[:1])
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
