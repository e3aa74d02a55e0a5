"""Reads on hot standbys, writes on the primary, read-your-writes (issue 15, item 1).

A scratch primary and a standby made by `pg_basebackup -R` (devtools.clusters), on free
ports, destroyed afterwards; skipped with a reason where the server binaries are absent.
Which server ran which statement is read from each server's pg_stat_statements.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from psycopg_pool import AsyncConnectionPool

from agentdb import config, migrate
from agentdb.pool import open_pool, open_read_pool
from api.app import create_app
from devtools import clusters, statement, wire
from devtools.clusters import Cluster, Standby
from repositories import AgentRepository, Database, UserRepository
from repositories.agents import AgentInput, AgentPatch
from repositories.database import ReadReplicas, connect, run_sync
from repositories.sql import PRODUCT
from tests.api_fixtures import API

pytestmark = pytest.mark.skipif(not clusters.binaries_available(), reason=clusters.binaries_available().reason)

# The primary commits synchronously (as in production): the scratch default, off, would hold
# WAL back from the standby for up to wal_writer_delay and send nearly every read to the primary.
PRIMARY = {"synchronous_commit": "on", "shared_preload_libraries": "pg_stat_statements"}
PAIRS = int(os.environ.get('REPLICA_PAIRS', '300'))
WRITES = {s.name for s in PRODUCT if not s.read_only}


@pytest.fixture(autouse=True, scope="module")
def nothing_left_behind() -> Iterator[None]:
    """Fail the module if it leaves a cluster or standby undestroyed."""
    assert clusters.live() == []
    yield
    assert clusters.live() == [], "a test did not destroy what it started"


def multi_host(*servers: Cluster, attrs: str) -> str:
    """A libpq key=value DSN naming several servers, tried in order, with target_session_attrs."""
    hosts = ",".join("127.0.0.1" for _ in servers)
    ports = ",".join(str(s.port) for s in servers)
    return f"host={hosts} port={ports} user=postgres dbname=postgres target_session_attrs={attrs} connect_timeout=2"


@contextmanager
def replicated() -> Iterator[tuple[Cluster, Standby]]:
    """A migrated primary and its standby, caught up; both destroyed on exit."""
    with Cluster(PRIMARY, name="primary") as primary:
        migrate.apply(primary.dsn())
        with connect(primary.dsn()) as owner:
            run_sync(owner, statement("replicas.create_pg_stat_statements")())
        with clusters.standby_of(primary) as standby:
            standby.wait_for_replay()
            yield primary, standby


def calls_on(server: Cluster) -> dict[str, int]:
    """How many times each named statement ran on `server` (pg_stat_statements)."""
    with connect(server.dsn()) as conn:
        return {name: calls for name, calls in run_sync(conn, statement("replicas.statement_calls")()) if name}


def settings() -> config.Settings:
    return config.Settings(database_url="unused", pool_timeout_s=0.5, deadline_s=4.0)


@dataclass
class Routed:
    """A Database on the primary pool with a read pool: what the app runs on."""

    db: Database
    pool: AsyncConnectionPool[Any]
    read_pool: AsyncConnectionPool[Any]

    @property
    def replicas(self) -> ReadReplicas:
        assert self.db.replicas is not None
        return self.db.replicas


@asynccontextmanager
async def routed(write_dsn: str, read_dsn: str, **read_kwargs: Any) -> AsyncIterator[Routed]:
    pool = await open_pool(write_dsn, settings(), min_size=1, max_size=4, on_connect=wire.attach)
    read_pool = await open_read_pool(read_dsn, settings(), min_size=1, max_size=4, on_connect=wire.attach,
                                     **read_kwargs)
    await read_pool.wait(timeout=10)
    try:
        yield Routed(Database(pool, deadline_s=4.0, replicas=ReadReplicas(read_pool)), pool, read_pool)
    finally:
        await read_pool.close()
        await pool.close()


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Cluster, Standby]]:
    with replicated() as servers:
        yield servers


@pytest.fixture
async def app_db(pair: tuple[Cluster, Standby]) -> AsyncIterator[Routed]:
    primary, standby = pair
    async with routed(primary.dsn(), multi_host(standby, primary, attrs="prefer-standby")) as r:
        yield r


async def _agent(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    user, _ = await UserRepository(db).create(email=f"r-{uuid.uuid4().hex[:8]}@example.com")
    agent = await AgentRepository(db).create(user_id=user.id, agent=AgentInput(name="a0"))
    return user.id, agent.id


async def test_writes_go_to_the_primary_and_reads_to_the_standby(
    pair: tuple[Cluster, Standby], app_db: Routed
) -> None:
    primary, standby = pair
    agents = AgentRepository(app_db.db)
    user_id, agent_id = await _agent(app_db.db)
    for i in range(20):
        await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name=f"a{i}"))
        standby.wait_for_replay()  # caught up: the guard lets the standby answer
        assert (await agents.get(user_id=user_id, agent_id=agent_id)).name == f"a{i}"
    on_standby, on_primary = calls_on(standby), calls_on(primary)
    assert on_standby.get("agents.get_with_tools", 0) >= 20, on_standby  # every read, once caught up
    assert on_standby.get("replicas.check_replayed", 0) >= 20, on_standby
    assert not WRITES & on_standby.keys(), f"writes ran on the standby: {WRITES & on_standby.keys()}"
    assert on_primary.get("agents.update", 0) >= 20 and on_primary.get("replicas.wal_position", 0) >= 20
    assert app_db.replicas.standby_reads >= 20


async def test_a_guarded_read_and_a_write_with_its_position_are_one_exchange_each(app_db: Routed) -> None:
    agents = AgentRepository(app_db.db)
    user_id, agent_id = await _agent(app_db.db)
    await agents.get(user_id=user_id, agent_id=agent_id)  # prepared on a connection of each pool
    with wire.round_trips() as rt:
        await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name="b"))
    # The write's Sync, then the WAL position and its own Sync: one network exchange.
    assert rt.exchanges == 1 and rt.statements[-1] == "replicas.wal_position", rt
    answered = app_db.replicas.standby_reads
    with wire.round_trips() as rt:
        await agents.get(user_id=user_id, agent_id=agent_id)
    # Guarded on the standby: one exchange; behind (AB503): a second one, on the primary.
    on_standby = app_db.replicas.standby_reads > answered
    assert rt.statements[0] == "replicas.check_replayed" and rt.exchanges == (1 if on_standby else 2), rt


async def test_read_your_writes_over_hundreds_of_write_then_read_pairs(app_db: Routed) -> None:
    agents = AgentRepository(app_db.db)
    user_id, agent_id = await _agent(app_db.db)
    before = (app_db.replicas.standby_reads, app_db.replicas.primary_reads)
    stale = []
    for i in range(PAIRS):
        await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name=f"n{i}"))
        got = (await agents.get(user_id=user_id, agent_id=agent_id)).name
        if got != f"n{i}":
            stale.append((i, got))
    assert stale == []
    standby, primary = (app_db.replicas.standby_reads - before[0], app_db.replicas.primary_reads - before[1])
    assert standby + primary == PAIRS
    print(f"\n{PAIRS} write-then-read pairs: {standby} reads on the standby, {primary} sent on to the primary")


async def test_read_your_writes_across_processes_through_the_agentdb_lsn_header(
    pair: tuple[Cluster, Standby]
) -> None:
    """Two apps (two processes' worth of state, each opening its pools from its settings): writes
    through one, reads through the other, which knows of the write only through the header."""
    primary, standby = pair
    app_settings = config.Settings(database_url=primary.dsn(), pool_min_size=1, pool_max_size=4,
                                   read_database_url=multi_host(standby, primary, attrs="prefer-standby"))
    async with routed(primary.dsn(), primary.dsn()) as setup:
        user, token = await UserRepository(setup.db).create(email=f"h-{uuid.uuid4().hex[:8]}@example.com")
    standby.wait_for_replay()  # the token exists on the standby (else a read falls back on AB401)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    app_a, app_b = create_app(app_settings), create_app(app_settings)
    async with AsyncTestClient(app=app_a) as writer, AsyncTestClient(app=app_b) as reader:
        created = await writer.post(f"{API}/agents", json={"name": "h"}, headers=auth)
        assert created.status_code == 201, created.text
        agent = created.json()["id"]
        stale = []
        for i in range(PAIRS):
            wrote = await writer.patch(f"{API}/agents/{agent}", json={"name": f"h{i}"}, headers=auth)
            assert wrote.status_code == 200 and "agentdb-lsn" in wrote.headers, wrote.headers
            read = await reader.get(f"{API}/agents/{agent}",
                                    headers={**auth, "AgentDB-LSN": wrote.headers["agentdb-lsn"]})
            assert read.status_code == 200
            if read.json()["name"] != f"h{i}":
                stale.append(i)
            assert read.headers["agentdb-lsn"] == wrote.headers["agentdb-lsn"]  # carried on
        assert stale == []
        replicas = app_b.state.db.replicas
        assert replicas.standby_reads + replicas.primary_reads == PAIRS + 1 and replicas.standby_reads > 0  # + the cursor key
        print(f"\nHTTP, {PAIRS} pairs: {replicas.standby_reads} reads on the standby, "
              f"{replicas.primary_reads} sent on to the primary")
        malformed = await reader.get(f"{API}/agents/{agent}", headers={**auth, "AgentDB-LSN": "nonsense"})
        assert malformed.status_code == 200  # a hint, not an input: ignored


async def test_the_standby_stopping_costs_no_failed_read_and_its_return_is_used() -> None:
    with replicated() as (primary, standby):
        async with routed(primary.dsn(), multi_host(standby, primary, attrs="prefer-standby"),
                          max_lifetime=1.0) as r:
            agents = AgentRepository(r.db)
            user_id, agent_id = await _agent(r.db)
            standby.wait_for_replay()
            failed, done = [], 0

            async def read_until(stop: asyncio.Event) -> None:
                nonlocal done
                while not stop.is_set():
                    try:
                        assert (await agents.get(user_id=user_id, agent_id=agent_id)).name == "a0"
                        done += 1
                    except Exception as exc:  # noqa: BLE001 - counted, then asserted empty
                        failed.append(repr(exc))

            stop = asyncio.Event()
            readers = [asyncio.create_task(read_until(stop)) for _ in range(3)]
            await asyncio.sleep(0.3)
            await asyncio.to_thread(standby.stop, "immediate")
            after_stop = done
            deadline = time.monotonic() + 10
            while done < after_stop + 200 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*readers)
            assert failed == [] and done >= after_stop + 200, (failed[:3], done, after_stop)

            await asyncio.to_thread(standby.start)
            standby.wait_for_replay()
            before = r.replicas.standby_reads
            deadline = time.monotonic() + 15  # connections live 1 s here: new ones prefer the standby
            while r.replicas.standby_reads == before and time.monotonic() < deadline:
                await agents.get(user_id=user_id, agent_id=agent_id)
                await asyncio.sleep(0.05)
            assert r.replicas.standby_reads > before, "reads never returned to the standby"
            with connect(standby.dsn()) as conn:
                assert run_sync(conn, statement("replicas.in_recovery")()) == [(True,)]


async def test_promoting_the_standby_moves_writes_to_it_without_a_restart() -> None:
    with replicated() as (primary, standby):
        write_dsn = multi_host(primary, standby, attrs="read-write")
        async with routed(write_dsn, multi_host(standby, primary, attrs="prefer-standby")) as r:
            agents = AgentRepository(r.db)
            user_id, agent_id = await _agent(r.db)
            await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name="before"))
            standby.wait_for_replay()
            await asyncio.to_thread(primary.stop, "fast")
            await asyncio.to_thread(standby.promote)
            deadline, wrote = time.monotonic() + 20, None
            while wrote is None and time.monotonic() < deadline:
                try:
                    wrote = await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name="after"))
                except Exception:  # noqa: BLE001 - Unavailable until the pool reaches the new primary
                    await asyncio.sleep(0.1)
            assert wrote is not None and wrote.name == "after", "writes never reached the promoted standby"
            for i in range(20):  # and stay there
                await agents.update(user_id=user_id, agent_id=agent_id, patch=AgentPatch(name=f"p{i}"))
                assert (await agents.get(user_id=user_id, agent_id=agent_id)).name == f"p{i}"
            with connect(standby.dsn()) as conn:
                assert run_sync(conn, statement("replicas.in_recovery")()) == [(False,)]
            assert calls_on(standby).get("agents.update", 0) >= 21
