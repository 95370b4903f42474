"""Teach banks the sentences of labelled sets that no longer measure anything blind.

    python benchmarks/banks/learn_from_labelled_sets.py --language fr --bank complaint [next_step …] [--write]

A labelled set whose held-out half has been measured is seen: its labels can still teach. The sentences
it labels become examples of a bank in the default rubric of their language, through the mechanism a
deployment uses (`qualicall.scorer.learning.learned_rubric_text`: the YAML kept as written, the examples
appended to the bank, the version bumped once per run). Per kind of bank:

- a customer signal (complaint, escalation_request, churn_threat, repeat_contact), sentences of eight words
  or more: an utterance labelled for the signal, a positive or a negative; each customer sentence of a
  conversation labelled without the signal, a negative (the calm problem reports, thanks and questions a
  contact without a complaint is made of); the customer turn the label points at, when it is one sentence,
  a positive (a longer turn also holds sentences that say nothing of the signal);
- a feeling (sentiment_negative, sentiment_positive): an utterance labelled with that sentiment, a
  positive; labelled with another, a negative;
- a complaint-handling item (acknowledges, takes_ownership, next_step), in conversations labelled with a
  complaint: the agent turn the label points at for a passed item, a positive (its one sentence, or the
  one the bank reads closest); every agent sentence of five words or more after the complaint where the
  item failed, a negative — not for takes_ownership, which fails on blame however much the agent commits to.

Left out: a sentence already in the bank (in its normalised form), one labelled both ways, one of fewer
words than the kind needs, one that reads out a reference, a number or a date (a digit, or three number
words or single letters: « d c deux six zéro trois »), and one in which the project's redactor finds
personal data, reading the whole turn with the one before as its context, as the product does — a
bank's closest example is quoted in the reasons of every result it decides, so a name or a telephone
number taught here would rest in clear in other customers' results (the sets' people are invented, the
rule is the product's). Without --write the script prints how many sentences each bank would gain.
`SETS` names the sets taught: not `signals_blind6`, whose held-out half, written by the same hands as its
development half, is still to be measured.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualicall.core.text import DEFAULT_HESITATIONS, normalize  # noqa: E402
from qualicall.models.names import is_first_name  # noqa: E402
from qualicall.models.nlp import stop_words  # noqa: E402
from qualicall.privacy.redactor import Redactor  # noqa: E402
from qualicall.privacy.settings import RedactionSettings  # noqa: E402
from qualicall.scorer.learning import BankLesson, Lessons, bumped_version, learned_rubric_text  # noqa: E402
from qualicall.scorer.rubric import Rubric, load_rubric  # noqa: E402
from qualicall.scorer.signals import sentence_spans  # noqa: E402

DATA = ROOT / "tests" / "data"
# (set, halves): every half of each set whose held-out half was measured.
SETS = tuple((name, ("dev", "heldout")) for name in ("signals_blind", "signals_blind2", "signals_blind3", "signals_blind4", "signals_blind5",
                                                       "churn_blind", "escalation_blind", "repeat_blind"))
MIN_WORDS = 3  # « oui c'est ça », « d'accord merci » say nothing of a signal either way
# A complaint-handling item's negatives: an agent's short replies (« Très bien, je regarde. ») teach nothing of it.
NEGATIVE_MIN_WORDS = 5
# A signal's examples, positives and negatives: the labelled sets' short sentences (« C'est exactement ça. », « Ah non
# c'est pas normal. ») crowd the short sentences the spec's own examples are: with sentences of three words and more,
# « c'est inadmissible » scored -0.05 and « je ne suis pas du tout satisfait » -0.03 (+0.10 and +0.05 before); with
# eight and more, +0.03 and +0.01 (tests/test_signals.py: the spec's examples).
SIGNAL_MIN_WORDS = 8
FEELING_MIN_WORDS = 2  # « merci beaucoup », « c'est scandaleux » say a feeling
FEELINGS = {"sentiment_negative": "negative", "sentiment_positive": "positive"}
HANDLING = ("acknowledges", "takes_ownership", "next_step")
SIGNALS = ("complaint", "escalation_request", "churn_threat", "repeat_contact")
Sets = tuple[tuple[str, tuple[str, ...]], ...]


def _records(folder: Path, name: str) -> list[dict]:
    path = folder / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _halves(data: Path, sets: Sets) -> Iterator[tuple[list[dict], list[dict], dict]]:
    """Each half's utterances, conversations and labels."""
    for name, halves in sets:
        for half in halves:
            folder = data / name / half
            labels_path = folder / "labels.json"
            labels = json.loads(labels_path.read_text(encoding="utf-8")) if labels_path.exists() else {}
            yield _records(folder, "utterances.jsonl"), _records(folder, "conversations.jsonl"), labels


# Words a reference, a telephone number or a date is read out in: three of them make a sentence one.
_READ_OUT = frozenset(
    "zero zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt trente quarante "
    "cinquante soixante septante huitante octante nonante cent cents mille one two three four five six seven eight nine ten eleven "
    "twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand oh double triple".split())


def _words(text: str) -> int:
    """Words holding a letter."""
    return sum(any(c.isalpha() for c in word) for word in text.split())


# Five digits or more in groups (« 06 12 48 90 33 »), four in a row, a token of letters and digits (« CX4471 », "M20"),
# a reference with a dash or a number sign (« LX-2231 », "#4471").
_NUMBER = re.compile(r"\d(?:[ .\-/]?\d){4,}|\d{4,}|\b(?=\w*\d)(?=\w*[^\W\d_])\w+\b|[^\W\d_]+-\d|\d+-[^\W\d_]|#\s?\d")


def _read_out(text: str) -> bool:
    """A reference, a telephone number or a date read out (« d c deux six zéro trois », "postcode M20 6RS"): five
    digits or more, a token of letters and digits, or three number words or single letters in a row. « Depuis 15
    jours », « vingt-cinq euros » are none. A bank's example is quoted in reasons; such sentences teach nothing."""
    if _NUMBER.search(text):
        return True
    run = 0
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        run = run + 1 if word in _READ_OUT or (len(word) == 1 and word not in "aàyo") else 0
        if run >= 3:
            return True
    return False


def _sentences(text: str, min_words: int = MIN_WORDS) -> list[tuple[int, int]]:
    """The spans of the sentences of `text` with `min_words` words holding a letter, none read out."""
    spans = []
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        if _words(sentence) >= min_words and not _read_out(sentence):
            spans.append((start, end))
    return spans


class _Sides:
    """Positives and negatives, each once (by normalised form), in the order met; one labelled both ways is neither."""

    def __init__(self) -> None:
        self.positive: dict[str, str] = {}
        self.negative: dict[str, str] = {}

    def add(self, sentence: str, positive: bool) -> None:
        key = normalize(sentence).text
        if key:  # « 😡😡 » normalises to nothing: no example
            (self.positive if positive else self.negative).setdefault(key, sentence.strip())

    def lists(self) -> tuple[list[str], list[str]]:
        both = self.positive.keys() & self.negative.keys()
        return [s for k, s in self.positive.items() if k not in both], [s for k, s in self.negative.items() if k not in both]


@lru_cache(maxsize=1)
def _redactor() -> Redactor:
    return Redactor(RedactionSettings())  # every type, whatever the deployment's settings say


# What may name a person, or where one lives, or reach one: kept out whatever the redactor says (it reads a capitalised
# name opening a sentence as no name, and "Tom", "Sam", « Martin » are also words). Over-cautious on purpose: a
# sentence left out costs one example; one taught is quoted in other customers' results.
_PERSON = re.compile(r"\b(?:au nom de|my name is|je m appelle|c est au nom|under the name|arobase|gmail|hotmail|yahoo|outlook|wanadoo|"
                     r"btinternet|laposte|point com|point fr|dot com|dot co|rue|avenue|boulevard|allee|impasse|quai|residence|street|"
                     r"road|lane|crescent|wharf|flat|apartment|appartement|batiment|postcode|post code|eircode|zip code|code postal)\b")
# A title followed by anything but a pause (« Madame, je », « monsieur euh »), or an abbreviated one (« M. Lemaire »).
_TITLE = re.compile(r"\b(?:madame|monsieur|mademoiselle|mme|mlle|mr|mrs|ms|miss|mister|dr|docteur|doctor|maitre)\s+(\w+)")
_TITLE_ABBREVIATED = re.compile(r"\b(?:M|Mme|Mlle|Dr|Mr|Mrs|Ms)\.?\s+[^\W\d_]")
# A greeting or thanks followed by a word that is no pause or small word: « hi tom », « merci sandrine ».
_GREETING = re.compile(r"\b(?:hi|hey|hello|hiya|morning|afternoon|evening|good day|dear|oh|ja|thanks|thank you|cheers|bye|bonjour|bonsoir|merci|"
                       r"salut|coucou|allo)\s+(\w+)")
_AFTER_GREETING = frozenset({"madame", "monsieur", "mademoiselle", "beaucoup", "bien", "encore", "infiniment", "mille", "everyone", "all",
                             "team", "there", "again", "mate", "love", "guys", "folks", "so", "very", "a", "lot", "again"})
# Words of the first-name lexicon that are also everyday words (the dictionaries also hold "karen", "jacob", « jules »:
# only these are taken for words), a month, places, clipped words.
_NOT_NAMES = frozenset({"hein", "mai", "nice", "lille", "france", "resa", "asso", "arvo", "allo", "paris", "lyon", "will", "may", "mark", "bill",
                        "rose", "grace", "hope", "joy", "faith", "art", "pat", "ray", "dawn", "summer", "june", "april", "august", "jack",
                        "frank", "sunny", "lily", "claire", "pierre", "olive", "prudence", "constance", "patience", "marine", "reine",
                        "aime", "amie", "ange", "the", "sage", "rich", "guy", "chase", "miles", "page", "hunter", "max", "sky"})
# Capitalised inside an English sentence without naming anyone: "I", the days and the months.
_CAPITALISED_WORDS = frozenset({"I", "I'm", "I've", "I'll", "I'd", "I’m", "I’ve", "I’ll", "I’d", "Monday", "Tuesday", "Wednesday", "Thursday",
                                "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December", "Christmas", "Easter"})


def _capitalised_inside(text: str) -> bool:
    """A word written with a capital that does not open a sentence (a name, a place, a brand): « …chez Boulanger »."""
    previous = ""
    for token in text.split():
        word = token.strip("«»\"'()[],;:!?.…")
        opens = not previous or previous[-1] in ".!?…:«\"" or previous in {"-", "–", "—"}
        if word and word[0].isupper() and not opens and word not in _CAPITALISED_WORDS and not (word.isupper() and len(word) <= 3):
            return True
        previous = token
    return False


def _names_someone(text: str, language: str) -> bool:
    """A sentence that may name a person, an address or a way to reach someone (_PERSON) where the redactor does not
    see it: a capitalised word inside the sentence; a title or a greeting followed by a word that is no pause or small
    word; in lower-case ASR text, a word of the first-name lexicon (« lefèvre nadia le douze mars ») of four letters
    or more or a capitalised three (« Léo »), but for small words ("my", « la ») and everyday ones (_NOT_NAMES)."""
    small = stop_words(language)
    pauses = small | DEFAULT_HESITATIONS | _AFTER_GREETING

    def ordinary(word: str) -> bool:  # « j » of « j'ai » names no one either
        return len(word) <= 2 or word.lower() in small or normalize(word).text in _NOT_NAMES | DEFAULT_HESITATIONS

    normal = normalize(text).text
    if _PERSON.search(normal) or _TITLE_ABBREVIATED.search(text) or _capitalised_inside(text):
        return True
    if any(found.group(1) not in pauses for pattern in (_TITLE, _GREETING) for found in pattern.finditer(normal)):
        return True
    return any(is_first_name(word) and not ordinary(word) and (len(word) >= 4 or (len(word) == 3 and word[0].isupper()))
               for word in re.findall(r"[^\W\d_]+", text))


def _clear_utterance(utterance: dict, min_words: int) -> bool:
    text, language = utterance["text"], utterance["language"]
    return _words(text) >= min_words and not _read_out(text) and not _names_someone(text, language) and not _redactor().find(text, language)


def _turn_sentences(turns: list[dict], index: int, language: str, min_words: int) -> list[str]:
    """Turn `index`'s sentences (_sentences) that hold no personal data: none the redactor finds, reading the whole
    turn with the one before as its context as the product does, and none that may name someone (_names_someone)."""
    text = turns[index]["text"]
    found = _redactor().find(text, language, turns[index - 1]["text"] if index else "")
    # « … (M. Lemaire, résidence des Tilleuls) »: the sentence splitter cuts after « M. », the name opens the next one.
    found += [("TITLE", m.start(), m.end()) for m in _TITLE_ABBREVIATED.finditer(text)]
    return [sentence for start, end in _sentences(text, min_words)
            if not any(s < end and start < e for _, s, e in found) and not _names_someone(sentence := text[start:end].strip(), language)]


def labelled_sentences(signal: str, language: str, data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The positives and negatives the sets label for a customer `signal` in `language`."""
    sides = _Sides()
    for utterances, conversations, labels in _halves(data, sets):
        for utterance in utterances:
            if utterance["language"] == language and utterance.get(signal) is not None and _clear_utterance(utterance, SIGNAL_MIN_WORDS):
                sides.add(utterance["text"], utterance[signal])
        for conversation in (c for c in conversations if c["language"] == language):
            label, turns = labels[conversation["id"]]["signals"][signal], conversation["turns"]
            for index, turn in enumerate(turns):
                if turn["speaker"] != "customer":
                    continue
                if not label["present"]:
                    for sentence in _turn_sentences(turns, index, language, SIGNAL_MIN_WORDS):
                        sides.add(sentence, False)
                elif label.get("turn") == index and len(sentence_spans(turn["text"])) == 1:
                    for sentence in _turn_sentences(turns, index, language, SIGNAL_MIN_WORDS):
                        sides.add(sentence, True)
    return sides.lists()


def feeling_sentences(bank: str, language: str, data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The utterances labelled with the sentiment `bank` reads (positives) and with another (negatives)."""
    sides = _Sides()
    for utterances, _, _ in _halves(data, sets):
        for utterance in utterances:
            if utterance["language"] == language and utterance.get("sentiment") and _clear_utterance(utterance, FEELING_MIN_WORDS):
                sides.add(utterance["text"], utterance["sentiment"] == FEELINGS[bank])
    return sides.lists()


def handling_sentences(item: str, language: str, closest: Callable[[list[str]], int], data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The agent sentences the sets label for a complaint-handling `item` in `language`; `closest`: of a passed
    item's turn of several sentences, the index of the one the bank reads closest."""
    sides = _Sides()
    for _, conversations, labels in _halves(data, sets):
        for conversation in (c for c in conversations if c["language"] == language):
            label = labels[conversation["id"]]
            complaint = label["signals"]["complaint"]
            if not complaint["present"]:
                continue
            turns, judged = conversation["turns"], label["complaint_handling"][item]
            at = judged.get("turn")
            if judged["status"] == "passed" and at is not None and 0 <= at < len(turns) and turns[at]["speaker"] == "agent":
                sentences = _turn_sentences(turns, at, language, MIN_WORDS)
                if sentences:
                    sides.add(sentences[closest(sentences)] if len(sentences) > 1 else sentences[0], True)
            elif judged["status"] == "failed" and item != "takes_ownership" and complaint.get("turn") is not None:
                # The agent's sentences after the complaint: before it, nothing was due.
                for index in range(complaint["turn"] + 1, len(turns)):
                    if turns[index]["speaker"] == "agent":
                        for sentence in _turn_sentences(turns, index, language, NEGATIVE_MIN_WORDS):
                            sides.add(sentence, False)
    return sides.lists()


def _closest_to(bank: Any) -> Callable[[list[str]], int]:
    from qualicall.models.embeddings import get_embedder
    from qualicall.scorer.banks import bank_model

    embedder = get_embedder()
    model = bank_model(bank, embedder)
    return lambda sentences: max(range(len(sentences)), key=[m.score for m in model.read(sentences, embedder)].__getitem__)


def taught(bank: str, language: str, rubric: Rubric) -> tuple[list[str], list[str]]:
    if bank in FEELINGS:
        return feeling_sentences(bank, language)
    if bank in HANDLING:
        return handling_sentences(bank, language, _closest_to(rubric.example_banks()[bank]))
    return labelled_sentences(bank, language)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", required=True, choices=("fr", "en"))
    parser.add_argument("--bank", required=True, nargs="+", choices=(*SIGNALS, *FEELINGS, *HANDLING), help="signals', feelings' or complaint-handling items' banks (complaint, sentiment_negative, next_step, …)")
    parser.add_argument("--write", action="store_true", help="write the default rubric of the language, its version bumped once (else print the counts)")
    args = parser.parse_args()
    path = ROOT / "qualicall" / "rubrics" / f"default-{args.language}.yaml"  # the package's own, whatever QUALICALL_RUBRICS_DIR says
    rubric = load_rubric(str(path))
    lessons = Lessons()
    for name in args.bank:
        bank = rubric.banks[name]
        known = {normalize(sentence).text for sentence in (*bank.positive, *bank.negative)}
        positive, negative = taught(name, args.language, rubric)
        lesson = BankLesson([s for s in positive if normalize(s).text not in known], [s for s in negative if normalize(s).text not in known])
        print(f"{rubric.id} bank {name}: {len(bank.positive)} + {len(lesson.positive)} positives, {len(bank.negative)} + {len(lesson.negative)} negatives")
        if lesson.positive or lesson.negative:
            lessons.banks[name] = lesson
    if args.write and lessons.banks:
        note = "learned from the labelled sets (benchmarks/banks/learn_from_labelled_sets.py)"
        path.write_text(learned_rubric_text(path.read_text(encoding="utf-8"), rubric, lessons, note=note), encoding="utf-8")
        print(f"written: {path} (version {bumped_version(rubric.version)})")


if __name__ == "__main__":
    main()
