"""Security, generated from the app's OpenAPI document so that a new route is covered without
a change here, against a real server (`agentdb serve`, devtools.live_server) on the test database:

- the cross-user matrix: every operation with an id parameter, called with another user's token
  on a real resource, answers exactly what it answers for an id that does not exist (status and
  body, byte for byte; 404 for an operation on one resource), and no table changes (a checksum of
  every table, devtools/sql/testing/checksum_tables.sql);
- every API operation without a token, or with a malformed one, answers 401 with WWW-Authenticate;
- a revoked token, or a deleted user's, is refused on the very next request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import psycopg
import pytest

from devtools import statement
from devtools.graphs import chain
from devtools.live_server import API, LiveServer, live_server
from repositories import Database, UserRepository
from repositories.database import run_sync
from tests import conformance

# A valid body (and headers) per operation that takes one, so that the request reaches the
# database instead of being refused for its body. A new operation with a body fails the matrix
# until it is given one here.
BODIES: dict[str, tuple[Any, dict[str, str]]] = {
    "createWorkflow": (chain(2, name="mine"), {}),
    "createAgent": ({"name": "mine"}, {}),
    "cleanupMemories": ({"dry_run": True}, {}),
    "replaceWorkflow": (chain(2, name="stolen"), {"If-Match": '"1"'}),
    "updateAgent": ({"name": "stolen"}, {}),
    "startExecution": ({"input": {"x": 1}}, {}),
    "transitionExecution": ({"to_status": "running"}, {}),
    "writeMemories": ({"memories": [{"content": "stolen"}]}, {}),
    "appendEvents": ({"events": [{"type": "log", "payload": {"line": "stolen"}}]}, {}),
}
# Values of required parameters that are not ids.
PLAIN = {"q": "secret", "limit": "10"}
ID = re.compile(r"(^|_)id$")


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[LiveServer]:
    with live_server(dsn, {"AGENTDB_AUTH_FAILURES_PER_MINUTE": "100000"}) as live:
        yield live


@pytest.fixture
def http(server: LiveServer, db: Database) -> Iterator[httpx.Client]:
    """A client of the live server (on the emptied test database); every response is held to the
    OpenAPI document (tests/conformance.py)."""
    with httpx.Client(base_url=server.url, timeout=15,
                      event_hooks={"response": [lambda r: (r.read(), conformance.check(r))]}) as client:
        yield client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, operation) of every API operation of the document."""
    return [(method.upper(), path, op) for path, item in conformance.document()["paths"].items()
            for method, op in item.items() if path.startswith(API)]


def _ids(operation: dict[str, Any]) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p["in"] in ("path", "query") and ID.search(p["name"])]


def request_of(method: str, path: str, operation: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """The arguments of httpx's `request` for `operation` with the id parameters `ids`."""
    query, headers = {}, {}
    for parameter in operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            path = path.replace("{" + name + "}", ids[name])
        elif where == "query" and name in ids:
            query[name] = ids[name]
        elif where == "query" and parameter.get("required"):
            assert name in PLAIN, f"{method} {path}: give the required query parameter {name!r} a value in PLAIN"
            query[name] = PLAIN[name]
    kwargs: dict[str, Any] = {"method": method, "url": path, "params": query, "headers": headers}
    if "requestBody" in operation:
        assert operation["operationId"] in BODIES, f"{operation['operationId']}: give it a valid body in BODIES"
        body, extra = BODIES[operation["operationId"]]
        kwargs["content"] = msgspec.json.encode(body)
        headers.update({"Content-Type": "application/json", **extra})
    return kwargs


def checksums(owner: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Every table's row count and digest; the tables checked against the catalog first."""
    found = {name: (count, digest) for name, count, digest in run_sync(owner, statement("testing.checksum_tables")())}
    tables = {row[0] for row in run_sync(owner, statement("catalog.row_security")())}
    assert set(found) == tables, f"add to devtools/sql/testing/checksum_tables.sql: {sorted(tables - set(found))}"
    return found


async def _user(users: UserRepository, name: str) -> tuple[uuid.UUID, str]:
    created, token = await users.create(email=f"{name}-{uuid.uuid4().hex[:8]}@example.com")
    return created.id, token


async def test_another_users_ids_answer_exactly_like_missing_ones_and_change_nothing(
        http: httpx.Client, users: UserRepository, owner: psycopg.Connection[Any]) -> None:
    _, ann = await _user(users, "ann")
    _, ben = await _user(users, "ben")
    # ann's real resources, one of each kind an id names
    workflow = http.post(f"{API}/workflows", content=msgspec.json.encode(chain(3, name="ann's")), headers={
        **_auth(ann), "Content-Type": "application/json"}).json()
    agent = http.post(f"{API}/agents", json={"name": "ann's agent"}, headers=_auth(ann)).json()
    execution = http.post(f"{API}/workflows/{workflow['id']}/executions", json={}, headers=_auth(ann)).json()
    session = str(uuid.uuid4())
    r = http.post(f"{API}/agents/{agent['id']}/sessions/{session}/memories",
                  json={"memories": [{"content": "ann's secret"}]}, headers=_auth(ann))
    assert r.status_code == 201, r.text
    theirs = {"workflow_id": workflow["id"], "agent_id": agent["id"], "execution_id": execution["id"],
              "session_id": session}

    before = checksums(owner)
    assert before["workflows"][0] == before["agents"][0] == before["agent_memories"][0] == 1, before
    covered = []
    for method, path, operation in operations():
        names = _ids(operation)
        if not names:
            continue
        assert set(names) <= set(theirs), f"{method} {path}: an id parameter of an unknown kind {names}"
        missing = {name: str(uuid.uuid4()) for name in names}
        real = {name: theirs[name] for name in names}
        r_theirs = http.request(**_with_token(request_of(method, path, operation, real), ben))
        r_missing = http.request(**_with_token(request_of(method, path, operation, missing), ben))
        where = f"{method} {path}"
        assert r_theirs.status_code == r_missing.status_code, (where, r_theirs.text, r_missing.text)
        assert r_theirs.content == r_missing.content, (where, r_theirs.content, r_missing.content)
        for header in ("content-type", "etag", "location"):
            assert r_theirs.headers.get(header) == r_missing.headers.get(header), (where, header)
        assert r_theirs.status_code in (200, 404), (where, r_theirs.text)  # an empty list, or not found
        covered.append((where, r_theirs.status_code))
    assert checksums(owner) == before  # not a row changed, in any table
    # every kind of operation on one resource is in the matrix
    assert {w for w, status in covered if status == 404} >= {
        f"{m} {API}{p}" for m, p in [("GET", "/workflows/{workflow_id}"), ("PUT", "/workflows/{workflow_id}"),
                                    ("DELETE", "/workflows/{workflow_id}"), ("PATCH", "/agents/{agent_id}"),
                                    ("POST", "/executions/{execution_id}/transition")]}, covered
    # ann still has everything, as it was
    assert http.get(f"{API}/workflows/{workflow['id']}", headers=_auth(ann)).headers["etag"] == '"1"'


def _with_token(kwargs: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        kwargs["headers"] = {**kwargs["headers"], **_auth(token)}
    return kwargs


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer agdb_not-a-token", "Basic dXNlcjpwYXNz"])
def test_every_operation_needs_a_token(http: httpx.Client, authorization: str | None) -> None:
    operations_seen = 0
    for method, path, operation in operations():
        kwargs = request_of(method, path, operation, {name: str(uuid.uuid4()) for name in _ids(operation)})
        if authorization is not None:
            kwargs["headers"]["Authorization"] = authorization
        r = http.request(**kwargs)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer") and r.json()["code"] == "unauthenticated"
        operations_seen += 1
    assert operations_seen >= 20


async def test_a_revoked_token_or_a_deleted_users_is_refused_on_the_very_next_request(
        http: httpx.Client, users: UserRepository, owner: psycopg.Connection[Any]) -> None:
    ann_id, ann = await _user(users, "ann")
    ben_id, ben = await _user(users, "ben")
    for user_id, token, cut in ((ann_id, ann, "revoke"), (ben_id, ben, "delete")):
        assert http.get(f"{API}/workflows", headers=_auth(token)).status_code == 200  # the connection stays open
        if cut == "revoke":
            await users.revoke_token(user_id=user_id, token=token)
        else:
            run_sync(owner, statement("testing.delete_user")(user_id=user_id))
        for r in (http.get(f"{API}/workflows", headers=_auth(token)),
                  http.post(f"{API}/agents", json={"name": "after"}, headers=_auth(token))):
            assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer"), (cut, r.text)
            assert r.json()["code"] == "unauthenticated" and "fkey" not in r.text
    assert checksums(owner)["agents"][0] == 0  # nothing was written after the cut
