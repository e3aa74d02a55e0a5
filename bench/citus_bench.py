"""`python -m bench citus`: single-shard latency of the three seed reads on Citus vs plain PostgreSQL 15.

Both run on this machine, started here: a scratch PostgreSQL 15 cluster, and a Citus coordinator with
two workers (devtools.clusters; the same settings, fsync off). The same data goes into each through
the repositories (`--users` users, each with a workflow of `--nodes` nodes, `--executions` workflow
executions and as many agent executions); then, for one user, each read runs `--iterations` times
through the repositories (the app role, row-level security on, one round trip each) after a warm-up:
  workflow with graph    WorkflowRepository.get        (workflows.get_with_graph)
  history first page     ExecutionRepository.history   (executions.history, 50 rows)
  recent activity        ExecutionRepository.recent_agent_activity (the dashboard's, 50 rows)
Reported: median and p95 in microseconds, client-observed. Needs ../shared/citus (root).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from agentdb import config, migrate
from agentdb.pool import open_pool
from devtools import clusters
from devtools.graphs import chain
from devtools.testdb import scratch_database
from repositories import AgentRepository, Database, ExecutionRepository, UserRepository, WorkflowRepository
from repositories.agents import AgentInput


async def _load(db: Database, users: int, nodes: int, executions: int) -> dict[str, Any]:
    """Identical data through the repositories; the last user's ids."""
    ids: dict[str, Any] = {}
    for i in range(users):
        user, _ = await UserRepository(db).create(email=f"bench{i}-{uuid.uuid4().hex[:6]}@example.com")
        agent = await AgentRepository(db).create(user_id=user.id, agent=AgentInput(name="bench agent"))
        workflow = await WorkflowRepository(db).create(user_id=user.id, workflow=chain(nodes))
        runs = ExecutionRepository(db)
        for _ in range(executions):
            started = await runs.start(user_id=user.id, workflow_id=workflow.id)
            await runs.record_agent_execution(user_id=user.id, agent_id=agent.id, session_id=uuid.uuid4(),
                                              workflow_execution_id=started.id)
        ids = {"user_id": user.id, "workflow_id": workflow.id}
    return ids


async def _time(read: Callable[[], Awaitable[Any]], iterations: int) -> dict[str, float]:
    for _ in range(max(10, iterations // 10)):
        await read()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        await read()
        samples.append((time.perf_counter_ns() - started) / 1000)
    samples.sort()
    return {"median_us": statistics.median(samples), "p95_us": samples[int(len(samples) * 0.95) - 1]}


async def _measure(server_dsn: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    with scratch_database(server_dsn, prefix="agentdb_bench_citus") as dsn:
        migrate.apply(dsn)
        pool = await open_pool(dsn, config.Settings(database_url=dsn), min_size=1, max_size=2)
        try:
            db = Database(pool)
            ids = await _load(db, args.users, args.nodes, args.executions)
            user_id, workflow_id = ids["user_id"], ids["workflow_id"]
            workflows, runs = WorkflowRepository(db), ExecutionRepository(db)
            return {
                "workflow with graph": await _time(lambda: workflows.get_json(user_id=user_id, workflow_id=workflow_id),
                                                   args.iterations),
                "history first page": await _time(lambda: runs.history_json(user_id=user_id), args.iterations),
                "recent activity": await _time(lambda: runs.recent_agent_activity_json(user_id=user_id),
                                               args.iterations),
            }
        finally:
            await pool.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench citus", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--executions", type=int, default=60)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--shards", type=int, default=32, help="citus.shard_count (Citus's default: 32)")
    args = parser.parse_args(argv)
    if not (available := clusters.citus_available()):
        print(f"bench citus: {available.reason}", file=sys.stderr)
        return 1
    results: dict[str, dict[str, dict[str, float]]] = {}
    with clusters.Cluster(name="bench-pg") as plain:
        results["PostgreSQL 15"] = asyncio.run(_measure(plain.dsn(), args))
    with clusters.CitusCluster(workers=2, settings={"citus.shard_count": args.shards}) as cluster:
        results["Citus 13.2 (2 workers)"] = asyncio.run(_measure(cluster.dsn(), args))
    print(f"{args.users} users x ({args.nodes}-node workflow, {args.executions} executions), "
          f"{args.iterations} iterations after warm-up, {args.shards} shards; median / p95 in microseconds")
    print(f"{'read':22} " + " ".join(f"{name:>28}" for name in results))
    for read in next(iter(results.values())):
        print(f"{read:22} " + " ".join(f"{r[read]['median_us']:>13.0f} / {r[read]['p95_us']:>10.0f}"
                                       for r in results.values()))
    return 0
