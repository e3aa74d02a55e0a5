"""Bearer tokens: 401s, and the in-process cache of token lookups."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient

from agentdb.config import Settings
from api.app import create_app
from api.auth import TokenCache
from repositories import UserRepository
from repositories.users import TokenOwner, hash_token
from tests.api_fixtures import API, Caller, ann, client  # noqa: F401

URL = f"{API}/workflows"


def _assert_401(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]


async def test_missing_and_malformed_authorization(client: AsyncTestClient, ann: Caller) -> None:
    _assert_401(await client.get(URL))
    _assert_401(await client.get(URL, headers={"Authorization": ann.token}))  # no scheme
    _assert_401(await client.get(URL, headers={"Authorization": f"Basic {ann.token}"}))
    _assert_401(await client.get(URL, headers={"Authorization": "Bearer "}))
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


async def test_unknown_token(client: AsyncTestClient) -> None:
    _assert_401(await client.get(URL, headers={"Authorization": "Bearer agdb_not-a-real-token"}))


async def test_expired_token(client: AsyncTestClient, users: UserRepository, ann: Caller) -> None:
    expired = await users.issue_token(user_id=ann.id, name="old", expires_at=datetime.now(UTC) - timedelta(minutes=1))
    _assert_401(await client.get(URL, headers={"Authorization": f"Bearer {expired}"}))
    fresh = await users.issue_token(user_id=ann.id, name="new", expires_at=datetime.now(UTC) + timedelta(hours=1))
    assert (await client.get(URL, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_revoked_token(client: AsyncTestClient, settings: Settings, pool: object, users: UserRepository,
                             ann: Caller) -> None:
    """Revocation is immediate for a process that has not seen the token recently.

    A process that authenticated the token within the last token_cache_ttl_s
    seconds keeps accepting it until its cache entry ends (30 s by default);
    with token_cache_ttl_s=0 revocation is immediate everywhere.
    """
    assert (await client.get(URL, headers=ann.headers)).status_code == 200  # now cached by `client`'s app
    await users.revoke_token(user_id=ann.id, token=ann.token)
    assert (await client.get(URL, headers=ann.headers)).status_code == 200  # the documented cache window

    async with AsyncTestClient(app=create_app(settings, pool=pool)) as fresh:  # type: ignore[arg-type]
        _assert_401(await fresh.get(URL, headers=ann.headers))

    uncached = msgspec_replace(settings, token_cache_ttl_s=0.0)
    token = await users.issue_token(user_id=ann.id, name="second")
    async with AsyncTestClient(app=create_app(uncached, pool=pool)) as no_cache:  # type: ignore[arg-type]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await no_cache.get(URL, headers=headers)).status_code == 200
        await users.revoke_token(user_id=ann.id, token=token)
        _assert_401(await no_cache.get(URL, headers=headers))


def msgspec_replace(settings: Settings, **changes: object) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, **changes)


def test_cache_never_outlives_the_token() -> None:
    cache = TokenCache(ttl_s=30.0)
    user = uuid.uuid4()
    cache.put(b"live", TokenOwner(user, None))
    cache.put(b"soon", TokenOwner(user, datetime.now(UTC) + timedelta(hours=1)))
    cache.put(b"gone", TokenOwner(user, datetime.now(UTC) - timedelta(seconds=1)))
    assert cache.get(b"live") == user and cache.get(b"soon") == user
    assert cache.get(b"gone") is None
    assert cache.get(hash_token("never seen")) is None

    disabled = TokenCache(ttl_s=0.0)
    disabled.put(b"live", TokenOwner(user, None))
    assert disabled.get(b"live") is None

    small = TokenCache(ttl_s=30.0, max_entries=2)
    for key in (b"a", b"b", b"c"):
        small.put(key, TokenOwner(user, None))
    assert small.get(b"c") == user and small.get(b"a") is None
