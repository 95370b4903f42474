"""Helpers for the scoring-core tests: one Scorer per session, items scored in-process."""

from __future__ import annotations

from conftest import default_scorer as scorer
from conftest import make_interaction


def score(turns, language="fr", channel="voice", **extra):
    return scorer().score(make_interaction(turns, language=language, channel=channel, **extra))


def item(turns, name: str, language="fr", channel="voice", **extra):
    """The result of one item (`criterion.item`) for a conversation of (speaker, text) pairs."""
    criterion, item_id = name.split(".")
    return score(turns, language, channel, **extra).criteria[criterion].items[item_id]


def status(turns, name: str, language="fr", channel="voice", **extra) -> str:
    return item(turns, name, language, channel, **extra).status
