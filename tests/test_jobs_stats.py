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
