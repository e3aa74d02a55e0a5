"""The connection pool every repository runs on: it fails fast and heals fast.

- No dead connection is handed to a request: a connection the server closed while
  it sat idle (a terminated backend, a restart) is seen at checkout with one
  zero-timeout poll(2) of its socket, no round trip, and replaced; the rare
  ambiguous case (bytes waiting that are not a close) costs one check query.
  A connection that dies in the instant before use fails its read, which the
  Database sends again on another connection (repositories.database).
- A request waits for a connection up to AGENTDB_POOL_TIMEOUT while they are all busy
  (a burst of clients queues instead of failing), but at most UNREACHABLE_WAIT_S while
  the database cannot be reached (the last connection attempt failed and none has
  succeeded since): a fault still answers 503 fast.
- Reconnection is quick: psycopg_pool backs off 1, 2, 4, 8... s without a cap,
  so after a 20 s outage the first connection came back ~10 s after the server
  did. Here the delay between attempts is capped at ~0.5 s.
- A stalled server cannot hold a request past its deadline (agentdb.dbmeter's
  connection closes its socket when the deadline cancels it), nor a new
  connection past connect_timeout; TCP keepalives and tcp_user_timeout detect
  a dead network; the server drops queries whose client went away
  (client_connection_check_interval).
"""

from __future__ import annotations

import random
import select
from time import monotonic

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import AsyncConnectionPool
from psycopg_pool.base import AttemptWithBackoff

from agentdb.config import Settings, from_env, resolve_dsn
from agentdb.dbmeter import MeteredConnection
from repositories.database import Database, configure, connection_kwargs, switch_role

APP_ROLE = "agentdb_app"  # the API: one user's rows per request (row-level security)
JOBS_ROLE = "agentdb_jobs"  # jobs and operator commands: every user's rows, as granted (migration 0007)


def session_options(settings: Settings) -> str:
    """Startup settings of every connection: a runaway statement or a lock wait fails instead of
    hanging; the server stops a query whose client is gone; timestamps in the JSON PostgreSQL
    builds are in UTC, whatever the server's default. None with AGENTDB_TRANSACTION_POOLER=1
    (PgBouncer drops or refuses them): then the role or database carries them (README)."""
    if settings.transaction_pooler:
        return ""
    return (f"-c statement_timeout={settings.statement_timeout_ms} -c lock_timeout={settings.lock_timeout_ms}"
            " -c client_connection_check_interval=1000 -c timezone=UTC")


# Dead-network detection: an idle connection is probed after 5 s of silence
# (every 2 s, 3 times); data unacknowledged for 10 s fails the socket.
NETWORK_KWARGS = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
                  "tcp_user_timeout": 10_000, "connect_timeout": 2}
_CLOSED = select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL


def closed_while_idle(conn: psycopg.AsyncConnection[Any]) -> bool | None:
    """Whether the server closed an idle connection (True), surely not (False), or maybe (None:
    bytes are waiting, e.g. a FATAL message just before the close). One poll(2), no I/O."""
    if conn.pgconn.status == pq.ConnStatus.BAD:
        return True
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLRDHUP)
    events = poller.poll(0)
    if not events:
        return False
    return True if events[0][1] & _CLOSED else None


class _CappedBackoff(AttemptWithBackoff):
    """psycopg_pool's reconnection attempt, its delay capped at ~0.5 s (jittered)."""

    INITIAL_DELAY = 0.25
    MAX_DELAY = 0.5

    def update_delay(self, now: float) -> None:
        super().update_delay(now)  # keeps the reconnect_timeout give-up
        self.delay = min(self.delay, self.MAX_DELAY * random.uniform(0.8, 1.0))


class ResilientPool(AsyncConnectionPool[Any]):
    """AsyncConnectionPool that reconnects within ~0.5 s and never hands out a closed connection.

    `transaction_role`: behind a transaction-mode pooler, the role every call switches to
    for its own transaction (repositories.database), instead of once per connection.

    Overrides psycopg_pool internals (`_add_connection`, `_connect`): pinned to psycopg-pool < 3.4,
    tests/test_faults.py holds the behaviour.
    """

    transaction_role: str | None = None
    UNREACHABLE_WAIT_S = 1.0
    # When the last connection attempt failed with none succeeding since (monotonic), else None.
    unreachable_since: float | None = None

    async def _connect(self, timeout: float | None = None) -> Any:
        try:
            conn = await super()._connect(timeout)
        except BaseException:
            if self.unreachable_since is None:
                self.unreachable_since = monotonic()
            raise
        self.unreachable_since = None
        return conn

    async def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        await super()._add_connection(attempt or _CappedBackoff(timeout=self.reconnect_timeout), growing=growing)

    async def getconn(self, timeout: float | None = None) -> Any:
        wait = self.timeout if timeout is None else timeout
        if self.unreachable_since is not None:
            wait = min(wait, self.UNREACHABLE_WAIT_S)
        deadline = monotonic() + wait
        while True:
            conn = await super().getconn(timeout=max(0.0, deadline - monotonic()))
            try:
                closed = closed_while_idle(conn)
                if closed is None:
                    await self.check_connection(conn)  # rare: one round trip settles it
                elif closed:
                    raise psycopg.OperationalError("connection closed by the server while idle")
                return conn
            except psycopg.Error:
                await conn.close()
                await self.putconn(conn)  # a closed connection is discarded and replaced
            except BaseException:
                await self.putconn(conn)
                raise


async def open_pool(
    dsn: str,
    settings: Settings,
    *,
    role: str = APP_ROLE,
    min_size: int | None = None,
    max_size: int | None = None,
    on_connect: Callable[[Any], None] | None = None,
    max_lifetime: float = 3600.0,
    name: str = "agentdb",
    wait: bool = True,
) -> AsyncConnectionPool[Any]:
    """Open a pool of metered, configured connections working as `role`, and wait until
    its first ones are up.

    `on_connect` runs on every new connection after the repositories' own
    `configure` (tests attach the wire meter there). `max_lifetime`: seconds a
    connection lives before the pool replaces it (the read pool's is short).
    """

    async def setup(conn: MeteredConnection) -> None:
        configure(conn)
        if settings.switch_role and not settings.transaction_pooler:
            await switch_role(conn, role)
        if on_connect is not None:
            on_connect(conn)

    pool: AsyncConnectionPool[Any] = ResilientPool(
        dsn,
        connection_class=MeteredConnection,
        kwargs={**connection_kwargs(prepare=settings.prepare, options=session_options(settings)), **NETWORK_KWARGS},
        min_size=min_size if min_size is not None else settings.pool_min_size,
        max_size=max_size if max_size is not None else settings.pool_max_size,
        timeout=settings.pool_timeout_s,
        configure=setup,
        max_lifetime=max_lifetime,
        open=False,
        name=name,
    )
    if settings.switch_role and settings.transaction_pooler:
        pool.transaction_role = role  # a pooler mixes sessions: each call switches its own transaction
    await pool.open(wait=wait, timeout=10)
    return pool


# A read pool's connections are replaced this often, so that connections that went to the
# primary while the standbys were away (prefer-standby) return to a standby soon after it does.
READ_POOL_MAX_LIFETIME_S = 30.0


async def open_read_pool(dsn: str, settings: Settings, **kwargs: Any) -> AsyncConnectionPool[Any]:
    """The read pool (AGENTDB_READ_DATABASE_URL): like the primary's, with short-lived connections;
    opened without waiting, so that a standby that is down delays nothing (reads go to the primary)."""
    kwargs.setdefault("max_lifetime", READ_POOL_MAX_LIFETIME_S)
    return await open_pool(dsn, settings, name="agentdb-read", wait=False, **kwargs)


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
