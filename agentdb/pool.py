"""The connection pool every repository runs on."""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg.adapt import Loader
from psycopg.types.json import set_json_dumps
from psycopg_pool import AsyncConnectionPool

from agentdb import wire
from agentdb.config import Settings
from agentdb.dbmeter import MeteredConnection


class RawJsonLoader(Loader):
    """json/jsonb arrive as the bytes PostgreSQL wrote: decoded once, by msgspec, into structs."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


async def _configure(conn: MeteredConnection) -> None:
    conn.adapters.register_loader("json", RawJsonLoader)
    conn.adapters.register_loader("jsonb", RawJsonLoader)
    set_json_dumps(msgspec.json.encode, conn)
    conn.prepared_max = 1000  # never evict: eviction costs a DEALLOCATE round trip
    if wire.enabled():
        wire.attach(conn)


def connection_kwargs(settings: Settings) -> dict[str, Any]:
    """Connection options: autocommit (a pipeline is its own implicit transaction),
    server-side prepared statements from the first execution unless switched off,
    and a statement timeout so a runaway query fails instead of hanging."""
    return {
        "autocommit": True,
        "prepare_threshold": 0 if settings.prepare else None,
        "application_name": "agentdb",
        "options": f"-c statement_timeout={settings.statement_timeout_ms}",
        "connect_timeout": 5,
    }


async def open_pool(
    dsn: str, settings: Settings, *, min_size: int | None = None, max_size: int | None = None
) -> AsyncConnectionPool:
    """Open a pool of metered connections and wait until its first connections are up."""
    pool = AsyncConnectionPool(
        dsn,
        connection_class=MeteredConnection,
        kwargs=connection_kwargs(settings),
        min_size=min_size if min_size is not None else settings.pool_min_size,
        max_size=max_size if max_size is not None else settings.pool_max_size,
        timeout=settings.pool_timeout_s,
        configure=_configure,
        open=False,
        name="agentdb",
    )
    await pool.open(wait=True, timeout=10)
    return pool
