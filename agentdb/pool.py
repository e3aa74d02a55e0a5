"""The connection pool every repository runs on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from psycopg_pool import AsyncConnectionPool

from agentdb.config import Settings, from_env, resolve_dsn
from agentdb.dbmeter import MeteredConnection
from repositories.database import Database, configure, connection_kwargs, switch_role

APP_ROLE = "agentdb_app"  # the API: one user's rows per request (row-level security)
JOBS_ROLE = "agentdb_jobs"  # jobs and operator commands: every user's rows, as granted (migration 0007)


def session_options(settings: Settings) -> str:
    """Startup settings of every connection: a runaway statement or a lock wait fails instead of
    hanging; timestamps in the JSON PostgreSQL builds are in UTC, whatever the server's default."""
    return (f"-c statement_timeout={settings.statement_timeout_ms} -c lock_timeout={settings.lock_timeout_ms}"
            " -c timezone=UTC")


async def open_pool(
    dsn: str,
    settings: Settings,
    *,
    role: str = APP_ROLE,
    min_size: int | None = None,
    max_size: int | None = None,
    on_connect: Callable[[Any], None] | None = None,
) -> AsyncConnectionPool[Any]:
    """Open a pool of metered, configured connections working as `role`, and wait until
    its first ones are up.

    `on_connect` runs on every new connection after the repositories' own
    `configure` (tests attach the wire meter there).
    """

    async def setup(conn: MeteredConnection) -> None:
        configure(conn)
        if settings.switch_role:
            await switch_role(conn, role)
        if on_connect is not None:
            on_connect(conn)

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        dsn,
        connection_class=MeteredConnection,
        kwargs=connection_kwargs(prepare=settings.prepare, options=session_options(settings)),
        min_size=min_size if min_size is not None else settings.pool_min_size,
        max_size=max_size if max_size is not None else settings.pool_max_size,
        timeout=settings.pool_timeout_s,
        configure=setup,
        open=False,
        name="agentdb",
    )
    await pool.open(wait=True, timeout=10)
    return pool


@asynccontextmanager
async def database(
    settings: Settings | None = None,
    *,
    role: str = APP_ROLE,
    min_size: int | None = None,
    max_size: int | None = None,
) -> AsyncIterator[Database]:
    """A Database on a pool of its own, working as `role`, for the length of the block
    (commands, jobs, scripts)."""
    settings = settings or from_env()
    pool = await open_pool(resolve_dsn(settings), settings, role=role, min_size=min_size, max_size=max_size)
    try:
        yield Database(pool, deadline_s=settings.deadline_s)
    finally:
        await pool.close()
