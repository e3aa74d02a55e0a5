"""Migrations: apply -> roll back all -> apply again, and two migrators at once."""

from __future__ import annotations

import os
import subprocess
import sys

from agentdb import migrate
from agentdb.migrate import MIGRATIONS_DIR
from devtools import ROOT, statement
from devtools.testdb import scratch_database
from repositories.database import connect, run_sync

MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql") if not p.stem.endswith(".rollback"))


def _tables(dsn: str) -> set[str]:
    with connect(dsn) as conn:
        return {t for t, *_ in run_sync(conn, statement("catalog.columns")())}


def test_every_migration_has_a_rollback() -> None:
    for name in MIGRATIONS:
        assert (MIGRATIONS_DIR / f"{name}.rollback.sql").exists(), name


def test_apply_rollback_all_apply_again(server_dsn: str) -> None:
    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        assert migrate.apply(dsn) == MIGRATIONS
        assert "workflow_executions" in _tables(dsn)
        assert migrate.apply(dsn) == []  # nothing pending
        assert migrate.rollback(dsn, len(MIGRATIONS)) == MIGRATIONS[::-1]
        assert not (_tables(dsn) - {"_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock"})
        assert migrate.apply(dsn) == MIGRATIONS
        assert "agent_execution_stats" in _tables(dsn)


def test_two_processes_migrating_at_once(server_dsn: str) -> None:
    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        env = {**os.environ, "DATABASE_URL": dsn}
        cmd = [sys.executable, "-m", "agentdb.cli", "migrate"]
        procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        applied = sorted(out for out, _ in outs)
        # yoyo's lock serialises them: one applied everything, the other found nothing pending.
        assert applied[0].startswith("applied 0") or applied[1].startswith("applied 0"), applied
        assert migrate.apply(dsn) == []
