"""The attribute ruler's matches found through an index, not by trying every rule at every token.

English's `attribute_ruler` holds 179 rules (the tag map, then exceptions such as « gonna », "ai n't"). spaCy
finds their matches with its general `Matcher`, which starts every rule at every token: about half of the
English pipeline's time on a call's turns, a fifth of the French one's. Those rules are one or two tokens of
plain tests — equal to, `IN`, `NOT_IN` or `REGEX`, on the token's lower case, tag, part of speech, dependency
or being a space — so a rule can be filed under the value one of its first token's tests requires, and a token
meets only the few rules filed under its own values (and the handful that require none).

The matches are spaCy's, in spaCy's order: all of them found on the text as the tagger left it, one per rule
and span, sorted by rule (a later rule overrides an earlier one), then applied by spaCy's own
`set_annotations`. A ruler holding any other kind of test (an operator, another attribute or predicate)
keeps spaCy's matcher. Equality with spaCy's matches is tested on the labelled sets' turns
(tests/test_attribute_rules.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc

# The attributes a test may read, in the order of a token's row (`Doc.to_array`).
_COLUMNS = ("LOWER", "TAG", "POS", "DEP", "IS_SPACE")
# Those a rule may be filed under, by the value its first token requires (equal to, or one of `IN`).
_FILED_BY = ("LOWER", "TAG", "POS")

Test = tuple[int, str, Any]  # (column, "==" | "IN" | "NOT_IN" | "REGEX", the value, values or compiled pattern)


def _value(ruler: AttributeRuler, column: str, value: Any) -> int | None:
    """A pattern's value as the matcher compares it: the string's id (a part of speech's id is its symbol's), a flag as 0/1."""
    if column == "IS_SPACE":
        return int(value) if isinstance(value, bool) else None
    return ruler.vocab.strings.add(value) if isinstance(value, str) else None


def _tests(ruler: AttributeRuler, token: dict[str, Any]) -> list[Test] | None:
    """One pattern token's tests, or None where one is of a kind this index does not read."""
    tests: list[Test] = []
    for name, wanted in token.items():
        if not isinstance(name, str):
            return None  # an attribute given by its id (spacy.attrs.LOWER)
        column = name.upper()
        if column not in _COLUMNS:
            return None
        where = _COLUMNS.index(column)
        if not isinstance(wanted, dict):
            value = _value(ruler, column, wanted)
            if value is None:
                return None
            tests.append((where, "==", value))
            continue
        if len(wanted) != 1:
            return None
        ((kind, values),) = wanted.items()
        if kind in ("IN", "NOT_IN") and isinstance(values, list):
            ids = [_value(ruler, column, v) for v in values]
            if None in ids:
                return None
            tests.append((where, kind, frozenset(ids)))
        elif kind == "REGEX" and isinstance(values, str) and column != "IS_SPACE":
            tests.append((where, kind, re.compile(values)))
        else:
            return None
    return tests


class IndexedRules:
    """A ruler's patterns filed by the value their first token requires; `match` is `AttributeRuler.match`."""

    def __init__(self, ruler: AttributeRuler, patterns: list[tuple[int, list[list[Test]]]]) -> None:
        from spacy.attrs import IDS

        self._ruler, self._rules = ruler, len(ruler.attrs)
        self._strings = ruler.vocab.strings
        self._attributes = [IDS[column] for column in _COLUMNS]
        self._ids = [ruler.vocab.strings[str(rule)] for rule in range(len(ruler.attrs))]
        # Each pattern as (rule, its first token's tests but the one it is filed by, the later tokens' tests).
        self._filed: dict[tuple[int, int], list[tuple[int, list[Test], list[list[Test]]]]] = {}
        self._unfiled: list[tuple[int, list[Test], list[list[Test]]]] = []
        for rule, (first, *later) in patterns:
            filed_by = self._filed_by(first)
            if filed_by is None:
                self._unfiled.append((rule, first, later))
                continue
            rest = [test for test in first if test is not filed_by]
            keys = [filed_by[2]] if filed_by[1] == "==" else filed_by[2]
            for key in keys:
                self._filed.setdefault((filed_by[0], key), []).append((rule, rest, later))
        self._columns_filed = sorted({column for column, _ in self._filed})

    @staticmethod
    def _filed_by(first: list[Test]) -> Test | None:
        """The first token's test a pattern is filed under: an equality, else an `IN`, on the first of `_FILED_BY` it tests."""
        for name in _FILED_BY:
            column = _COLUMNS.index(name)
            for kind in ("==", "IN"):
                for test in first:
                    if test[0] == column and test[1] == kind:
                        return test
        return None

    @classmethod
    def of(cls, ruler: AttributeRuler) -> IndexedRules | None:
        """The index of a ruler's patterns, or None where one holds a test the index does not read."""
        patterns = []
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                tokens = [_tests(ruler, token) for token in pattern]
                if not tokens or any(t is None for t in tokens):
                    return None
                patterns.append((rule, tokens))
        return cls(ruler, patterns)  # type: ignore[arg-type]

    def _passes(self, row: list[int], tests: list[Test]) -> bool:
        for where, kind, value in tests:
            found = row[where]
            if kind == "==":
                if found != value:
                    return False
            elif kind == "IN":
                if found not in value:
                    return False
            elif kind == "NOT_IN":
                if found in value:
                    return False
            elif value.search(self._strings[found]) is None:  # REGEX, on the attribute's text as spaCy's matcher reads it
                return False
        return True

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """(rule, rule's match id, start, end) of every match, sorted: what `AttributeRuler.match` returns (spaCy's own
        matcher's, should rules have been added since the index was made)."""
        if len(self._ruler.attrs) != self._rules:
            from spacy.pipeline import AttributeRuler

            return AttributeRuler.match(self._ruler, doc)
        rows = doc.to_array(self._attributes).tolist() if len(doc) else []
        found = set()
        passes = self._passes
        for start, row in enumerate(rows):
            for column in self._columns_filed:
                for rule, rest, later in self._filed.get((column, row[column]), ()):
                    if (not rest or passes(row, rest)) and self._later_pass(rows, start, later):
                        found.add((rule, start, start + 1 + len(later)))
            for rule, first, later in self._unfiled:
                if passes(row, first) and self._later_pass(rows, start, later):
                    found.add((rule, start, start + 1 + len(later)))
        return [(rule, self._ids[rule], start, end) for rule, start, end in sorted(found)]

    def _later_pass(self, rows: list[list[int]], start: int, later: list[list[Test]]) -> bool:
        if not later:
            return True
        return start + 1 + len(later) <= len(rows) and all(self._passes(rows[start + 1 + k], tests) for k, tests in enumerate(later))


def index_attribute_rules(nlp: Language) -> None:
    """The pipeline's attribute ruler (where it has one whose tests the index reads) finds its matches through `IndexedRules`."""
    if "attribute_ruler" not in nlp.component_names:
        return
    ruler = nlp.get_pipe("attribute_ruler")
    rules = IndexedRules.of(ruler)
    if rules is not None:
        ruler.match = rules.match  # `AttributeRuler.__call__` asks `self.match`, then applies them itself
