"""Comprehensible language: readability, jargon and acronyms, register."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property

from pydantic import Field

from qualicall.core.result import ItemResult
from qualicall.core.text import is_placeholder, sentences
from qualicall.models.nlp import like_num
from qualicall.models.readability import textstat as load_textstat
from qualicall.scorer.context import CheckContext, Match, TurnView, find_all, find_as_written, first_saying, opens_sentence, without_overlaps
from qualicall.scorer.params import CheckParams, ExclusionParams, Regex
from qualicall.scorer.reasons import place, quoted, reason
from qualicall.scorer.registry import register_check


class ReadabilityParams(CheckParams):
    min_score: float = Field(default=60.0, description="Flesch reading ease (French: the 'fr' variant)")
    min_words: int = Field(
        default=10, ge=1,
        description="fewer agent words than this are too few to judge (not applicable: a reading ease of « Bonjour » says nothing), unless "
        "they read under few_words_min_score",
    )
    few_words_min_score: float = Field(
        default=30.0, description="the reading ease under which a few words fail all the same (« … irrecevable administrativement. »)",
    )
    max_sentence_words: int = Field(default=25, ge=5, description="a sentence longer than this is a long run")
    max_long_share: float = Field(default=0.25, ge=0, le=1, description="share of agent words in long runs allowed")
    max_run_words: int = Field(
        default=45,
        ge=10,
        description="one punctuated sentence longer than this fails the item whatever the rest (« il convient de nous faire parvenir …, étant précisé que … »)",
    )
    max_unpunctuated_run_words: int = Field(
        default=50,
        ge=10,
        description="… and unpunctuated speech in which the sentence recogniser finds no end for longer than this (chatty speech runs on more loosely)",
    )
    split_unpunctuated_over: int = Field(default=20, ge=5, description="split unpunctuated turns longer than this with spaCy")


# How a sentence's end was found: punctuation, the sentence recogniser (spaCy) on unpunctuated text, or a cut
# every `split_unpunctuated_over` words in a turn too long for the models.
PUNCTUATED, RECOGNISED, CUT = "punctuated", "recognised", "cut"


def agent_sentences(ctx: CheckContext, turns: list[TurnView], split_over: int) -> list[tuple[str, str]]:
    """Agent speech as (sentence, how its end was found) pairs: turns (ASR segments) split at . ! ?, and long unpunctuated turns split by spaCy.

    Only punctuated sentences count towards the share of long runs: where the
    sentences of an unpunctuated turn end is a guess (the recogniser wrote no
    punctuation), so their length says little about the speaker's. A piece in
    which the sentence recogniser finds no end at all is still a run-on. A piece
    too long for the models (over the rubric's `text.model_chars`) is cut every
    `split_over` words instead.
    """
    from qualicall.models.nlp import split_sentences

    pieces = [sentence for turn in turns for sentence in sentences(turn.text)]
    unbounded = [len(p.split()) > split_over and not re.search(r"[.!?,;:]", p[:-1]) for p in pieces]
    by_model = [u and len(p) <= ctx.rubric.text.model_chars for p, u in zip(pieces, unbounded)]
    splits = iter(split_sentences(ctx.nlp, [p for p, m in zip(pieces, by_model) if m]) if any(by_model) else [])
    out: list[tuple[str, str]] = []
    for piece, long_unpunctuated, model in zip(pieces, unbounded, by_model):
        if model:
            out.extend((s, RECOGNISED) for s in next(splits))
        elif long_unpunctuated:
            words = piece.split()
            out.extend((" ".join(words[i : i + split_over]), CUT) for i in range(0, len(words), split_over))
        else:
            out.append((piece, PUNCTUATED))
    return [(s, kind) for s, kind in out if re.search(r"\w", s)]


@register_check("readability", ReadabilityParams)
def readability(ctx: CheckContext, params: ReadabilityParams) -> ItemResult:
    """Passes when the agent's speech is easy to follow: Flesch reading ease, moderate sentence length, no run-on sentence."""
    turns = ctx.scope()
    parts = agent_sentences(ctx, turns, params.split_unpunctuated_over)
    if not parts:
        return ctx.not_applicable(reason("readability.nothing"))
    counts = [len(p.split()) for p, _ in parts]
    total = sum(counts)
    textstat = load_textstat()
    text = " ".join(p if p.rstrip()[-1:] in ".!?" else p + "." for p, _ in parts)
    textstat.set_lang(ctx.language)
    score = round(float(textstat.flesch_reading_ease(text)), 1)
    if total < params.min_words and score >= params.few_words_min_score:
        return ctx.not_applicable(reason("readability.too_few_words", words=total, min_words=params.min_words))
    bounded_words = sum(n for n, (_, kind) in zip(counts, parts) if kind == PUNCTUATED)
    long_runs = [(p, n) for (p, kind), n in zip(parts, counts) if kind == PUNCTUATED and n > params.max_sentence_words]
    long_share = round(sum(n for _, n in long_runs) / bounded_words, 3) if bounded_words else 0.0
    bound = {PUNCTUATED: params.max_run_words, RECOGNISED: params.max_unpunctuated_run_words}
    run_on = max(((p, n, bound[kind]) for (p, kind), n in zip(parts, counts) if kind != CUT), key=lambda pnb: pnb[1] - pnb[2], default=("", 0, 0))
    measures = {
        "flesch": score,
        "words": total,
        "sentences": len(parts),
        "mean_sentence_words": round(total / len(parts), 1),
        "long_share": long_share,
        "longest_sentence_words": run_on[1],
        "unpunctuated_share": round(1 - bounded_words / total, 3) if total else 0.0,
    }
    if score < params.min_score:
        return ctx.failed(reason("readability.hard", flesch=score, min_score=params.min_score), **measures)
    if run_on[1] > run_on[2]:
        words = run_on[0].split()
        shown = " ".join(words[:8]) + " … " + " ".join(words[-4:])
        return ctx.failed(reason("readability.run_on", words=run_on[1], max_words=run_on[2], text=shown), **measures)
    if long_share > params.max_long_share:
        longest = max(long_runs, key=lambda pn: pn[1])
        return ctx.failed(reason("readability.long_sentences", long_share=long_share, max_words=params.max_sentence_words, longest=longest[1]), **measures)
    return ctx.passed(reason("readability.easy", flesch=score, mean_words=measures["mean_sentence_words"]), [], **measures)


class JargonParams(CheckParams):
    terms: list[str] = Field(default_factory=list, description="the deployment's internal jargon")
    acronyms: bool = Field(default=True, description="also flag unexplained acronyms: all capitals, or lower-case letters no word is made of")
    max_acronym_letters: int = Field(default=5, ge=2, description="a lower-case run of letters longer than this is a word, not an acronym")
    allowed: list[str] = Field(default_factory=list, description="acronyms and abbreviations every customer knows (SMS, TV, kWh…), in any case")
    currencies: list[str] = Field(
        default_factory=list,
        description="currency codes and names: a code is no jargon after an amount or another of them (« 7 000 FCFA », « francs CFA », "
        "\"20 USD\"); elsewhere it may be an acronym like any other (« remonté à la DT », \"the CAD drawing\")",
    )
    code_leaders: list[str] = Field(
        default_factory=list,
        description="words after which a short letter-and-figure code is an in-house class, rate or form (« le forfait TC2 », « tarif TR65 », "
        "\"priority P1\"); elsewhere such a code is a model, a road, a seat or a grade every customer reads (« un T2 », \"the M25\", \"seat F14\")",
    )
    code_bridges: list[str] = Field(
        default_factory=list,
        description="words that may stand between a code leader and its code (« classé en SQ2 », « je vous passe en p deux », \"moved to P2\")",
    )
    identifier_words: list[str] = Field(
        default_factory=list,
        description="words that name what follows as the customer's file, login or address (« le fichier », « identifiant », \"username\"): "
        "an identifier joined by underscores after one is theirs, no jargon (« votre identifiant est DURAND_M75 »), as is one "
        "followed by a file's extension or an '@' (« FACTURE_MARS_2024.pdf »)",
    )
    meaning_bank: str | None = Field(
        default=None,
        description="the rubric bank of the customer's questions about what a word means (« le quoi ? »): one, right after the agent spoke, fails the item",
    )
    meaning_max_words: int = Field(
        default=16,
        ge=1,
        description="with `meaning_bank`: the longest customer sentence read against it, in words (a question about a word is short)",
    )
    echo_questions: list[Regex] = Field(
        default_factory=list,
        description="the customer's question that repeats the agent's word (group `word`) to ask what it means (« le portail quoi ? », \"a pre what?\"): "
        "patterns on the normalised sentence; the word must be in the agent's turn just before, and no function word",
    )
    elided_questions: list[Regex] = Field(
        default_factory=list,
        description="the customer's question that puts « quoi », \"what\" in the place of the agent's word (« mon quoi ? », \"your what?\"): "
        "patterns on the whole normalised sentence; the agent's word is the last of their turn just before that is no function word",
    )
    letter_words: list[str] = Field(
        default_factory=list,
        description="letters that are words of their own (« a », « y », \"I\"): letters spelled one by one that are all such words are "
        "no acronym (« il y a »), nor such a letter before a figure a code (« à neuf »)",
    )
    number_articles: list[str] = Field(
        default_factory=list,
        description="articles that read as numbers (« un », « une »): letters spelled after one are an acronym (« une d p »), not a count",
    )
    inverted_subjects: list[str] = Field(
        default_factory=list,
        description="the pronouns after the euphonic t of an inverted question (« y a-t-il » written « y a t il »): letters ending on that "
        "t before one are no acronym",
    )
    explanations: list[str] = Field(default_factory=list, description="formulas that explain a term (« c'est-à-dire »)")
    explain_within_words: int = Field(default=6, ge=0)

    @cached_property
    def term_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.terms)

    @cached_property
    def explanation_matcher(self) -> re.Pattern[str] | None:
        return self.phrase_matcher(self.explanations)

    @cached_property
    def echo_matchers(self) -> list[re.Pattern[str]]:
        """One regex each: every pattern names its group `word` (checked when the rubric loads)."""
        compiled = [re.compile(pattern) for pattern in self.echo_questions]
        for pattern in compiled:
            if "word" not in pattern.groupindex:
                raise ValueError(f"echo_questions: the pattern « {pattern.pattern} » names no group (?P<word>…)")
        return compiled

    @cached_property
    def elided_matchers(self) -> list[re.Pattern[str]]:
        return [re.compile(pattern) for pattern in self.elided_questions]

    @cached_property
    def code_leader_words(self) -> frozenset[str]:
        return self.normal_words(self.code_leaders)

    @cached_property
    def code_bridge_words(self) -> frozenset[str]:
        return self.normal_words(self.code_bridges)

    @cached_property
    def letter_word_set(self) -> frozenset[str]:
        return self.normal_words(self.letter_words)

    @cached_property
    def number_article_set(self) -> frozenset[str]:
        return self.normal_words(self.number_articles)

    @cached_property
    def inverted_subject_set(self) -> frozenset[str]:
        return self.normal_words(self.inverted_subjects)

    @cached_property
    def identifier_word_set(self) -> frozenset[str]:
        return self.normal_words(self.identifier_words)

    @cached_property
    def allowed_set(self) -> frozenset[str]:
        return frozenset(a.upper() for a in self.allowed)

    @cached_property
    def currency_set(self) -> frozenset[str]:
        return self.normal_words(self.currencies)


# A short code of letters and a figure or two (« le forfait TC2 », "priority P1"): after `code_leaders`, an in-house class,
# rate or form (a longer run of figures is a reference read out, not jargon).
_CODE = re.compile(r"(?<![\w-])([^\W\d_]{1,3}\d{1,2}[^\W\d_]?)(?![\w-]|[.,]\d)")  # (not a sum: "R1,450")
# The same code in raw speech, a letter or two then its figure in words (« le forfait f deux », "priority p one"), read on
# normalised text (hesitations out: "priority uh one" is no code).
_SPOKEN_CODE = re.compile(r"(?<![a-z0-9])(?=([a-z]{1,2}) ([a-z]+)(?![a-z0-9]))")  # (overlapping: « la b deux »)
# (And an identifier in capitals joined by underscores, a status or a code read off a screen: « en statut PENDING_KYC ».)
_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,6}|[A-Z][A-Za-z]{1,4}[A-Z])s?(?![\w-])")
# A run of lower-case letters standing alone or after an elided article (« l'edl »), not part of a hyphenated word or a
# code with digits.
_LOWER_RUN = re.compile(r"(?:(?<=\b[^\W\d_]['’])|(?<![\w'’-]))([^\W\d_A-Z]{2,12})(?![\w'’-])")
_VOWELS = frozenset("aeiouy")
# Letters spelled one by one in speech (« l'o p j », "an i a p"), two at least, standing alone or after an elided article
# (« c'est l'a r automatique »).
_SPELLED = re.compile(r"(?:(?<=\b[lLdD]['’])|(?<![\w'’.@-]))[a-zA-Z](?: +[a-zA-Z])+(?![\w'’.@-])")


def _mostly_capitals(letters: str) -> bool:
    """All capitals, or capitals for more than half the letters of a word that begins and ends on one (« l'AWaP »; not
    "PayPal", "AirBnB", "McDonald")."""
    return 2 * sum(c.isupper() for c in letters) > len(letters)


def _is_number(language: str, word: str) -> bool:
    """A word of normalised text that is a number, in figures or in words (« 18 », « vingt », "seven")."""
    return word.isdigit() or like_num(language)(word)


def _after_an_amount(ctx: CheckContext, turn: TurnView, span: tuple[int, int], params: JargonParams) -> bool:
    """The code is a currency's, after an amount or another currency word (« 7 000 FCFA », « francs CFA »)."""
    if turn.norm.text[span[0] : span[1]].replace(" ", "") not in params.currency_set:
        return False
    before = turn.norm.words_before(span[0], 1)
    return bool(before) and (_is_number(ctx.language, before[0]) or before[0] in params.currency_set)


def _codes(ctx: CheckContext, turn: TurnView, params: JargonParams) -> list[tuple[int, int]]:
    """Normalised spans of the short letter-and-figure codes of a turn said after one of `code_leaders` (an in-house class,
    rate or form), not known to every customer (`allowed`); in figures (« TC2 ») or, spoken, in words (« f deux »)."""
    from qualicall.scorer.checks.greeting import stop_words

    leaders = params.code_leader_words
    if leaders.isdisjoint(turn.norm.words()):
        return []  # most turns: no word that makes a code in-house
    number, words = like_num(ctx.language), stop_words(ctx.language) | params.letter_word_set
    # (Not a word nor an acronym every customer knows before the figure: « à neuf », "at four", « l'offre TV deux mois ».)
    spoken = [(m.start(1), m.end(2)) for m in _SPOKEN_CODE.finditer(turn.norm.text)
              if m.group(1) not in words and m.group(1).upper() not in params.allowed_set and number(m.group(2))]
    written = (turn.norm.norm_span(m.start(1), m.end(1)) for m in _CODE.finditer(turn.text) if m.group(1).upper() not in params.allowed_set)
    return [span for span in [*written, *spoken] if span is not None and _after_a_leader(turn.norm.words_before(span[0], 2), leaders, params.code_bridge_words)]


def _after_a_leader(before: list[str], leaders: frozenset[str], bridges: frozenset[str]) -> bool:
    """The word before a code is one of `code_leaders`, or one of `code_bridges` after one (« classé en SQ2 »)."""
    return bool(before) and (before[-1] in leaders or len(before) == 2 and before[-1] in bridges and before[0] in leaders)


def _capital_acronyms(turn: TurnView, params: JargonParams) -> list[tuple[int, int]]:
    """Normalised spans of the acronyms of a turn, all or mostly capitals, that are not known to every customer."""
    spans = (
        turn.norm.norm_span(m.start(1), m.end(1)) for m in _ACRONYM.finditer(turn.text)
        if m.group(1).upper() not in params.allowed_set and _mostly_capitals(m.group(1)) and not _named_identifier(turn, m, params)
        and not _inside_a_number(turn.text, m)
    )
    return [span for span in spans if span is not None]


def _inside_a_number(text: str, found: re.Match[str]) -> bool:
    """Letters read inside an account number (« GB82 WEST 1234 5698 »): a group of letters and figures before them, four
    figures after — the customer's data, not the agent's jargon (« dossier 123 SAV 456 » is jargon still)."""
    before, after = text[max(0, found.start(1) - 40) : found.start(1)].split(), text[found.end() : found.end() + 40].split()
    return bool(before) and bool(after) and _ACCOUNT_GROUP.fullmatch(before[-1]) is not None and _FOUR_FIGURES.match(after[0]) is not None


_ACCOUNT_GROUP = re.compile(r"[A-Z]{2}\d{2}|\d{4}")
_FOUR_FIGURES = re.compile(r"\d{4}")


def _named_identifier(turn: TurnView, found: re.Match[str], params: JargonParams) -> bool:
    """An identifier joined by underscores that is the customer's file, login or address: a file's extension or an '@'
    after it, or one of `identifier_words` among the three words before it."""
    if "_" not in found.group(1):
        return False
    if re.match(r"[.@]\w", turn.text[found.end(1) : found.end(1) + 2]):
        return True
    span = turn.norm.norm_span(found.start(1), found.end(1))
    return span is not None and not params.identifier_word_set.isdisjoint(turn.norm.words_before(span[0], _IDENTIFIER_LEAD_WORDS))


# How far before an identifier the word naming it may be (« votre identifiant est DURAND_M75 »).
_IDENTIFIER_LEAD_WORDS = 3


def _lower_case_acronyms(ctx: CheckContext, turn: TurnView, params: JargonParams) -> list[tuple[int, int]]:
    """Normalised spans of the lower-case letters in a turn that are no word and cannot be read as one (« votre pdl », "your mpan").

    Not a word: no entry in the language's dictionary (qualicall.models.lexicon), not a function word, not
    a first name nor the surname after one. Cannot be read as one: no vowel, a beginning no word of the language has (« mp », « ms »), or
    at most three letters of which only the first is a vowel (« l'edl », « od », "otp").
    Pronounceable codes (« rio », "smets") are left to the deployment's list and to the customer's question.
    """
    from qualicall.models.lexicon import dictionary
    from qualicall.models.names import is_first_name
    from qualicall.scorer.checks.greeting import stop_words

    found = []
    words = None
    shorthand = {short for short, _ in ctx.rubric.text.spelling_pairs}
    opening = ctx.window("opening")
    for m in _LOWER_RUN.finditer(turn.text):
        letters = m.group(1)
        if len(letters) > params.max_acronym_letters or letters.upper() in params.allowed_set:
            continue
        folded = params.normal(letters)
        # Two words once normalised: a contraction ASR wrote without its apostrophe (« ive »), no code; nor is chat shorthand ("omg").
        if not folded or " " in folded or folded in stop_words(ctx.language) or is_first_name(folded) or folded in shorthand:
            continue
        span = turn.norm.norm_span(m.start(1), m.end(1))
        before = turn.norm.words_before(span[0], 1) if span is not None else []
        if before and before[0] not in stop_words(ctx.language) and is_first_name(before[0]) and turn in opening:
            continue  # a surname after a first name where the agent presents themselves (« ici c'est martial ngono »; not "your bill mpan")
        words = words or dictionary(ctx.nlp)
        lone_vowel = len(folded) <= 3 and folded[0] in _VOWELS and _VOWELS.isdisjoint(folded[1:])
        if not (_VOWELS.isdisjoint(folded) or folded[:2] not in words.onsets() or lone_vowel) or letters in words:
            continue
        if span is not None:
            found.append(span)
    return found


def _spelled_acronyms(ctx: CheckContext, turn: TurnView, params: JargonParams) -> list[tuple[int, int]]:
    """Normalised spans of the letters a turn spells one by one ("the o t p", « le r c »): an acronym said letter by letter.

    Not one every customer knows ("the u k"), nor one made only of letters that are words (« il y a »), nor a reference read out, letters then
    figures ("it's w r seven four four"), nor a unit after a figure (« de 18 h a 20 h »).
    """
    found = []
    for m in _SPELLED.finditer(turn.text):
        letters = m.group().lower().split()
        if set(letters) <= params.letter_word_set or "".join(letters).upper() in params.allowed_set:
            continue
        span = turn.norm.norm_span(m.start(), m.end())
        if span is None:
            continue
        after = turn.norm.words_after(span[1], 1)
        before = [w for w in turn.norm.words_before(span[0], 1) if w not in params.number_article_set]
        if any(_is_number(ctx.language, word) for word in before + after):
            continue
        if letters[-1] == "t" and after and after[0] in params.inverted_subject_set:
            continue  # « y a t il », « l'a t elle »: the euphonic t of a question
        found.append(span)
    return found


def _asks_meaning(ctx: CheckContext, params: JargonParams, turns: list[TurnView]) -> Match | None:
    """The customer's first question about what a word means, right after one of `turns` (the agent's): a Match in the agent's turn.

    The agent's word is the one the customer repeats (« le pdl c'est quoi »), else the agent's whole turn.
    """
    from qualicall.scorer.checks.banks import read_with_bank
    from qualicall.scorer.checks.greeting import stop_words
    from qualicall.scorer.context import CUSTOMER

    if params.meaning_bank is None and not params.echo_matchers and not params.elided_matchers:
        return None
    agent_indices = {t.index for t in turns}
    follows: dict[int, TurnView] = {}
    speaking = [t for t in ctx.turns if t.speaker in ("agent", CUSTOMER) and t.norm.text]
    for previous, turn in zip(speaking, speaking[1:]):
        if turn.speaker == CUSTOMER and previous.index in agent_indices:
            follows[turn.index] = previous
    if not follows:
        return None
    echoed = _echo_question(ctx, params, follows)
    if echoed is not None or params.meaning_bank is None:
        return echoed
    # Only the short sentences: embedding every sentence the customer says in a long call costs more than the
    # rest of the grid (26 of a call's 27 embedded turns came from here, with the grid alone).
    readings = read_with_bank(
        ctx, params.meaning_bank, [t for t in ctx.customer_turns if t.index in follows], lambda unit: len(unit.text.split()) <= params.meaning_max_words
    )
    for reading in readings:
        unit, match = reading.unit, reading.match
        if not match.realises:
            continue
        agent_turn = follows[unit.turn.index]
        asked = set(unit.turn.norm.words()) - stop_words(ctx.language)
        for m in re.finditer(r"[a-z0-9]+", agent_turn.norm.text):
            if m.group() in asked and len(m.group()) > 1:
                return _MeaningAsked(agent_turn, m.start(), m.end(), unit, match.closest, match.similarity)
        return _MeaningAsked(agent_turn, 0, len(agent_turn.norm.text), unit, match.closest, match.similarity)
    return None


def _echo_question(ctx: CheckContext, params: JargonParams, follows: dict[int, TurnView]) -> Match | None:
    """The customer's first question repeating a word of the agent's turn just before to ask what it means (« le portail quoi »,
    "a pre what??"), recognised by its form: no sentence is embedded."""
    from qualicall.scorer.checks.greeting import stop_words
    from qualicall.scorer.signals import Unit, sentence_spans

    if not params.echo_matchers and not params.elided_matchers:
        return None
    stops = stop_words(ctx.language)
    for turn in ctx.customer_turns:
        agent_turn = follows.get(turn.index)
        if agent_turn is None:
            continue
        for start, end in sentence_spans(turn.text):
            sentence = params.normal(turn.text[start:end])
            if any(pattern.fullmatch(sentence) for pattern in params.elided_matchers):
                # « mon quoi ? » after « vous avez votre caci »: the agent's last word that says something.
                said = [m for m in re.finditer(r"[a-z0-9]+", agent_turn.norm.text) if m.group() not in stops and len(m.group()) > 1]
                if said:
                    return _MeaningAsked(agent_turn, said[-1].start(), said[-1].end(), Unit(turn, start, end), None, None, elided=True)
            m = next((found for pattern in params.echo_matchers if (found := pattern.search(sentence))), None)
            word = m.group("word") if m else None
            if word is None or word in stops:
                continue
            said = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", agent_turn.norm.text)
            if said is not None:
                return _MeaningAsked(agent_turn, said.start(), said.end(), Unit(turn, start, end), None, None)
    return None


class _MeaningAsked(Match):
    """The agent's word (or turn) the customer asked about, with the customer's question (and its closest example, read by meaning)."""

    def __init__(self, turn: TurnView, start: int, end: int, question, closest: str | None, similarity: float | None, elided: bool = False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(turn, start, end)
        self.question, self.closest, self.similarity = question, closest, similarity
        self.elided = elided  # the question put « quoi » in the word's place (« mon quoi ? »)


def _said_before(ctx: CheckContext, words: str, index: int) -> bool:
    """The customer said these words (normalised, several) before turn `index`: « c d 97 213 »."""
    return " " in words and any(t.index < index and f" {words} " in f" {t.norm.text} " for t in ctx.customer_turns)


def _explained(turn: TurnView, start: int, end: int, explain: re.Pattern[str] | None, within: int) -> bool:
    """An explanation formula right after the term, or the words around it spelling its initials: those of the words of more
    than three letters (« relevé d'identité opérateur »: rio), or, for three letters or more, of every word ("the in home
    display, the ihd")."""
    after = turn.norm.words_after(end, within + 3)
    if explain is not None and explain.search(" ".join(after)):
        words = " ".join(after)
        first = explain.search(words)
        if first and len(words[: first.start()].split()) <= within:
            return True
    term = turn.norm.text[start:end].replace(" ", "")
    if len(term) < 2:
        return False
    around = turn.norm.words_before(start, 8) + ["|"] + after[:8]
    readings = [[w for w in around if len(w) > 3 or w == "|"]] + ([around] if len(term) >= 3 else [])
    return any("".join(w[0] for w in words[i : i + len(term)]) == term for words in readings for i in range(len(words)))


@register_check("no_jargon", JargonParams)
def no_jargon(ctx: CheckContext, params: JargonParams) -> ItemResult:
    """Fails when internal jargon or an unexplained acronym reaches the customer."""
    turns = ctx.scope()
    asked = _asks_meaning(ctx, params, turns)
    if asked is not None:
        question = asked.question
        said = (
            reason("jargon.elided_asked" if asked.elided else "jargon.echo_asked", text=asked.text, at=place(asked), question=question.text, asked_at=question.place())
            if asked.closest is None
            else reason("jargon.meaning_asked", text=asked.text, at=place(asked), question=question.text, asked_at=question.place(),
                        closest=asked.closest, similarity=asked.similarity)
        )
        return ItemResult(
            status="failed",
            **ctx.said(said),
            evidence=[ctx.evidence(asked), question.evidence()],
            measures={"count": 1},
        )
    explain = params.explanation_matcher
    # Where each term was first explained: said again later, it needs no new explanation (« le MPAN, c'est-à-dire … » then « le MPAN »).
    explained: dict[str, tuple[int, int]] = {}

    def unexplained(turn: TurnView, start: int, end: int) -> bool:
        if not _explained(turn, start, end, explain, params.explain_within_words):
            return True
        code = turn.norm.text[start:end]
        explained[code] = min(explained.get(code, (turn.index, start)), (turn.index, start))
        return False

    found: list[Match] = [match for match in find_all(params.term_matcher, turns) if unexplained(match.turn, match.start, match.end)]
    if params.acronyms:
        # Jargon found is reported once: an acronym inside it is not counted again.
        terms: dict[int, tuple[list[int], list[int]]] = {}
        for match in found:
            starts, ends = terms.setdefault(match.turn.index, ([], []))
            starts.append(match.start)
            ends.append(match.end)
        customer_words = first_saying(ctx.customer_turns, lambda t: t.norm.words())
        for turn in turns:
            if turn.upper_case:
                continue  # a shouted or all-caps turn has no acronyms to tell apart
            starts, ends = terms.get(turn.index, ([], []))
            for span in _capital_acronyms(turn, params) + _codes(ctx, turn, params) + _lower_case_acronyms(ctx, turn, params) + _spelled_acronyms(ctx, turn, params):
                # A code the customer used first is the customer's own word.
                code = turn.norm.text[span[0] : span[1]]
                if customer_words.get(code, turn.index) < turn.index or _said_before(ctx, code, turn.index) or _after_an_amount(ctx, turn, span, params):
                    continue
                inside = bisect_right(starts, span[0]) - 1
                if inside >= 0 and span[0] < ends[inside]:
                    continue
                if unexplained(turn, *span):
                    found.append(Match(turn, *span))
    found = [m for m in found if explained.get(m.turn.norm.text[m.start : m.end], (m.turn.index, m.start)) >= (m.turn.index, m.start)
             and not is_placeholder(m.turn.text, *m.turn.norm.span(m.start, m.end))]  # (« [NAME] » of a redacted transcript)
    if found:
        return ctx.failed(reason("jargon.found", found=quoted(found[:4])), found, count=len(found))
    return ctx.passed(reason("jargon.none"), [])


class CourtesyParams(ExclusionParams):
    informal: list[str] = Field(default_factory=list, description="familiar address (« tu », « toi »): always fails")
    informal_patterns: list[Regex] = Field(default_factory=list)
    familiar: list[str] = Field(default_factory=list, description="slang and familiar words (« ouais », « ben », \"yeah\")")
    courtesy: list[str] = Field(default_factory=list, description="courtesy words; the agent must say one")
    max_familiar: int = Field(default=0, ge=0, description="familiar words tolerated (quality-grid.md: none)")

    @cached_property
    def matchers(self) -> dict[str, re.Pattern[str] | None]:
        """Familiar address (words and patterns), familiar words, courtesy words: each one regex."""
        return {
            "informal": self.formula_matcher(self.informal, self.informal_patterns),
            "familiar": self.phrase_matcher(self.familiar),
            "courtesy": self.phrase_matcher(self.courtesy),
        }


def _in_proper_name(match: Match) -> bool:
    """A word capitalised inside a sentence of cased text, next to another capitalised word, names something (« Radio Bro
    Ceredigion », "the Cool Beans café"): not the agent's register (not "Sure thing, Mate, it's …", « vérifié\nOuais »)."""
    turn = match.turn
    if turn.lower_case or turn.upper_case:
        return False
    start, end = turn.norm.span(match.start, match.end)
    if not turn.text[start : start + 1].isupper() or opens_sentence(turn.text, start, ".!?…:;\"«“-—()\n"):
        return False
    before, after = turn.text[:start].split(), turn.text[end:].split()
    neighbours = [before[-1] if before else "", after[0] if after else ""]
    return any(len(word) > 1 and word[:1].isupper() for word in neighbours)  # (not "Yeah I can")


@register_check("courtesy", CourtesyParams)
def courtesy(ctx: CheckContext, params: CourtesyParams) -> ItemResult:
    """Passes when the agent keeps a polite register (quality-grid.md): courtesy words, and no « tu », and no familiar word."""
    turns = ctx.scope()
    informal = find_all(params.matchers["informal"], turns)
    familiar = without_overlaps(find_as_written(ctx, params.matchers["familiar"], turns), find_all(params.excluded, turns))
    familiar = [m for m in familiar if not _in_proper_name(m)]
    polite = find_all(params.matchers["courtesy"], turns)
    measures = {"informal": len(informal), "familiar": len(familiar), "courtesy_words": len(polite)}
    if informal:
        return ctx.failed(reason("courtesy.familiar_address", text=informal[0].text, at=place(informal[0])), informal[:3], **measures)
    if len(familiar) > params.max_familiar:
        return ctx.failed(reason("courtesy.familiar_register", words=[m.text for m in familiar[:4]]), familiar[:4], **measures)
    if not polite:
        return ctx.failed(reason("courtesy.no_courtesy", window=ctx.window_param(ctx.item.window)), **measures)
    return ctx.passed(reason("courtesy.polite", text=polite[0].text, at=place(polite[0])), polite[:2], **measures)
