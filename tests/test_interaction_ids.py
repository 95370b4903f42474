"""The ids of interactions, agents, teams and queues (qualicall.core.interaction): what the door refuses, and the
one-line message a user reads, written by hand."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qualicall.core.interaction import Interaction


@pytest.mark.parametrize("team, message", [
    # The value as typed (« équipe », not « \xe9quipe »), and the refused character named once.
    ("équipe <b>test</b>", "invalid id 'équipe <b>test</b>': '/' is not allowed (an id has no '/' or '\\', no control character, "
                           "no space but the plain one: ids travel in URL paths)"),
    ("a\x1bb", "invalid id 'a\\x1bb': '\\x1b' is not allowed"),  # (what is invisible, escaped)
])
def test_a_refused_id_is_quoted_as_typed_and_its_character_named(team, message):
    with pytest.raises(ValidationError) as refused:
        Interaction.model_validate({"id": "c-1", "team": team, "turns": [{"speaker": "agent", "text": "Bonjour."}]})
    assert message in str(refused.value)


@pytest.mark.parametrize("moment, fits", [
    ("2026-10-31T10:00:00+01:00", True), ("2026-11-30", True), ("2026-12-29T08:00:00Z", True),
    ("2026-11-31", False), ("2026-02-30", False), ("2026-04-31T10:00:00Z", False),
])
def test_the_documents_date_pattern_takes_each_months_days(moment, fits):
    """(The OpenAPI pattern of `started_at`, `from` and `to` stopped at the 28th: a client generated from the document
    refused every contact of a 29th, 30th or 31st.)"""
    import re

    from qualicall.core.interaction import STARTED_AT_PATTERN

    assert bool(re.match(STARTED_AT_PATTERN, moment)) is fits
