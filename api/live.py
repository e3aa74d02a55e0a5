"""Live executions: one LISTEN connection per process, fanned out to every open stream.

`Listener` holds the process's only listening connection (created in the app's
lifespan, kept on `app.state.listener`). executions.append_events and
executions.transition NOTIFY "<execution id> <seq>" at commit; the listener sets
the asyncio.Event of every stream subscribed to that execution. A stream never
takes what to send from a notification: woken, it reads the rows after the last
seq it sent (executions.events_after), so a notification lost, doubled or
coalesced changes nothing, and no pooled connection is held between reads.

When the listening connection dies, the listener reconnects (every ~0.5 s until
it can) and then wakes every stream, which catches up from the table: what was
committed while nobody listened is read, never lost. Each stream subscribes
before its first read, so an event committed between that read and its wait has
already set its Event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
import psycopg

from agentdb.pool import NETWORK_KWARGS
from repositories.database import connection_kwargs
from repositories.errors import Unavailable
from repositories.executions import EventBatch, ExecutionRepository
from repositories.sql import statement

log = logging.getLogger("agentdb.live")

APPLICATION_NAME = "agentdb-listen"
_LISTEN = statement("live.listen")


class TooManyStreams(Exception):
    """The user already has as many open streams as this process allows."""


class Subscription:
    """One stream's interest in one execution: `woken` is set when something may have changed."""

    def __init__(self, listener: Listener, user_id: UUID, execution_id: UUID) -> None:
        self.listener = listener
        self.user_id = user_id
        self.execution_id = execution_id
        self.woken = asyncio.Event()
        self._released = False

    def release(self) -> None:
        """Forget this stream (idempotent): nothing of it is left in the listener."""
        if not self._released:
            self._released = True
            self.listener._remove(self)


class Listener:
    """The process's one LISTEN connection and the streams it wakes."""

    def __init__(self, dsn: str, *, streams_per_user: int, reconnect_delay_s: float = 0.5) -> None:
        self.dsn = dsn
        self.streams_per_user = streams_per_user
        self.reconnect_delay_s = reconnect_delay_s
        self.subscribers: dict[UUID, set[Subscription]] = {}
        self.per_user: Counter[UUID] = Counter()
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it has (re)connected
        # Wake-ups so far (any execution, or all at a reconnection): what a shared read is keyed on.
        self._wakes = 0
        self._reads: dict[tuple[Any, ...], asyncio.Future[EventBatch]] = {}
        self.reads = 0  # reads sent to the database on behalf of streams
        self.backend_pid: int | None = None
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    async def start(self, timeout_s: float = 10.0) -> None:
        """Start listening; wait until the first connection listens (so no early event is missed)."""
        self._task = asyncio.create_task(self._run(), name="agentdb-listener")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self.connected.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._wake_all()

    async def _run(self) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.dsn, **{**connection_kwargs(prepare=False, application_name=APPLICATION_NAME),
                                 **NETWORK_KWARGS})
            except (psycopg.Error, OSError) as exc:
                log.warning("listener: cannot connect (%s); retrying", exc)
                await asyncio.sleep(self.reconnect_delay_s)
                continue
            try:
                async with conn:
                    await conn.execute(_LISTEN.text)
                    self.backend_pid = conn.info.backend_pid
                    self.connections += 1
                    self.connected.set()
                    # Whatever committed while nobody listened: every stream reads the table again.
                    self._wake_all()
                    async for notify in conn.notifies():
                        self._dispatch(notify.payload)
            except (psycopg.Error, OSError) as exc:
                log.warning("listener: connection lost (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                self.backend_pid = None
            await asyncio.sleep(self.reconnect_delay_s)

    # --- fan-out -----------------------------------------------------------------------------------------------------

    def _dispatch(self, payload: str) -> None:
        execution, _, _ = payload.partition(" ")
        try:
            execution_id = UUID(execution)
        except ValueError:
            return
        subscriptions = self.subscribers.get(execution_id)
        if not subscriptions:
            return
        self._wakes += 1
        for subscription in subscriptions:
            subscription.woken.set()

    def _wake_all(self) -> None:
        self._wakes += 1
        for subscriptions in self.subscribers.values():
            for subscription in subscriptions:
                subscription.woken.set()

    def subscribe(self, user_id: UUID, execution_id: UUID) -> Subscription:
        """Register a stream (TooManyStreams past the per-user cap); release it when done."""
        if self.per_user[user_id] >= self.streams_per_user:
            raise TooManyStreams(f"at most {self.streams_per_user} open streams per user")
        subscription = Subscription(self, user_id, execution_id)
        self.subscribers.setdefault(execution_id, set()).add(subscription)
        self.per_user[user_id] += 1
        return subscription

    def _remove(self, subscription: Subscription) -> None:
        subscriptions = self.subscribers.get(subscription.execution_id)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self.subscribers[subscription.execution_id]
        self.per_user[subscription.user_id] -= 1
        if self.per_user[subscription.user_id] <= 0:
            del self.per_user[subscription.user_id]

    def wake_mark(self) -> int:
        """How many wake-ups so far (taken by a stream as it clears its Event)."""
        return self._wakes

    async def read(self, mark: int, executions: ExecutionRepository, user_id: UUID,
                   execution_id: UUID, after: int, limit: int) -> EventBatch:
        """executions.events_after, shared by the streams of one execution that want the same rows.

        Many streams woken by one commit would each send the same read; instead the first sends
        it and the others await its answer. A stream joins only a read started after it last
        cleared its Event (same `mark`: no wake-up of any stream since), so the read's snapshot is
        later than every commit that woke it: nothing it was woken for can be missing; a commit
        after the read began wakes it again (new mark, new read). Every stream of an
        execution is its owner's (row-level security), so any one of them may read for all.
        """
        key = (mark, execution_id, after, limit)
        future = self._reads.get(key)
        if future is None:
            self.reads += 1
            future = asyncio.ensure_future(executions.events_after(
                user_id=user_id, execution_id=execution_id, after=after, limit=limit))
            self._reads[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(future)

    def _forget(self, key: tuple[Any, ...], done: asyncio.Future[EventBatch]) -> None:
        if self._reads.get(key) is done:
            del self._reads[key]
        if not done.cancelled():
            done.exception()  # retrieved: a failed shared read is raised to each stream, not logged as lost

    @property
    def open_streams(self) -> int:
        return sum(len(s) for s in self.subscribers.values())


# --- Server-Sent Events ----------------------------------------------------------------------------------------------

PING = b": ping\n\n"
RETRY_MS = 1000


def sse_events(batch: EventBatch) -> bytes:
    """Each event as an SSE message: `id` its seq (what Last-Event-ID names), `data` its JSON."""
    return b"".join(b"id: %d\ndata: %s\n\n" % (seq, document) for seq, document in batch.documents)


def sse_end(status: str, last_seq: int) -> bytes:
    return b"event: end\ndata: %s\n\n" % msgspec.json.encode({"status": status, "last_seq": last_seq})


async def stream(
    executions: ExecutionRepository,
    subscription: Subscription,
    first: EventBatch,
    *,
    after: int,
    batch_size: int,
    heartbeat_s: float,
) -> AsyncIterator[bytes]:
    """The SSE body: the events after `after` (from `first`, read before the response began),
    then each new one as it is committed, until the execution is finished and everything was
    sent. A heartbeat comment every `heartbeat_s` of silence. Releases the subscription however
    it ends (finished, client gone, database error)."""
    user_id, execution_id = subscription.user_id, subscription.execution_id
    try:
        yield b"retry: %d\n\n" % RETRY_MS
        batch = first
        while True:
            if batch.documents:
                yield sse_events(batch)
                after = batch.documents[-1][0]
            if len(batch.documents) < batch_size:  # caught up: wait for news (a full page reads on at once)
                if batch.finished and after >= batch.last_seq:
                    yield sse_end(batch.status, batch.last_seq)
                    return
                while not subscription.woken.is_set():
                    try:
                        async with asyncio.timeout(heartbeat_s):
                            await subscription.woken.wait()
                    except TimeoutError:
                        yield PING
            subscription.woken.clear()  # before the read: a commit after it wakes the next wait
            mark = subscription.listener.wake_mark()
            try:
                batch = await subscription.listener.read(mark, executions, user_id, execution_id, after, batch_size)
            except Unavailable:
                subscription.woken.set()  # busy or briefly unreachable: read again shortly
                batch = EventBatch(documents=[], status="running", last_seq=after)
                await asyncio.sleep(0.2)
    finally:
        subscription.release()

