"""HTTP conventions: conditional reads, minimal writes, Location, compression, caching, CORS, rate limits."""

from __future__ import annotations

import uuid

import msgspec
from litestar.testing import AsyncTestClient

from agentdb.config import Settings
from api.app import create_app
from devtools.graphs import agent_with_tools, chain
from devtools.wire import round_trips
from tests.api_fixtures import API, Caller, ann, client  # noqa: F401

WF = f"{API}/workflows"


async def _workflow(client: AsyncTestClient, caller: Caller, n: int = 3) -> dict:  # type: ignore[type-arg]
    r = await client.post(WF, content=msgspec.json.encode(chain(n)), headers=caller.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_if_none_match_answers_304_without_building_the_document(client: AsyncTestClient, ann: Caller) -> None:
    wf = await _workflow(client, ann, 50)
    url = f"{WF}/{wf['id']}"
    with round_trips() as wire:
        r = await client.get(url, headers={**ann.headers, "If-None-Match": '"1"'})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == '"1"'
    assert wire.round_trips == 1
    r = await client.put(url, content=msgspec.json.encode(chain(2)), headers={**ann.headers, "If-Match": '"1"'})
    r = await client.get(url, headers={**ann.headers, "If-None-Match": '"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"' and len(r.json()["nodes"]) == 2
    r = await client.get(url, headers={**ann.headers, "If-None-Match": "*"})  # no version named: no condition
    assert r.status_code == 200


async def test_creates_say_where_and_prefer_minimal_sends_no_body(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.post(WF, content=msgspec.json.encode(chain(3)), headers=ann.headers)
    assert r.status_code == 201 and r.headers["location"] == f"{WF}/{r.json()['id']}"
    assert (await client.get(r.headers["location"], headers=ann.headers)).status_code == 200
    minimal = {**ann.headers, "Prefer": "return=minimal"}
    r = await client.post(WF, content=msgspec.json.encode(chain(3)), headers=minimal)
    assert r.status_code == 201 and r.content == b"" and r.headers["preference-applied"] == "return=minimal"
    assert r.headers["location"].startswith(f"{WF}/") and r.headers["etag"] == '"1"'
    r = await client.put(r.headers["location"], content=msgspec.json.encode(chain(4)),
                         headers={**minimal, "If-Match": '"1"'})
    assert r.status_code == 204 and r.headers["etag"] == '"2"'
    r = await client.post(f"{API}/agents", content=msgspec.json.encode(agent_with_tools(2)), headers=ann.headers)
    assert r.status_code == 201 and r.headers["location"] == f"{API}/agents/{r.json()['id']}"
    r = await client.post(f"{WF}/{(await _workflow(client, ann))['id']}/executions", headers=ann.headers)
    assert r.status_code == 201 and r.headers["location"] == f"{API}/executions/{r.json()['id']}"


async def test_large_answers_are_compressed(client: AsyncTestClient, ann: Caller) -> None:
    wf = await _workflow(client, ann, 200)
    plain = await client.get(f"{WF}/{wf['id']}", headers={**ann.headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 20_000
    for encoding in ("br", "gzip"):
        r = await client.get(f"{WF}/{wf['id']}", headers={**ann.headers, "Accept-Encoding": encoding})
        assert r.headers["content-encoding"] == encoding
        assert r.json() == plain.json()  # httpx decodes both
        assert int(r.headers["content-length"]) < len(plain.content) / 4, (encoding, r.headers["content-length"])
    small = await client.get(f"{API}/agents", headers={**ann.headers, "Accept-Encoding": "br"})
    assert "content-encoding" not in small.headers  # under 1 KB: not worth it


async def test_per_user_answers_are_private(client: AsyncTestClient, ann: Caller) -> None:
    for r in (await client.get(WF, headers=ann.headers), await client.get(f"{WF}/{uuid.uuid4()}", headers=ann.headers)):
        assert r.headers["cache-control"] == "private, no-cache"
        assert "Authorization" in r.headers["vary"]
    assert "private" not in (await client.get("/healthz")).headers.get("cache-control", "")


async def test_cors_is_off_unless_configured(settings: Settings, pool: object, ann: Caller) -> None:
    preflight = {"Origin": "https://ui.example", "Access-Control-Request-Method": "PUT",
                 "Access-Control-Request-Headers": "authorization,if-match"}
    async with AsyncTestClient(app=create_app(settings, pool=pool)) as off:  # type: ignore[arg-type]
        r = await off.options(WF, headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    on = msgspec.structs.replace(settings, cors_origins=("https://ui.example",))
    async with AsyncTestClient(app=create_app(on, pool=pool)) as client:  # type: ignore[arg-type]
        r = await client.options(WF, headers=preflight)
        assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "https://ui.example"
        r = await client.get(WF, headers={**ann.headers, "Origin": "https://ui.example"})
        assert r.headers["access-control-allow-origin"] == "https://ui.example" and "etag" in \
            r.headers["access-control-expose-headers"].lower()
        r = await client.options(WF, headers={**preflight, "Origin": "https://evil.example"})
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"


async def test_failed_authentications_are_rate_limited_per_client(settings: Settings, pool: object, ann: Caller) -> None:
    limited = msgspec.structs.replace(settings, auth_failures_per_minute=5)
    async with AsyncTestClient(app=create_app(limited, pool=pool)) as client:  # type: ignore[arg-type]
        made_up = {"Authorization": f"Bearer agdb_{uuid.uuid4().hex}_{'x' * 43}"}
        for _ in range(5):
            assert (await client.get(WF, headers=made_up)).status_code == 401
        with round_trips() as wire:
            r = await client.get(WF, headers=made_up)
        assert r.status_code == 429 and r.json()["code"] == "too-many-requests" and int(r.headers["retry-after"]) >= 1
        assert wire.round_trips == 0  # refused without asking the database
        assert (await client.get(WF, headers=ann.headers)).status_code == 429  # the client, not the token
