"""Teach banks the sentences of labelled sets that no longer measure anything blind.

    python benchmarks/banks/learn_from_labelled_sets.py --language fr --bank complaint [next_step …] [--write]

A labelled set whose held-out half has been measured is seen: its labels can still teach. The sentences
it labels become examples of a bank in the default rubric of their language, through the mechanism a
deployment uses (`qualicall.scorer.learning.learned_rubric_text`: the YAML kept as written, the examples
appended to the bank, the version bumped once per run). Per kind of bank:

- a customer signal (complaint, escalation_request, churn_threat, repeat_contact): an utterance labelled
  for the signal, a positive or a negative; each customer sentence of three words or more of a
  conversation labelled without the signal, a negative (the calm problem reports, thanks and questions a
  contact without a complaint is made of); the customer turn the label points at, when it is one such
  sentence, a positive (a longer turn also holds sentences that say nothing of the signal);
- a feeling (sentiment_negative, sentiment_positive): an utterance labelled with that sentiment, a
  positive; labelled with another, a negative;
- a complaint-handling item (acknowledges, takes_ownership, next_step), in conversations labelled with a
  complaint: the agent turn the label points at for a passed item, a positive (its one sentence, or the
  one the bank reads closest); every agent sentence after the complaint where the item failed, a
  negative — not for takes_ownership, which fails on blame however much the agent commits to.

Left out: a sentence already in the bank (in its normalised form), one labelled both ways, one with fewer
words holding a letter than the kind needs (« 78 114 02 », a reference read out), and one in which the
project's redactor finds personal data — a bank's closest example is quoted in the reasons of every
result it decides, so a name or a telephone number taught here would rest in clear in other customers'
results (the sets' people are invented, the rule is the product's). Without --write the script prints
how many sentences each bank would gain. `SETS` names the sets taught: not `signals_blind6`, whose
held-out half, written by the same hands as its development half, is still to be measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualicall.core.text import normalize  # noqa: E402
from qualicall.privacy.redactor import Redactor  # noqa: E402
from qualicall.scorer.learning import BankLesson, Lessons, bumped_version, learned_rubric_text  # noqa: E402
from qualicall.scorer.rubric import Rubric, load_rubric  # noqa: E402
from qualicall.scorer.signals import sentence_spans  # noqa: E402

DATA = ROOT / "tests" / "data"
# (set, halves): every half of each set whose held-out half was measured.
SETS = tuple((name, ("dev", "heldout")) for name in ("signals_blind", "signals_blind2", "signals_blind3", "signals_blind4", "signals_blind5",
                                                       "churn_blind", "escalation_blind", "repeat_blind"))
MIN_WORDS = 3  # « oui c'est ça », « d'accord merci » say nothing of a signal either way
FEELING_MIN_WORDS = 2  # « merci beaucoup », « c'est scandaleux » say a feeling
FEELINGS = {"sentiment_negative": "negative", "sentiment_positive": "positive"}
HANDLING = ("acknowledges", "takes_ownership", "next_step")
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


def _words(text: str) -> int:
    """Words holding a letter: a reference or a number read out is none."""
    return sum(any(c.isalpha() for c in word) for word in text.split())


def _sentences(text: str) -> list[str]:
    return [sentence for start, end in sentence_spans(text) if _words(sentence := text[start:end].strip()) >= MIN_WORDS]


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


def labelled_sentences(signal: str, language: str, data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The positives and negatives the sets label for a customer `signal` in `language`."""
    sides = _Sides()
    for utterances, conversations, labels in _halves(data, sets):
        for utterance in utterances:
            if utterance["language"] == language and signal in utterance and _words(utterance["text"]) >= MIN_WORDS:
                sides.add(utterance["text"], utterance[signal])
        for conversation in (c for c in conversations if c["language"] == language):
            label = labels[conversation["id"]]["signals"][signal]
            for index, turn in enumerate(conversation["turns"]):
                if turn["speaker"] != "customer":
                    continue
                sentences = _sentences(turn["text"])
                if not label["present"]:
                    for sentence in sentences:
                        sides.add(sentence, False)
                elif label.get("turn") == index and len(sentences) == 1:
                    sides.add(sentences[0], True)
    return sides.lists()


def feeling_sentences(bank: str, language: str, data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The utterances labelled with the sentiment `bank` reads (positives) and with another (negatives)."""
    sides = _Sides()
    for utterances, _, _ in _halves(data, sets):
        for utterance in utterances:
            if utterance["language"] == language and "sentiment" in utterance and _words(utterance["text"]) >= FEELING_MIN_WORDS:
                sides.add(utterance["text"], utterance["sentiment"] == FEELINGS[bank])
    return sides.lists()


def handling_sentences(item: str, language: str, closest: Callable[[list[str]], int], data: Path = DATA, sets: Sets = SETS) -> tuple[list[str], list[str]]:
    """The agent sentences the sets label for a complaint-handling `item` in `language`; `closest`: of a passed
    item's turn of several sentences, the index of the one the bank reads closest."""
    sides = _Sides()
    for _, conversations, labels in _halves(data, sets):
        for conversation in (c for c in conversations if c["language"] == language):
            label = labels[conversation["id"]]
            if not label["signals"]["complaint"]["present"]:
                continue
            turns, judged = conversation["turns"], label["complaint_handling"][item]
            at = judged.get("turn")
            if judged["status"] == "passed" and at is not None and 0 <= at < len(turns) and turns[at]["speaker"] == "agent":
                sentences = _sentences(turns[at]["text"])
                if sentences:
                    sides.add(sentences[closest(sentences)] if len(sentences) > 1 else sentences[0], True)
            elif judged["status"] == "failed" and item != "takes_ownership":
                after = (label["signals"]["complaint"].get("turn") or 0) + 1
                for turn in turns[after:]:
                    if turn["speaker"] == "agent":
                        for sentence in _sentences(turn["text"]):
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
    parser.add_argument("--bank", required=True, nargs="+", help="signals', feelings' or complaint-handling items' banks (complaint, sentiment_negative, next_step, …)")
    parser.add_argument("--write", action="store_true", help="write the default rubric of the language, its version bumped once (else print the counts)")
    args = parser.parse_args()
    path = ROOT / "qualicall" / "rubrics" / f"default-{args.language}.yaml"  # the package's own, whatever QUALICALL_RUBRICS_DIR says
    rubric = load_rubric(str(path))
    redactor = Redactor()
    lessons = Lessons()
    for name in args.bank:
        bank = rubric.banks[name]
        known = {normalize(sentence).text for sentence in (*bank.positive, *bank.negative)}
        positive, negative = taught(name, args.language, rubric)
        new = [[s for s in side if normalize(s).text not in known] for side in (positive, negative)]
        kept = [[s for s in side if not redactor.find(s, args.language)] for side in new]
        print(f"{rubric.id} bank {name}: {len(bank.positive)} + {len(kept[0])} positives, {len(bank.negative)} + {len(kept[1])} negatives"
              f" ({len(new[0]) - len(kept[0]) + len(new[1]) - len(kept[1])} left out: personal data)")
        if kept[0] or kept[1]:
            lessons.banks[name] = BankLesson(*kept)
    if args.write and lessons.banks:
        note = "learned from the labelled sets (benchmarks/banks/learn_from_labelled_sets.py)"
        path.write_text(learned_rubric_text(path.read_text(encoding="utf-8"), rubric, lessons, note=note), encoding="utf-8")
        print(f"written: {path} (version {bumped_version(rubric.version)})")


if __name__ == "__main__":
    main()
