"""Migrations: apply -> roll back all -> apply again, and two migrators at once."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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


# --- agentdb migrate: --status, --rollback N validated and confirmed -------------------------------------------------


def _cli(dsn: str, *args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agentdb.cli", "migrate", *args], cwd=ROOT, stdin=stdin,
                          env={**os.environ, "DATABASE_URL": dsn}, capture_output=True, text=True, timeout=120,
                          check=False)


def _applied(dsn: str) -> list[str]:
    return [state.id for state in migrate.status(dsn) if state.applied]


def test_status_lists_applied_and_pending(server_dsn: str) -> None:
    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        done = _cli(dsn, "--status")
        assert done.returncode == 0 and done.stdout.splitlines()[:-1] == [f"pending  {m}" for m in MIGRATIONS]
        assert done.stdout.splitlines()[-1].startswith(f"0 applied, {len(MIGRATIONS)} pending")
        migrate.apply(dsn)
        migrate.rollback(dsn, 1)
        lines = _cli(dsn, "--status").stdout.splitlines()
        assert lines[:-1] == [f"applied  {m}" for m in MIGRATIONS[:-1]] + [f"pending  {MIGRATIONS[-1]}"]
        assert _applied(dsn) == MIGRATIONS[:-1]


def test_rollback_is_validated_and_never_goes_below_zero(server_dsn: str) -> None:
    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        migrate.apply(dsn)
        for bad, needle in (("-1", "must be at least 1"), ("0", "must be at least 1"), ("x", "not a whole number"),
                            ("99", f"only {len(MIGRATIONS)} migration(s) applied; at most --rollback {len(MIGRATIONS)}")):
            done = _cli(dsn, "--rollback", bad, "--yes")
            lines = done.stderr.splitlines()
            assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr
            assert "Traceback" not in done.stderr
        assert _applied(dsn) == MIGRATIONS  # nothing was rolled back
        done = _cli(dsn, "--rollback", "1")  # no terminal to ask on, no --yes
        assert done.returncode == 2 and "stdin is not a terminal: pass --yes" in done.stderr, done.stderr
        assert _applied(dsn) == MIGRATIONS
        done = _cli(dsn, "--rollback", "2", "--yes")
        assert done.returncode == 0 and done.stdout.splitlines()[-1] == (
            f"rolled back 2: {MIGRATIONS[-1]}, {MIGRATIONS[-2]}")
        assert _applied(dsn) == MIGRATIONS[:-2]
        with pytest.raises(migrate.MigrationError):
            migrate.rollback(dsn, len(MIGRATIONS))  # more than are applied, through the API too


@pytest.mark.parametrize(("answer", "code", "rolled_back"), [("n", 1, 0), ("", 1, 0), ("y", 0, 1)])
def test_rollback_asks_on_a_terminal(server_dsn: str, answer: str, code: int, rolled_back: int) -> None:
    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        migrate.apply(dsn)
        leader, follower = pty.openpty()
        try:
            proc = subprocess.Popen([sys.executable, "-m", "agentdb.cli", "migrate", "--rollback", "1"], cwd=ROOT,
                                    stdin=follower, env={**os.environ, "DATABASE_URL": dsn},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            os.write(leader, f"{answer}\n".encode())
            out, err = proc.communicate(timeout=120)
        finally:
            os.close(leader)
            os.close(follower)
        assert proc.returncode == code, (out, err)
        assert "Traceback" not in err
        if not rolled_back:
            assert "cancelled: nothing was changed" in err
        assert _applied(dsn) == MIGRATIONS[: len(MIGRATIONS) - rolled_back]


def test_no_migrations_found_fails_loudly(server_dsn: str, tmp_path: Path) -> None:
    from agentdb.cli import explain

    with scratch_database(server_dsn, prefix="agentdb_mig") as dsn:
        for empty in (tmp_path, tmp_path / "absent"):
            with pytest.raises(migrate.NoMigrations) as info:
                migrate.apply(dsn, directory=empty)
            message, code = explain(info.value)
            assert code == 1 and f"no migrations found in {empty}" in message and "reinstall" in message
