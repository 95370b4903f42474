"""POST/GET /v1/interactions, reviews, rubrics, auth and errors, against a real server on loopback (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import uuid

import pytest

from conftest import EXAMPLES


@pytest.fixture
def server(api_server):
    return api_server


def example(**changes) -> dict:
    data = json.loads((EXAMPLES / "call-fr.json").read_text(encoding="utf-8"))
    data.update(id=f"t-{uuid.uuid4().hex[:10]}", **changes)
    return data


def test_post_scores_and_stores(server):
    data = example()
    with server.client("crm") as crm:
        posted = crm.post("/v1/interactions", json=data)
        assert posted.status_code == 201, posted.text
        result = posted.json()
        assert result["interaction_id"] == data["id"] and result["rubric"]["id"] == "default-fr"
        assert posted.headers["x-result-version"] == "1"
        got = crm.get(f"/v1/interactions/{data['id']}")
    assert got.status_code == 200
    body = got.json()
    assert body["result"]["overall_score"] == result["overall_score"]
    assert body["interaction"]["agent_id"] == data["agent_id"] and len(body["interaction"]["turns"]) == len(data["turns"])
    assert body["result_version"] == 1 and [v["version"] for v in body["versions"]] == [1]


def test_reposting_keeps_every_result_version(server):
    data = example()
    with server.client("crm") as crm:
        first = crm.post("/v1/interactions", json=data).json()
        data["turns"] = data["turns"][:2]  # a shorter transcript scores differently
        second = crm.post("/v1/interactions", json=data)
        assert second.headers["x-result-version"] == "2"
        body = crm.get(f"/v1/interactions/{data['id']}").json()
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][0]["overall_score"] == first["overall_score"]
    assert body["result"]["overall_score"] == second.json()["overall_score"] != first["overall_score"]


def test_idempotency_key_replays_instead_of_duplicating(server):
    data = example()
    key = uuid.uuid4().hex
    with server.client("crm") as crm:
        first = crm.post("/v1/interactions", json=data, headers={"Idempotency-Key": key})
        # The same object written otherwise (its keys in another order, spaces): the same request, replayed (it was a 409).
        rewritten = json.dumps(dict(reversed(list(data.items()))), indent=2).encode()
        again = crm.post("/v1/interactions", content=rewritten, headers={"Idempotency-Key": key, "Content-Type": "application/json"})
        other = crm.post("/v1/interactions", json=example(), headers={"Idempotency-Key": key})
        versions = crm.get(f"/v1/interactions/{data['id']}").json()["versions"]
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
    # The first response replayed whole: where the result is and its version too.
    assert (again.headers.get("location"), again.headers.get("x-result-version")) == (f"/v1/interactions/{data['id']}", "1")
    assert (first.headers.get("location"), first.headers.get("x-result-version")) == (f"/v1/interactions/{data['id']}", "1")
    assert len(versions) == 1
    assert other.status_code == 409


def test_auth_401_and_roles_403(server):
    with server.client(None) as anonymous:
        assert anonymous.get("/v1/rubrics").status_code == 401
        assert anonymous.get("/v1/rubrics", headers={"Authorization": "Bearer qc_nope_nope"}).status_code == 401
        # A key sent without its scheme is not "missing" (it was told so), and nothing of it is sent back.
        bare = anonymous.get("/v1/rubrics", headers={"Authorization": server.keys["crm"]})
        assert bare.status_code == 401 and "does not start with 'Bearer '" in bare.text and server.keys["crm"][:8] not in bare.text
        assert anonymous.head("/healthz").status_code == 200  # as load balancers' probes ask
        assert "missing API key" in anonymous.get("/v1/rubrics", headers={"Authorization": "Bearer"}).text
        assert anonymous.get("/v1/interactions", params={"channel": "chat"}).status_code == 401  # the key first, then the query
    with server.client("coach") as coach:
        assert coach.get("/v1/interactions", params={"_": "1712345678"}).status_code == 200  # a cache-busting stamp
    with server.client("coach") as coach:
        assert coach.post("/v1/interactions", json=example()).status_code == 403
    with server.client("crm") as crm:
        assert crm.post("/v1/interactions/x/reviews", json={"comment": "hi"}).status_code == 403
    with server.client("admin") as admin:
        assert admin.post("/v1/interactions", json=example()).status_code == 201


def test_bad_input_is_4xx_naming_the_field(server):
    with server.client("crm") as crm:
        bad_field = crm.post("/v1/interactions", json={"id": "x", "channel": "fax", "turns": []})
        assert bad_field.status_code == 422 and bad_field.json()["detail"][0]["loc"] == ["body", "channel"]
        broken = crm.post("/v1/interactions", content=b'{"id": ', headers={"content-type": "application/json"})
        assert broken.status_code == 422 and "invalid JSON" in broken.json()["detail"][0]["msg"]
        no_turns = crm.post("/v1/interactions", json={"id": "x", "recording": "a.wav"})
        assert no_turns.status_code == 422 and no_turns.json()["detail"][0]["loc"] == ["body", "turns"]
        assert crm.post("/v1/interactions", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
        assert crm.get("/v1/interactions/does-not-exist").status_code == 404
        assert crm.get("/v1/interactions", params={"cursor": "!!"}).status_code == 422
        assert crm.get("/v1/interactions", params={"min_score": 120}).status_code == 422


def test_changed_since_gives_what_was_posted_again_or_reviewed(server):
    """A CRM syncing scores had no way to find the contacts re-scored or reviewed since its last pass (an integrator's
    review): `changed_since` compares each contact's `updated_at` (given in the list); a day alone is refused."""
    import time
    from datetime import datetime, timedelta

    team = f"sync-{uuid.uuid4().hex[:6]}"
    with server.client("crm") as crm:
        first, second = example(team=team), example(team=team)
        for data in (first, second):
            assert crm.post("/v1/interactions", json=data).status_code == 201
        listed = crm.get("/v1/interactions", params={"team": team}).json()["items"]
        mark = max(datetime.fromisoformat(item["updated_at"]) for item in listed) + timedelta(milliseconds=500)
        time.sleep(1.1)
        assert crm.post("/v1/interactions", json=first | {"indicators": {"csat": 5}}).status_code == 201
        changed = crm.get("/v1/interactions", params={"team": team, "changed_since": mark.isoformat()}).json()["items"]
        everything = crm.get("/v1/interactions", params={"team": team, "changed_since": "2020-01-01T00:00:00Z"}).json()["items"]
        refused = crm.get("/v1/interactions", params={"changed_since": "2026-11-01"})
    assert [item["id"] for item in changed] == [first["id"]] and datetime.fromisoformat(changed[0]["updated_at"]) > mark
    assert len(everything) == 2
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "changed_since"]


def test_list_filters_and_cursor_pagination(server):
    team = f"team-{uuid.uuid4().hex[:6]}"
    ids = []
    with server.client("crm") as crm:
        for day in range(1, 6):
            data = example(team=team, agent_id=f"A-{day % 2}", started_at=f"2026-10-0{day}T10:00:00+02:00")
            if day == 5:
                data["turns"] = data["turns"][:1]  # fails most items
            assert crm.post("/v1/interactions", json=data).status_code == 201
            ids.append(data["id"])
        pages, cursor = [], None
        while True:
            page = crm.get("/v1/interactions", params={"team": team, "limit": 2, **({"cursor": cursor} if cursor else {})}).json()
            pages.append([i["id"] for i in page["items"]])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == [ids[::-1][0:2], ids[::-1][2:4], ids[::-1][4:5]]
        by_agent = crm.get("/v1/interactions", params={"team": team, "agent_id": "A-1"}).json()["items"]
        assert sorted(i["id"] for i in by_agent) == sorted(ids[0::2])
        window = crm.get("/v1/interactions", params={"team": team, "from": "2026-10-02T00:00:00+02:00", "to": "2026-10-04T00:00:00+02:00"}).json()
        assert [i["id"] for i in window["items"]] == [ids[2], ids[1]]
        scores = {i["id"]: i["overall_score"] for i in crm.get("/v1/interactions", params={"team": team}).json()["items"]}
        assert scores[ids[4]] < scores[ids[0]] == scores[ids[1]]
        low = crm.get("/v1/interactions", params={"team": team, "max_score": scores[ids[4]]}).json()["items"]
        assert [i["id"] for i in low] == [ids[4]]
        high = crm.get("/v1/interactions", params={"team": team, "min_score": scores[ids[4]] + 0.01}).json()["items"]
        assert sorted(i["id"] for i in high) == sorted(ids[:4])
        failed = low[0]["failed_items"]
        assert failed
        by_item = crm.get("/v1/interactions", params={"team": team, "item_failed": failed[0]}).json()["items"]
        assert ids[4] in [i["id"] for i in by_item] and ids[0] not in [i["id"] for i in by_item]
        # The item as reviews name it, criterion first (it found nothing); an unknown item or parameter is refused (both
        # answered a list as if filtered: `nosuch` an empty one, `channel=chat` every contact).
        from qualicall.scorer.rubric import load_rubric

        named = next(f"{cid}.{failed[0]}" for cid, criterion in load_rubric("default-fr").criteria.items() if failed[0] in criterion.items)
        assert crm.get("/v1/interactions", params={"team": team, "item_failed": named}).json()["items"] == by_item
        # The same item a thousand times is the item once (SQLite's expression tree grew too large: 503).
        repeated = crm.get("/v1/interactions", params=[("team", team)] + [("item_failed", named)] * 1000)
        assert repeated.status_code == 200 and repeated.json()["items"] == by_item
        unknown = crm.get("/v1/interactions", params={"team": team, "item_failed": "nosuch"})
        assert unknown.status_code == 422 and "unknown item 'nosuch' (known: " in unknown.text and "closing.recap" in unknown.text
        extra = crm.get("/v1/interactions", params={"team": team, "channel": "chat"})
        assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["query", "channel"]


def test_coach_reviews_items(server):
    data = example()
    with server.client("crm") as crm:
        crm.post("/v1/interactions", json=data)
    with server.client("coach") as coach:
        reviewed = coach.post(f"/v1/interactions/{data['id']}/reviews", json={
            "items": [{"item_id": "salutation", "status": "failed", "comment": "greeting inaudible"}], "comment": "good call otherwise",
        })
        assert reviewed.status_code == 201, reviewed.text
        unknown = coach.post(f"/v1/interactions/{data['id']}/reviews", json={"items": [{"item_id": "nope", "status": "failed"}]})
        assert unknown.status_code == 422
        twice = coach.post(f"/v1/interactions/{data['id']}/reviews", json={
            "items": [{"item_id": "recap", "status": "failed"}, {"item_id": "recap", "status": "passed"}]})
        assert twice.status_code == 422 and "items[1]: item 'recap' given twice" in twice.text
        assert coach.post("/v1/interactions/none-such/reviews", json={"comment": "x"}).status_code == 404
        # named as disputes, sessions and item_failed name items (a 422 « unknown item » before; an upgrade review)
        named = coach.post(f"/v1/interactions/{data['id']}/reviews", json={"items": [{"item_id": "closing.thanks", "status": "passed"}]})
        assert named.status_code == 201, named.text
        assert coach.post(f"/v1/interactions/{data['id']}/reviews",
                          json={"items": [{"item_id": "greeting.thanks", "status": "passed"}]}).status_code == 422  # not its criterion
        reviews = coach.get(f"/v1/interactions/{data['id']}").json()["reviews"]
    assert [(r["item_id"], r["status"], r["reviewer"], r["criterion_id"]) for r in reviews] == [
        ("salutation", "failed", "test-coach", "greeting"), (None, None, "test-coach", None), ("thanks", "passed", "test-coach", "closing")]
    assert reviews[0]["result_version"] == 1 and reviews[1]["comment"] == "good call otherwise"


def test_rubrics_health_metrics(server):
    with server.client("coach") as coach:
        rubrics = coach.get("/v1/rubrics").json()
        assert {"default-fr", "default-en"} <= {r["id"] for r in rubrics}
        assert "greeting" in coach.get("/v1/rubrics/default-fr").json()["criteria"]
        assert coach.get("/v1/rubrics/..%2Fetc").status_code == 404
        health = coach.get("/healthz").json()
        assert health["status"] == "ok" and health["schema_revision"] == "0015"  # what an upgrade or a restore left
        metrics = coach.get("/metrics").text
    assert 'qualicall_http_requests_total{method="GET",route="/v1/rubrics",status="200"}' in metrics
    assert "qualicall_http_request_duration_seconds_bucket" in metrics


def test_an_idempotency_key_remembered_by_the_version_before_still_replays(server):
    """The version before fingerprinted a request by its bytes: a retry sent across the upgrade is the same request (a
    fresh-eyes review saw it refused, 409)."""
    from qualicall.api import idempotency
    from qualicall.settings import Settings
    from qualicall.store.db import Store
    from qualicall.store.models import ApiKey

    data, key = example(), uuid.uuid4().hex
    body = json.dumps(data).encode()
    store = Store(Settings(data_dir=server.data_dir, database_url=server.database_url).url)
    with store.session() as session:
        crm_key = session.query(ApiKey).filter(ApiKey.name == "test-crm").order_by(ApiKey.id.desc()).first()
        idempotency.remember(session, crm_key.id, key, idempotency.request_hash(body), 201, {"remembered": True}, {})
    store.close()
    with server.client("crm") as crm:
        again = crm.post("/v1/interactions", content=body, headers={"Idempotency-Key": key, "Content-Type": "application/json"})
    assert again.status_code == 201 and again.json() == {"remembered": True} and again.headers["idempotent-replayed"] == "true"
