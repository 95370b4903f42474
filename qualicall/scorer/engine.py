"""The scoring engine: an interaction and a rubric in, a result with evidence out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from qualicall import __version__
from qualicall.core import scores
from qualicall.core.scores import weighted_mean
from qualicall.core.text import normalize
from qualicall.scorer.banks import bank_model, shared_examples
from qualicall.scorer.checks.formula import items_formulas
from qualicall.scorer.context import AGENT, CUSTOMER, SENTENCE_END, SYSTEM, CheckContext, Match, TurnView, find_all, without_overlaps
from qualicall.scorer.indicators import measure_chat, score_indicators
from qualicall.scorer.reasons import Reason, reason
from qualicall.core.interaction import Interaction, InteractionError
from qualicall.scorer.language_id import detect_language
from qualicall.scorer.registry import get_check
from qualicall.core.result import CriterionResult, ItemResult, Result, RubricRef, SentimentResult, SignalResult
from qualicall.scorer.rubric import CriterionSpec, ItemSpec, Rubric, RubricError, default_rubric_id, load_rubric
from qualicall.scorer.signals import SENTIMENT_BANKS, SIGNALS, SentimentModel, customer_sentiment, detect_signals


def criterion_score(items: dict[str, ItemResult], weights: dict[str, float]) -> float | None:
    """100 × weight of passed items / weight of applicable items; None if none applies."""
    return scores.criterion_score({item_id: item.status for item_id, item in items.items()}, weights)


# The customer's last turn cut in the middle of a word or a sentence (« est-ce que vous pou- »,
# "book the appoint-", "are you still—"): the line dropped while they spoke, however the transcript ends.
# (The agent's only in a call's transcript, the hyphen joined to the word, « à l'accueil de la fer- »: an agent may close
# a sentence with a dash, « merci pour votre patience — », and type one against the word in a chat, v25.)
_CUT_OFF = re.compile(r"\w+(?:-|\s?[—–])$")
_CUT_WORD = re.compile(r"\w+-$")


def _interrupted(ctx: CheckContext) -> str | None:
    """The words showing the contact ended before its closing phase, if any.

    A « customer left » or « line dropped » marker, a last turn of the customer cut in the
    middle of a word (the agent's too, in a call), a last turn (anyone's) ending on a word no sentence ends on (« entre neuf heures et
    euh », "it should appear within") or, in raw speech, on a hesitation ("or do i need to uh"),
    a last turn that stops short of its speaker's stop (`_trails_off`) while the contact was not winding up,
    a last turn of the customer's with no closing formula in it or in the agent's turn before (« Lequel vous
    arrange ? » « je dois voir avec mon fils »), or the customer's own question or their asking for a wait
    (« one sec ») with nothing after it and no closing formula but thanks,
    means the closing never came only if the agent had not
    already taken leave (an item flagged `closes_contact`), in their last turn before the
    marker or in the marker's own, nor begun the closing after it: a chat whose customer
    leaves after the agent's « bonne soirée » did reach its closing, and is judged on it
    (as is a chat the customer came back to after the system's « conversation interrompue »).
    """
    last = [t for t in ctx.turns if t.norm.text][-3:]
    found = sorted(find_all(ctx.rubric.window_words("interrupted"), last) + find_all(ctx.rubric.window_words("system_ended"), [t for t in last if t.speaker == SYSTEM]),
                   key=lambda m: (m.turn.index, m.start))
    final = last[-1] if last else None
    if found:
        marker_turn, said = found[-1].turn, found[-1].text
    elif final is None:
        return None
    elif (cut := _cut_word(ctx, final)) is not None:
        marker_turn, said = final, cut.group()
    elif final.speaker == CUSTOMER and (broke := _breaks_off(ctx, final)) is not None \
            and not _closing_begun(ctx, ctx.agent_turns[-1:], surely=True) and not _takes_leave(ctx, [final]):
        # The customer breaks off (« attendez, on m'appelle sur l'autre ligne, je vous rappelle », "my bus is here, I'll
        # have to ring you back"), the agent had not begun the closing (their « Merci de penser à la carte » is said
        # mid-call) and the customer took no leave: the contact stopped before its closing.
        marker_turn, said = final, broke
    elif final.speaker in (AGENT, CUSTOMER) and not _question([final]) and (
            find_all(ctx.rubric.window_words("unfinished"), [final]) or _hesitates_last(ctx, final) or _restarts_last(ctx, final)):
        # (Not a question: "Is there anything else I can help you with?" is whole.)
        marker_turn, said = final, _last_words(final, 5)
    elif final.speaker in (AGENT, CUSTOMER) and _trails_off(ctx, final) and not _winding_up(ctx, final):
        # The last words stop where their speaker's sentences do not (« …et pour la carte citoyen, est-ce que je dois »,
        # « je dois voir avec mon mari, je reviens… »), no closing formula around them: the contact was cut there.
        marker_turn, said = final, _last_words(final, 8)
    elif final.speaker == CUSTOMER and not _closing_begun(ctx, _since_agent(ctx)) and (
            _asks(ctx, ctx.agent_turns[-1:]) or not _acknowledges(ctx, final)):
        # The customer spoke last and no closing formula came from either, in the agent's last turn or in the customer's
        # after it (« anything else? », « merci, au revoir »): the contact stopped while still handled — the customer
        # answering the agent's question or request (a slot, a go-ahead, their name « s'il vous plaît »; a « oui » too), or,
        # after a statement, saying more than an acknowledgement or words winding up: dictating (« deux zéro sept »),
        # asking, giving up (« bon ben laissez tomber »), stepping away (« attendez, on sonne, je reviens »). An « ok super »,
        # a « bon, je vous laisse » after a statement leave the agent to close: judged. (v24; before it, after a statement,
        # only on giving-up words.)
        marker_turn, said = final, _last_words(final, 8)
    elif final.speaker == CUSTOMER and (_question([final]) or _customer_waits(ctx, final)) \
            and not _closing_begun(ctx, ctx.agent_turns[-1:], surely=True) and not _takes_leave(ctx, [final]):
        # The customer asked and nobody answered, or asked for a wait (« oh wait, my sister's calling me, one sec »),
        # the agent had not begun the closing and the customer took no leave (thanks alone close nothing, the
        # customer's « Merci ! Et ça arrive quand ? » nor the agent's « Merci, c'est noté »): the contact stopped
        # while it was still being handled.
        marker_turn, said = final, _last_words(final, 8)
    elif (held := _holding(ctx)) is not None:
        marker_turn, said = held
    else:
        return None
    before = [t for t in ctx.agent_turns if t.index < marker_turn.index][-1:]
    if marker_turn.speaker == AGENT:
        before.append(marker_turn)
    if before and _takes_leave(ctx, before):
        return None
    if marker_turn.speaker == SYSTEM and _closed_before(ctx, marker_turn):
        return None
    # The customer came back after the marker, or said it, and the agent went on to close (« Êtes-vous toujours là ? »
    # « Oui, pardon » « … autre chose ? »; « allô ? je ne vous entends plus » « Je vous entends. Autre chose ? »): judged.
    # (Not an agent closing a chat nobody answers: "As I haven't heard back, goodbye.")
    back = marker_turn.index if marker_turn.speaker == CUSTOMER else next((t.index for t in ctx.customer_turns if t.index > marker_turn.index), None)
    after = [t for t in ctx.agent_turns if back is not None and t.index > back]
    if after and (_closing_begun(ctx, after) or marker_turn.speaker == SYSTEM):
        return None  # (a chat resumed after the system's line, « Re-bonjour, je suis de retour » and the agent's answer: judged)
    return said


def _cut_word(ctx: CheckContext, final: TurnView) -> re.Match[str] | None:
    """The last turn's word cut by the line: the customer's (`_CUT_OFF`), or the agent's in a call (`_CUT_WORD`)."""
    if final.speaker == CUSTOMER:
        return _CUT_OFF.search(final.text.rstrip())
    if final.speaker == AGENT and ctx.channel == "voice":
        return _CUT_WORD.search(final.text.rstrip())
    return None


def _closed_before(ctx: CheckContext, marker: TurnView) -> bool:
    """The agent's last two turns before a system's line hold the closing with no farewell: a closing formula each, one
    of them not said mid-call, the customer answering between them and asking nothing after ("need anything else from
    me?" "No, that's all." "thanks for reaching out!" "Marisol has left the chat."): the contact reached its closing, and
    is judged on it. (Not when the customer opened a new question after it: "Oh wait, why was there a late fee?")"""
    last_two = [t for t in ctx.agent_turns if t.index < marker.index][-2:]
    if len(last_two) != 2 or not all(_closing_begun(ctx, [t]) for t in last_two) or not _closing_begun(ctx, last_two, surely=True):
        return False
    answered = any(last_two[0].index < t.index < last_two[1].index for t in ctx.customer_turns if t.norm.text)
    after = [t for t in ctx.customer_turns if last_two[1].index < t.index < marker.index and t.norm.text]
    return answered and not any(t.asks or _customer_waits(ctx, t) for t in after)


# The customer's thanks wind the contact up when they close their last turn: among its last words.
_THANKS_TAIL_WORDS = 4


def _winding_up(ctx: CheckContext, final: TurnView) -> bool:
    """The contact was being closed around its last turn: a closing formula in the agent's turn before it or in it, the
    customer's leave-taking in their last two turns (« Merci beaucoup, au revoir. » « Je vous en prie Madame »), or the
    customer's thanks closing the last turn (« Ok parfait merci »; not « Merci. Et pour le second compte, il faut que je
    refasse », nor « Merci, attendez, je regarde la carte… », nor thanks for an explanation before the agent's cut words)."""
    agent = [t for t in ctx.agent_turns if t.index != final.index][-1:] + ([final] if final.speaker == AGENT else [])
    customer = [t for t in ctx.customer_turns if t.index <= final.index][-2:]
    return _closing_begun(ctx, agent, surely=True) or _takes_leave(ctx, customer) or final.speaker == CUSTOMER and _formula_closes(ctx, final)


def _formula_closes(ctx: CheckContext, turn: TurnView) -> bool:
    """A closing item's formula (thanks above all) among the turn's last `_THANKS_TAIL_WORDS` words, the turn not trailing off."""
    if turn.text.rstrip().endswith(("…", "...")):
        return False
    tail_start = len(turn.norm.text) - len(" ".join(turn.norm.words()[-_THANKS_TAIL_WORDS:]))
    return any(m.end > tail_start for m in items_formulas(ctx, _closing_items(ctx), [turn]))


def _holding(ctx: CheckContext) -> tuple[TurnView, str] | None:
    """The agent's last turn closing on words that ask the customer to wait (« je vérifie, un instant »), with only the
    customer's words after it, none of a closing formula: the contact was cut while the agent worked."""
    last = ctx.agent_turns[-1:]
    if not last:
        return None
    turn = last[0]
    found = _asks_to_wait(ctx, turn)
    after = [t for t in ctx.turns if t.index > turn.index and t.norm.text]
    # The closing begun in the agent's turn (« Autre chose ? Non ? Alors merci, ne quittez pas »; thanks alone are said
    # mid-call, « Merci de la question, je regarde, un instant »), or the customer taking leave after it: judged; the
    # customer's thanks while waiting close nothing (« Merci, je patiente »).
    if found is None or any(t.speaker != CUSTOMER for t in after) or _closing_begun(ctx, [turn], surely=True) or _takes_leave(ctx, after):
        return None  # (the closing's formulas last: finding one may tag the turns)
    return turn, turn.norm.text[found.start : found.end]


# How near its end an agent's turn asks the customer to wait (« … je regarde ça, une petite seconde »).
_HOLDING_TAIL_WORDS = 8


# A wait asked among the first words of the turn's last sentence, after an earlier one, still closes the turn ("Thank you,
# Orla. One moment while I reserve your place on the April course.").
_HOLDING_LEAD_WORDS = 5


def _end_regions(turn: TurnView) -> list[tuple[int, int]]:
    """Where the turn's normalised text is near its end: its last `_HOLDING_TAIL_WORDS` words, then, when an earlier
    sentence ended, the first `_HOLDING_LEAD_WORDS` words of its last sentence."""
    norm = turn.norm.text
    regions = [(len(norm) - len(" ".join(turn.norm.words()[-_HOLDING_TAIL_WORDS:])), len(norm))]
    text = turn.text.rstrip()
    ends = [m.end() for m in SENTENCE_END.finditer(text) if m.end() < len(text)]
    if (last := turn.norm.norm_span(ends[-1], len(text)) if ends else None) is not None:
        start = last[0] + len(norm[last[0] :]) - len(norm[last[0] :].lstrip())
        regions.append((start, start + len(" ".join(norm[start:].split()[:_HOLDING_LEAD_WORDS]))))
    return regions


def _near_end(words: re.Pattern[str] | None, turn: TurnView) -> list[Match]:
    """`words` within the turn's `_end_regions`, the last words' first (not inside a turn of one sentence: "let me check
    that for you, and yes, the refund went through yesterday")."""
    if words is None:
        return []
    return [Match(turn, m.start(), m.end()) for start, end in _end_regions(turn) for m in words.finditer(turn.norm.text, start, end)]


def _last_words(turn: TurnView, count: int) -> str:
    """The turn's last words, as the reason quotes them."""
    return " ".join(turn.text.split()[-count:])


# A punctuating speaker (a written chat, a punctuated transcript) ends this share of their other turns, at least this
# many, on a stop, a question or exclamation mark, a quote, an emoji — anything but a letter, a digit or a comma.
_PUNCTUATED_SHARE = 0.8
_PUNCTUATED_TURNS = 2
# A reply this short ("k", « ok merci ») is whole without a stop.
_WHOLE_REPLY_WORDS = 2


def _hesitates_last(ctx: CheckContext, turn: TurnView) -> bool:
    """Raw speech whose last word is a hesitation (« et pour le parking euh », "or do i need to uh"): cut mid-thought (not
    a short reply, « ok euh »)."""
    words = turn.text.split()
    return bool(words) and _unpunctuated(turn.text) and normalize(words[-1], frozenset()).text in ctx.rubric.text.hesitation_set \
        and len(turn.norm.words()) > _WHOLE_REPLY_WORDS


# A speaker restarting a sentence repeats at most this many words (« je vais je vais », "so we can so we can").
_RESTART_WORDS = 3


def _restarts_last(ctx: CheckContext, turn: TurnView) -> bool:
    """Raw speech ending on a group of up to `_RESTART_WORDS` words said twice in a row that opens on a word a sentence
    restarts on (`windows.restarting`): « ok euh je vais je vais », "yeah so i'll i'll" — the speaker began again and was
    cut. (Not « oui oui », « merci merci », « ça marche ça marche », "bye bye", "you too you too": whole replies, which open
    on none of them.)"""
    openers = ctx.rubric.window_words("restarting")
    if openers is None or not _unpunctuated(turn.text):
        return False
    words = turn.norm.words()
    return any(
        words[-2 * size : -size] == words[-size:] and openers.match(" ".join(words[-size:])) is not None
        for size in range(1, _RESTART_WORDS + 1) if len(words) >= 2 * size
    )


def _since_agent(ctx: CheckContext) -> list[TurnView]:
    """The agent's last turn and the customer's turns after it (« ok merci » then « je regarde ça ce soir »)."""
    last = ctx.agent_turns[-1:]
    return [*last, *(t for t in ctx.customer_turns if not last or t.index > last[0].index)]


def _acknowledges(ctx: CheckContext, turn: TurnView) -> bool:
    """The turn says nothing but words of an acknowledgement or winding up (`windows.acknowledging`: « ok super », « bon,
    je vous laisse », "alright, sounds good"), hesitations, and first names ("Okay Dana, great"); or it closes on words
    winding the contact up (`windows.winding_up`: « j'attends le courrier alors »). A rubric without `acknowledging`
    (written before v24) reads every last turn as one: as in v23, only an answer to the agent's question cuts the contact."""
    from qualicall.models.names import is_first_name

    words = ctx.rubric.window_words("acknowledging")
    if words is None or find_all(ctx.rubric.window_words("winding_up"), [turn]):
        return True  # (« d'accord, j'attends le courrier alors »)
    return all(is_first_name(word) for word in words.sub(" ", turn.norm.text).split())


def _asks(ctx: CheckContext, turns: list[TurnView]) -> bool:
    """The last turn asks the customer something: it ends on a question mark, or on words closing a request
    (`windows.requesting`: « je vais prendre le nom du responsable s'il vous plaît », raw speech without its question mark)."""
    return _question(turns) or bool(turns) and bool(find_all(ctx.rubric.window_words("requesting"), turns[-1:]))


def _unpunctuated(text: str) -> bool:
    text = text.rstrip()
    return bool(text) and (text[-1].isalnum() or text[-1] == ",")


def _trails_off(ctx: CheckContext, turn: TurnView) -> bool:
    """The turn stops short: on an ellipsis (« je regarde la carte… »), or on no stop at all from a speaker who ends
    their other turns on one: a customer, or an agent in a punctuated transcript. (Not a chat's agent, who may send a
    last line as they please, « Je reste à votre disposition », « C'est fait... »: typing habits, not a cut. Raw ASR
    text ends no turn on a stop: there `windows.unfinished` and the cut word say it.)"""
    text = turn.text.strip()
    if not text or turn.speaker == AGENT and ctx.channel == "chat":
        return False
    if text.endswith(("…", "...")):
        return True
    if not _unpunctuated(text) or len(turn.norm.words()) <= _WHOLE_REPLY_WORDS:
        return False
    if not (text[0].isupper() or any(mark in text for mark in ",;:.!?")):
        return False  # written in another style than a punctuated transcript's (« ok merci je regarde »)
    others = [t for t in ctx.turns if t.speaker == turn.speaker and t.index != turn.index and t.text.strip()]
    ended = sum(not _unpunctuated(t.text) for t in others)
    return len(others) >= _PUNCTUATED_TURNS and ended >= _PUNCTUATED_SHARE * len(others)


def _breaks_off(ctx: CheckContext, turn: TurnView) -> str | None:
    """The customer's words breaking off near the end of their turn (`windows.breaking_off`: « … je dois partir, le taxi
    est là », "I'll ring you back"): ending among its last words or opening its last sentence (`_end_regions`), not
    inside an earlier sentence, nor a `breaking_off_exclude` phrase (« je vous rappelle que c'est sans gluten », « je dois
    partir à quatorze heures »)."""
    found = find_all(ctx.rubric.window_words("breaking_off"), [turn])
    if not found:
        return None
    excluded = find_all(ctx.rubric.window_words("breaking_off_exclude"), [turn])
    (tail, _), *lead = _end_regions(turn)
    near = [m for m in found if (m.end > tail or any(start <= m.start < end for start, end in lead)) and without_overlaps([m], excluded)]
    return near[0].text if near else None


def _asks_to_wait(ctx: CheckContext, turn: TurnView) -> Match | None:
    """The agent's words near the end of their turn asking the customer to wait (`windows.holding`: « je vérifie, un instant »)."""
    return next(iter(_near_end(ctx.rubric.window_words("holding"), turn)), None)


def _customer_waits(ctx: CheckContext, turn: TurnView) -> bool:
    """The customer's words near the end of their turn asking the agent to wait (`windows.waiting`: « attendez, une seconde »,
    "oh hang on a sec, the kids"; not « je regarde et je vous rappelle »)."""
    return bool(_near_end(ctx.rubric.window_words("waiting"), turn))


def _takes_leave(ctx: CheckContext, turns: list[TurnView]) -> bool:
    """One of the turns holds the formulas of an item that closes the contact (a farewell)."""
    return _holds_formulas(ctx, ctx.rubric.closes_contact(), turns)


def _closing_items(ctx: CheckContext, surely: bool = False) -> list[ItemSpec]:
    """The items of the closing window (other needs, thanks, farewell…); `surely`: not those flagged `said_mid_call` (thanks:
    « merci de la question, je regarde, un instant »)."""
    return [item for item in ctx.rubric.closing_items() if not (surely and item.said_mid_call)]


def _closing_begun(ctx: CheckContext, turns: list[TurnView], surely: bool = False) -> bool:
    """The turns hold the formulas of an item of the closing window (`_closing_items`)."""
    return _holds_formulas(ctx, _closing_items(ctx, surely), turns)


def _holds_formulas(ctx: CheckContext, items: list[ItemSpec], turns: list[TurnView]) -> bool:
    """One of the turns says a formula of one of the items, as the item's check finds it (its exclusions, its questions)."""
    return any(items_formulas(ctx, items, turns, limit=1))


def _question(turns: list[TurnView]) -> bool:
    """The turn ends on a question mark (written chats, punctuated transcripts; raw ASR text has none)."""
    return bool(turns) and turns[-1].text.rstrip().endswith("?")


def _run_item(ctx: CheckContext, item_id: str) -> ItemResult:
    check = get_check(ctx.item.check)
    if check is None:  # rubrics are validated on load; this guards hand-built ones
        raise RubricError(f"unknown check {ctx.item.check!r} for item {item_id}")
    if ctx.item.channels is not None and ctx.channel not in ctx.item.channels:
        return ctx.not_applicable(reason("item.not_on_channel", channel=ctx.channel))
    return check.func(ctx, ctx.rubric.checked_params(ctx.item))


def score_interaction(interaction: Interaction, rubric: Rubric, measured: dict[str, Any] | None = None) -> Result:
    """Score one interaction against a rubric. `measured`: indicators the audio/chat pipeline measured."""
    language = interaction.language or rubric.language
    ctx = CheckContext.build(interaction, rubric, rubric.language)
    criteria: dict[str, CriterionResult] = {}
    no_conversation = interaction.abandoned or not ctx.agent_turns and not ctx.customer_turns
    interrupted = None if no_conversation else _interrupted(ctx)
    signals, sentiment = _customer(ctx)
    for criterion_id, criterion in rubric.criteria.items():
        items: dict[str, ItemResult] = {}
        absent = _condition_absent(criterion, signals)
        ctx.after_turn = _condition_start(signals[criterion.applies_if], sentiment) if criterion.applies_if and not absent else None
        ctx.scored, ctx.criterion_items = items, criterion.items
        for item_id, item in criterion.items.items():
            ctx.item = item
            if no_conversation:
                items[item_id] = ctx.not_applicable(_no_conversation(interaction))
            elif absent:
                items[item_id] = ctx.not_applicable(absent)
            elif interrupted and item.window == "closing":
                items[item_id] = ctx.not_applicable(reason("item.interrupted", said=interrupted))
            else:
                items[item_id] = _run_item(ctx, item_id)
        ctx.after_turn = None
        weights = {i: spec.weight for i, spec in criterion.items.items()}
        criteria[criterion_id] = CriterionResult(score=criterion_score(items, weights), weight=criterion.weight, items=items)
    quality = weighted_mean([(c.weight, c.score) for c in criteria.values()])
    measured = {**measure_chat(interaction), **(interaction.measured or {}), **(measured or {})}
    indicators, operational, absent = score_indicators(rubric, interaction.indicators, measured, interaction.channel, interaction.queue)
    overall, combination = combine(rubric, quality, operational)
    combination["indicators_absent"] = absent
    return Result(
        interaction_id=interaction.id,
        rubric=RubricRef(id=rubric.id, version=rubric.version, thresholds=rubric.thresholds()),
        language=language,
        channel=interaction.channel,
        criteria=criteria,
        quality_score=quality,
        indicators=indicators,
        operational_score=operational,
        overall_score=overall,
        combination=combination,
        agent_id=interaction.agent_id,
        team=interaction.team,
        queue=interaction.queue,
        started_at=interaction.started_at,
        abandoned=interaction.abandoned,
        signals=signals,
        sentiment=sentiment,
        roles=roles if isinstance(roles := (interaction.model_extra or {}).get("roles"), dict) else None,
        qualicall_version=__version__,
    )


def _customer(ctx: CheckContext) -> tuple[dict[str, SignalResult], SentimentResult | None]:
    """The customer's signals and sentiment, from the rubric's banks (none without a signal's or the sentiment's bank)."""
    banks = ctx.rubric.example_banks()
    if not any(name in banks for name in (*SIGNALS, *SENTIMENT_BANKS)):
        return {}, None  # the grid items' banks read the agent: no customer sentence to embed
    sentences = ctx.speaker_sentences(CUSTOMER)
    # The customer's sentences compared once with every example of the signals' and the feelings' banks.
    compared = shared_examples(tuple(banks[name] for name in (*SIGNALS, *SENTIMENT_BANKS) if name in banks), ctx.embedder).compare(sentences.vectors)
    model = SentimentModel.build(banks, ctx.embedder, ctx.rubric.sentiment.scale, ctx.rubric.sentiment.end_feelings_only)
    judged = model.judge(sentences.vectors, compared) if model else None  # once, for the sentiment and the implied complaints
    signals = detect_signals(banks, sentences, ctx.embedder, ctx.language, judged, compared)
    return signals, customer_sentiment(model, sentences, judged) if model else None


def _condition_start(signal: SignalResult, sentiment: SentimentResult | None) -> int:
    """The customer turn a conditional criterion is judged after: where its signal was first expressed.

    That is the signal's first evidence, or an earlier customer turn that reads negative: a
    complaint often starts before its clearest sentence (« the engineer never came » before « this
    is unacceptable »), and the agent's apology to the first is the one that counts.
    """
    first = signal.evidence[0].turn
    earlier = [t.turn for t in (sentiment.turns if sentiment else []) if t.label == "negative" and t.turn < first]
    return min(earlier, default=first)


def _condition_absent(criterion: CriterionSpec, signals: dict[str, SignalResult]) -> Reason | None:
    """Why a conditional criterion is not judged (its signal absent), or None when it is."""
    if criterion.applies_if is None:
        return None
    signal = signals.get(criterion.applies_if)
    if signal is not None and signal.present:
        return None
    return reason("item.condition_absent", signal=criterion.applies_if)


def combine(rubric: Rubric, quality: float | None, operational: float | None) -> tuple[float | None, dict[str, Any]]:
    """Overall score from the quality and operational scores, and a record of how it was made."""
    return scores.combine(quality, operational, rubric.combination.model_dump())


def _no_conversation(interaction: Interaction) -> Reason:
    """Why an interaction has no conversation to judge: abandoned, no turns, or turns of other speakers only."""
    if interaction.abandoned:
        return reason("item.abandoned")
    speakers = sorted({turn.speaker for turn in interaction.turns or []})
    if not speakers:
        return reason("item.no_turns")
    return reason("item.no_roles", speakers=", ".join(f"« {speaker} »" for speaker in speakers))


class Scorer:
    """Scores interactions with one rubric, or each with the default rubric of its language."""

    def __init__(self, rubric: str | Rubric | None = None) -> None:
        self._fixed = load_rubric(rubric) if isinstance(rubric, str) else rubric

    def rubric_for(self, interaction: Interaction) -> Rubric:
        if self._fixed is not None:
            return self._fixed
        language = interaction.language or detect_language([t.text for t in interaction.turns or []])
        return load_rubric(default_rubric_id(language))

    def embed_banks(self, language: str) -> None:
        """Every example bank of the language's rubric embedded now (kept on disk by content, `bank_model`): a check embeds
        its bank when it first asks, which may be the late request whose contact is the first to need it."""
        rubric = self._fixed if self._fixed is not None else load_rubric(default_rubric_id(language))
        embedder = rubric.embeddings.embedder()
        for bank in rubric.example_banks().values():
            bank_model(bank, embedder)

    def score(self, interaction: Interaction, measured: dict[str, Any] | None = None) -> Result:
        if interaction.turns is None and not interaction.abandoned:
            raise InteractionError(f"{interaction.id}: no turns: transcribe the recording first ('qualicall score' does it for audio files)")
        rubric = self.rubric_for(interaction)
        result = score_interaction(interaction, rubric, measured)
        if interaction.language is None:
            result.language = rubric.language
        return result

    def score_all(self, interactions: Iterable[Interaction]) -> Iterator[Result]:
        for interaction in interactions:
            yield self.score(interaction)
