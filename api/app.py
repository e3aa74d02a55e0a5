"""The Litestar app: `uvicorn api.app:create_app --factory`.

Thin by design: handlers call one repository method each; every error goes
through api.errors (problem+json); every response carries Server-Timing and
X-Request-ID, and every request one access line and its metrics
(api.observability, around the whole app); requests are checked before
handlers see them (api.guards). Routes under /api/agent-builder need a bearer
token (api.auth, on that Router only); /healthz, /readyz, /metrics and /schema
do not. The app's state holds the one Database (opened in the lifespan) and the
cursor codec; each controller declares the repositories it uses as dependencies
built on the request's `db` (the Database bound to the request's token).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from litestar import Litestar, Request, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from psycopg_pool import AsyncConnectionPool

from agentdb.config import Settings, from_env, resolve_dsn
from agentdb.pool import open_pool, open_read_pool
from api import dependencies, guards, openapi, read_your_writes
from api.responses import API_PREFIX, private_to_the_user
from api.auth import BearerTokenMiddleware
from api.cursors import Cursors
from api.errors import EXCEPTION_HANDLERS
from api.health import HealthController, MetricsController
from api.live import Listener
from api.observability import Observability, observe_pool
from api.routes.agents import AgentController
from api.routes.executions import ExecutionController
from api.routes.memories import MemoryController
from api.routes.stats import StatsController
from api.routes.workflows import WorkflowController
from api.read_your_writes import LSN_HEADER
from repositories import Database
from repositories.database import ReadReplicas
from repositories.meta import cursor_key
from repositories.tokens import BearerToken

MAX_BODY_BYTES = 1024 * 1024  # a 1000-node workflow is well under this


def _user_id(request: Request[UUID, BearerToken, State]) -> UUID:
    return request.user


def _db(request: Request[UUID, BearerToken, State]) -> Database:
    """The app's Database, acting for this request's bearer token only (and, with read
    replicas, reading at least what the client's AgentDB-LSN says it has written)."""
    db: Database = request.app.state.db
    if db.replicas is None:
        return db.authenticated(request.auth)
    db = db.authenticated(request.auth, lsn=read_your_writes.client_lsn(request.headers.get(LSN_HEADER)))
    request.scope[read_your_writes.DB_KEY] = db  # type: ignore[literal-required]
    return db


def _cursors(state: State) -> Cursors:
    return state.cursors  # type: ignore[no-any-return]


async def _publish_pool_stats(pool: AsyncConnectionPool[Any]) -> None:
    """Every second: the pool's gauges (each worker process publishes its own)."""
    while True:
        observe_pool(pool.get_stats())
        await asyncio.sleep(1.0)


def create_app(
    settings: Settings | None = None,
    pool: AsyncConnectionPool[Any] | None = None,
    read_pool: AsyncConnectionPool[Any] | None = None,
) -> Litestar:
    """The app; it opens (and closes) its own pool unless given one, and its read pool (hot
    standbys) when given one or AGENTDB_READ_DATABASE_URL."""
    settings = settings or from_env()
    dependencies.resolve_inline()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = None if pool is not None else await open_pool(resolve_dsn(settings), settings)
        the_pool: AsyncConnectionPool[Any] = pool or owned  # type: ignore[assignment]
        owned_read = None
        if read_pool is None and settings.read_database_url:
            owned_read = await open_read_pool(settings.read_database_url, settings)
        the_read_pool = read_pool or owned_read
        stats = asyncio.create_task(_publish_pool_stats(the_pool))
        try:
            replicas = ReadReplicas(the_read_pool) if the_read_pool is not None else None
            db = Database(the_pool, deadline_s=settings.deadline_s, replicas=replicas)
            key = settings.secret_key.encode() if settings.secret_key else await cursor_key(db)
            app.state.db, app.state.cursors = db, Cursors(key)
            # The process's one LISTEN connection, fanning events out to every open stream (api.live).
            # On the server itself when DATABASE_URL is a transaction-mode pooler (AGENTDB_LISTEN_DATABASE_URL).
            app.state.listener = listener = Listener(settings.listen_database_url or resolve_dsn(settings),
                                                     streams_per_user=settings.streams_per_user)
            await listener.start()
            try:
                yield
            finally:
                await listener.stop()
        finally:
            stats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stats
            if owned_read is not None:
                await owned_read.close()
            if owned is not None:
                await owned.close()

    api = Router(
        path=API_PREFIX,
        route_handlers=[WorkflowController, AgentController, ExecutionController, MemoryController, StatsController],
        dependencies={
            "user_id": Provide(_user_id, sync_to_thread=False),
            "db": Provide(_db, sync_to_thread=False),
            "cursors": Provide(_cursors, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(BearerTokenMiddleware)],
        security=[{"BearerToken": []}],
        response_headers=openapi.EVERY_RESPONSE_HEADERS,
    )
    app = Litestar(
        route_handlers=[api, HealthController, MetricsController],
        before_request=guards.before_request,
        before_send=[guards.allow_every_method, private_to_the_user,
                     read_your_writes.add_lsn_header],
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=1024,
                                             exclude_opt_key="no_compression"),
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "Prefer",
                           "X-Request-ID", "Last-Event-ID", LSN_HEADER],
            expose_headers=["ETag", "Location", "Retry-After", "Server-Timing", "X-Request-ID",
                            "Preference-Applied", LSN_HEADER],
        ) if settings.cors_origins else None,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        state=State({"settings": settings}),
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=openapi.config(),
        # Logging is agentdb.logs' (JSON lines, configured by `agentdb serve` in every worker):
        # Litestar's default config would replace it with its own queue handler and text format.
        logging_config=None,
        debug=False,
    )
    # Around the whole app, not one route: unknown routes, 405s and requests refused
    # by authentication are measured, logged and bounded like the others.
    app.asgi_handler = Observability(guards.UriLength(
        guards.AuthFailureLimit(app.asgi_handler, per_minute=settings.auth_failures_per_minute)))
    return app
