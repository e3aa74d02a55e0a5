"""The memory cleanup: exactly what each rule says and nothing else, bounded batches, dry runs,
never blocking readers or writers, one run at a time, and the caller-only endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from devtools import ROOT
from devtools import statement as tool_statement
from devtools.graphs import agent_with_tools
from jobs import memory_cleanup
from repositories import AgentRepository, Database
from repositories.database import run_sync
from repositories.jobs import JobRepository
from repositories.memories import MemoryInput, MemoryRepository, RetentionPolicy
from repositories.paging import params as page_params
from repositories.sql import statement
from tests.api_fixtures import API, Caller, ann, ben, client  # noqa: F401

POLICY = RetentionPolicy(idle_days=30, max_per_session=3)
LATER = datetime.now(UTC) + timedelta(days=365)


@dataclass
class Seeded:
    """One user's memories by what the policy must do with them."""

    expired: set[uuid.UUID] = field(default_factory=set)
    idle: set[uuid.UUID] = field(default_factory=set)
    over_limit: set[uuid.UUID] = field(default_factory=set)
    kept: set[uuid.UUID] = field(default_factory=set)
    session: tuple[uuid.UUID, uuid.UUID] | None = None  # (agent, session) of the over-limit session


@pytest.fixture
def memories(db: Database) -> MemoryRepository:
    return MemoryRepository(db)


@pytest.fixture
def jobs_db(jobs_pool: Any) -> Database:
    return Database(jobs_pool)


async def seed(memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any],
               user: uuid.UUID) -> Seeded:
    """Two agents: one on the defaults (idle 30 days, 3 a session), one overriding them (idle 5 days,
    no limit a session)."""
    plain = (await agents.create(user_id=user, agent=agent_with_tools(1, name="plain"))).id
    custom = (await agents.create(user_id=user, agent=agent_with_tools(
        1, name="custom", memory={"idle_days": 5, "max_per_session": 0}))).id
    s = Seeded()

    async def put(agent: uuid.UUID, session: uuid.UUID, n: int, *, expires: datetime | None = None,
                  idle_days: float | None = None) -> list[uuid.UUID]:
        ids = [m.id for m in await memories.write(user_id=user, agent_id=agent, session_id=session, memories=[
            MemoryInput(content=f"memory {i}", expires_at=expires) for i in range(n)])]
        if idle_days is not None:
            run_sync(owner, tool_statement("testing.age_memories")(ids=ids, days=idle_days))
        return ids

    busy, quiet, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    s.session = (plain, busy)
    past = datetime.now(UTC) - timedelta(seconds=1)
    s.expired |= set(await put(plain, busy, 2, expires=past))
    s.expired |= set(await put(plain, quiet, 1, expires=past - timedelta(days=1), idle_days=40))  # expired first
    s.idle |= set(await put(plain, busy, 2, idle_days=31))
    s.idle |= set(await put(plain, quiet, 1, idle_days=40, expires=LATER))
    # The busy session's survivors of the first two rules, oldest first: one read 29 days ago, then six
    # fresh ones; the three newest stay, the rest are over the limit.
    survivors = await put(plain, busy, 1, idle_days=29, expires=LATER) + await put(plain, busy, 6)
    s.over_limit |= set(survivors[:4])
    s.kept |= set(survivors[4:])
    s.kept |= set(await put(plain, quiet, 3))  # exactly at the limit
    s.idle |= set(await put(custom, other, 2, idle_days=6))  # this agent's own idle_days: 5
    s.kept |= set(await put(custom, other, 1, idle_days=4))
    s.kept |= set(await put(custom, other, 10))  # this agent has no per-session limit
    return s


def remaining(owner: psycopg.Connection[Any], user: uuid.UUID) -> set[uuid.UUID]:
    return {row[0] for row in run_sync(owner, tool_statement("testing.memories_of")(user_id=user))}


def counts(s: Seeded) -> tuple[int, int, int]:
    return len(s.expired), len(s.idle), len(s.over_limit)


async def test_cleanup_removes_exactly_what_each_rule_says(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], jobs_db: Database,
    alice: uuid.UUID, bob: uuid.UUID,
) -> None:
    mine, theirs = await seed(memories, agents, owner, alice), await seed(memories, agents, owner, bob)
    dry = await memory_cleanup.run(jobs_db, policy=POLICY, dry_run=True)
    assert (dry.expired, dry.idle, dry.over_limit) == tuple(a + b for a, b in zip(counts(mine), counts(theirs)))
    assert remaining(owner, alice) == mine.expired | mine.idle | mine.over_limit | mine.kept  # nothing deleted
    report = await memory_cleanup.run(jobs_db, policy=POLICY, batch=1000)
    assert (report.expired, report.idle, report.over_limit) == (dry.expired, dry.idle, dry.over_limit)
    assert report.users == 2 and not report.skipped and not report.dry_run
    assert remaining(owner, alice) == mine.kept and remaining(owner, bob) == theirs.kept
    again = await memory_cleanup.run(jobs_db, policy=POLICY)
    assert again.total == 0  # idempotent


async def test_batches_are_bounded_and_end_where_one_big_batch_ends(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], jobs_db: Database,
    alice: uuid.UUID,
) -> None:
    mine = await seed(memories, agents, owner, alice)
    repo = MemoryRepository(jobs_db)
    sizes = []
    while True:
        removed = await repo.cleanup_batch(user_id=alice, policy=POLICY, batch=1)
        sizes.append((removed.expired, removed.idle, removed.over_limit))
        if not removed.more:
            break
    assert all(max(size) <= 1 for size in sizes), sizes
    assert tuple(map(sum, zip(*sizes))) == counts(mine)
    assert len(sizes) >= max(counts(mine))
    assert remaining(owner, alice) == mine.kept
    # The job's own loop, with a small batch, gets the same end state.
    await seed(memories, agents, owner, alice)
    report = await memory_cleanup.run(jobs_db, policy=POLICY, batch=2)
    assert report.batches >= 3 and report.total == sum(counts(mine))


async def test_rules_switched_off_delete_nothing(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], jobs_db: Database,
    alice: uuid.UUID,
) -> None:
    mine = await seed(memories, agents, owner, alice)
    off = RetentionPolicy(idle_days=0, max_per_session=0)
    report = await memory_cleanup.run(jobs_db, policy=off)
    # Only what expired, and the custom agent's own idle rule (5 days), still apply.
    assert report.expired == len(mine.expired) and report.idle == 2 and report.over_limit == 0


async def test_a_concurrent_reader_or_writer_is_never_blocked(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], jobs_pool: Any,
    pool: Any, jobs_db: Database, settings: Any, alice: uuid.UUID, bob: uuid.UUID,
) -> None:
    """A cleanup batch holding its row locks (its transaction left open) does not make a session read
    wait, nor a write; and a read holding its rows does not make the cleanup wait: it skips them."""
    mine = await seed(memories, agents, owner, alice)
    assert mine.session is not None
    agent, session = mine.session
    batch = statement("memories.cleanup_batch")(user_id=alice, idle_days=POLICY.idle_days,
                                                max_per_session=POLICY.max_per_session, batch=1000, dry_run=False)
    limit = settings.lock_timeout_ms / 1000
    async with jobs_pool.connection() as conn, conn.transaction():
        await conn.execute(batch.statement.text, batch.params)  # deleted, locked, not committed
        started = time.perf_counter()
        page = await memories.recent(user_id=alice, agent_id=agent, session_id=session, limit=50)
        await memories.write(user_id=alice, agent_id=agent, session_id=session, memories=[MemoryInput(content="new")])
        assert time.perf_counter() - started < limit
        # The read saw the rows as of its snapshot, doomed ones included, and did not wait for them.
        assert mine.over_limit & {m.id for m in page.items}
    assert remaining(owner, alice) - {m.id for m in page.items if m.content == "new"} >= mine.kept

    # The other way round: a read's transaction holds the rows it touched; the cleanup skips them.
    fresh = await seed(memories, agents, owner, bob)
    assert fresh.session is not None
    agent, session = fresh.session
    read = statement("memories.recent")(user_id=bob, agent_id=agent, session_id=session, **page_params(50, None))
    async with pool.connection() as conn, conn.transaction():  # the app's role, as the API reads
        await conn.execute(statement("auth.act_as").text, {"user_id": bob})
        cur = await conn.execute(read.statement.text, read.params)  # touched (row-locked), not committed
        held = {row[2] for row in await cur.fetchall()}
        started = time.perf_counter()
        report = await memory_cleanup.cleanup_user(MemoryRepository(jobs_db), user_id=bob, policy=POLICY, batch=1000)
        assert time.perf_counter() - started < limit
        assert report.over_limit == 0 and report.expired == len(fresh.expired)  # the held rows were skipped
        assert held <= remaining(owner, bob)
    await memory_cleanup.cleanup_user(MemoryRepository(jobs_db), user_id=bob, policy=POLICY, batch=1000)
    # Reading the session made its idle rows recent again: now it keeps exactly its 3 newest.
    newest = sorted(fresh.kept & held)
    assert len(remaining(owner, bob) & held) == 3 and set(newest) <= remaining(owner, bob)


async def test_the_job_runs_once_at_a_time(jobs_db: Database, jobs_pool: Any) -> None:
    async with JobRepository(jobs_db).exclusive(memory_cleanup.NAME) as held:
        assert held
        report = await memory_cleanup.run(jobs_db, policy=POLICY)
        assert report.skipped
    assert not (await memory_cleanup.run(jobs_db, policy=POLICY)).skipped


async def test_the_endpoint_cleans_the_callers_memories_only(
    client: AsyncTestClient, ann: Caller, ben: Caller, owner: psycopg.Connection[Any], db: Database,
    settings: Any,
) -> None:
    agents, memories = AgentRepository(db), MemoryRepository(db)
    mine, theirs = await seed(memories, agents, owner, ann.id), await seed(memories, agents, owner, ben.id)
    policy = settings.jobs.retention  # the defaults: 90 idle days, 1000 a session
    r = await client.post(f"{API}/memory/cleanup", json={"dry_run": True}, headers=ann.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"expired": len(mine.expired), "idle": 2, "over_limit": 0, "total": len(mine.expired) + 2,
                        "dry_run": True, "complete": True}
    assert policy.idle_days == 90
    r = await client.post(f"{API}/memory/cleanup", headers=ann.headers)
    assert r.status_code == 200 and r.json()["total"] == len(mine.expired) + 2 and not r.json()["dry_run"]
    assert len(remaining(owner, ann.id)) == len(mine.kept | mine.idle | mine.over_limit) - 2
    assert remaining(owner, ben.id) == theirs.expired | theirs.idle | theirs.over_limit | theirs.kept
    r = await client.post(f"{API}/memory/cleanup", json={"dry_run": "yes"}, headers=ann.headers)
    assert r.status_code == 422


def test_the_command_prints_one_summary_line(dsn: str, db: Database) -> None:
    env = {**os.environ, "DATABASE_URL": dsn}
    for args in (["memory-cleanup", "--dry-run"], ["rollup", "--rebuild"], ["status"]):
        done = subprocess.run([sys.executable, "-m", "agentdb.cli", "jobs", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.strip().splitlines()
        assert lines, args
        if args[0] != "status":
            assert len(lines) == 1 and lines[0].startswith(args[0] + ":"), lines
