"""Agent memories: write (one or a batch), a session's most recent, search, and the caller's cleanup."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from agentdb.config import Settings
from api import responses
from api.cursors import Cursors
from api.openapi import BODY, COMMON, NAMED, problems
from api.params import Cursor, Limit, UserId, repository
from jobs.memory_cleanup import cleanup_user
from repositories.memories import Memory, MemoryBatch, MemoryRepository, Query

Memories = NamedDependency[MemoryRepository]


class MemoryPage(msgspec.Struct, frozen=True):
    items: list[Memory]
    next_cursor: str | None


class Written(msgspec.Struct, frozen=True):
    items: list[Memory]


class CleanupInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    dry_run: bool = False


class CleanupResult(msgspec.Struct, frozen=True):
    """The caller's memories removed per rule (or that would be, with dry_run); `complete` false when
    some were left for the next run (rows other requests held, or the batch limit)."""

    expired: int
    idle: int
    over_limit: int
    total: int
    dry_run: bool
    complete: bool


def _settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


class MemoryController(Controller):
    path = "/"
    tags = ["memories"]
    # Not named `memories`: a dependency named like a body field (MemoryBatch.memories) turns that
    # field's validation error into a 500 (Litestar counts it as the dependency's failure).
    dependencies = {"memory_store": repository(MemoryRepository)}

    @post(
        "/agents/{agent_id:uuid}/sessions/{session_id:uuid}/memories",
        summary="Write one memory or a batch (up to 1000) for an agent's session, in one round trip",
        status_code=HTTP_201_CREATED,
        responses=problems(*COMMON, *BODY, *NAMED),
    )
    async def write_memories(
        self, user_id: UserId, memory_store: Memories, agent_id: FromPath[UUID], session_id: FromPath[UUID],
        data: JSONBody[MemoryBatch],
    ) -> Written:
        return Written(items=await memory_store.write(
            user_id=user_id, agent_id=agent_id, session_id=session_id, memories=data.memories
        ))

    @get(
        "/agents/{agent_id:uuid}/sessions/{session_id:uuid}/memories",
        summary="A session's unexpired memories, newest first, keyset-paged; marks them read (last_accessed_at)",
        responses=problems(*COMMON, *NAMED),
    )
    async def session_memories(
        self, user_id: UserId, memory_store: Memories, cursors: NamedDependency[Cursors], agent_id: FromPath[UUID],
        session_id: FromPath[UUID], limit: Limit = 50, cursor: Cursor = None,
    ) -> Response[MemoryPage]:
        scope = ("memories", agent_id, session_id)
        page = await memory_store.recent_json(
            user_id=user_id, agent_id=agent_id, session_id=session_id, limit=limit, after=cursors.decode(cursor, *scope)
        )
        return responses.page(page, cursors.encode(page.next, *scope))

    @get("/memories", summary="Search the caller's memories by text (websearch syntax), optionally of one agent",
         responses=problems(*COMMON))
    async def search_memories(
        self, user_id: UserId, memory_store: Memories, cursors: NamedDependency[Cursors], q: FromQuery[Query],
        agent_id: FromQuery[UUID | None] = None, limit: Limit = 50, cursor: Cursor = None,
    ) -> Response[MemoryPage]:
        scope = ("memory-search", q, agent_id)
        page = await memory_store.search_json(
            user_id=user_id, query=q, agent_id=agent_id, limit=limit, after=cursors.decode(cursor, *scope)
        )
        return responses.page(page, cursors.encode(page.next, *scope))

    @post(
        "/memory/cleanup",
        summary="Apply the retention policy to the caller's memories now (dry_run: count only)",
        status_code=HTTP_200_OK,
        responses=problems(*COMMON, *BODY),
    )
    async def cleanup_memories(
        self, user_id: UserId, memory_store: Memories, state: State, data: JSONBody[CleanupInput | None] = None,
    ) -> CleanupResult:
        settings = _settings(state).jobs
        dry_run = data is not None and data.dry_run
        done = await cleanup_user(
            memory_store, user_id=user_id, policy=settings.retention, batch=settings.cleanup_batch, dry_run=dry_run,
            max_batches=100,
        )
        return CleanupResult(done.expired, done.idle, done.over_limit, done.total, dry_run, done.complete)
