"""The live-execution routes through the app (every response held to the OpenAPI document):
idempotent starts, event appends and pages, their round trips and their errors."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from devtools.graphs import chain
from devtools.wire import round_trips
from tests.api_fixtures import API, Caller, ann, ben, client  # noqa: F401


async def _workflow(client: AsyncTestClient, caller: Caller, n: int = 3) -> dict[str, Any]:
    r = await client.post(f"{API}/workflows", content=msgspec.json.encode(chain(n)), headers=caller.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_idempotent_start_answers_the_first_execution(client: AsyncTestClient, ann: Caller, ben: Caller) -> None:
    wf = await _workflow(client, ann)
    url = f"{API}/workflows/{wf['id']}/executions"
    headers = {**ann.headers, "Idempotency-Key": "run-1"}
    with round_trips() as rt:
        first = await client.post(url, json={"input": {"q": 1}}, headers=headers)
    assert rt.round_trips == 1, rt
    assert first.status_code == 201, first.text
    assert first.json()["workflow_version"] == wf["version"] and first.json()["last_event_seq"] == 0
    with round_trips() as rt:
        retry = await client.post(url, json={"input": {"q": 1}}, headers=headers)
    assert rt.round_trips == 1, rt
    assert retry.status_code == 200, retry.text
    assert retry.json()["id"] == first.json()["id"] and retry.headers["location"] == first.headers["location"]
    other = await client.post(url, headers={**ann.headers, "Idempotency-Key": "run-2"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    plain = await client.post(url, headers=ann.headers)  # no key: a new execution every time
    assert plain.status_code == 201
    history = await client.get(f"{API}/executions", headers=ann.headers)
    assert len(history.json()["items"]) == 3
    # Keys are the user's own: Ben's "run-1" names nothing of Ann's (and her workflow is not his).
    theirs = await client.post(url, headers={**ben.headers, "Idempotency-Key": "run-1"})
    assert theirs.status_code == 404
    bad = await client.post(url, headers={**ann.headers, "Idempotency-Key": "bad key"})
    assert bad.status_code == 400 and bad.json()["field"] == "Idempotency-Key"
    wf2 = await _workflow(client, ann)
    reused = await client.post(f"{API}/workflows/{wf2['id']}/executions", headers=headers)
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"
    minimal = await client.post(url, headers={**headers, "Prefer": "return=minimal"})
    assert minimal.status_code == 204 and minimal.content == b""


async def test_append_and_page_events(client: AsyncTestClient, ann: Caller, ben: Caller) -> None:
    wf = await _workflow(client, ann)
    ex = (await client.post(f"{API}/workflows/{wf['id']}/executions", headers=ann.headers)).json()
    node = wf["nodes"][0]["id"]
    url = f"{API}/executions/{ex['id']}/events"
    await client.post(f"{API}/executions/{ex['id']}/transition", json={"to_status": "running"}, headers=ann.headers)
    batch = {"events": [{"type": "node_started", "node_id": node}, {"type": "log", "payload": {"line": "hi"}},
                        {"type": "node_completed", "node_id": node, "payload": {"out": 1}}]}
    with round_trips() as rt:
        r = await client.post(url, json=batch, headers=ann.headers)
    assert rt.round_trips == 1, rt
    assert r.status_code == 200, r.text
    assert r.json() == {"first_seq": 1, "last_seq": 3, "appended": 3}
    with round_trips() as rt:
        page = await client.get(url, params={"after": 1, "limit": 1}, headers=ann.headers)
    assert rt.round_trips == 1, rt
    body = page.json()
    assert [e["seq"] for e in body["items"]] == [2] and body["next_after"] == 2
    assert body["status"] == "running" and body["last_seq"] == 3
    rest = (await client.get(url, params={"after": body["next_after"]}, headers=ann.headers)).json()
    assert [(e["seq"], e["type"], e["node_id"]) for e in rest["items"]] == [(3, "node_completed", node)]
    assert rest["items"][0]["payload"] == {"out": 1}
    empty = (await client.get(url, params={"after": 3}, headers=ann.headers)).json()
    assert empty["items"] == [] and empty["next_after"] == 3

    r = await client.post(url, json={"events": [{"type": "node_failed"}]}, headers=ann.headers)
    assert r.status_code == 422 and r.json()["field"] == "events[0].node_id"
    r = await client.post(url, json={"events": [{"type": "exploded"}]}, headers=ann.headers)
    assert r.status_code == 422
    r = await client.post(url, json={"events": []}, headers=ann.headers)
    assert r.status_code == 422
    assert (await client.post(url, json=batch, headers=ben.headers)).status_code == 404
    assert (await client.get(url, headers=ben.headers)).status_code == 404
    missing = f"{API}/executions/{uuid.uuid4()}/events"
    assert (await client.get(missing, headers=ann.headers)).status_code == 404
    r = await client.get(url, params={"after": -1}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["field"] == "after"

    await client.post(f"{API}/executions/{ex['id']}/transition", json={"to_status": "completed"}, headers=ann.headers)
    with round_trips() as rt:
        r = await client.post(url, json=batch, headers=ann.headers)
    assert rt.round_trips == 1, rt
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "illegal-transition" and r.json()["current_status"] == "completed"
    assert r.json()["field"] is None


async def test_stream_refuses_what_it_cannot_serve(client: AsyncTestClient, ann: Caller, ben: Caller) -> None:
    wf = await _workflow(client, ann)
    ex = (await client.post(f"{API}/workflows/{wf['id']}/executions", headers=ann.headers)).json()
    url = f"{API}/executions/{ex['id']}/stream"
    r = await client.get(url, headers=ben.headers)
    assert r.status_code == 404
    r = await client.get(url, headers={**ann.headers, "Last-Event-ID": "x"})
    assert r.status_code == 400 and r.json()["field"] == "Last-Event-ID"
    # A finished execution: the stream replays and ends at once.
    await client.post(f"{API}/executions/{ex['id']}/transition", json={"to_status": "cancelled"},
                      headers=ann.headers)
    r = await client.get(url, headers=ann.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.endswith('event: end\ndata: {"status":"cancelled","last_seq":0}\n\n')
