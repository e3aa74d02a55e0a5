"""MemoryRepository: agent memories (write, a session's recent ones, search, cleanup), each call one round trip."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final
from uuid import UUID

import msgspec
from msgspec import Meta
from psycopg.types.json import Jsonb

from repositories import paging
from repositories.database import Database
from repositories.errors import ValidationFailed
from repositories.sql import statement
from repositories.types import text

MAX_BATCH: Final = 1000
MAX_CONTENT: Final = 50_000

Content = Annotated[str, text(min_length=1, max_length=MAX_CONTENT)]
Query = Annotated[str, text(min_length=1, max_length=1000)]


class Memory(msgspec.Struct, frozen=True):
    """One memory of an agent in a session."""

    id: UUID
    agent_id: UUID
    session_id: UUID
    content: str
    created_at: datetime
    last_accessed_at: datetime
    expires_at: datetime | None


class MemoryInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A memory to write; `expires_at` (with a time zone) makes the cleanup delete it then."""

    content: Content
    expires_at: Annotated[datetime, Meta(tz=True)] | None = None


class MemoryBatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One memory or a batch (1..MAX_BATCH, checked by MemoryRepository.write), kept in the order given."""

    memories: list[MemoryInput]


class RetentionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The cleanup's defaults; an agent's configuration {"memory": {...}} overrides them. 0: rule off."""

    idle_days: Annotated[float, Meta(ge=0)] = 90
    max_per_session: Annotated[int, Meta(ge=0)] = 1000


class RuleCounts(msgspec.Struct, frozen=True):
    """Memories removed (or, in a dry run, that would be) per cleanup rule, and in all."""

    expired: int = 0
    idle: int = 0
    over_limit: int = 0

    @property
    def total(self) -> int:
        return self.expired + self.idle + self.over_limit


class Removed(RuleCounts, frozen=True):
    """One cleanup batch per rule; `more`: a rule filled its batch."""

    more: bool = False


_INSERT = statement("memories.insert")
_RECENT = statement("memories.recent")
_SEARCH = statement("memories.search")
_CLEANUP_BATCH = statement("memories.cleanup_batch")
_USERS_PAGE = statement("memories.users_page")

NO_USER: Final = UUID(int=0)  # sorts before every user id: the first page of users_page


class MemoryRepository:
    """Agent memories. Every method but `users_page` (jobs only) is scoped to `user_id`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def write(
        self, *, user_id: UUID, agent_id: UUID, session_id: UUID, memories: list[MemoryInput]
    ) -> list[Memory]:
        """Write one memory or a batch for the agent and session: 1 round trip, atomic; NotFound for
        an agent the user does not have."""
        if not 1 <= len(memories) <= MAX_BATCH:
            raise ValidationFailed(f"memories: between 1 and {MAX_BATCH} a call", field="memories")
        rows = [{"content": m.content, "expires_at": m.expires_at} for m in memories]
        return await self.db.one(
            list[Memory],
            _INSERT(user_id=user_id, agent_id=agent_id, session_id=session_id, memories=Jsonb(rows)),
        )

    async def recent(
        self, *, user_id: UUID, agent_id: UUID, session_id: UUID, limit: int = 50, after: paging.Keyset | None = None
    ) -> paging.Page[Memory]:
        """A keyset page of the session's unexpired memories, newest first, marked as read now: 1 round trip."""
        page = await self.recent_json(user_id=user_id, agent_id=agent_id, session_id=session_id, limit=limit,
                                      after=after)
        return page.decode(Memory)

    async def recent_json(
        self, *, user_id: UUID, agent_id: UUID, session_id: UUID, limit: int = 50, after: paging.Keyset | None = None
    ) -> paging.RawPage:
        """`recent` with the items as PostgreSQL's JSON bytes, not decoded."""
        call = _RECENT(user_id=user_id, agent_id=agent_id, session_id=session_id, **paging.params(limit, after))
        return paging.raw_page(await self.db.rows(call), limit)

    async def search(
        self, *, user_id: UUID, query: str, agent_id: UUID | None = None, limit: int = 50,
        after: paging.Keyset | None = None,
    ) -> paging.Page[Memory]:
        """A keyset page of the user's (agent's) memories matching `query` (websearch syntax), newest first:
        1 round trip, on the full-text GIN index."""
        page = await self.search_json(user_id=user_id, query=query, agent_id=agent_id, limit=limit, after=after)
        return page.decode(Memory)

    async def search_json(
        self, *, user_id: UUID, query: str, agent_id: UUID | None = None, limit: int = 50,
        after: paging.Keyset | None = None,
    ) -> paging.RawPage:
        """`search` with the items as PostgreSQL's JSON bytes, not decoded."""
        call = _SEARCH(user_id=user_id, query=query, agent_id=agent_id, **paging.params(limit, after))
        return paging.raw_page(await self.db.rows(call), limit)

    async def cleanup_batch(
        self, *, user_id: UUID, policy: RetentionPolicy, batch: int | None, dry_run: bool = False
    ) -> Removed:
        """One cleanup batch for the user: at most `batch` rows per rule deleted in one short transaction
        (never waiting on a locked row); with `dry_run`, nothing deleted, every candidate counted
        (`batch` None: no limit). 1 round trip."""
        return await self.db.one(Removed, _CLEANUP_BATCH(
            user_id=user_id, idle_days=policy.idle_days, max_per_session=policy.max_per_session,
            batch=batch, dry_run=dry_run,
        ))

    async def users_page(self, *, after: UUID = NO_USER, limit: int = 500) -> list[UUID]:
        """Jobs only (a pool of the jobs role): ids of users who have memories, after `after`: 1 round trip."""
        return [row[0] for row in await self.db.rows(_USERS_PAGE(after=after, limit=limit))]
