"""Schema migrations through yoyo's Python API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from psycopg import conninfo
from yoyo import get_backend, read_migrations

from repositories.database import run_sync
from repositories.sql import data_dir, statement


# The checkout's top-level migrations/; an installed wheel carries them as agentdb/_migrations/.
MIGRATIONS_DIR = data_dir(__file__, "_migrations", "migrations")


class MigrationError(Exception):
    """A rollback that cannot be done as asked."""


class NoMigrations(MigrationError):
    """No migrations where they should be: a broken installation."""


@dataclass(frozen=True)
class MigrationState:
    """One migration and whether the database has it."""

    id: str
    applied: bool


def yoyo_url(dsn: str) -> str:
    """A libpq URL (or key=value string) rewritten for yoyo's psycopg 3 backend, with a
    connect timeout unless it names one (an unreachable host fails in seconds, not minutes)."""
    if "://" not in dsn:
        return "postgresql+psycopg:///?" + urlencode({"connect_timeout": "5", **conninfo.conninfo_to_dict(dsn)})
    parts = urlsplit(dsn)
    if parts.scheme in ("postgres", "postgresql"):
        parts = parts._replace(scheme="postgresql+psycopg")
    query = dict(parse_qsl(parts.query))
    if "connect_timeout" not in query:
        parts = parts._replace(query=urlencode({**query, "connect_timeout": "5"}))
    return urlunsplit(parts)


def newest_migration() -> str:
    """The id of the last migration this code ships (what a ready database has applied)."""
    return sorted(path.name.removesuffix(".sql") for path in MIGRATIONS_DIR.glob("*.sql")
                  if not path.name.endswith(".rollback.sql"))[-1]


@contextmanager
def _backend(dsn: str) -> Iterator[Any]:
    """A yoyo backend on `dsn`, its connection closed afterwards."""
    backend = get_backend(yoyo_url(dsn))
    try:
        yield backend
    finally:
        backend.connection.close()


def _migrations(directory: Path | None = None) -> Any:
    """Every migration of `directory`; MigrationError when there is none (a broken install)."""
    directory = directory or MIGRATIONS_DIR
    found = read_migrations(str(directory)) if directory.is_dir() else []
    if not found:
        raise NoMigrations(f"no migrations found in {directory}: this installation of agentdb is "
                             "incomplete; reinstall it")
    return found


# Migration 0031's agentdb_distribute(): a no-op without the citus extension.
DISTRIBUTE_MIGRATION = "0031.citus-distribute"
_DISTRIBUTE = statement("meta.distribute")


def apply(dsn: str, directory: Path | None = None) -> list[str]:
    """Apply pending migrations under yoyo's lock, then (when the citus extension is installed)
    distribute the tables not yet distributed (agentdb_distribute(), migration 0031); return the ids."""
    migrations = _migrations(directory)
    with _backend(dsn) as backend, backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
        if any(m.id == DISTRIBUTE_MIGRATION for m in migrations):
            distribute(backend)
    return [m.id for m in pending]


def distribute(backend: Any) -> list[str]:
    """Run agentdb_distribute() in its own transaction on yoyo's connection; the tables distributed now.

    Every run: citus may have been installed (and workers added) after the tables were made."""
    with backend.transaction():
        rows = run_sync(backend.connection, _DISTRIBUTE())
    return list(rows[0][0]) if rows else []


def status(dsn: str, directory: Path | None = None) -> list[MigrationState]:
    """Every migration, oldest first, with whether it is applied."""
    migrations = _migrations(directory)
    with _backend(dsn) as backend:
        applied = set(backend.get_applied_migration_hashes())
    return [MigrationState(m.id, m.hash in applied) for m in migrations]


def to_roll_back(dsn: str, count: int, directory: Path | None = None) -> list[str]:
    """The ids the last `count` applied migrations, newest first (what `rollback` would undo).

    MigrationError unless 1 <= count <= the number applied: never below zero migrations.
    """
    if count < 1:
        raise MigrationError(f"--rollback {count}: N must be at least 1")
    applied = [state.id for state in status(dsn, directory) if state.applied][::-1]
    if count > len(applied):
        raise MigrationError(f"--rollback {count}: only {len(applied)} migration(s) applied; "
                             f"at most --rollback {len(applied)}")
    return applied[:count]


def rollback(dsn: str, count: int, directory: Path | None = None) -> list[str]:
    """Roll back the last `count` applied migrations (1 <= count <= applied); return their ids."""
    if count < 1:
        raise MigrationError(f"--rollback {count}: N must be at least 1")
    migrations = _migrations(directory)
    with _backend(dsn) as backend, backend.lock():
        applied = backend.to_rollback(migrations)
        if count > len(applied):
            raise MigrationError(f"--rollback {count}: only {len(applied)} migration(s) applied; "
                                 f"at most --rollback {len(applied)}")
        chosen = applied[:count]
        backend.rollback_migrations(chosen)
    return [m.id for m in chosen]
