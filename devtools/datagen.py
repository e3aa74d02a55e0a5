"""The one data generator: deterministic (seeded), generated server-side, at named scales.

Tests (plan checks), `python -m devtools plans` and the benchmarks all load their data
through `load()`. The same scale and seed give the same rows, byte for byte, on any
server (every choice is a hash of the row's number and the seed), so a plan summary
regenerated on another run sees the same data.

Shape: many users with Zipf-like skew (user 0 is the heaviest), every user owning
at least one workflow and one agent; workflows of 5-500 nodes (most small) joined
in a chain; agents of 1-20 tools; workflow executions spread over a year, most
finished, with their events (created, and the final status); each with agent
executions (and their metrics) of its owner's agents; memories, some expiring.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from devtools import statement
from repositories.database import run_sync

BASE_TIME = datetime(2026, 6, 1, tzinfo=UTC)
YEAR_S = 365 * 24 * 3600
CHUNK = 100_000  # rows per INSERT of the large tables (one transaction, one task)
WORKFLOW_CHUNK = 1_000  # workflows per INSERT of nodes and edges
JOBS = 2  # sessions generating at once (the machine's 2 cores)
MEMORY_WORDS = ("invoice", "customer", "refund", "deadline", "meeting", "budget", "contract", "shipment",
                "password", "preference", "address", "holiday", "report", "server", "outage", "renewal",
                "discount", "feedback", "warranty", "schedule", "language", "timezone", "allergy", "project")


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    workflows: int
    agents_per_user: int
    workflow_executions: int
    agent_executions_per_workflow_execution: int
    memories: int

    @property
    def agent_executions(self) -> int:
        return self.workflow_executions * self.agent_executions_per_workflow_execution


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        # Tests' plan checks: enough rows that a Seq Scan or a Sort would show.
        Scale("TEST", users=1_000, workflows=2_000, agents_per_user=3, workflow_executions=100_000,
              agent_executions_per_workflow_execution=1, memories=10_000),
        Scale("S", users=1_000, workflows=2_000, agents_per_user=5, workflow_executions=10_000,
              agent_executions_per_workflow_execution=2, memories=10_000),
        Scale("SM", users=1_000, workflows=5_000, agents_per_user=5, workflow_executions=100_000,
              agent_executions_per_workflow_execution=2, memories=50_000),
        # sql/plans/: >= 1M workflow executions, >= 1M agent executions, 10k workflows.
        Scale("PLANS", users=1_000, workflows=10_000, agents_per_user=5, workflow_executions=1_000_000,
              agent_executions_per_workflow_execution=1, memories=100_000),
        Scale("M", users=1_000, workflows=10_000, agents_per_user=5, workflow_executions=1_000_000,
              agent_executions_per_workflow_execution=2, memories=200_000),
        Scale("L", users=2_000, workflows=10_000, agents_per_user=5, workflow_executions=2_000_000,
              agent_executions_per_workflow_execution=5, memories=500_000),
    )
}


# What load() fills, in order.
TABLES = ("users", "agents", "agent_tools", "workflows", "workflow_nodes", "workflow_edges", "workflow_executions",
          "execution_events", "agent_executions", "agent_execution_metrics", "agent_memories")


def _chunks(total: int, size: int) -> list[tuple[int, int]]:
    return [(first, min(total, first + size) - 1) for first in range(0, total, size)]


_SESSION = ("skip_triggers", "maintenance_memory", "work_memory", "function_uniform", "function_id", "function_pick_user",
            "function_executions", "create_owners", "create_users")


def _session(dsn: str, scale: Scale, seed: int) -> psycopg.Connection[Any]:
    """A connection ready to generate: triggers off, the pg_temp functions, the lookup tables
    (each session fills its own: a few thousand rows, the same in every session)."""
    conn = psycopg.connect(dsn, autocommit=True)
    for name in _SESSION:
        run_sync(conn, statement(f"datagen.{name}")())
    run_sync(conn, statement("datagen.fill_owners")(seed=seed, users=scale.users, workflows=scale.workflows,
                                                    agents=scale.users * scale.agents_per_user))
    run_sync(conn, statement("datagen.fill_users")(seed=seed))
    run_sync(conn, statement("datagen.analyze_owners")())
    return conn


def _parallel(conns: list[psycopg.Connection[Any]], tasks: list[Callable[[psycopg.Connection[Any]], None]]) -> None:
    """Run `tasks` on the connections, each connection taking the next task when free."""
    queue = list(reversed(tasks))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work(conn: psycopg.Connection[Any]) -> None:
        while not failures:
            with lock:
                if not queue:
                    return
                task = queue.pop()
            try:
                task(conn)
            except BaseException as exc:  # noqa: BLE001  (re-raised below, in the caller's thread)
                failures.append(exc)

    threads = [threading.Thread(target=work, args=(conn,)) for conn in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def load(dsn: str, scale: Scale | str, *, seed: int = 42, report: Callable[[str], None] = print,
         jobs: int = JOBS) -> int:
    """Load `scale` into the (migrated, empty) database at `dsn`; returns rows loaded.

    Server-side: every table is filled by `INSERT ... SELECT` over `generate_series`
    (devtools/sql/datagen/insert_*.sql), each row's choices drawn by hashing its number
    with the seed (pg_temp.datagen_uniform), so nothing crosses the wire but statements,
    and any chunk can be generated by any session in any order. Keys, foreign keys and
    indexes are dropped first and rebuilt after (datagen.keys_and_indexes); chunks of
    CHUNK rows go to `jobs` sessions at once (the rebuild too, a table per session).
    A load that fails leaves the database without keys: drop it."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    started = time.perf_counter()
    report(f"datagen: scale {scale.name}, seed {seed}, {jobs} session(s), server-side")
    counts: dict[str, int] = dict.fromkeys(TABLES, 0)
    count_lock = threading.Lock()
    per = scale.agent_executions_per_workflow_execution
    common = {"seed": seed, "users": scale.users, "base": BASE_TIME}
    plan: list[tuple[str, list[tuple[int, int]] | None, dict[str, object]]] = [
        ("users", None, {"base": BASE_TIME, "year_s": YEAR_S}),
        ("agents", None, {"base": BASE_TIME, "year_s": YEAR_S}),
        ("agent_tools", None, {"seed": seed}),
        ("workflows", None, {"base": BASE_TIME, "year_s": YEAR_S}),
        ("workflow_nodes", _chunks(scale.workflows, WORKFLOW_CHUNK), {"seed": seed}),
        ("workflow_edges", _chunks(scale.workflows, WORKFLOW_CHUNK), {"seed": seed}),
        ("workflow_executions", _chunks(scale.workflow_executions, CHUNK), common),
        ("execution_events", _chunks(scale.workflow_executions, CHUNK), common),
        ("agent_executions", _chunks(scale.workflow_executions, CHUNK // per), {**common, "per": per}),
        ("agent_execution_metrics", _chunks(scale.workflow_executions, CHUNK // per),
         {"seed": seed, "users": scale.users, "per": per}),
        ("agent_memories", _chunks(scale.memories, CHUNK), {**common, "words": list(MEMORY_WORDS)}),
    ]

    def insert(table: str, params: dict[str, object]) -> Callable[[psycopg.Connection[Any]], None]:
        def task(conn: psycopg.Connection[Any]) -> None:
            call = statement(f"datagen.insert_{table}")(**params)
            rows = conn.execute(call.statement.text, call.params).rowcount
            with count_lock:
                counts[table] += rows
        return task

    tasks = [insert(table, {**params, **({} if chunk is None else {"first": chunk[0], "last": chunk[1]})})
             for table, chunks, params in plan for chunk in (chunks or [None])]
    conns = [_session(dsn, scale, seed) for _ in range(max(1, jobs))]
    try:
        # Keys and indexes off during the load, rebuilt after it.
        ddl = run_sync(conns[0], statement("datagen.keys_and_indexes")(tables=list(TABLES)))
        for _, drop, _, _, _ in ddl:
            conns[0].execute(drop)  # DDL the catalog wrote (format() with %I and regclass)
        began = time.perf_counter()
        _parallel(conns, tasks)
        took = time.perf_counter() - began
        total = sum(counts.values())
        for table in TABLES:
            report(f"  {table:<26} {counts[table]:>12,} rows")
        report(f"  inserted {total:,} rows in {took:.1f} s ({total / max(took, 1e-9):,.0f} rows/s)")
        began = time.perf_counter()
        for rank in sorted({row[2] for row in ddl}):
            # A table's DDL in one session (ALTER TABLE locks it), tables side by side.
            by_table: dict[str, list[str]] = {}
            for _, _, create_rank, table, create in ddl:
                if create_rank == rank:
                    by_table.setdefault(table, []).append(create)
            rank_began = time.perf_counter()
            _parallel(conns, [lambda conn, stmts=stmts: [conn.execute(s) for s in stmts]  # type: ignore[misc]
                              for stmts in by_table.values()])
            report(f"  {('keys', 'indexes', 'foreign keys')[rank - 1]:<12} {time.perf_counter() - rank_began:7.1f} s")
        report(f"  {len(ddl)} keys, indexes and foreign keys rebuilt in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        run_sync(conns[0], statement("datagen.analyze")())
        report(f"  analyze {time.perf_counter() - began:.1f} s")
    finally:
        for conn in conns:
            conn.close()
    took = time.perf_counter() - started
    report(f"datagen: {total:,} rows in {took:.1f} s ({total / took:,.0f} rows/s)")
    return total


def heaviest_user_id(scale: Scale | str, *, seed: int = 42) -> str:
    """The id of user 0, the heaviest: pg_temp.datagen_id('u', seed, 0), computed here the same way."""
    return str(uuid.UUID(hashlib.md5(f"u:{seed}:0".encode()).hexdigest()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.datagen", description=__doc__)
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    from agentdb import config
    from jobs.progress import bar

    # On a terminal, a spinner with the elapsed time under the lines, showing the phase under way.
    with bar(f"datagen {args.scale}") as tick:
        def report(line: str) -> None:
            print(line, flush=True)
            tick(line.strip())

        load(config.resolve_dsn(config.from_env()), args.scale, seed=args.seed, report=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
