"""The HTTP API end to end on the real database: happy paths, isolation, errors."""

from __future__ import annotations

import json
import uuid
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

import pytest

from repositories import ExecutionRepository, WorkflowRepository
from tests.api_fixtures import API, Caller, ann, ben, client  # noqa: F401
from devtools.graphs import agent_with_tools, chain


def enc(value: Any) -> bytes:
    return msgspec.json.encode(value)


async def _workflow(client: AsyncTestClient, caller: Caller, n: int = 3, **graph: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/workflows", content=enc(chain(n, **graph)), headers=caller.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _agent(client: AsyncTestClient, caller: Caller, n: int = 2, **config: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/agents", content=enc(agent_with_tools(n, **config)), headers=caller.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _execution(client: AsyncTestClient, caller: Caller, workflow_id: str) -> dict[str, Any]:
    r = await client.post(f"{API}/workflows/{workflow_id}/executions", json={"input": {"q": 1}},
                          headers=caller.headers)
    assert r.status_code == 201, r.text
    return r.json()


# --- workflows ------------------------------------------------------------------------------------------------------


async def test_workflow_create_get_list_search(client: AsyncTestClient, ann: Caller) -> None:
    created = await _workflow(client, ann, 5, kind="support")
    await _workflow(client, ann, 2, kind="sales")
    assert created["version"] == 1 and len(created["nodes"]) == 5 and len(created["edges"]) == 4

    r = await client.get(f"{API}/workflows/{created['id']}", headers=ann.headers)
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    body = r.json()
    assert body["id"] == created["id"]
    assert [n["key"] for n in body["nodes"]] == ["n0", "n1", "n2", "n3", "n4"]
    assert {(e["source"], e["target"]) for e in body["edges"]} == {("n0", "n1"), ("n1", "n2"), ("n2", "n3"),
                                                                    ("n3", "n4")}

    r = await client.get(f"{API}/workflows", params={"limit": 1}, headers=ann.headers)
    assert r.status_code == 200
    first = r.json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    r = await client.get(f"{API}/workflows", params={"limit": 1, "cursor": first["next_cursor"]},
                         headers=ann.headers)
    second = r.json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert second["items"][0]["id"] == created["id"]  # newest first: created first, listed last

    r = await client.get(f"{API}/workflows", params={"graph_contains": json.dumps({"kind": "support"})},
                         headers=ann.headers)
    assert r.status_code == 200
    assert [w["id"] for w in r.json()["items"]] == [created["id"]]


async def test_workflow_replace_with_if_match(client: AsyncTestClient, ann: Caller) -> None:
    created = await _workflow(client, ann, 3)
    url = f"{API}/workflows/{created['id']}"
    r = await client.put(url, content=enc(chain(6, name="renamed")), headers={**ann.headers, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    assert r.json()["name"] == "renamed" and len(r.json()["nodes"]) == 6
    # the bare number is accepted too
    r = await client.put(url, content=enc(chain(2)), headers={**ann.headers, "If-Match": "2"})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"3"'

    # stale: 412, and nothing changed
    r = await client.put(url, content=enc(chain(9)), headers={**ann.headers, "If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert r.json()["code"] == "stale-version" and r.json()["current_version"] == 3
    assert r.headers["etag"] == '"3"' and r.headers["content-type"] == "application/problem+json"
    r = await client.get(url, headers=ann.headers)
    assert r.headers["etag"] == '"3"' and len(r.json()["nodes"]) == 2

    # missing If-Match: 428; unreadable: 400
    r = await client.put(url, content=enc(chain(2)), headers=ann.headers)
    assert r.status_code == 428, r.text
    assert r.json()["field"] == "If-Match"
    r = await client.put(url, content=enc(chain(2)), headers={**ann.headers, "If-Match": "abc"})
    assert r.status_code == 400, r.text


async def test_workflow_delete(client: AsyncTestClient, ann: Caller) -> None:
    created = await _workflow(client, ann)
    url = f"{API}/workflows/{created['id']}"
    r = await client.delete(url, headers=ann.headers)
    assert r.status_code == 204
    assert (await client.get(url, headers=ann.headers)).status_code == 404
    assert (await client.delete(url, headers=ann.headers)).status_code == 404


async def test_workflow_graph_errors_name_the_field(client: AsyncTestClient, ann: Caller) -> None:
    body = {"name": "x", "nodes": [{"key": "a", "node_type": "t"}], "edges": [{"source": "a", "target": "zz"}]}
    r = await client.post(f"{API}/workflows", json=body, headers=ann.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "edges[0].target"
    body = {"name": "x", "nodes": [{"key": "a", "node_type": "agent", "agent_id": str(uuid.uuid4())}]}
    r = await client.post(f"{API}/workflows", json=body, headers=ann.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "agent_id"


# --- agents ---------------------------------------------------------------------------------------------------------


async def test_agent_crud_and_search(client: AsyncTestClient, ann: Caller) -> None:
    agent = await _agent(client, ann, 3, model="gpt", temperature=0)
    await _agent(client, ann, 1, model="claude")
    assert [t["name"] for t in agent["tools"]] == ["tool0", "tool1", "tool2"]
    url = f"{API}/agents/{agent['id']}"

    r = await client.get(url, headers=ann.headers)
    assert r.status_code == 200 and r.json() == agent

    r = await client.get(f"{API}/agents", headers=ann.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 2 and {i["tool_count"] for i in items} == {3, 1}

    r = await client.get(f"{API}/agents", params={"config_contains": '{"model": "gpt"}'}, headers=ann.headers)
    assert r.status_code == 200
    assert [a["id"] for a in r.json()["items"]] == [agent["id"]]
    r = await client.get(f"{API}/agents", params={"config_contains": "{not json"}, headers=ann.headers)
    assert r.status_code == 400
    assert r.json()["field"] == "config_contains"
    r = await client.get(f"{API}/agents", params={"config_contains": "[1]"}, headers=ann.headers)
    assert r.status_code == 400

    r = await client.patch(url, json={"name": "renamed", "tools": [{"name": "only"}]}, headers=ann.headers)
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["name"] == "renamed" and [t["name"] for t in patched["tools"]] == ["only"]
    assert patched["configuration"] == agent["configuration"]  # absent fields stay

    r = await client.delete(url, headers=ann.headers)
    assert r.status_code == 204
    assert (await client.get(url, headers=ann.headers)).status_code == 404


# --- executions and dashboard ---------------------------------------------------------------------------------------


async def test_executions_start_get_history_transition(client: AsyncTestClient, ann: Caller) -> None:
    wf = await _workflow(client, ann)
    other = await _workflow(client, ann)
    ex = await _execution(client, ann, wf["id"])
    assert ex["status"] == "pending" and ex["input"] == {"q": 1}
    # the body is optional
    r = await client.post(f"{API}/workflows/{other['id']}/executions", headers=ann.headers)
    assert r.status_code == 201, r.text
    assert r.json()["input"] is None

    r = await client.get(f"{API}/executions/{ex['id']}", headers=ann.headers)
    assert r.status_code == 200
    assert r.json()["workflow_name"] == wf["name"] and r.json()["agent_executions"] == []

    url = f"{API}/executions/{ex['id']}/transition"
    r = await client.post(url, json={"to_status": "running"}, headers=ann.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "running"
    r = await client.post(url, json={"to_status": "completed", "output": {"answer": 42}}, headers=ann.headers)
    assert r.status_code == 200, r.text
    assert r.json()["output"] == {"answer": 42} and r.json()["completed_at"]

    # illegal: 409 with the current status
    r = await client.post(url, json={"to_status": "running"}, headers=ann.headers)
    assert r.status_code == 409, r.text
    assert r.json()["current_status"] == "completed"
    r = await client.post(url, json={"to_status": "exploded"}, headers=ann.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "to_status"

    r = await client.get(f"{API}/executions", headers=ann.headers)
    assert r.status_code == 200
    assert len(r.json()["items"]) == 2 and r.json()["next_cursor"] is None
    r = await client.get(f"{API}/executions", params={"status": "completed"}, headers=ann.headers)
    assert [e["id"] for e in r.json()["items"]] == [ex["id"]]
    r = await client.get(f"{API}/executions", params={"workflow_id": other["id"]}, headers=ann.headers)
    assert [e["workflow_id"] for e in r.json()["items"]] == [other["id"]]
    r = await client.get(f"{API}/executions", params={"workflow_id": wf["id"], "status": "pending"},
                         headers=ann.headers)
    assert r.json()["items"] == []
    r = await client.get(f"{API}/executions", params={"limit": 1}, headers=ann.headers)
    page = r.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    r = await client.get(f"{API}/executions", params={"limit": 1, "cursor": page["next_cursor"]},
                         headers=ann.headers)
    assert len(r.json()["items"]) == 1 and r.json()["items"][0]["id"] != page["items"][0]["id"]
    r = await client.get(f"{API}/executions", params={"status": "bogus"}, headers=ann.headers)
    assert r.status_code in (400, 422) and r.json()["field"] == "status"


async def test_dashboard_recent_activity(
    client: AsyncTestClient, ann: Caller, ben: Caller, executions: ExecutionRepository
) -> None:
    agent = await _agent(client, ann)
    for i in range(3):
        await executions.record_agent_execution(
            user_id=ann.id, agent_id=uuid.UUID(agent["id"]), session_id=uuid.uuid4(), prompt_tokens=i
        )
    r = await client.get(f"{API}/dashboard/recent-activity", params={"limit": 2}, headers=ann.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 2
    assert items[0]["agent"]["id"] == agent["id"] and items[0]["metrics"]["prompt_tokens"] in (0, 1, 2)
    r = await client.get(f"{API}/dashboard/recent-activity", headers=ben.headers)
    assert r.json()["items"] == []


# --- isolation ------------------------------------------------------------------------------------------------------


async def test_another_users_ids_answer_404_like_missing_ones(
    client: AsyncTestClient, ann: Caller, ben: Caller
) -> None:
    wf = await _workflow(client, ann)
    agent = await _agent(client, ann)
    ex = await _execution(client, ann, wf["id"])
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/workflows/{wf}", {}),
        ("PUT", "/workflows/{wf}", {"content": enc(chain(2)), "headers": {"If-Match": '"1"'}}),
        ("DELETE", "/workflows/{wf}", {}),
        ("POST", "/workflows/{wf}/executions", {"json": {"input": None}}),
        ("GET", "/agents/{agent}", {}),
        ("PATCH", "/agents/{agent}", {"json": {"name": "stolen"}}),
        ("DELETE", "/agents/{agent}", {}),
        ("GET", "/executions/{ex}", {}),
        ("POST", "/executions/{ex}/transition", {"json": {"to_status": "running"}}),
    ]
    missing = str(uuid.uuid4())
    for method, path, kwargs in requests:
        headers = {**ben.headers, **kwargs.pop("headers", {})}
        theirs = path.format(wf=wf["id"], agent=agent["id"], ex=ex["id"])
        nobody = path.format(wf=missing, agent=missing, ex=missing)
        r1 = await client.request(method, API + theirs, headers=headers, **kwargs)
        r2 = await client.request(method, API + nobody, headers=headers, **kwargs)
        assert r1.status_code == r2.status_code == 404, (method, path, r1.text, r2.text)
        assert r1.json().keys() == r2.json().keys()
    # ann's rows are untouched
    r = await client.get(f"{API}/workflows/{wf['id']}", headers=ann.headers)
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    r = await client.get(f"{API}/agents/{agent['id']}", headers=ann.headers)
    assert r.status_code == 200 and r.json()["name"] == agent["name"]
    r = await client.get(f"{API}/executions/{ex['id']}", headers=ann.headers)
    assert r.json()["status"] == "pending"
    # and lists never show them to ben
    for path in ("/workflows", "/agents", "/executions", "/dashboard/recent-activity"):
        r = await client.get(API + path, headers=ben.headers)
        assert r.status_code == 200 and r.json()["items"] == [], path


# --- request validation ---------------------------------------------------------------------------------------------


async def test_malformed_bodies(client: AsyncTestClient, ann: Caller) -> None:
    h = {**ann.headers, "Content-Type": "application/json"}
    cases = [
        (b"{bad", 400, "body"),
        (b"", 400, "body"),
        (b"[]", 422, "body"),
        (b'{"name": 3}', 422, "name"),
        (b'{"name": "x", "colour": "red"}', 422, "colour"),
        (b'{"name": "x", "nodes": [{"key": "a", "node_type": 5}]}', 422, "nodes[0].node_type"),
        (b'{"name": "x", "nodes": [{"key": "a", "node_type": "t", "extra": 1}]}', 422, "nodes[0].extra"),
        (b'{"name": ""}', 422, "name"),
    ]
    for body, status, field in cases:
        r = await client.post(f"{API}/workflows", content=body, headers=h)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == field, (body, r.text)
        assert field in r.json()["detail"]
    r = await client.patch(f"{API}/agents/{uuid.uuid4()}", json={"nme": "typo"}, headers=ann.headers)
    assert r.status_code == 422 and r.json()["field"] == "nme"
    r = await client.post(f"{API}/executions/{uuid.uuid4()}/transition", json={"to_status": 1},
                          headers=ann.headers)
    assert r.status_code == 422 and r.json()["field"] == "to_status"


async def test_limits_outside_1_to_200(client: AsyncTestClient, ann: Caller) -> None:
    for path in ("/workflows", "/agents", "/executions", "/dashboard/recent-activity"):
        for limit in (0, -1, 201, 10**9, "many"):
            r = await client.get(API + path, params={"limit": limit}, headers=ann.headers)
            assert r.status_code in (400, 422), (path, limit, r.text)
            assert r.json()["field"] == "limit"
        for limit in (1, 200):
            r = await client.get(API + path, params={"limit": limit}, headers=ann.headers)
            assert r.status_code == 200, (path, limit, r.text)


async def test_bad_cursor_and_search_json(client: AsyncTestClient, ann: Caller) -> None:
    for path in ("/workflows", "/agents", "/executions"):
        r = await client.get(API + path, params={"cursor": "not-a-cursor"}, headers=ann.headers)
        assert r.status_code in (400, 422) and r.json()["field"] == "cursor", r.text
    r = await client.get(f"{API}/workflows", params={"graph_contains": "{"}, headers=ann.headers)
    assert r.status_code == 400 and r.json()["field"] == "graph_contains"


async def test_body_size_is_capped(client: AsyncTestClient, ann: Caller) -> None:
    body = enc({"name": "x", "description": "d" * (2 * 1024 * 1024)})
    r = await client.post(f"{API}/workflows", content=body, headers=ann.headers)
    assert r.status_code == 413


async def test_unexpected_errors_answer_a_generic_500(
    client: AsyncTestClient, ann: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(*_: Any, **__: Any) -> None:
        raise RuntimeError("SELECT secret FROM internals")

    wf = await _workflow(client, ann)
    monkeypatch.setattr(WorkflowRepository, "get_json", boom)
    r = await client.get(f"{API}/workflows/{wf['id']}", headers=ann.headers)
    assert r.status_code == 500
    body = r.json()
    assert (body["status"], body["code"], body["type"], body["field"]) == (500, "internal", "/problems/internal", None)
    assert "SELECT" not in r.text and "Traceback" not in r.text
    assert "server-timing" in r.headers


async def test_openapi_schema_is_public(client: AsyncTestClient) -> None:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    for path in (
        "/api/agent-builder/workflows", "/api/agent-builder/workflows/{workflow_id}",
        "/api/agent-builder/workflows/{workflow_id}/executions", "/api/agent-builder/agents",
        "/api/agent-builder/agents/{agent_id}", "/api/agent-builder/executions",
        "/api/agent-builder/executions/{execution_id}", "/api/agent-builder/executions/{execution_id}/transition",
        "/api/agent-builder/dashboard/recent-activity", "/healthz", "/readyz",
    ):
        assert path in schema["paths"], path


async def test_app_opens_and_closes_its_own_pool(dsn: str, ann: Caller) -> None:
    from agentdb.config import Settings
    from api.app import create_app

    app = create_app(Settings(database_url=dsn, pool_min_size=1, pool_max_size=2))
    async with AsyncTestClient(app=app) as own:
        r = await own.get(f"{API}/workflows", headers=ann.headers)
        assert r.status_code == 200, r.text
        pool = app.state.db.pool
        assert not pool.closed
    assert pool.closed
