"""Teach a signal's bank the sentences of labelled sets that no longer measure anything blind.

    python benchmarks/banks/learn_from_labelled_sets.py --bank complaint --language fr [--write]

A labelled set whose held-out half has been measured is seen: its labels can still teach. Each
customer sentence it labels becomes an example of the signal's bank in the default rubric of its
language, through the mechanism a deployment uses (`qualicall.scorer.learning.learned_rubric_text`:
the YAML kept as written, the examples appended to the bank, the version bumped):

- an utterance (`utterances.jsonl`) labelled for the signal: a positive or a negative;
- each customer sentence of three words or more of a conversation labelled without the signal: a
  negative (the calm problem reports, thanks and questions a contact without a complaint is made of);
- the customer turn a conversation's label points at for the signal, when it is one such sentence: a
  positive (a longer turn also holds sentences that say nothing of the signal).

Sentences already in the bank (in their normalised form) are left out, and so is one labelled both ways.
Without --write the script prints what it would add. `SETS` names the sets taught; `signals_blind6` only
its development half, whose held-out half is still to be measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualicall.core.text import normalize  # noqa: E402
from qualicall.scorer.learning import BankLesson, Lessons, learned_rubric_text  # noqa: E402
from qualicall.scorer.rubric import load_rubric, rubric_path  # noqa: E402
from qualicall.scorer.signals import sentence_spans  # noqa: E402

DATA = ROOT / "tests" / "data"
# (set, halves): every half of a set whose held-out half was measured; the development half of the newest.
SETS = (
    *((name, ("dev", "heldout")) for name in ("signals_blind", "signals_blind2", "signals_blind3", "signals_blind4", "signals_blind5",
                                             "churn_blind", "escalation_blind", "repeat_blind")),
    ("signals_blind6", ("dev",)),
)
MIN_WORDS = 3  # « oui c'est ça », « d'accord merci » say nothing of a signal either way


def _records(folder: Path, name: str) -> list[dict]:
    path = folder / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sentences(text: str) -> list[str]:
    return [sentence for start, end in sentence_spans(text) if len((sentence := text[start:end].strip()).split()) >= MIN_WORDS]


def labelled_sentences(signal: str, language: str, data: Path = DATA, sets: tuple[tuple[str, tuple[str, ...]], ...] = SETS) -> tuple[list[str], list[str]]:
    """The positives and negatives the sets label for `signal` in `language`, in the sets' order, each once."""
    positive: dict[str, str] = {}
    negative: dict[str, str] = {}
    for name, halves in sets:
        for half in halves:
            folder = data / name / half
            for utterance in _records(folder, "utterances.jsonl"):
                if utterance["language"] == language and signal in utterance and len(utterance["text"].split()) >= MIN_WORDS:
                    side = positive if utterance[signal] else negative
                    side.setdefault(normalize(utterance["text"]).text, utterance["text"].strip())
            labels_path = folder / "labels.json"
            labels = json.loads(labels_path.read_text(encoding="utf-8")) if labels_path.exists() else {}
            for conversation in _records(folder, "conversations.jsonl"):
                if conversation["language"] != language:
                    continue
                label = labels[conversation["id"]]["signals"][signal]
                for index, turn in enumerate(conversation["turns"]):
                    if turn["speaker"] != "customer":
                        continue
                    sentences = _sentences(turn["text"])
                    if not label["present"]:
                        for sentence in sentences:
                            negative.setdefault(normalize(sentence).text, sentence)
                    elif label.get("turn") == index and len(sentences) == 1:
                        positive.setdefault(normalize(sentences[0]).text, sentences[0])
    both = positive.keys() & negative.keys()
    return [s for k, s in positive.items() if k not in both], [s for k, s in negative.items() if k not in both]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", required=True, help="the signal, and its bank's name (complaint, churn_threat, …)")
    parser.add_argument("--language", required=True, choices=("fr", "en"))
    parser.add_argument("--write", action="store_true", help="write the default rubric of the language (else print the counts)")
    args = parser.parse_args()
    rubric_id = f"default-{args.language}"
    rubric = load_rubric(rubric_id)
    bank = rubric.banks[args.bank]
    known = {normalize(sentence).text for sentence in (*bank.positive, *bank.negative)}
    positive, negative = labelled_sentences(args.bank, args.language)
    lesson = BankLesson([s for s in positive if normalize(s).text not in known], [s for s in negative if normalize(s).text not in known])
    print(f"{rubric_id} bank {args.bank}: {len(bank.positive)} + {len(lesson.positive)} positives, {len(bank.negative)} + {len(lesson.negative)} negatives")
    if args.write:
        path = rubric_path(rubric_id)
        note = f"learned from the labelled sets' {args.bank} labels (benchmarks/banks/learn_from_labelled_sets.py)"
        path.write_text(learned_rubric_text(path.read_text(encoding="utf-8"), rubric, Lessons({args.bank: lesson}), note=note), encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
