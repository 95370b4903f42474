"""The generic check: does the agent say a formula (or something that means it)?"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import Field, field_validator, model_validator

from qualicall.core.result import ItemResult
from qualicall.scorer.checks.banks import by_meaning, none_by_meaning, read_with_bank, realised
from qualicall.scorer.context import SENTENCE_END, CheckContext, Match, TurnView, confirmed_sentence, find_all, without_overlaps
from qualicall.scorer.params import ExclusionParams, Regex, Wording
from qualicall.scorer.reasons import place, quoted, reason
from qualicall.scorer.registry import register_check
from qualicall.scorer.signals import Unit

if TYPE_CHECKING:
    from qualicall.scorer.rubric import ItemSpec

# The default of `affirmations` (the default rubrics state it).
AFFIRMATIONS = ["oui", "yes", "exactement", "exactly", "tout a fait", "effectivement", "absolument", "right", "voila", "yeah", "ouais"]
_QUESTION_MARK_NEXT = re.compile(r"\s*\?")
_NON_SPACE = re.compile(r"\S+")


class PhrasesParams(ExclusionParams):
    """Phrases and patterns to find, phrases that cancel them: what the formula and banned_formula checks share."""

    phrases: list[str] = Field(default_factory=list)
    patterns: list[Regex] = Field(default_factory=list, description="regular expressions on normalised text")
    bank: str | None = Field(
        default=None,
        description="a rubric bank (`banks:`): where no phrase is found, a sentence of the window that realises it counts as one (recognised by meaning)",
    )

    @field_validator("phrases")
    @classmethod
    def _no_empty_phrase(cls, phrases: list[str]) -> list[str]:
        if any(not phrase.strip() for phrase in phrases):
            raise ValueError("an empty phrase: it names nothing to find")
        return phrases

    @model_validator(mode="after")
    def _something_to_find(self) -> "PhrasesParams":
        # (a formula's other ways to pass: its anchors, a tag question after another item's passage, a pick-up's question)
        others = ("anchors", "tag_after", "pickup_questions")
        if not (self.phrases or self.patterns or self.bank or any(getattr(self, name, None) for name in others)):
            raise ValueError("nothing to find: give phrases, patterns or a bank (the item would be judged on nothing)")
        return self

    @cached_property
    def matcher(self) -> re.Pattern[str] | None:
        return self.formula_matcher(self.phrases, self.patterns)


class FormulaParams(PhrasesParams):
    bank_turn_ends: int = Field(
        default=0, ge=0, description="with `bank`: the last words of each unpunctuated turn read against it too (a spoken question closes the turn)"
    )
    anchors: list[str] = Field(default_factory=list, description="sentences meaning the formula, for the semantic match")
    similarity: float = Field(default=0.8, ge=0, le=1)
    question: bool = Field(default=False, description="the formula must be asked, not said as an answer")
    asking_openers: list[str] = Field(
        default_factory=list,
        description="with `question`: words opening a sentence built as a question or a request to confirm, which asks even closed by a "
        "full stop (\"Does that make sense.\", « Est-ce que c'est clair pour vous. », \"Kindly confirm that I have understood.\")",
    )
    after_customer: bool = Field(
        default=False, description="only the agent's turns after the customer's first words count (a check of understanding follows something to understand)"
    )
    affirmations: list[str] = Field(
        default_factory=lambda: list(AFFIRMATIONS),
        description="with `question`, in unpunctuated text: words among the three before the formula that make it an answer (« oui c'est bien ça »)",
    )
    tags: list[str] = Field(
        default_factory=list,
        description="short words that count only as a tag question closed by '?' (\"…, right?\"); said bare, they are backchannel",
    )
    confirmations: list[str] = Field(
        default_factory=list,
        description="those of the phrases that ask to confirm what the agent just said (« c'est ça ? »): they, and the tag "
        "questions, count only after `confirmation_min_words` words of the agent's in the same sentence, affirmations aside (a "
        "restatement, an explanation); after a name or a date they confirm data, opening a turn they answer",
    )
    confirmation_min_words: int = Field(default=0, ge=0)
    number_words: list[str] = Field(
        default_factory=list,
        description="with `confirmation_min_words`: the words that say a number; figures, and runs of two of these or more, are not "
        "counted, a number read back being data (« zéro quatre septante-six douze…, c'est bien ça ? », « Je répète : 0696 45 12 78, "
        "c'est bien ça ? »); one alone is a word (« un appareil neuf », \"charged double\")",
    )
    number_joiners: list[str] = Field(
        default_factory=list, description="with `number_words`: words between two of them that belong to the run (« et », \"and\")"
    )
    lemmas: list[str] = Field(
        default_factory=list,
        description="verbs that say the formula in any form (« remercier »: « c'est moi qui vous remercie »), matched on spaCy lemmas",
    )
    tag_after: str | None = Field(
        default=None,
        description="an item of the same criterion, scored before this one, whose passing evidence the agent closes with a short question "
        "ending on one of `tag_after_cues` or, read alone, realising `bank` (« …, c'est juste ? », \"…, correct?\"): that question realises "
        "this item (the agent asks the customer to check a restatement)",
    )
    tag_after_cues: list[str] = Field(default_factory=list, description="with `tag_after`: words of confirmation, one of which closes the question")
    tag_after_addresses: list[str] = Field(
        default_factory=list,
        description="with `tag_after`: the ways of addressing the customer that may follow the cue (« c'est exact madame ? », \"correct ma'am\")",
    )
    tag_after_openers: list[str] = Field(
        default_factory=list,
        description="with `tag_after`: words that open a question of confirmation whatever closes it (« c'est bien votre demande ? », "
        "\"is that what you're after?\")",
    )
    tag_after_words: int = Field(default=10, ge=1, description="with `tag_after`: the longest such question (its last clause), in words")
    pickup_questions: list[str] = Field(
        default_factory=list,
        description="words of an open question (« quoi », \"what\"): the agent's pick-up turn, before the customer's first words, asking one "
        "realises the item (« vous désirez ? », \"what's going on?\"), unless it holds one of `pickup_requests`",
    )
    pickup_requests: list[str] = Field(
        default_factory=list,
        description="with `pickup_questions`: words of a question that asks for details or after the customer, not for their request "
        "(« votre nom ? », \"how are you?\")",
    )
    pickup_tail_words: int = Field(
        default=8, ge=1, description="with `pickup_questions`: in an unpunctuated pick-up turn, the last words read as its question"
    )
    what: Wording = Field(default={"fr": "formule", "en": "formula"}, description="what is looked for, in reasons")

    @cached_property
    def pickup_matchers(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        return self.phrase_matcher(self.pickup_questions), self.phrase_matcher(self.pickup_requests)

    @cached_property
    def tag_after_cue_words(self) -> frozenset[str]:
        return self.normal_words(self.tag_after_cues)

    @cached_property
    def tag_after_address_words(self) -> list[list[str]]:
        """`tag_after_addresses` as normalised words (« ma'am » reads « ma am »), the longest first."""
        return sorted((words for words in (self.normal(address).split() for address in self.tag_after_addresses) if words), key=len, reverse=True)

    @cached_property
    def tag_opener_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.tag_after_openers)

    @cached_property
    def tag_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.tags)

    @cached_property
    def number_word_set(self) -> frozenset[str]:
        return self.normal_words(self.number_words)

    @cached_property
    def number_joiner_set(self) -> frozenset[str]:
        return self.normal_words(self.number_joiners)

    @cached_property
    def confirmation_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.confirmations)

    @cached_property
    def lemma_set(self) -> frozenset[str]:
        return self.normal_words(self.lemmas)

    @cached_property
    def anchor_texts(self) -> list[str]:
        return [self.normal(anchor) for anchor in self.anchors]

    @cached_property
    def asking_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.asking_openers)

    @cached_property
    def affirmed(self) -> tuple[re.Pattern[str] | None, frozenset[str]]:
        """An affirmation ending the words before a formula, and the one-word affirmations."""
        words = sorted(self.normal_words(self.affirmations))
        ending = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")$") if words else None
        return ending, frozenset(words)


def _is_question(match: Match, params: FormulaParams) -> bool:
    turn = match.turn
    start, end = turn.norm.span(match.start, match.end)
    if turn.asks:
        # Punctuated text: the formula is a question if a '?' closes its sentence (« Tu vois le topo ou je reprends ? »).
        closing = SENTENCE_END.search(turn.text, end)
        return closing is not None and "?" in closing.group()
    closing = SENTENCE_END.search(turn.text, end)
    if closing is not None and closing.group() in (".", "!"):
        return False  # a sentence closed by a full stop states (« C'est clair pour le matin. »)
    before = turn.norm.words_before(match.start, 3)
    ending, single = params.affirmed
    return not ((ending is not None and ending.search(" ".join(before))) or single.intersection(before))


def _asked(unit: Unit, params: FormulaParams) -> bool:
    """A sentence is asked: closed by '?' in punctuated text; elsewhere, not closed by a full stop or an exclamation mark unless
    built as a question (`asking_openers`: « Pas de souci ! », « N'hésitez pas à rappeler si une question vous vient. » state;
    "Does that make sense." asks), nor opened by an affirmation (« oui c'est clair »)."""
    if unit.turn.asks:
        return "?" in unit.text[-3:]
    span = unit.turn.norm.norm_span(unit.start, unit.end)
    closing = unit.text.rstrip()
    if closing.endswith(("!", ".")) and not closing.endswith(".."):  # (a trailing "..." is left open, as "…" is)
        opener = params.asking_matcher
        return span is not None and opener is not None and opener.match(unit.turn.norm.text, span[0]) is not None
    _, single = params.affirmed
    return span is not None and not single.intersection(unit.turn.norm.text[span[0] : span[1]].split()[:3])


def chunks(turn: TurnView, ranges: list[tuple[int, int]], size: int = 12, step: int = 6) -> list[tuple[int, int]]:
    """Normalised-text spans to embed within `ranges` (what the models read): the words, or windows of them for long turns."""
    spans = []
    for range_start, range_end in ranges:
        words = [(m.start(), m.end()) for m in _NON_SPACE.finditer(turn.norm.text, range_start, range_end)]
        if len(words) <= size:
            spans += [(words[0][0], words[-1][1])] if words else []
            continue
        for first in range(0, max(len(words) - size, 0) + step, step):
            window = words[first : first + size]
            if window:
                spans.append((window[0][0], window[-1][1]))
    return spans


def semantic_match(ctx: CheckContext, turns: list[TurnView], anchors: list[str], threshold: float) -> tuple[Match | None, float]:
    """The agent chunk closest in meaning to any anchor sentence (normalised), if above the threshold."""
    candidates = [Match(t, s, e) for t in turns for s, e in chunks(t, ctx.model_ranges(t))]
    if not candidates or not anchors:
        return None, 0.0
    from qualicall.models.embeddings import cosine_matrix

    scores = cosine_matrix(ctx.embedder, [c.turn.norm.text[c.start : c.end] for c in candidates], anchors)
    best = scores.max(axis=1)
    index = int(best.argmax())
    similarity = float(best[index])
    return (candidates[index] if similarity >= threshold else None), round(similarity, 3)


def _lemma_matches(ctx: CheckContext, params: FormulaParams, turns: list[TurnView]) -> list[Match]:
    """Tokens whose lemma is one of the params' lemmas, as matches on normalised text."""
    ctx.tag(turns)
    found = []
    for turn in turns:
        for token in ctx.tokens(turn):
            if params.normal(token.lemma_) in params.lemma_set:
                span = turn.norm.norm_span(token.idx, token.idx + len(token.text))
                if span is not None:
                    found.append(Match(turn, *span))
    return found


def find_formula(ctx: CheckContext, params: FormulaParams, turns: list[TurnView], limit: int = 3) -> list[Match]:
    """The first `limit` matches in the turns (the phrases', then the tag questions'): what a result shows."""
    matches = find_all(params.matcher, turns)
    if params.lemmas and not matches:
        matches = _lemma_matches(ctx, params, turns)
    if params.exclude:
        matches = without_overlaps(matches, find_all(params.excluded, turns))
    if params.question:
        matches = [m for m in matches if _is_question(m, params)]
    tags = without_overlaps([m for m in find_all(params.tag_matcher, turns) if _is_tag_question(m)], matches)
    if not params.confirmation_min_words:
        return (matches + tags)[:limit]
    # A tag question (« …, d'accord ? ») asks to confirm what was just said, as the confirmations do: each is checked
    # only until `limit` are found, since checking one may tag its turn with spaCy.
    confirms = params.confirmation_matcher
    found: list[Match] = []
    for m in matches + tags:
        confirming = m in tags or (confirms is not None and confirms.fullmatch(m.turn.norm.text, m.start, m.end))
        if not confirming or _said_enough(ctx, m, params):
            found.append(m)
            if len(found) == limit:
                break
    return found


def items_formulas(ctx: CheckContext, items: list[ItemSpec], turns: list[TurnView], limit: int = 3) -> Iterator[Match]:
    """The formulas of each `formula` item said in the turns, as its check finds them (`find_formula`), the first `limit`
    of each, item after item (lazily: a caller that needs one stops at it)."""
    for item in items:
        params = ctx.rubric.checked_params(item)
        if isinstance(params, FormulaParams):
            yield from find_formula(ctx, params, turns, limit=limit)


def _said_enough(ctx: CheckContext, match: Match, params: FormulaParams) -> bool:
    """A confirmation closing at least `confirmation_min_words` words of its sentence that say something, with a verb: a
    restatement, an explanation; not a name, an address or a number read back (« 12 rue des Lilas à Vannes, c'est bien ça ? »)."""
    turn = match.turn
    start, _ = turn.norm.span(match.start, match.end)
    _, affirmations = params.affirmed

    def words(first: int, last: int) -> list[str]:
        said = turn.norm.norm_span(first, last) if last > first else None
        return [w for w in _without_read_back(turn.norm.text[said[0] : said[1]].split(), params) if w not in affirmations] if said is not None else []

    # Affirmations alone (« Oui, c'est bien ça ? ») say nothing: the sentence before is what is confirmed.
    opening, end = confirmed_sentence(turn, start, lambda first, last: bool(words(first, last)))
    return len(words(opening, end)) >= params.confirmation_min_words and ctx.says_something(turn, opening, end)


def _without_read_back(words: list[str], params: FormulaParams) -> list[str]:
    """The words less the numbers read back: runs of two figures or number words or more, with « et », "and" between them
    (« zéro quatre septante-six », "oh seven seven double four", "one two three and four"); a number word alone is a word
    (« un appareil neuf », "charged double")."""
    figures = [any(c.isdigit() for c in w) for w in words]
    numeric = [figure or w in params.number_word_set for figure, w in zip(figures, words)]
    joined = [numeric[i] or (w in params.number_joiner_set and 0 < i < len(words) - 1 and numeric[i - 1] and numeric[i + 1]) for i, w in enumerate(words)]
    in_run = [joined[i] and ((i > 0 and joined[i - 1]) or (i + 1 < len(words) and joined[i + 1])) for i in range(len(words))]
    return [word for word, figure, run in zip(words, figures, in_run) if not (figure or run)]


def _normal_of(match: Match) -> str:
    return match.turn.norm.text[match.start : match.end].strip()


# The question after a passing item's evidence: in its sentence (« …, c'est juste ? », "… — correct?") or the next one (« …. J'ai bon ? »).
_NEXT_QUESTION = re.compile(r"[^.?!…]*(?:[.!…]+\s*[^.?!…]*)?\?")
# What opens a question's last clause.
_CLAUSE_MARK = re.compile(r"[,;:—–.!…]|\s-\s")


# A cue closing raw speech is quoted with the words before it, this many in all (« that about right »).
_RAW_TAG_WORDS = 3


def _last_words_start(text: str, end: int, count: int) -> int:
    """Where the last `count` words of text[:end] begin."""
    words = list(_NON_SPACE.finditer(text, 0, end))[-count:]
    return words[0].start() if words else end


def _addressed(params: FormulaParams, words: list[str]) -> int:
    """How many of the last words address the customer: one of `tag_after_addresses`, and the name after it (« madame
    Durand », "mr patel"); 0 where none does."""
    for address in params.tag_after_address_words:
        for name in (0, 1):
            end = len(words) - name
            if end >= len(address) and words[end - len(address) : end] == address:
                return len(address) + name
    return 0


def _question_closing(ctx: CheckContext, params: FormulaParams, turns: list[TurnView]) -> Match | None:
    """The question of confirmation (its last clause, `tag_after_words` at most, ending on a cue word or realising the bank read
    alone) with which the agent closes the evidence of the `tag_after` item, scored before this one, in one of `turns`
    (« …, vous me le confirmez ? »; not « …, vous avez redémarré ? »)."""
    earlier = ctx.scored.get(params.tag_after or "")
    if earlier is None or earlier.status != "passed":
        return None
    for evidence in earlier.evidence:
        turn = next((t for t in turns if t.index == evidence.turn), None)
        if turn is None:
            continue
        asked = _NEXT_QUESTION.match(turn.text, evidence.end_char)
        if asked is not None:
            marks = list(_CLAUSE_MARK.finditer(turn.text, evidence.start_char, asked.end() - 1))
            span = turn.norm.norm_span(marks[-1].end() if marks else evidence.start_char, asked.end())
            last = turn.norm.text[span[0] : span[1]].split() if span is not None else []
            if len(marks) > 1 and last and _addressed(params, last) == len(last):
                # (the customer addressed as a clause of its own: « …, c'est juste, monsieur ? »)
                span = turn.norm.norm_span(marks[-2].end(), asked.end())
        elif not SENTENCE_END.search(turn.text):
            # Raw speech marks no question: the last words of the turn, the restatement's end or after it (« … you want 'em
            # out of there that about right »).
            within = turn.norm.norm_span(evidence.start_char, len(turn.text))
            tail = list(_NON_SPACE.finditer(turn.norm.text, within[0])) if within is not None else []
            span = (tail[-min(len(tail), params.tag_after_words)].start(), tail[-1].end()) if tail else None
        else:
            continue
        clause = turn.norm.text[span[0] : span[1]] if span is not None else ""
        words = clause.split()
        if not words or len(words) > params.tag_after_words:
            continue
        start = span[0] + len(clause) - len(clause.lstrip())
        # The cue closes the question (« c'est juste ? », "is that correct?"; not « c'est bon pour vous ? », « vous avez le bon
        # numéro ? », "shall I send it to the right address?"), or an opener begins it (« c'est bien votre demande ? »; in raw
        # speech, among its last words: quoted from there); or the clause alone reads as the item's bank does (« c'est bien ce
        # qui s'est passé ? »): inside the long restatement it weighed little in the sentence's vector.
        opener = params.tag_opener_matcher.search(turn.norm.text, start, span[1]) if params.tag_opener_matcher is not None else None
        if opener is not None and (asked is None or opener.start() == start):
            return Match(turn, opener.start(), span[1])
        addressed = _addressed(params, words)  # (the customer addressed after the cue: « c'est juste madame ? »)
        if addressed < len(words) and words[-1 - addressed] in params.tag_after_cue_words:
            return Match(turn, start if asked is not None else _last_words_start(turn.norm.text, span[1], _RAW_TAG_WORDS), span[1])
        if params.bank and _realises(ctx, params.bank, turn.norm.text[start : span[1]]):
            return Match(turn, start, span[1])
    return None


def _realises(ctx: CheckContext, bank: str, text: str) -> bool:
    """`text` alone realises the rubric's bank."""
    from qualicall.scorer.banks import bank_model

    return bank_model(ctx.rubric.example_banks()[bank], ctx.embedder).read([text], ctx.embedder)[0].realises


def _pickup_question(ctx: CheckContext, params: FormulaParams, turns: list[TurnView]) -> Match | None:
    """The open question of the agent's pick-up turn, before the customer said more than a hello: in a sentence closed by
    '?', or in an unpunctuated turn among its last `pickup_tail_words` words, one of `pickup_questions` and none of
    `pickup_requests` (the sentence whole: « Bonjour, je vous appelle pour votre contrat, quel moment vous arrange ? »
    asks no request). Quoted from the clause that asks it."""
    pickup = next((t for t in ctx.agent_turns if t.norm.text), None)
    if pickup is None or ctx.customer_spoke_before(pickup) or all(t.index != pickup.index for t in turns):
        return None
    asks, requests = params.pickup_matchers
    questions: list[tuple[int, int]] = []  # (start, end) characters of the original text
    if pickup.asks:
        start = 0
        for end in SENTENCE_END.finditer(pickup.text):
            if "?" in end.group():
                questions.append((start, end.end()))
            start = end.end()
    elif not SENTENCE_END.search(pickup.text):
        words = list(_NON_SPACE.finditer(pickup.norm.text))[-params.pickup_tail_words:]
        questions = [pickup.norm.span(words[0].start(), words[-1].end())] if words else []
    for start, end in questions:
        span = pickup.norm.norm_span(start, end)
        question = pickup.norm.text[span[0] : span[1]] if span is not None else ""
        if asks is None or not asks.search(question) or requests is not None and requests.search(question):
            continue
        marks = [m.end() for m in _CLAUSE_MARK.finditer(pickup.text, start, end - 1)]
        clause = pickup.norm.norm_span(marks[-1], end) if marks else None
        if clause is None or not asks.search(pickup.norm.text, *clause):
            clause = span
        lead = len(pickup.norm.text[clause[0] : clause[1]]) - len(pickup.norm.text[clause[0] : clause[1]].lstrip())
        return Match(pickup, clause[0] + lead, clause[1])
    return None


def _is_tag_question(match: Match) -> bool:
    """« …, d'accord ? », "…, right?": the word closes a sentence with a question mark."""
    _, end = match.turn.norm.span(match.start, match.end)
    return _QUESTION_MARK_NEXT.match(match.turn.text, end) is not None


@register_check("formula", FormulaParams)
def formula(ctx: CheckContext, params: FormulaParams) -> ItemResult:
    """Passes when the agent says one of the phrases (or, with anchors, something that means the same) in the item's window."""
    turns = ctx.scope()
    window = ctx.window_param(ctx.item.window)
    if not turns:
        return ctx.failed(reason("formula.no_agent_turn", window=window))
    if params.after_customer:
        spoke = next((t.index for t in ctx.customer_turns if t.norm.text), None)
        turns = [t for t in turns if spoke is not None and t.index > spoke]
    matches = find_formula(ctx, params, turns)
    if matches:
        first = matches[0]
        return ctx.passed(reason("formula.found", what=params.what, text=first.text, at=place(first)), matches)
    if params.pickup_questions and (asked := _pickup_question(ctx, params, turns)) is not None:
        return ctx.passed(reason("formula.pickup_question", what=params.what, text=asked.text, at=place(asked)), [asked])
    if params.tag_after and (tag := _question_closing(ctx, params, turns)) is not None:
        return ctx.passed(reason("formula.tag_after", what=params.what, text=tag.text, at=place(tag), item=ctx.criterion_items[params.tag_after].label or params.tag_after), [tag])
    if params.bank:
        # A question item reads only the questions: a statement is not embedded at all.
        asked = (lambda unit: _asked(unit, params)) if params.question else None
        readings = read_with_bank(ctx, params.bank, turns, asked, params.bank_turn_ends)
        found = realised(readings)
        if params.confirmation_min_words and params.confirmation_matcher is not None:
            # A bare confirmation read by meaning ("Is that correct?") is judged as the phrase would be: on what it confirms.
            confirms = params.confirmation_matcher
            found = [r for r in found if not confirms.fullmatch(_normal_of(r.as_match())) or _said_enough(ctx, r.as_match(), params)]
        if params.exclude and found:
            # What the rubric excludes by phrase is not recognised by meaning either (« merci de patienter »).
            excluded = find_all(params.excluded, turns)
            found = [r for r in found if without_overlaps([r.as_match()], excluded)]
        if found:
            return by_meaning(ctx, "passed", params.what, found)
        return ctx.failed(none_by_meaning(ctx, params.what, readings))
    if params.anchors:
        match, similarity = semantic_match(ctx, turns, params.anchor_texts, params.similarity)
        if match is not None:
            return ctx.passed(
                reason("formula.same_meaning", what=params.what, similarity=similarity, text=match.text, at=place(match)),
                [match],
                similarity=similarity,
            )
        return ctx.failed(reason("formula.missing_closest", what=params.what, window=window, similarity=similarity), similarity=similarity)
    return ctx.failed(reason("formula.missing", what=params.what, window=window))


class BannedParams(PhrasesParams):
    bank_max_words: int = Field(default=10, ge=1, description="with `bank`: the longest sentence read against it, in words")
    bank_cues: list[str] = Field(
        default_factory=list,
        description="with `bank`: words one of which a sentence must hold to be read against it (the negations: a breach is a negative formula); none: every short sentence",
    )

    @cached_property
    def cue_words(self) -> frozenset[str]:
        return self.normal_words(self.bank_cues)
    what: Wording = {"fr": "formule interdite", "en": "banned formula"}


@register_check("banned_formula", BannedParams)
def banned_formula(ctx: CheckContext, params: BannedParams) -> ItemResult:
    """Fails when the agent uses one of the banned formulas; negative information elsewhere is fine."""
    turns = ctx.scope()
    matches = find_all(params.matcher, turns)
    if params.exclude:
        matches = without_overlaps(matches, find_all(params.excluded, turns))
    if matches:
        return ctx.failed(reason("banned.found", what=params.what, found=quoted(matches[:3])), matches, count=len(matches))
    if params.bank:
        # The banned formulas are short negative interjections (« pas de souci », "no worries", « aucun souci »):
        # only short sentences holding a cue are read, not every sentence of a long call (0.4 ms each).
        def candidate(unit: Unit) -> bool:
            if len(unit.text.split()) > params.bank_max_words:
                return False
            span = unit.turn.norm.norm_span(unit.start, unit.end)
            return not params.cue_words or (span is not None and not params.cue_words.isdisjoint(unit.turn.norm.text[span[0] : span[1]].split()))

        found = realised(read_with_bank(ctx, params.bank, turns, candidate))
        if found:
            return by_meaning(ctx, "failed", params.what, found, count=len(found))
    return ctx.passed(reason("banned.absent", what=params.what, window=ctx.window_param(ctx.item.window)), [])
