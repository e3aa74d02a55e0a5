"""Round trips per request on the wire, Server-Timing, and 503 when the pool is exhausted."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from psycopg_pool import PoolTimeout

from agentdb.config import Settings
from agentdb.pool import open_pool
from devtools.clusters import free_port
from devtools.wire import round_trips
from api.app import create_app
from repositories import AgentRepository, ExecutionRepository, WorkflowRepository
from tests.api_fixtures import API, Caller, ann, client  # noqa: F401
from devtools.graphs import agent_with_tools, chain

_TIMING = re.compile(r'^db;dur=(?P<ms>[0-9.]+);desc="(?P<n>\d+) queries"$')


def _timing(response) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    match = _TIMING.match(response.headers["server-timing"])
    assert match, response.headers["server-timing"]
    return float(match.group("ms")), int(match.group("n"))


async def _seed(workflows: WorkflowRepository, agents: AgentRepository, executions: ExecutionRepository,
                user_id: uuid.UUID) -> uuid.UUID:
    agent = await agents.create(user_id=user_id, agent=agent_with_tools(3))
    # 200 nodes: a document of tens of kB, which the server starts streaming before it
    # has finished; still one round trip (the wire meter counts ReadyForQuery).
    wf = await workflows.create(user_id=user_id, workflow=chain(200, agent_ids=[agent.id]))
    for _ in range(5):
        ex = await executions.start(user_id=user_id, workflow_id=wf.id)
        await executions.record_agent_execution(
            user_id=user_id, agent_id=agent.id, session_id=uuid.uuid4(), workflow_execution_id=ex.id
        )
    return wf.id


async def test_reads_are_one_round_trip_token_check_included(
    client: AsyncTestClient, ann: Caller, workflows: WorkflowRepository, agents: AgentRepository,
    executions: ExecutionRepository,
) -> None:
    wf_id = await _seed(workflows, agents, executions, ann.id)
    reads = [
        (f"{API}/workflows/{wf_id}", "workflows.get_with_graph"),
        (f"{API}/dashboard/recent-activity?limit=50", "executions.recent_agent_activity"),
        (f"{API}/executions?limit=50", "executions.history"),
        (f"{API}/executions?limit=2&status=pending&workflow_id={wf_id}", "executions.history_by_workflow_status"),
    ]
    for url, statement in reads:  # every request, its first included: the token is checked in the same pipeline
        with round_trips() as wire:
            r = await client.get(url, headers=ann.headers)
        assert r.status_code == 200, r.text
        assert wire.round_trips == 1, (url, wire)
        assert wire.statements == ["auth.authenticate", statement], wire
        ms, n = _timing(r)
        assert n == wire.round_trips and ms > 0, (url, r.headers["server-timing"])
    assert len(r.json()["items"]) == 2


async def test_writes_are_one_round_trip_and_metered(client: AsyncTestClient, ann: Caller) -> None:
    with round_trips() as wire:
        r = await client.post(f"{API}/workflows", content=msgspec.json.encode(chain(8)), headers=ann.headers)
    assert r.status_code == 201
    assert wire.round_trips == 1 and _timing(r)[1] == 1, wire
    with round_trips() as wire:
        r = await client.put(f"{API}/workflows/{r.json()['id']}", content=msgspec.json.encode(chain(5)),
                             headers={**ann.headers, "If-Match": '"1"'})
    assert r.status_code == 200
    assert wire.round_trips == 1 and _timing(r)[1] == 1, wire


async def test_server_timing_on_errors_and_unauthenticated_requests(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.get(f"{API}/workflows")
    assert r.status_code == 401 and _timing(r)[1] == 0
    with round_trips() as wire:
        r = await client.get(f"{API}/workflows/{uuid.uuid4()}", headers=ann.headers)
    assert r.status_code == 404
    assert _timing(r)[1] == wire.round_trips == 1
    r = await client.get(f"{API}/workflows", params={"limit": 0}, headers=ann.headers)
    assert r.status_code == 400 and _timing(r)[1] == 0  # refused before any query
    r = await client.get("/schema/openapi.json")
    assert "server-timing" in r.headers


async def test_exhausted_pool_answers_503_fast(dsn: str, ann: Caller) -> None:
    settings = Settings(database_url=dsn, pool_timeout_s=0.2)
    small = await open_pool(dsn, settings, min_size=1, max_size=1)
    try:
        async with AsyncTestClient(app=create_app(settings, pool=small)) as client:
            r = await client.get(f"{API}/workflows", headers=ann.headers)
            assert r.status_code == 200
            async with small.connection():  # the only connection is taken
                for url in (f"{API}/workflows", f"{API}/dashboard/recent-activity"):
                    started = time.perf_counter()
                    r = await client.get(url, headers=ann.headers)
                    elapsed = time.perf_counter() - started
                    assert r.status_code == 503, r.text
                    assert r.headers["retry-after"] == "1"
                    assert elapsed < 2.0, elapsed
                    assert "server-timing" in r.headers
            r = await client.get(f"{API}/workflows", headers=ann.headers)  # and it recovers
            assert r.status_code == 200
    finally:
        await small.close()


async def test_a_busy_pool_queues_the_request_an_unreachable_database_fails_it_fast(dsn: str) -> None:
    """All connections busy: a request waits up to AGENTDB_POOL_TIMEOUT (a burst queues). No server
    to connect to: it waits at most UNREACHABLE_WAIT_S, however long the pool timeout."""
    busy = await open_pool(dsn, Settings(database_url=dsn, pool_timeout_s=2.0), min_size=1, max_size=1)
    try:
        async with busy.connection():
            started = time.perf_counter()
            with pytest.raises(PoolTimeout):
                async with busy.connection():
                    pass
            assert time.perf_counter() - started >= 1.9  # waited the whole pool timeout, not the 1 s
    finally:
        await busy.close()
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    gone = await open_pool(dead, Settings(database_url=dead, pool_timeout_s=30.0), min_size=1, max_size=1, wait=False)
    try:
        for _ in range(100):  # its first connection attempt has failed (refused at once)
            if gone.unreachable_since is not None:
                break
            await asyncio.sleep(0.05)
        started = time.perf_counter()
        with pytest.raises(PoolTimeout):
            async with gone.connection():
                pass
        assert time.perf_counter() - started < 2.5 < gone.timeout
    finally:
        await gone.close()
