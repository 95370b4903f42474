"""Schemathesis against the server's own OpenAPI document: no 5xx, responses that match their schemas."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

EXAMPLES_PER_OPERATION = 12


def _ends_before_start(turn: object) -> bool:
    if not isinstance(turn, dict):
        return False
    start, end = turn.get("start"), turn.get("end")
    numbers = all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in (start, end))
    return numbers and end < start


def test_api_conforms_to_its_schema(sqlite_api):
    schema = schemathesis.openapi.from_url(f"{sqlite_api.url}/openapi.json")
    headers = {"Authorization": f"Bearer {sqlite_api.keys['admin']}"}
    checked = []
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def conforms(case):
            # Whether random bytes are a decodable recording, a cursor one the server made, or an item id one of
            # the interaction's rubric is beyond a schema: those requests may be refused (415/422); the other checks apply.
            body = case.body if isinstance(case.body, dict) else {}
            opaque = (
                (case.media_type or "").startswith("multipart/")
                or "cursor" in (case.query or {})
                # (an item id some rubric of the server or some stored result has: « unknown item '¥' », a 422)
                or "item_failed" in (case.query or {})
                or (case.path.endswith("/reviews") and bool(body.get("items")))
                # Whether a file is there in the recordings root (none is configured here) is beyond a schema too.
                or (isinstance(body.get("recording"), str) and "://" not in body["recording"])
                # So is a turn's end coming after its start (« end 4.01e+06 s is before start 5.72e+06 s »).
                or any(_ends_before_start(turn) for turn in (body.get("turns") if isinstance(body.get("turns"), list) else []))
            )
            case.call_and_validate(headers=headers, timeout=60, excluded_checks=[positive_data_acceptance] if opaque else [])

        conforms()
        checked.append(operation.label)
    assert "POST /v1/interactions" in checked and "GET /v1/interactions" in checked


def test_the_document_says_what_a_callback_receives_and_the_headers_answers_carry(sqlite_api):
    """An integrator read the webhook's payload and headers, Location and X-Result-Version in the README only."""
    with sqlite_api.client(None) as anyone:
        document = anyone.get("/openapi.json").json()
    hook = document["webhooks"]["job"]["post"]
    assert {p["name"] for p in hook["parameters"]} == {"X-Qualicall-Delivery", "X-Qualicall-Event", "X-Qualicall-Timestamp", "X-Qualicall-Signature"}
    payload = document["components"]["schemas"]["WebhookPayload"]
    assert set(payload["required"]) >= {"event", "delivery_id", "job", "result"}
    post = document["paths"]["/v1/interactions"]["post"]["responses"]
    assert {"Location", "X-Result-Version", "Idempotent-Replayed"} <= set(post["201"]["headers"])
    assert "Retry-After" in post["429"]["headers"] and "503" in post
