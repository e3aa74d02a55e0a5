"""Whatever a client sends, a 4xx naming what is wrong, never a 500, and nothing written."""

from __future__ import annotations

import json
import typing
import uuid
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from agentdb.config import Settings
from api.app import create_app
from devtools.graphs import chain
from repositories import WorkflowRepository
from tests.api_fixtures import API, Caller, ann, client  # noqa: F401

WF = f"{API}/workflows"


def _problem(r: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json", r.headers
    body = r.json()
    assert body["status"] == status and body["code"] == code and body["type"] == f"/problems/{code}", body
    if field is not None:
        assert body["field"] == field, body
    return body


async def _nothing_written(workflows: WorkflowRepository, user_id: uuid.UUID) -> None:
    assert (await workflows.list(user_id=user_id)).items == []


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "a\u0000b"}, "name"),
    ({"name": "ok", "description": "\u0000"}, "description"),
    ({"name": "ok", "nodes": [{"key": "a", "node_type": "t", "name": "x\u0000"}]}, "nodes[0].name"),
    ({"name": "ok", "nodes": [{"key": "a\u0000", "node_type": "t"}]}, "nodes[0].key"),
])
async def test_nul_in_text_is_refused_naming_the_field(
    client: AsyncTestClient, ann: Caller, workflows: WorkflowRepository, body: dict[str, Any], field: str
) -> None:
    _problem(await client.post(WF, content=msgspec.json.encode(body), headers=ann.headers), 422,
             "validation-failed", field)
    await _nothing_written(workflows, ann.id)


async def test_nul_in_a_transition_error_and_in_json_values(client: AsyncTestClient, ann: Caller) -> None:
    wf = (await client.post(WF, content=msgspec.json.encode(chain(2)), headers=ann.headers)).json()
    ex = (await client.post(f"{WF}/{wf['id']}/executions", headers=ann.headers)).json()
    r = await client.post(f"{API}/executions/{ex['id']}/transition", headers=ann.headers,
                          content=msgspec.json.encode({"to_status": "cancelled", "error": "bad\u0000"}))
    _problem(r, 422, "validation-failed", "error")
    r = await client.post(WF, headers=ann.headers,
                          content=msgspec.json.encode({"name": "x", "graph_definition": {"k": "v\u0000"}}))
    _problem(r, 422, "validation-failed")
    assert len((await client.get(WF, headers=ann.headers)).json()["items"]) == 1


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
async def test_deep_json_is_refused(client: AsyncTestClient, ann: Caller, workflows: WorkflowRepository,
                                    depth: int) -> None:
    nested = b'{"name": "x", "graph_definition": {"a": ' + b"[" * depth + b"]" * depth + b"}}"
    _problem(await client.post(WF, content=nested, headers=ann.headers), 400, "invalid-json", "body")
    await _nothing_written(workflows, ann.id)


@pytest.mark.parametrize("depth", [65, 1_300])  # 1,300: as deep as fits in a request line (URL-encoded)
async def test_deep_json_in_a_query_parameter_is_refused(client: AsyncTestClient, ann: Caller, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    r = await client.get(f"{WF}?graph_contains=" + '{"a":' + deep + "}", headers=ann.headers)
    _problem(r, 400, "invalid-json", "graph_contains")


async def test_json_nested_64_deep_is_fine(client: AsyncTestClient, ann: Caller) -> None:
    value: Any = 1
    for _ in range(62):
        value = {"a": value}
    r = await client.post(WF, content=msgspec.json.encode({"name": "deep", "graph_definition": value}),
                          headers=ann.headers)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("body", [b'{"name": "\xff"}', b'\xff{"name": "x"}', b'{"name": "\\ud800"}'])
async def test_bodies_that_are_not_utf8_json(client: AsyncTestClient, ann: Caller, workflows: WorkflowRepository,
                                             body: bytes) -> None:
    problem = _problem(await client.post(WF, content=body, headers=ann.headers), 400, "invalid-json", "body")
    assert "truncated" not in problem["detail"]
    await _nothing_written(workflows, ann.id)


@pytest.mark.parametrize("content_type", ["application/xml", "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
async def test_only_json_bodies(client: AsyncTestClient, ann: Caller, workflows: WorkflowRepository,
                                content_type: str | None) -> None:
    headers = {"Authorization": ann.headers["Authorization"]}
    if content_type:
        headers["Content-Type"] = content_type
    r = await client.post(WF, content=json.dumps({"name": "sneaky"}).encode(), headers=headers)
    _problem(r, 415, "unsupported-media-type", "Content-Type")
    await _nothing_written(workflows, ann.id)


@pytest.mark.parametrize("limit", ["1e2", "2.0", "0x10", " 7", "-1", "0", "201", "99999999999999999999999", ""])
async def test_limits_are_whole_numbers_in_range(client: AsyncTestClient, ann: Caller, limit: str) -> None:
    for path in ("/workflows", "/agents", "/executions", "/dashboard/recent-activity"):
        r = await client.get(f"{API}{path}?limit={limit}", headers=ann.headers)
        _problem(r, 400, "invalid-parameter", "limit")


@pytest.mark.parametrize("if_match", ['"1_0"', "1_0", "١".encode(), "1.0", "+1", '"0"', "abc"])
async def test_if_match_is_a_plain_version(client: AsyncTestClient, ann: Caller, if_match: str | bytes) -> None:
    wf = (await client.post(WF, content=msgspec.json.encode(chain(2)), headers=ann.headers)).json()
    r = await client.put(f"{WF}/{wf['id']}", content=msgspec.json.encode(chain(3)),
                         headers={**ann.headers, "If-Match": if_match})
    _problem(r, 400, "invalid-parameter", "If-Match")
    assert (await client.get(f"{WF}/{wf['id']}", headers=ann.headers)).json()["version"] == 1


async def test_cursors_are_signed_for_their_list_and_filters(client: AsyncTestClient, ann: Caller) -> None:
    for i in range(3):
        await client.post(WF, content=msgspec.json.encode(chain(1, name=f"w{i}", kind="k")), headers=ann.headers)
    cursor = (await client.get(WF, params={"limit": 1}, headers=ann.headers)).json()["next_cursor"]
    assert cursor and (await client.get(WF, params={"limit": 1, "cursor": cursor}, headers=ann.headers)).status_code == 200
    payload, mac = cursor.split(".")
    tampered = [payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac,
                payload + "." + mac[:-1] + ("A" if mac[-1] != "A" else "B"), "not-a-cursor", cursor + "x", "."]
    for bad in tampered:
        _problem(await client.get(WF, params={"cursor": bad}, headers=ann.headers), 400, "invalid-parameter", "cursor")
    # made by another list, or by the same list with other filters
    _problem(await client.get(f"{API}/agents", params={"cursor": cursor}, headers=ann.headers), 400,
             "invalid-parameter", "cursor")
    _problem(await client.get(f"{API}/executions", params={"cursor": cursor}, headers=ann.headers), 400,
             "invalid-parameter", "cursor")
    r = await client.get(WF, params={"cursor": cursor, "graph_contains": '{"kind": "k"}'}, headers=ann.headers)
    _problem(r, 400, "invalid-parameter", "cursor")


async def test_options_lists_every_method_of_the_path(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.options(f"{WF}/{uuid.uuid4()}", headers=ann.headers)
    assert r.status_code == 204
    assert set(r.headers["allow"].split(", ")) == {"DELETE", "GET", "OPTIONS", "PUT"}
    r = await client.options(WF, headers=ann.headers)
    assert set(r.headers["allow"].split(", ")) == {"GET", "OPTIONS", "POST"}


async def test_a_very_long_request_line_is_414(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.get(WF, params={"graph_contains": "x" * 9_000}, headers=ann.headers)
    _problem(r, 414, "uri-too-long")


async def test_unknown_routes_and_methods_answer_problems(client: AsyncTestClient, ann: Caller) -> None:
    _problem(await client.get(f"{API}/nothing-here", headers=ann.headers), 404, "not-found")
    _problem(await client.get(f"{WF}/not-a-uuid", headers=ann.headers), 404, "not-found")
    r = await client.patch(WF, json={}, headers=ann.headers)
    _problem(r, 405, "method-not-allowed")
    assert "GET" in r.headers["allow"]
    _problem(await client.post(WF, content=b"x" * (2 * 1024 * 1024), headers=ann.headers), 413,
             "payload-too-large")


# --- found by the schema fuzzer (tests/test_fuzz.py) ------------------------------------------------------------------


@pytest.mark.parametrize("memories", [{}, 3, "x", None])
async def test_a_body_field_named_like_a_dependency_is_a_422_not_a_500(
        client: AsyncTestClient, ann: Caller, memories: Any) -> None:
    """`{"memories": {}}` answered 500: the handler had a dependency named `memories` too, and
    Litestar counts a validation error whose key is a dependency's name as the server's fault."""
    path = f"{API}/agents/{uuid.uuid4()}/sessions/{uuid.uuid4()}/memories"
    r = await client.post(path, content=msgspec.json.encode({"memories": memories}), headers=ann.headers)
    _problem(r, 422, "validation-failed", "memories")


def test_no_handler_has_a_dependency_named_like_a_field_of_its_body() -> None:
    """The cause of the 500 above, for every route: a dependency's name is never a body field's."""
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_data_field
            if data is None:
                continue
            bodies = [t for t in typing.get_args(data.annotation) or (data.annotation,) if t is not type(None)]
            fields = {f.encode_name for body in bodies for f in msgspec.structs.fields(body)}
            clash = fields & set(handler.resolve_dependencies())
            assert not clash, f"{handler.handler_name}: dependencies named like body fields: {sorted(clash)}"
            checked += 1
    assert checked >= 8
