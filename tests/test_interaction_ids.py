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
