"""What the service reads about its own database: secrets kept there (migration 0008), the schema's migrations."""

from __future__ import annotations

from repositories.database import Database
from repositories.sql import statement

_CURSOR_KEY = statement("meta.cursor_key")
_MIGRATION_APPLIED = statement("meta.migration_applied")


async def cursor_key(db: Database) -> bytes:
    """The key that signs the API's page cursors."""
    (value,) = await db.row(_CURSOR_KEY())
    return bytes(value)


async def migration_applied(db: Database, migration_id: str) -> bool:
    """Whether the migration `migration_id` is applied (yoyo's bookkeeping)."""
    (applied,) = await db.row(_MIGRATION_APPLIED(migration_id=migration_id))
    return bool(applied)
