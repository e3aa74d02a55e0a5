"""Schema migrations through yoyo's Python API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from yoyo import get_backend, read_migrations


def _migrations_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_migrations"
    return packaged if packaged.is_dir() else here.parent / "migrations"


# The checkout's top-level migrations/; an installed wheel carries them as agentdb/_migrations/.
MIGRATIONS_DIR = _migrations_dir()


def yoyo_url(dsn: str) -> str:
    """A libpq URL rewritten for yoyo's psycopg 3 backend."""
    parts = urlsplit(dsn)
    if parts.scheme in ("postgres", "postgresql"):
        parts = parts._replace(scheme="postgresql+psycopg")
    return urlunsplit(parts)


def newest_migration() -> str:
    """The id of the last migration this code ships (what a ready database has applied)."""
    return sorted(path.name.removesuffix(".sql") for path in MIGRATIONS_DIR.glob("*.sql")
                  if not path.name.endswith(".rollback.sql"))[-1]


def apply(dsn: str) -> list[str]:
    """Apply pending migrations under yoyo's lock; return their ids."""
    backend = get_backend(yoyo_url(dsn))
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]


def rollback(dsn: str, count: int) -> list[str]:
    """Roll back the last `count` applied migrations; return their ids."""
    backend = get_backend(yoyo_url(dsn))
    migrations = read_migrations(str(MIGRATIONS_DIR))
    with backend.lock():
        applied = backend.to_rollback(migrations)
        chosen = applied[:count]
        backend.rollback_migrations(chosen)
    return [m.id for m in chosen]
