"""The comparison server of the HTTP benchmark: FastAPI + SQLAlchemy 2 (async, eager loading).

Same three reads and paths as agentdb's API (workflow with graph, recent activity,
history first page), same bearer tokens (api_tokens.token_hash, cached in process
like api.auth), written the way a typical FastAPI + ORM service would be: an
AsyncSession per request, selectinload, dicts returned through FastAPI's default
JSON encoding. Run: DATABASE_URL=... uvicorn bench.fastapi_app:create_app --factory
"""

from __future__ import annotations

import base64
import os
from typing import Any
from uuid import UUID

from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from agentdb.config import from_env
from bench import orm
from repositories import paging
from repositories.users import hash_token


def create_app() -> FastAPI:
    dsn = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    settings = from_env()  # the same pool size and wait as agentdb's (AGENTDB_POOL_MAX, AGENTDB_POOL_TIMEOUT)
    engine = create_async_engine(dsn, pool_size=settings.pool_max_size, max_overflow=0,
                                 pool_timeout=settings.pool_timeout_s)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    tokens: dict[bytes, UUID] = {}
    app = FastAPI(title="bench: FastAPI + SQLAlchemy")

    async def session() -> Any:
        async with sessions() as s:
            yield s

    async def user_id(authorization: str = Header(default=""), s: AsyncSession = Depends(session)) -> UUID:
        if not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing bearer token")
        key = hash_token(authorization[7:])
        if key not in tokens:
            row = (await s.execute(
                text("SELECT user_id FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL"), {"h": key}
            )).first()
            if row is None:
                raise HTTPException(401, "unknown token")
            tokens[key] = row[0]
        return tokens[key]

    @app.get("/api/agent-builder/workflows/{workflow_id}")
    async def get_workflow(workflow_id: UUID, uid: UUID = Depends(user_id), s: AsyncSession = Depends(session)) -> Any:
        try:
            return await s.run_sync(orm.workflow_eager, uid, workflow_id)
        except orm.NotFound:
            raise HTTPException(404, "workflow not found") from None

    @app.get("/api/agent-builder/dashboard/recent-activity")
    async def recent(limit: int = 50, uid: UUID = Depends(user_id), s: AsyncSession = Depends(session)) -> Any:
        return {"items": await s.run_sync(orm.recent_eager, uid, limit)}

    @app.get("/api/agent-builder/executions")
    async def history(limit: int = 50, uid: UUID = Depends(user_id), s: AsyncSession = Depends(session)) -> Any:
        at, row_id = paging.FIRST_PAGE
        items = await s.run_sync(orm.history_eager, uid, at, row_id, limit + 1)
        page = items[:limit]
        cursor = None
        if len(items) > limit:  # an opaque keyset cursor, as a typical service would sign or encode it
            cursor = base64.urlsafe_b64encode(f"{page[-1]['started_at'].isoformat()}|{page[-1]['id']}".encode()).decode()
        return {"items": page, "next_cursor": cursor}

    @app.on_event("shutdown")
    async def close() -> None:
        await engine.dispose()

    return app
