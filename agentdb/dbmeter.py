"""Per-request database meter: round trips and time spent waiting on the server; and the pool's
connection class, whose waits it meters (and which gives up at its caller's deadline).

`MeteredConnection.wait()` is where psycopg blocks on the socket; every wait that
stands for a round trip adds to the meter bound to the current task (a contextvar),
which the API turns into a `Server-Timing` header. Outside a pipeline each wait is
one round trip; inside one, only the waits that sync or flush it are (the others
just queue statements). tests/test_dbmeter.py checks these counts against the
protocol trace of agentdb.wire, which reads the messages actually sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, pq, waiting

_PIPELINE_WAITS = frozenset({"_sync_gen", "_exit_gen"})
_END_TRANSACTION = frozenset({"_commit_gen", "_rollback_gen"})


@dataclass(slots=True)
class DbMeter:
    """What one request (or one block of code) cost the database."""

    round_trips: int = 0
    seconds: float = 0.0

    @property
    def milliseconds(self) -> float:
        return self.seconds * 1000.0


_current: ContextVar[DbMeter | None] = ContextVar("agentdb_db_meter", default=None)


@contextmanager
def metering() -> Iterator[DbMeter]:
    """Bind a fresh meter to the current context for the duration of the block."""
    meter = DbMeter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


class MeteredConnection(AsyncConnection[Any]):
    """The pool's connection class: an AsyncConnection whose waits are metered, and which gives
    up at once when its caller's deadline passes.

    psycopg answers a cancelled wait by sending the server a cancel request and
    waiting for the query to end (up to 5 s + 5 s): against a stalled server that
    holds the caller ~12 s past its deadline. Here a wait cancelled mid-query
    closes the socket instead, so control returns at the deadline; the pool
    discards the closed connection and opens another, and the server ends the
    orphaned query by statement_timeout / client_connection_check_interval.
    """

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:  # type: ignore[override]
        try:
            return await self._metered_wait(gen, interval, timeout)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            if (self.pgconn.transaction_status == pq.TransactionStatus.ACTIVE
                    or self.pgconn.pipeline_status != pq.PipelineStatus.OFF):
                self.pgconn.finish()
            raise

    async def _metered_wait(self, gen: Any, interval: float, timeout: float | None) -> Any:
        meter = _current.get()
        if meter is None:
            return await waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout)
        name = getattr(gen, "__name__", "")
        if self._pipeline is not None:
            sends = name in _PIPELINE_WAITS
        elif name in _END_TRANSACTION:
            # commit()/rollback() on an idle autocommit connection send nothing.
            sends = self.pgconn.transaction_status != pq.TransactionStatus.IDLE
        else:
            sends = True
        if sends:
            meter.round_trips += 1
        started = time.perf_counter()
        try:
            return await waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout)
        finally:
            meter.seconds += time.perf_counter() - started
