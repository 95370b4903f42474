"""The attribute ruler's matches through an index (qualicall.models.attribute_rules) are spaCy's own matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruler(patterns: list[dict]):  # type: ignore[no-untyped-def]
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(patterns)
    return nlp, ruler


def _doc(nlp, words: list[str], tags: list[str], deps: list[str] | None = None):  # type: ignore[no-untyped-def]
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=list(range(len(words))) if deps else None)


RULES = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
    {"patterns": [[{"TAG": {"IN": ["VBP", "VBZ"]}, "LOWER": "ai"}, {"LOWER": {"REGEX": "^n'?t$"}}]], "attrs": {"LEMMA": "be"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": -1},
    {"patterns": [[{"LOWER": {"IN": ["dogs", "cats"]}, "TAG": {"NOT_IN": ["VBZ"]}}]], "attrs": {"LEMMA": "pet"}},
    {"patterns": [[{"TAG": "NN", "LOWER": "dog"}]], "attrs": {"POS": "PROPN"}},  # later than the tag map's: overrides it
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
    {"patterns": [[{"LOWER": "i", "DEP": "nsubj"}], [{"LOWER": "me"}]], "attrs": {"MORPH": "Person=1"}},
]


def test_the_index_finds_spacys_matches_and_spacy_applies_them():
    """Two-token rules, IN, NOT_IN, REGEX, a negative index, a rule with two patterns, a later rule overriding an
    earlier one: the same (rule, id, start, end) list as spaCy's matcher, and the same tokens once applied."""
    from spacy.pipeline import AttributeRuler

    from qualicall.models.attribute_rules import IndexedRules

    nlp, ruler = _ruler(RULES)
    rules = IndexedRules.of(ruler)
    assert rules is not None
    words = ["i", "ai", "n't", "gon", "na", "walk", "the", "dog", " ", "dogs", "and", "cats", "me", "dog"]
    tags = ["PRP", "VBP", "RB", "VBG", "TO", "VB", "DT", "NN", "_SP", "NNS", "CC", "VBZ", "PRP", "NN"]
    deps = ["nsubj", "ROOT", "neg", "aux", "aux", "xcomp", "det", "dobj", "dep", "conj", "cc", "conj", "dobj", "dobj"]
    theirs, ours = _doc(nlp, words, tags, deps), _doc(nlp, words, tags, deps)
    expected = AttributeRuler.match(ruler, theirs)
    assert [(rule, start, end) for rule, _, start, end in expected] == [
        (0, 7, 8), (0, 13, 14), (1, 1, 3), (2, 3, 5), (3, 9, 10), (4, 7, 8), (4, 13, 14), (5, 8, 9), (6, 0, 1), (6, 12, 13),
    ]  # "cats" is tagged VBZ here: NOT_IN keeps it out
    assert rules.match(ours) == expected
    ruler.set_annotations(theirs, expected)
    ruler.match = rules.match
    ruler(ours)
    assert [(t.pos_, t.lemma_, str(t.morph)) for t in ours] == [(t.pos_, t.lemma_, str(t.morph)) for t in theirs]
    assert [t.lemma_ for t in ours][1:5] == ["be", "", "", "to"] and ours[7].pos_ == "PROPN" and ours[9].lemma_ == "pet"


@pytest.mark.parametrize("pattern", [
    [{"LOWER": "very", "OP": "+"}],  # an operator
    [{"ORTH": "Dog"}],  # an attribute the index does not read
    [{"LENGTH": {">=": 3}}],  # another predicate
    [{"_": {"flag": True}}],  # an extension
    [{66: "dog"}],  # an attribute given by its id (66: spacy.attrs.LOWER), as spaCy accepts
])
def test_a_ruler_with_a_test_the_index_does_not_read_keeps_spacys_matcher(pattern):
    from qualicall.models.attribute_rules import IndexedRules, index_attribute_rules

    nlp, ruler = _ruler([{"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}}, {"patterns": [pattern], "attrs": {"LEMMA": "x"}}])
    assert IndexedRules.of(ruler) is None
    index_attribute_rules(nlp)
    assert "match" not in vars(ruler)


def _turns(language: str) -> list[str]:
    texts = []
    for path in [ROOT.parent / "shared/data/dev/interactions.jsonl", *sorted((ROOT / "tests/data").glob("grid_blind2*/*/interactions.jsonl"))]:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                if record.get("language") == language:
                    texts += [turn["text"] for turn in record["turns"]]
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pipelines_rulers_match_as_spacy_on_the_labelled_turns(language):
    """Every turn of the dev set and of the latest blind grid sets (some 20,000 tokens a language), tagged up to the
    ruler: the matches the loaded pipeline finds are those spaCy's matcher finds."""
    from spacy.pipeline import AttributeRuler

    from qualicall.models.attribute_rules import IndexedRules
    from qualicall.models.nlp import load_nlp

    nlp = load_nlp(language)
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler.match.__self__, IndexedRules)  # the pipeline was indexed when it loaded
    before = nlp.pipe_names[: nlp.pipe_names.index("attribute_ruler")]
    texts = _turns(language)
    docs = list(nlp.pipe(texts, disable=[p for p in nlp.pipe_names if p not in before or p in ("senter", "ner")]))
    assert sum(map(len, docs)) > 20_000
    for doc in docs:
        assert ruler.match(doc) == AttributeRuler.match(ruler, doc), doc.text


def test_rules_added_after_the_index_was_made_are_matched_by_spacys_matcher():
    from spacy.pipeline import AttributeRuler

    from qualicall.models.attribute_rules import index_attribute_rules

    nlp, ruler = _ruler([{"patterns": [[{"LOWER": "gon"}]], "attrs": {"NORM": "going"}}])
    index_attribute_rules(nlp)
    ruler.add([[{"LOWER": "na"}]], {"NORM": "to"})
    doc = _doc(nlp, ["gon", "na"], ["VBG", "TO"])
    assert ruler.match(doc) == AttributeRuler.match(ruler, doc) and len(ruler.match(doc)) == 2
