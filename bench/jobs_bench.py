"""Jobs at scale: the dashboard from roll-ups vs from raw rows, the cleanup's rows per second,
what the statistics triggers cost a write, and an incremental roll-up.

`python -m bench jobs --scale M [--dsn DSN]`: on a database loaded by devtools.datagen
(a scratch one unless --dsn names one already loaded and migrated). Its roll-ups must be
built first (datagen skips triggers): `agentdb jobs rollup --rebuild` or `--rebuild` here.
Timings are client-side wall times of the statement on one local connection (what the
database costs a request: execution plus transfer), interleaved so both variants see the
same machine. Writes to the database (executions, and the cleanup deletes memories).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

import msgspec

from agentdb.config import Settings
from agentdb.pool import JOBS_ROLE, open_pool
from bench import common
from devtools import statement as tool_statement
from devtools.heavy_user import heavy_user
from jobs import memory_cleanup, stats_rollup
from repositories import Database, ExecutionRepository
from repositories.database import connect, run_sync
from repositories.memories import RetentionPolicy
from repositories.sql import statement
from repositories.stats import StatsRepository

UNTIL = date(2026, 6, 1)  # the generator's executions end here


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 3), "p99": round(ordered[int(0.99 * (len(ordered) - 1))], 3)}


def _time(conn: Any, call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    rows = run_sync(conn, call)
    return (time.perf_counter() - started) * 1000, rows[0][0]


def dashboard_vs_raw(dsn: str, user_id: uuid.UUID, days: int, iterations: int) -> dict[str, Any]:
    """The same totals from stats.dashboard (roll-ups + marked buckets) and from the raw rows."""
    rolled_call = statement("stats.dashboard")(user_id=user_id, days=days, until=UNTIL, agent_id=None,
                                               workflow_id=None)
    raw_call = tool_statement("bench.dashboard_raw")(user_id=user_id, days=days, until=UNTIL)
    with connect(dsn) as conn:
        _, rolled = _time(conn, rolled_call)
        _, raw = _time(conn, raw_call)
        a, r = msgspec.json.decode(rolled), msgspec.json.decode(raw)
        same = (a["agents"]["total"]["executions"] == r["agents"]["executions"]
                and a["agents"]["total"]["total_tokens"] == r["agents"]["total_tokens"]
                and a["agents"]["total"]["latency_ms_max"] == r["agents"]["latency_ms_max"]
                and a["workflows"]["total"]["duration_ms_sum"] == r["workflows"]["duration_ms_sum"]
                and a["workflows"]["total"]["executions"] == r["workflows"]["executions"])
        times: dict[str, list[float]] = {"rollups": [], "raw": []}
        for i in range(iterations):
            for name, call in (("rollups", rolled_call), ("raw", raw_call))[:: 1 if i % 2 else -1]:
                times[name].append(_time(conn, call)[0])
    out = {name: _ms(t) for name, t in times.items()}
    return {"days": days, **out, "raw_over_rollups_p50": round(out["raw"]["p50"] / out["rollups"]["p50"], 1),
            "same_totals": same, "agent_executions": r["agents"]["executions"],
            "workflow_executions": r["workflows"]["executions"], "live_buckets": a["live_buckets"]}


async def trigger_cost(dsn: str, pool: Any, user_id: uuid.UUID, agent_id: uuid.UUID, n: int) -> dict[str, Any]:
    """record_agent_execution (an execution and its metrics, one statement) with the statistics
    triggers on and off, alternating blocks of 50."""
    executions = ExecutionRepository(Database(pool))
    times: dict[str, list[float]] = {"on": [], "off": []}
    with connect(dsn) as owner:
        try:
            for block in range(n // 50):
                state = "off" if block % 2 else "on"
                run_sync(owner, tool_statement(f"bench.stats_triggers_{state}")())
                for _ in range(50):
                    started = time.perf_counter()
                    await executions.record_agent_execution(user_id=user_id, agent_id=agent_id,
                                                            session_id=uuid.uuid4(), prompt_tokens=10)
                    times[state].append((time.perf_counter() - started) * 1000)
        finally:
            run_sync(owner, tool_statement("bench.stats_triggers_on")())
    out = {name: _ms(t) for name, t in times.items()}
    return {**out, "added_ms_p50": round(out["on"]["p50"] - out["off"]["p50"], 3)}


async def run(dsn: str, scale: str, iterations: int, rebuild: bool, cleanup: bool = True) -> dict[str, Any]:
    settings = Settings(database_url=dsn, statement_timeout_ms=600_000, pool_timeout_s=30, lock_timeout_ms=200)
    jobs_pool = await open_pool(dsn, settings, role=JOBS_ROLE, min_size=1, max_size=3)
    app_pool = await open_pool(dsn, settings, min_size=1, max_size=1)
    jobs_db = Database(jobs_pool, deadline_s=3600)
    results: dict[str, Any] = {"scale": scale, "machine": common.machine()}
    try:
        if rebuild:
            report = await stats_rollup.run(jobs_db, rebuild=True, batch=5000)
            results["rebuild"] = {"buckets": report.buckets, "seconds": round(report.seconds, 1),
                                  "buckets_per_s": round(report.buckets / report.seconds)}
        with connect(dsn) as conn:
            user = heavy_user(conn, scale)
        results["user"] = {"workflow_executions": user.workflow_executions, "agent_executions": user.agent_executions}
        results["dashboard"] = [dashboard_vs_raw(dsn, user.id, days, iterations) for days in (30, 365)]
        # The same with one day of the range changed since the last roll-up (marked: read raw).
        with connect(dsn) as conn:
            run_sync(conn, tool_statement("bench.mark_day")(user_id=user.id, day=UNTIL - timedelta(days=1)))
        results["dashboard_one_day_live"] = dashboard_vs_raw(dsn, user.id, 30, iterations)
        results["trigger_cost"] = await trigger_cost(dsn, app_pool, user.id, user.agent_ids[0], 1000)
        incremental = await stats_rollup.run(jobs_db, batch=2000)
        results["incremental_rollup"] = {"marks": incremental.marks, "buckets": incremental.buckets,
                                         "seconds": round(incremental.seconds, 3)}
        if not cleanup:
            return results
        policy = RetentionPolicy(idle_days=90, max_per_session=5)
        dry = await memory_cleanup.run(jobs_db, policy=policy, dry_run=True)
        done = await memory_cleanup.run(jobs_db, policy=policy, batch=1000)
        results["cleanup"] = {
            "policy": msgspec.to_builtins(policy), "dry_run_seconds": round(dry.seconds, 2),
            "removed": {"expired": done.expired, "idle": done.idle, "over_limit": done.over_limit},
            "users": done.users, "batches": done.batches, "seconds": round(done.seconds, 2),
            "rows_per_s": round(done.total / done.seconds), "matches_dry_run": dry.total == done.total,
        }
    finally:
        await jobs_pool.close()
        await app_pool.close()
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench jobs", description=__doc__)
    parser.add_argument("--scale", default="M")
    parser.add_argument("--dsn", help="an already migrated database loaded with --scale")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the roll-ups first (timed)")
    parser.add_argument("--no-cleanup", action="store_true", help="skip the cleanup (it deletes the memories)")
    args = parser.parse_args(argv)
    with common.loaded_database(args.scale, args.dsn) as dsn:
        results = asyncio.run(run(dsn, args.scale, args.iterations, args.rebuild or not args.dsn,
                                not args.no_cleanup))
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = common.RESULTS / f"jobs-{args.scale}{'-no-cleanup' if args.no_cleanup else ''}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results, indent=2, default=str))
    return 0
