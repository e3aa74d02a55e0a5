"""Live executions over real HTTP: a uvicorn server on a free port, httpx streaming Server-Sent Events.

Events appended while a client streams arrive in order with no gap or duplicate; a reconnect with
Last-Event-ID gets exactly what it missed; 100 streams share the process's one LISTEN connection
and leave nothing behind when they go; killing the listening backend loses no event.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import psycopg
import pytest
import uvicorn
from litestar.testing import AsyncTestClient

from agentdb.config import Settings
from api.app import create_app
from api.live import APPLICATION_NAME
from devtools import statement
from devtools.graphs import chain
from devtools.testdb import scratch_database
from repositories import ExecutionRepository, UserRepository, WorkflowRepository
from repositories.database import run_sync
from repositories.executions import EventInput

API = "/api/agent-builder"
DEADLINE_S = 20.0


@dataclass
class Server:
    app: Any
    base_url: str

    @property
    def listener(self) -> Any:
        return self.app.state.listener


@pytest.fixture
async def serve(dsn: str) -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    """Start the app under uvicorn on a free port (its own pool and listener), stopped at the end."""
    running: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> Server:
        settings = Settings(**{"database_url": dsn, "pool_max_size": 10, "pool_timeout_s": 5.0, "stream_heartbeat_s": 30.0,
                               "streams_per_user": 200, **overrides})
        app = create_app(settings)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        running.append((server, task))
        deadline = time.monotonic() + DEADLINE_S
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            await asyncio.sleep(0.02)
        return Server(app, f"http://127.0.0.1:{sock.getsockname()[1]}")

    yield start
    for server, task in running:
        server.should_exit = True
        await asyncio.wait_for(task, DEADLINE_S)


@dataclass
class Sse:
    """One open event stream, read message by message."""

    response: httpx.Response
    lines: AsyncIterator[str]
    pings: int = 0
    seqs: list[int] = field(default_factory=list)
    end: dict[str, Any] | None = None

    async def message(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        async for line in self.lines:
            if line == "":
                if fields:
                    return fields
                continue
            if line.startswith(":"):
                self.pings += 1
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        raise EOFError("stream closed")

    async def until(self, seq: int) -> None:
        """Read until the event `seq` (or the end) arrived."""
        while (not self.seqs or self.seqs[-1] < seq) and self.end is None:
            async with asyncio.timeout(DEADLINE_S):
                fields = await self.message()
            if fields.get("event") == "end":
                self.end = msgspec.json.decode(fields["data"])
            elif "data" in fields:
                event = msgspec.json.decode(fields["data"])
                assert int(fields["id"]) == event["seq"]
                self.seqs.append(event["seq"])

    async def to_end(self) -> dict[str, Any]:
        await self.until(2**62)
        assert self.end is not None
        return self.end


async def open_stream(client: httpx.AsyncClient, token: str, execution_id: uuid.UUID,
                      last_event_id: int | None = None) -> Sse:
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    request = client.build_request("GET", f"{API}/executions/{execution_id}/stream", headers=headers)
    response = await client.send(request, stream=True)
    assert response.status_code == 200, await response.aread()
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in response.headers["cache-control"] and response.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in response.headers
    sse = Sse(response, response.aiter_lines())
    first = await sse.message()
    assert first == {"retry": "1000"}
    return sse


@dataclass
class Run:
    user_id: uuid.UUID
    token: str
    execution_id: uuid.UUID
    executions: ExecutionRepository

    async def append(self, n: int, start: int = 0) -> int:
        done = await self.executions.append_events(
            user_id=self.user_id, execution_id=self.execution_id,
            events=[EventInput(type="log", payload={"i": start + i}) for i in range(n)])
        return done.last_seq

    async def finish(self) -> None:
        await self.executions.transition(user_id=self.user_id, execution_id=self.execution_id, to_status="completed")


@pytest.fixture
async def run(users: UserRepository, workflows: WorkflowRepository, executions: ExecutionRepository) -> Run:
    user, token = await users.create(email=f"live-{uuid.uuid4().hex[:8]}@example.com")
    workflow = await workflows.create(user_id=user.id, workflow=chain(3))
    started = await executions.start(user_id=user.id, workflow_id=workflow.id)
    await executions.transition(user_id=user.id, execution_id=started.id, to_status="running")
    return Run(user.id, token, started.id, executions)


async def _poll(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


def _backends(owner: psycopg.Connection[Any]) -> tuple[int, int]:
    (row,) = run_sync(owner, statement("testing.backends")(application_name=APPLICATION_NAME))
    return row[0], row[1]


async def test_events_appended_while_streaming_arrive_in_order(serve, run: Run) -> None:  # type: ignore[no-untyped-def]
    server = await serve()
    await run.append(5)  # before the stream: replayed
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        sse = await open_stream(client, run.token, run.execution_id)

        async def writer() -> None:
            for b in range(20):
                await run.append(1 + b % 4, start=b * 10)
            await run.finish()

        await asyncio.gather(writer(), sse.to_end())
        total = 5 + sum(1 + b % 4 for b in range(20))
        assert sse.seqs == list(range(1, total + 1))
        assert sse.end == {"status": "completed", "last_seq": total}
        await sse.response.aclose()
        # A finished execution replays and ends at once.
        again = await open_stream(client, run.token, run.execution_id, last_event_id=total - 2)
        assert await again.to_end() == {"status": "completed", "last_seq": total}
        assert again.seqs == [total - 1, total]
        await again.response.aclose()
    await _poll(lambda: not server.listener.subscribers and not server.listener.per_user, "streams released")


async def test_reconnect_with_last_event_id_gets_exactly_the_missed_events(serve, run: Run) -> None:  # type: ignore[no-untyped-def]
    server = await serve()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        sse = await open_stream(client, run.token, run.execution_id)
        await run.append(3)
        await sse.until(3)
        await sse.response.aclose()  # the client goes away
        await run.append(4, start=3)  # missed
        resumed = await open_stream(client, run.token, run.execution_id, last_event_id=sse.seqs[-1])
        await run.append(2, start=7)
        await resumed.until(9)
        assert sse.seqs == [1, 2, 3] and resumed.seqs == [4, 5, 6, 7, 8, 9]
        await resumed.response.aclose()
    await _poll(lambda: not server.listener.subscribers, "streams released")


async def test_an_event_written_during_the_replay_is_neither_lost_nor_doubled(serve, run: Run) -> None:  # type: ignore[no-untyped-def]
    server = await serve()
    await run.append(600)
    await run.append(600, start=600)  # more than two replay batches (500 each)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        sse = await open_stream(client, run.token, run.execution_id)
        await sse.until(1)  # replaying: the rest of the backlog is still being read and sent
        await run.append(3, start=1200)
        await run.finish()
        await sse.to_end()
        assert sse.seqs == list(range(1, 1204))
        await sse.response.aclose()


async def test_hundred_streams_share_one_listening_connection_and_leave_nothing(  # type: ignore[no-untyped-def]
    serve, run: Run, owner: psycopg.Connection[Any]
) -> None:
    server = await serve()
    tasks_before = len(asyncio.all_tasks())
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits) as client:
        streams: list[Sse] = []
        for _ in range(5):  # in waves of 20: a stream's first read takes a pooled connection (10 of them)
            streams += await asyncio.gather(*(open_stream(client, run.token, run.execution_id) for _ in range(20)))
        assert server.listener.open_streams == 100
        assert _backends(owner) == (1, 1)  # one listening connection for the whole process
        last = await run.append(2)
        await asyncio.gather(*(sse.until(last) for sse in streams))
        assert all(sse.seqs == [1, 2] for sse in streams)
        await asyncio.gather(*(sse.response.aclose() for sse in streams))
    await _poll(lambda: server.listener.open_streams == 0 and not server.listener.subscribers
                and not server.listener.per_user, "every stream released")
    await _poll(lambda: len(asyncio.all_tasks()) <= tasks_before, "no task left behind")
    assert _backends(owner) == (1, 1)


async def test_killing_the_listening_backend_loses_no_event(  # type: ignore[no-untyped-def]
    serve, run: Run, owner: psycopg.Connection[Any]
) -> None:
    server = await serve()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        sse = await open_stream(client, run.token, run.execution_id)
        await run.append(2)
        await sse.until(2)
        pid = server.listener.backend_pid
        run_sync(owner, statement("testing.terminate_backend")(pid=pid))
        await run.append(3, start=2)  # committed while nobody (or a dying connection) listens
        await _poll(lambda: server.listener.connections >= 2, "listener reconnected")
        await run.append(1, start=5)
        await run.finish()
        assert await sse.to_end() == {"status": "completed", "last_seq": 6}
        assert sse.seqs == [1, 2, 3, 4, 5, 6]
        assert server.listener.backend_pid != pid
        await sse.response.aclose()
    assert _backends(owner) == (1, 1)


async def test_streams_per_user_are_capped_and_heartbeats_flow(serve, run: Run) -> None:  # type: ignore[no-untyped-def]
    server = await serve(streams_per_user=2, stream_heartbeat_s=0.2)
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        first = await open_stream(client, run.token, run.execution_id)
        second = await open_stream(client, run.token, run.execution_id)
        refused = await client.get(f"{API}/executions/{run.execution_id}/stream",
                                   headers={"Authorization": f"Bearer {run.token}"})
        assert refused.status_code == 429 and refused.json()["code"] == "too-many-requests"
        assert refused.headers["retry-after"]
        await run.append(1)
        await first.until(1)
        deadline = time.monotonic() + DEADLINE_S
        while first.pings < 2:  # idle: heartbeat comments keep coming
            assert time.monotonic() < deadline
            async with asyncio.timeout(DEADLINE_S):
                await _read_ping(first)
        await first.response.aclose()
        await _poll(lambda: server.listener.per_user.get(run.user_id) == 1, "a closed stream frees its slot")
        third = await open_stream(client, run.token, run.execution_id)
        await asyncio.gather(second.response.aclose(), third.response.aclose())


async def _read_ping(sse: Sse) -> None:
    before = sse.pings
    async for line in sse.lines:
        if line.startswith(":"):
            sse.pings += 1
        if sse.pings > before:
            return


async def test_streams_of_one_execution_share_their_reads(serve, run: Run) -> None:  # type: ignore[no-untyped-def]
    server = await serve()
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        streams = [await open_stream(client, run.token, run.execution_id) for _ in range(20)]
        reads = server.listener.reads
        for i in range(5):
            last = await run.append(1, start=i)
            await asyncio.gather(*(sse.until(last) for sse in streams))
        assert all(sse.seqs == [1, 2, 3, 4, 5] for sse in streams)
        # One commit wakes 20 streams; they send far fewer than 20 reads each time (usually one).
        assert server.listener.reads - reads < 5 * 20
        await asyncio.gather(*(sse.response.aclose() for sse in streams))
    await _poll(lambda: not server.listener.subscribers, "streams released")


def test_a_notify_reaches_the_listener_at_commit_and_never_after_a_rollback(dsn: str) -> None:
    """live.listen and live.notify on their own: the payload is "<execution id> <user id>", delivered
    when the write's transaction commits, and not at all when it rolls back (a refused append)."""
    from devtools import wire
    from repositories.database import connect
    from repositories.sql import statement as product_statement

    execution, user = uuid.uuid4(), uuid.uuid4()
    notify = product_statement("live.notify")
    with connect(dsn) as listener, connect(dsn, autocommit=False) as writer:
        wire.attach(listener)
        wire.attach(writer)
        run_sync(listener, product_statement("live.listen")())
        run_sync(writer, notify(execution_id=uuid.uuid4(), user_id=user))
        writer.rollback()
        run_sync(writer, notify(execution_id=execution, user_id=user))
        writer.commit()
        # A rolled-back NOTIFY would have been queued first: the first one delivered must be the commit's.
        payloads = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    assert payloads == [f"{execution} {user}"]


async def test_the_listener_listens_where_agentdb_listen_database_url_says(
    server_dsn: str, settings: Settings, pool: Any
) -> None:
    """Behind a transaction-mode pooler the listener must reach the server itself: with
    AGENTDB_LISTEN_DATABASE_URL set, its one LISTEN is there (here: another database)."""
    with scratch_database(server_dsn, prefix="agentdb_listen") as elsewhere:
        app = create_app(msgspec.structs.replace(settings, listen_database_url=elsewhere), pool=pool)
        with psycopg.connect(elsewhere, autocommit=True) as there:
            async with AsyncTestClient(app=app):
                await _poll(lambda: _backends(there) == (1, 1), "the listener listening on the other database")
            await _poll(lambda: _backends(there) == (0, 0), "the listener gone when the app stops")
