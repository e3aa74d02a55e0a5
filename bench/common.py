"""What the benchmarks share: a loaded database, the heavy user's fixtures, timing, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from agentdb import datagen, migrate
from agentdb.testdb import scratch_database
from repositories import paging
from repositories.agents import AgentInput, ToolInput
from repositories.workflows import EdgeInput, NodeInput, WorkflowInput

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE = 50


def server_dsn() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_SERVER


@contextmanager
def loaded_database(scale: str, dsn: str | None = None, *, report: Any = print) -> Iterator[str]:
    """`dsn` as given (already migrated and loaded with `scale`), or a scratch database
    on the server of DATABASE_URL, migrated and loaded with `scale`, dropped afterwards."""
    if dsn:
        yield dsn
        return
    with scratch_database(server_dsn(), prefix="agentdb_bench") as scratch:
        migrate.apply(scratch)
        datagen.load(scratch, scale, report=report)
        yield scratch


def chain(n: int, *, name: str, agent_ids: list[UUID]) -> WorkflowInput:
    """n nodes joined in a chain (as tests/graphs.py), every 4th node (p % 4 == 1) bound to
    one of `agent_ids` in turn, as datagen binds them: the ORM has agents to load."""
    nodes = [
        NodeInput(
            key=f"n{i}",
            node_type="agent" if i % 4 == 1 else "tool",
            name=f"node {i}",
            agent_id=agent_ids[(i // 4) % len(agent_ids)] if i % 4 == 1 and agent_ids else None,
            config={"i": i},
        )
        for i in range(n)
    ]
    edges = [EdgeInput(source=f"n{i}", target=f"n{i + 1}") for i in range(n - 1)]
    return WorkflowInput(name=name, graph_definition={"kind": "bench"}, nodes=nodes, edges=edges)


def agent_with_tools(n: int, *, name: str) -> AgentInput:
    return AgentInput(
        name=name,
        configuration={"model": "bench"},
        tools=[ToolInput(name=f"tool{i}", config={"i": i}) for i in range(n)],
    )


@dataclass
class HeavyUser:
    id: UUID
    agent_ids: list[UUID]
    executions: int
    agent_executions: int


def heavy_user(dsn: str, scale: str) -> HeavyUser:
    uid = UUID(datagen.heaviest_user_id(scale))
    with psycopg.connect(dsn, autocommit=True) as conn:
        agents = [r[0] for r in conn.execute(
            "SELECT id FROM agents WHERE user_id = %s ORDER BY created_at, id", (uid,))]
        (executions,) = conn.execute("SELECT count(*) FROM workflow_executions WHERE user_id = %s", (uid,)).fetchone()
        (agent_execs,) = conn.execute("SELECT count(*) FROM agent_executions WHERE user_id = %s", (uid,)).fetchone()
    return HeavyUser(uid, agents, executions, agent_execs)


def deep_cursor(dsn: str, user_id: UUID, want_pages: int = 1000) -> tuple[int, datetime, UUID]:
    """The keyset after page `min(want_pages, last full page)`: (pages skipped, at, id).
    (Setup only: found with OFFSET once; the benchmark then reads it by keyset.)"""
    with psycopg.connect(dsn, autocommit=True) as conn:
        (total,) = conn.execute("SELECT count(*) FROM workflow_executions WHERE user_id = %s", (user_id,)).fetchone()
        pages = max(0, min(want_pages, total // PAGE - 1))
        if pages == 0:
            return 0, paging.FIRST_PAGE_AT, paging.FIRST_PAGE_ID
        at, row_id = conn.execute(
            "SELECT started_at, id FROM workflow_executions WHERE user_id = %s"
            " ORDER BY started_at DESC, id DESC OFFSET %s LIMIT 1",
            (user_id, pages * PAGE - 1),
        ).fetchone()
    return pages, at, row_id


@dataclass
class Samples:
    ns: list[int] = field(default_factory=list)

    def add(self, ns: int) -> None:
        self.ns.append(ns)

    def summary(self) -> dict[str, float]:
        xs = sorted(self.ns)
        if not xs:
            return {"n": 0}
        def q(p: float) -> float:
            return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))] / 1e6
        return {
            "n": len(xs),
            "p50_ms": round(q(0.50), 4),
            "p99_ms": round(q(0.99), 4),
            "mean_ms": round(statistics.fmean(xs) / 1e6, 4),
            "min_ms": round(xs[0] / 1e6, 4),
        }


def now_ns() -> int:
    return time.perf_counter_ns()


def machine() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout.strip()
        except Exception as exc:  # noqa: BLE001
            return f"? ({exc})"

    info = {
        "nproc": run("nproc"),
        "uname": run("uname", "-a"),
        "python": platform.python_version(),
        "psycopg": psycopg.__version__,
        "libpq": psycopg.pq.version(),
    }
    try:
        import sqlalchemy

        info["sqlalchemy"] = sqlalchemy.__version__
    except ImportError:
        pass
    try:
        with psycopg.connect(server_dsn(), autocommit=True, connect_timeout=5) as conn:
            info["postgresql"] = conn.execute("SELECT version()").fetchone()[0]
    except psycopg.Error as exc:
        info["postgresql"] = f"? ({exc})"
    return info
