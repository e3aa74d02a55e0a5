"""Bearer tokens over HTTP: checked by each request's own first statement, so refusal is immediate."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from litestar.testing import AsyncTestClient

from devtools import statement
from devtools.wire import round_trips
from repositories import UserRepository
from repositories.database import run_sync
from repositories.tokens import new_token
from tests.api_fixtures import API, Caller, ann, ben, client  # noqa: F401

URL = f"{API}/workflows"


def _assert_401(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["code"] == "unauthenticated" and r.headers["content-type"] == "application/problem+json"


async def test_missing_and_malformed_authorization(client: AsyncTestClient, ann: Caller) -> None:
    for headers in ({}, {"Authorization": ann.token}, {"Authorization": f"Basic {ann.token}"},
                    {"Authorization": "Bearer "}, {"Authorization": "Bearer agdb_not-a-real-token"},
                    {"Authorization": f"Bearer {ann.token}x"}, {"Authorization": f"Bearer {ann.token[:-1]}"}):
        with round_trips() as wire:
            _assert_401(await client.get(URL, headers=headers))
        assert wire.round_trips == 0, (headers, wire)  # refused by its shape, the database never asked
    assert (await client.get(URL, headers=ann.headers)).status_code == 200


async def test_every_route_needs_a_token(client: AsyncTestClient) -> None:
    some = uuid.uuid4()
    for method, path in [
        ("GET", "/workflows"), ("POST", "/workflows"), ("GET", f"/workflows/{some}"), ("PUT", f"/workflows/{some}"),
        ("DELETE", f"/workflows/{some}"), ("POST", f"/workflows/{some}/executions"), ("GET", "/agents"),
        ("POST", "/agents"), ("GET", f"/agents/{some}"), ("PATCH", f"/agents/{some}"), ("DELETE", f"/agents/{some}"),
        ("GET", "/executions"), ("GET", f"/executions/{some}"), ("POST", f"/executions/{some}/transition"),
        ("GET", "/dashboard/recent-activity"),
    ]:
        _assert_401(await client.request(method, API + path))


async def test_well_formed_tokens_the_database_does_not_know(client: AsyncTestClient, ann: Caller) -> None:
    made_up = new_token(ann.id)  # right shape, right user, never issued
    other_users_claim = "agdb_" + uuid.uuid4().hex + ann.token[37:]  # ann's secret, another user's id
    for token in (made_up, other_users_claim):
        with round_trips() as wire:
            _assert_401(await client.get(URL, headers={"Authorization": f"Bearer {token}"}))
        assert wire.round_trips == 1, wire  # checked in the request's own round trip


async def test_expired_token(client: AsyncTestClient, users: UserRepository, ann: Caller) -> None:
    expired = await users.issue_token(user_id=ann.id, name="old", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    _assert_401(await client.get(URL, headers={"Authorization": f"Bearer {expired}"}))
    fresh = await users.issue_token(user_id=ann.id, name="new", expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert (await client.get(URL, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_revocation_is_immediate(client: AsyncTestClient, users: UserRepository, ann: Caller) -> None:
    assert (await client.get(URL, headers=ann.headers)).status_code == 200
    await users.revoke_token(user_id=ann.id, token=ann.token)
    _assert_401(await client.get(URL, headers=ann.headers))
    _assert_401(await client.post(URL, json={"name": "after revocation"}, headers=ann.headers))


async def test_a_deleted_users_token_is_refused_at_once(
    client: AsyncTestClient, ann: Caller, ben: Caller, owner: psycopg.Connection
) -> None:
    assert (await client.get(URL, headers=ben.headers)).status_code == 200
    run_sync(owner, statement("testing.delete_user")(user_id=ben.id))
    for r in (await client.get(URL, headers=ben.headers),
              await client.post(URL, json={"name": "ghost"}, headers=ben.headers)):
        _assert_401(r)
        assert "workflows_user_id_fkey" not in r.text  # no constraint name leaks
    assert (await client.get(URL, headers=ann.headers)).status_code == 200
