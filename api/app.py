"""The Litestar app: `uvicorn api.app:create_app --factory`.

Thin by design: handlers call one repository method each; every error goes
through api.errors; every response carries Server-Timing (api.timing); every
route under /api/agent-builder needs a bearer token (api.auth). The app's state
holds the one Database (opened in the lifespan); each controller declares the
repositories it uses as dependencies built on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from litestar import Litestar, Request, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from psycopg_pool import AsyncConnectionPool

from agentdb.config import Settings, from_env, resolve_dsn
from agentdb.pool import open_pool
from api.auth import BearerTokenMiddleware
from api.errors import EXCEPTION_HANDLERS
from api.routes.agents import AgentController
from api.routes.executions import ExecutionController
from api.routes.memories import MemoryController
from api.routes.stats import StatsController
from api.routes.workflows import WorkflowController
from api.timing import DbMeterMiddleware, add_server_timing
from repositories import Database
from repositories.tokens import BearerToken

API_PREFIX = "/api/agent-builder"
MAX_BODY_BYTES = 1024 * 1024  # a 1000-node workflow is well under this


def _user_id(request: Request[UUID, BearerToken, State]) -> UUID:
    return request.user


def _db(request: Request[UUID, BearerToken, State]) -> Database:
    """The app's Database, acting for this request's bearer token only."""
    return request.app.state.db.authenticated(request.auth)


def create_app(settings: Settings | None = None, pool: AsyncConnectionPool[Any] | None = None) -> Litestar:
    """The app; it opens (and closes) its own pool unless given one."""
    settings = settings or from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if pool is not None:
            yield
            return
        owned = await open_pool(resolve_dsn(settings), settings)
        app.state.db = Database(owned, deadline_s=settings.deadline_s)
        try:
            yield
        finally:
            await owned.close()

    state = State({"settings": settings})
    if pool is not None:
        state.db = Database(pool, deadline_s=settings.deadline_s)

    api = Router(
        path=API_PREFIX,
        route_handlers=[WorkflowController, AgentController, ExecutionController, MemoryController, StatsController],
        dependencies={"user_id": Provide(_user_id, sync_to_thread=False), "db": Provide(_db, sync_to_thread=False)},
    )
    return Litestar(
        route_handlers=[api],
        middleware=[
            DbMeterMiddleware,  # outermost: the token lookup is metered too
            DefineMiddleware(BearerTokenMiddleware, exclude=["^/schema"]),
        ],
        before_send=[add_server_timing],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        state=state,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="agent-builder API",
            version="1.0.0",
            path="/schema",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        debug=False,
    )
