"""Helpers for the scoring-core tests: one Scorer per session, items scored in-process."""

from __future__ import annotations

from functools import lru_cache

from conftest import make_interaction


@lru_cache(maxsize=1)
def scorer():
    from qualicall.scorer.engine import Scorer

    return Scorer()


def score(turns, language="fr", channel="voice", **extra):
    return scorer().score(make_interaction(turns, language=language, channel=channel, **extra))


def item(turns, name: str, language="fr", channel="voice", **extra):
    """The result of one item (`criterion.item`) for a conversation of (speaker, text) pairs."""
    criterion, item_id = name.split(".")
    return score(turns, language, channel, **extra).criteria[criterion].items[item_id]


def status(turns, name: str, language="fr", channel="voice", **extra) -> str:
    return item(turns, name, language, channel, **extra).status
