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

from agentdb import config, migrate
from devtools import datagen
from devtools.graphs import agent_with_tools, chain  # noqa: F401  (the builders benchmarks use)
from devtools.heavy_user import HeavyUser, keyset_at
from devtools.heavy_user import heavy_user as devtools_heavy_user
from devtools.testdb import scratch_database
from repositories import paging
from repositories.database import connect

# Where a run writes its results: .agentdb/bench/ (not committed), so a run never overwrites the
# results bench/README.md quotes; AGENTDB_BENCH_RESULTS=bench/results replaces those on purpose.
RESULTS = Path(os.environ.get("AGENTDB_BENCH_RESULTS") or Path(__file__).resolve().parents[1] / ".agentdb" / "bench")
PAGE = 50


def server_dsn() -> str:
    """The server benchmarks make their scratch databases on: the one answer of agentdb.config
    (DATABASE_URL, else the embedded PostgreSQL)."""
    return config.resolve_dsn(config.from_env())


@contextmanager
def loaded_database(scale: str, dsn: str | None = None, *, report: Any = print) -> Iterator[str]:
    """`dsn` as given (already migrated and loaded with `scale`), or a scratch database
    on the benchmark server, migrated and loaded with `scale`, dropped afterwards."""
    if dsn:
        yield dsn
        return
    with scratch_database(server_dsn(), prefix="agentdb_bench") as scratch:
        migrate.apply(scratch)
        datagen.load(scratch, scale, report=report)
        yield scratch


def heavy_user(dsn: str, scale: str) -> HeavyUser:
    with connect(dsn) as conn:
        return devtools_heavy_user(conn, scale)


def deep_keyset(dsn: str, user_id: UUID, want_pages: int = 1000) -> tuple[int, paging.Keyset | None]:
    """(pages skipped, keyset) of the page `min(want_pages, last full page)` down the user's history."""
    with connect(dsn) as conn:
        for pages in (want_pages, want_pages // 10, want_pages // 100, 1):
            keyset = keyset_at(conn, user_id, pages * PAGE - 1)
            if keyset is not None:
                return pages, keyset
    return 0, None


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
        with connect(server_dsn(), connect_timeout=5) as conn:
            info["postgresql"] = f"{conn.info.server_version} ({conn.info.parameter_status('server_version')})"
    except psycopg.Error as exc:
        info["postgresql"] = f"? ({exc})"
    return info
