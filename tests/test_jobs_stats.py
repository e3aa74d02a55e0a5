"""Statistics roll-ups and the dashboard: marks written by the database, buckets recomputed whole,
the dashboard exact at any moment (roll-ups + live raw rows), idempotent runs, crashes halfway."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from devtools import statement as tool_statement
from devtools.graphs import agent_with_tools, chain
from devtools.wire import round_trips
from jobs import stats_rollup
from repositories import AgentRepository, Database, ExecutionRepository, NotFound, WorkflowRepository
from repositories.database import run_sync
from repositories.stats import StatsRepository
from tests import stats_oracle
from tests.stats_oracle import Execution

DAY0 = date(2026, 3, 1)
UNTIL = DAY0 + timedelta(days=4)
DAYS = 5


def _at(day: int, seconds: float) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, tzinfo=UTC) + timedelta(days=day, seconds=seconds)


def insert(owner: psycopg.Connection[Any], executions: list[Execution]) -> None:
    flows = [e.row() for e in executions if e.kind == "w"]
    agents = [e.row() for e in executions if e.kind == "a"]
    if flows:
        run_sync(owner, tool_statement("testing.insert_workflow_executions")(rows=Jsonb(flows)))
    if agents:
        run_sync(owner, tool_statement("testing.insert_agent_executions")(rows=Jsonb(agents)))


def finish(owner: psycopg.Connection[Any], executions: list[Execution]) -> None:
    rows = lambda kind: Jsonb([{"id": e.id, "status": e.status, "completed_at": e.completed_at,  # noqa: E731
                                "latency_ms": e.latency, "cost_usd": str(e.cost)} for e in executions if e.kind == kind])
    run_sync(owner, tool_statement("testing.finish_executions")(workflow_rows=rows("w"), agent_rows=rows("a")))


def delete(owner: psycopg.Connection[Any], executions: list[Execution]) -> None:
    run_sync(owner, tool_statement("testing.delete_executions")(
        workflow_ids=[e.id for e in executions if e.kind == "w"], agent_ids=[e.id for e in executions if e.kind == "a"]))


def stored(owner: psycopg.Connection[Any]) -> dict[str, Any]:
    return msgspec.json.decode(run_sync(owner, tool_statement("testing.stats_rows")())[0][0])


def rolled_rows(owner: psycopg.Connection[Any]) -> dict[tuple[str, uuid.UUID, uuid.UUID, date], dict[str, Any]]:
    """The roll-up tables in the oracle's shape."""
    doc = stored(owner)
    out = {}
    for r in doc["agents"]:
        out[("a", uuid.UUID(r["user_id"]), uuid.UUID(r["agent_id"]), date.fromisoformat(r["bucket_date"]))] = {
            "pending": r["pending_count"], "running": r["running_count"], "completed": r["completed_count"],
            "failed": r["failed_count"], "cancelled": r["cancelled_count"],
            "executions": sum(r[f"{s}_count"] for s in stats_oracle.STATUSES),
            "prompt_tokens": r["prompt_tokens_sum"], "completion_tokens": r["completion_tokens_sum"],
            "total_tokens": r["prompt_tokens_sum"] + r["completion_tokens_sum"], "cost_usd": float(r["cost_usd_sum"]),
            "latency_ms_sum": r["latency_ms_sum"], "latency_ms_max": r["latency_ms_max"]}
    for r in doc["workflows"]:
        out[("w", uuid.UUID(r["user_id"]), uuid.UUID(r["workflow_id"]), date.fromisoformat(r["bucket_date"]))] = {
            "pending": r["pending_count"], "running": r["running_count"], "completed": r["completed_count"],
            "failed": r["failed_count"], "cancelled": r["cancelled_count"],
            "executions": sum(r[f"{s}_count"] for s in stats_oracle.STATUSES),
            "duration_ms_sum": r["duration_ms_sum"], "duration_ms_max": r["duration_ms_max"]}
    return out


class World:
    """Two users, each with two agents and two workflows."""

    def __init__(self, users: dict[uuid.UUID, tuple[list[uuid.UUID], list[uuid.UUID]]]) -> None:
        self.users = users


@pytest.fixture
async def world(db: Database, agents: AgentRepository, workflows: WorkflowRepository, alice: uuid.UUID,
                bob: uuid.UUID) -> World:
    users = {}
    for user in (alice, bob):
        a = [(await agents.create(user_id=user, agent=agent_with_tools(1, name=f"a{i}"))).id for i in range(2)]
        w = [(await workflows.create(user_id=user, workflow=chain(1, name=f"w{i}"))).id for i in range(2)]
        users[user] = (a, w)
    return World(users)


async def assert_exact(stats: StatsRepository, world: World, executions: list[Execution]) -> None:
    """The dashboard of every user, unfiltered and per agent and workflow, equals the oracle."""
    for user, (agent_ids, workflow_ids) in world.users.items():
        for agent_id, workflow_id in [(None, None), (agent_ids[0], None), (None, workflow_ids[1]),
                                      (agent_ids[1], workflow_ids[0])]:
            got = await stats.dashboard(user_id=user, days=DAYS, until=UNTIL, agent_id=agent_id, workflow_id=workflow_id)
            want = stats_oracle.expected(executions, user, DAY0, UNTIL, agent_id, workflow_id)
            assert stats_oracle.actual(got) == want, (user, agent_id, workflow_id)


def _random_executions(rng: random.Random, world: World, n: int) -> list[Execution]:
    out = []
    for _ in range(n):
        user = rng.choice(list(world.users))
        agent_ids, workflow_ids = world.users[user]
        kind = rng.choice("aw")
        # Times near midnight too: a bucket's edges are where an off-by-one would show.
        seconds = rng.choice([0, 0.000001, 86399.999999, rng.uniform(0, 86400)])
        started = _at(rng.randrange(DAYS), seconds)
        status = rng.choice(stats_oracle.STATUSES)
        completed = None if status in ("pending", "running") else started + timedelta(
            milliseconds=rng.choice([0, 0.5, 1.4999, rng.uniform(0, 3 * 86400_000)]))
        out.append(Execution(
            kind=kind, user_id=user, subject=rng.choice(agent_ids if kind == "a" else workflow_ids), status=status,
            started_at=started, completed_at=completed, prompt=rng.randrange(5000), completion=rng.randrange(2000),
            latency=rng.randrange(10_000), cost=Decimal(rng.randrange(10**7)) / 10**6))
    return out


def _late_finish(rng: random.Random, executions: list[Execution]) -> list[Execution]:
    """Some in-flight executions finish, possibly days after they started."""
    changed = []
    for e in executions:
        if e.status in ("pending", "running") and rng.random() < 0.6:
            e.status = rng.choice(("completed", "failed", "cancelled", "running"))
            e.completed_at = None if e.status == "running" else e.started_at + timedelta(days=rng.randrange(3), seconds=1)
            e.latency, e.cost = rng.randrange(10_000), Decimal(rng.randrange(10**6)) / 10**6
            changed.append(e)
    return changed


class Halfway(Exception):
    """Stops a roll-up run after some batches, as a crash between two transactions would."""


async def _rollup(jobs_db: Database, *, batch: int = 2000, stop_after: int | None = None) -> None:
    done = 0

    def after_batch(_: Any) -> None:
        nonlocal done
        done += 1
        if stop_after is not None and done >= stop_after:
            raise Halfway

    try:
        report = await stats_rollup.run(jobs_db, batch=batch, after_batch=after_batch)
        assert not report.skipped
    except Halfway:
        pass


@pytest.fixture
def jobs_db(jobs_pool: Any) -> Database:
    return Database(jobs_pool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 40), batch=st.sampled_from([1, 2, 3, 1000]),
       stop_after=st.integers(1, 6))
async def test_rollups_plus_live_rows_equal_the_raw_aggregates(
    db: Database, owner: psycopg.Connection[Any], world: World, jobs_db: Database,
    seed: int, n: int, batch: int, stop_after: int,
) -> None:
    """For random executions over days and statuses: exact before any roll-up, after a run killed
    halfway, after one full run, after two, after late finishers and deletions, and the roll-up rows
    themselves equal the raw aggregates once every mark is consumed."""
    run_sync(owner, tool_statement("testing.truncate_executions")())
    rng = random.Random(seed)
    stats = StatsRepository(db)
    executions = _random_executions(rng, world, n)
    insert(owner, executions)
    await assert_exact(stats, world, executions)  # nothing rolled up: all live

    await _rollup(jobs_db, batch=batch, stop_after=stop_after)  # killed halfway
    await assert_exact(stats, world, executions)

    await _rollup(jobs_db, batch=batch)  # re-run to the end
    await assert_exact(stats, world, executions)
    assert rolled_rows(owner) == stats_oracle.buckets(executions)

    await _rollup(jobs_db, batch=batch)  # a second run changes nothing
    assert rolled_rows(owner) == stats_oracle.buckets(executions)

    finish(owner, _late_finish(rng, executions))  # late finishers mark their old buckets
    gone = rng.sample(executions, k=len(executions) // 5)
    delete(owner, gone)
    executions = [e for e in executions if e not in gone]
    await assert_exact(stats, world, executions)
    await _rollup(jobs_db, batch=batch, stop_after=1)
    await assert_exact(stats, world, executions)
    await _rollup(jobs_db, batch=batch)
    await assert_exact(stats, world, executions)
    assert rolled_rows(owner) == stats_oracle.buckets(executions)
    doc = stored(owner)
    assert doc["agent_marks"] == doc["workflow_marks"] == 0


async def test_users_with_marks_walks_both_sides_in_id_order(
    owner: psycopg.Connection[Any], world: World, jobs_db: Database, alice: uuid.UUID, bob: uuid.UUID,
) -> None:
    """The roll-up's walk over users finds a user marked on one side only, each user once, in id
    order, `limit` at a time."""
    run_sync(owner, tool_statement("testing.truncate_executions")())
    stats = StatsRepository(jobs_db)
    assert await stats.users_with_marks() == []
    first, second = sorted((alice, bob))
    agent_ids, _ = world.users[first]
    _, workflow_ids = world.users[second]
    insert(owner, [Execution(kind="a", user_id=first, subject=agent_ids[0], status="running", started_at=_at(0, 1)),
                   Execution(kind="w", user_id=second, subject=workflow_ids[0], status="running", started_at=_at(1, 1))])
    assert await stats.users_with_marks() == [first, second]
    assert await stats.users_with_marks(limit=1) == [first]
    assert await stats.users_with_marks(after=first, limit=1) == [second]
    assert await stats.users_with_marks(after=second) == []
    insert(owner, [Execution(kind="w", user_id=first, subject=world.users[first][1][0], status="running",
                             started_at=_at(2, 1))])
    assert await stats.users_with_marks() == [first, second]


async def test_writes_through_the_app_mark_and_the_dashboard_is_one_exact_round_trip(
    db: Database, executions: ExecutionRepository, world: World, jobs_db: Database, owner: psycopg.Connection[Any],
    alice: uuid.UUID, bob: uuid.UUID,
) -> None:
    """The repositories' own writes (the app's role, row-level security on) mark their buckets; the
    dashboard counts them before and after the roll-up alike, in one round trip."""
    agent_ids, workflow_ids = world.users[alice]
    started = await executions.start(user_id=alice, workflow_id=workflow_ids[0])
    await executions.transition(user_id=alice, execution_id=started.id, to_status="running")
    await executions.record_agent_execution(user_id=alice, agent_id=agent_ids[0], session_id=uuid.uuid4(),
                                            prompt_tokens=10, completion_tokens=5, latency_ms=70, cost_usd=0.25)
    stats = StatsRepository(db)
    with round_trips() as rt:
        live = await stats.dashboard(user_id=alice, days=1)
    assert rt.round_trips == 1 and rt.statements == ["auth.act_as", "stats.dashboard"], rt
    assert live.live_buckets.agents == 1 and live.live_buckets.workflows == 1
    assert (live.workflows.total.running, live.agents.total.completed, live.agents.total.total_tokens) == (1, 1, 15)
    assert (await stats.dashboard(user_id=bob, days=1)).agents.total.executions == 0
    await stats_rollup.run(jobs_db)
    rolled = await stats.dashboard(user_id=alice, days=1)
    assert rolled.live_buckets == type(rolled.live_buckets)(0, 0)
    assert rolled.agents == live.agents and rolled.workflows == live.workflows
    await executions.transition(user_id=alice, execution_id=started.id, to_status="completed")  # finishes later
    after = await stats.dashboard(user_id=alice, days=1)
    assert after.live_buckets.workflows == 1 and after.workflows.total.completed == 1 and after.workflows.total.running == 0
    with pytest.raises(NotFound):
        await stats.dashboard(user_id=alice, agent_id=world.users[bob][0][0])
    with pytest.raises(NotFound):
        await stats.dashboard(user_id=alice, workflow_id=world.users[bob][1][0])


async def test_a_rollup_killed_halfway_then_run_again_gives_the_same_totals(
    dsn: str, db: Database, owner: psycopg.Connection[Any], world: World, jobs_db: Database,
) -> None:
    """A real `agentdb jobs rollup` process, SIGKILLed in the middle of its batches (one mark each),
    leaves the dashboard exact, and a second run completes the roll-ups."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from devtools import ROOT

    rng = random.Random(7)
    executions = []
    for e in _random_executions(rng, world, 1500):
        e.started_at -= timedelta(days=rng.randrange(400))  # many buckets: many batches
        if e.completed_at is not None:
            e.completed_at = e.started_at + timedelta(seconds=3)
        executions.append(e)
    insert(owner, executions)
    stats = StatsRepository(db)
    env = {**os.environ, "DATABASE_URL": dsn, "AGENTDB_ROLLUP_BATCH": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "agentdb.cli", "jobs", "rollup"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Kill it once it has rolled some buckets and has many left: watched, not timed, so a slow or
    # fast machine does not change what is tested.
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        doc = stored(owner)
        if doc["agents"] and doc["agent_marks"] + doc["workflow_marks"] > 100:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.kill()
    _, err = proc.communicate(timeout=30)
    doc = stored(owner)
    assert doc["agents"] and doc["agent_marks"] + doc["workflow_marks"], (
        f"the roll-up was not caught halfway (exit {proc.returncode}): {err.decode()[-500:]}")
    since = UNTIL - timedelta(days=405)
    for user in world.users:
        got = await stats.dashboard(user_id=user, days=406, until=UNTIL)
        assert stats_oracle.actual(got) == stats_oracle.expected(executions, user, since, UNTIL)
    report = await stats_rollup.run(jobs_db, batch=50)
    assert report.marks > 0
    assert rolled_rows(owner) == stats_oracle.buckets(executions)


async def test_the_dashboard_reads_rollups_and_marked_buckets_off_indexes(big_dsn: str, settings: Any) -> None:
    """On generated data (TEST scale, 100k executions) rolled up, the heavy user's year of statistics
    reads no executions at all; with some buckets marked, only theirs, by index."""
    from agentdb.pool import JOBS_ROLE, open_pool
    from devtools.explain import explain, walk
    from devtools.heavy_user import heavy_user
    from repositories.database import connect

    pool = await open_pool(big_dsn, settings, role=JOBS_ROLE, min_size=1, max_size=3)
    try:
        jobs = StatsRepository(Database(pool, deadline_s=120))
        with connect(big_dsn) as conn:
            user = heavy_user(conn, "TEST")
            await jobs.mark_user_buckets(user_id=user.id)  # generated rows skipped the triggers
            await stats_rollup.rollup_user(jobs, user_id=user.id, batch=5000)
            call = lambda: statement_call(user.id)  # noqa: E731
            nodes = list(walk(explain(conn, call(), analyze=True)))
            read = {n.get("Relation Name") for n in nodes if n.get("Actual Loops", 0) > 0}
            assert not read & {"agent_executions", "workflow_executions", "agent_execution_metrics"}, read
            assert all(n["Node Type"] != "Seq Scan" for n in nodes if n.get("Relation Name")), nodes
            run_sync(conn, StatsRepository_mark(user.id))
            nodes = list(walk(explain(conn, call(), analyze=True)))
            raw = [n for n in nodes if n.get("Relation Name") in ("agent_executions", "workflow_executions")
                   and n.get("Actual Loops", 0) > 0]
            assert raw and all(n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan") for n in raw), raw
    finally:
        await pool.close()


def statement_call(user_id: uuid.UUID) -> Any:
    from repositories.sql import statement

    return statement("stats.dashboard")(user_id=user_id, days=365, until=date(2026, 6, 1), agent_id=None,
                                        workflow_id=None)


def StatsRepository_mark(user_id: uuid.UUID) -> Any:  # noqa: N802
    from repositories.sql import statement

    return statement("stats.mark_user_buckets")(user_id=user_id)


async def test_a_rebuild_marks_every_bucket_and_recomputes_the_same_rows(
    db: Database, owner: psycopg.Connection[Any], world: World, jobs_db: Database,
) -> None:
    executions = _random_executions(random.Random(3), world, 30)
    insert(owner, executions)
    stats = StatsRepository(jobs_db)
    backlog = await stats.backlog()
    assert backlog.agent_marks + backlog.workflow_marks > 0 and backlog.oldest_mark_at is not None
    await stats_rollup.run(jobs_db)
    assert (await stats.backlog()).agent_marks == 0
    rebuilt = await stats_rollup.run(jobs_db, rebuild=True)
    assert rebuilt.marked == len(stats_oracle.buckets(executions)) and rebuilt.written == 0  # nothing changed
    assert rolled_rows(owner) == stats_oracle.buckets(executions)
