"""AgentRepository: agents with their tools, each call one round trip."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType
from psycopg.types.json import Jsonb

from repositories import paging
from repositories.database import Call, Database
from repositories.errors import NotFound
from repositories.sql import statement

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Description = Annotated[str, Meta(max_length=2000)]
MAX_TOOLS = 200


class Tool(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    position: int
    config: dict[str, Any]


class Agent(msgspec.Struct, frozen=True):
    """An agent with its tools in position order (agents.get_with_tools)."""

    id: UUID
    name: str
    description: str
    configuration: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    tools: list[Tool]


class AgentSummary(msgspec.Struct, frozen=True):
    """An agent in a list; tool_count is absent from search results."""

    id: UUID
    name: str
    description: str
    configuration: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    tool_count: int | None = None


class ToolInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Name
    config: dict[str, Any] = {}


class AgentInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new agent; tools are stored in the order given."""

    name: Name
    description: Description = ""
    configuration: dict[str, Any] = {}
    tools: Annotated[list[ToolInput], Meta(max_length=MAX_TOOLS)] = []


class AgentPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: absent fields stay; `tools`, when given, replaces the list."""

    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    configuration: dict[str, Any] | UnsetType = UNSET
    tools: Annotated[list[ToolInput], Meta(max_length=MAX_TOOLS)] | UnsetType = UNSET


_GET = statement("agents.get_with_tools")
_INSERT = statement("agents.insert")
_INSERT_TOOLS = statement("agents.insert_tools")
_DELETE_TOOLS = statement("agents.delete_tools")
_UPDATE = statement("agents.update")
_DELETE = statement("agents.delete")
_LIST = statement("agents.list_page")
_SEARCH = statement("agents.search_by_configuration")


def _tools_call(user_id: UUID, agent_id: UUID, tools: list[ToolInput]) -> Call:
    rows = [{"name": t.name, "position": i, "config": t.config} for i, t in enumerate(tools)]
    return (_INSERT_TOOLS, {"user_id": user_id, "agent_id": agent_id, "tools": Jsonb(rows)})


def _page(rows: list[Any], limit: int) -> paging.Page[AgentSummary]:
    items = msgspec.json.decode(rows[0][0], type=list[AgentSummary])
    if len(items) <= limit:
        return paging.Page(items=items)
    items = items[:limit]
    return paging.Page(items=items, next_cursor=paging.encode(items[-1].created_at, items[-1].id))


class AgentRepository:
    """Agents and their tools. Every method is scoped to `user_id`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, *, user_id: UUID, agent_id: UUID) -> Agent:
        """The agent with all its tools: 1 round trip, any number of tools."""
        row = await self.db.row(_GET, user_id=user_id, agent_id=agent_id)
        if row is None:
            raise NotFound("agent not found")
        return msgspec.json.decode(row[0], type=Agent)

    async def list(self, *, user_id: UUID, limit: int = 50, cursor: str | None = None) -> paging.Page[AgentSummary]:
        """A keyset page of the user's agents with tool counts, newest first: 1 round trip."""
        paging.check_limit(limit)
        before_at, before_id = paging.decode(cursor)
        rows = await self.db.rows(
            _LIST, user_id=user_id, before_created_at=before_at, before_id=before_id, limit=limit + 1
        )
        return _page(rows, limit)

    async def search(
        self, *, user_id: UUID, contains: dict[str, Any], limit: int = 50, cursor: str | None = None
    ) -> paging.Page[AgentSummary]:
        """Agents whose configuration contains `contains` (jsonb @>, GIN index): 1 round trip."""
        paging.check_limit(limit)
        before_at, before_id = paging.decode(cursor)
        rows = await self.db.rows(
            _SEARCH,
            user_id=user_id,
            contains=Jsonb(contains),
            before_created_at=before_at,
            before_id=before_id,
            limit=limit + 1,
        )
        return _page(rows, limit)

    async def create(self, *, user_id: UUID, agent: AgentInput) -> Agent:
        """Create an agent with its tools: 1 round trip, atomic."""
        agent_id = uuid.uuid4()
        *_, (created,) = await self.db.run(
            (_INSERT, {
                "user_id": user_id,
                "agent_id": agent_id,
                "name": agent.name,
                "description": agent.description,
                "configuration": Jsonb(agent.configuration),
            }),
            _tools_call(user_id, agent_id, agent.tools),
            (_GET, {"user_id": user_id, "agent_id": agent_id}),
        )
        return msgspec.json.decode(created[0], type=Agent)

    async def update(self, *, user_id: UUID, agent_id: UUID, patch: AgentPatch) -> Agent:
        """Apply a partial update (and replace the tools if given): 1 round trip, atomic."""
        calls: list[Call] = [
            (_UPDATE, {
                "user_id": user_id,
                "agent_id": agent_id,
                "name": None if patch.name is UNSET else patch.name,
                "description": None if patch.description is UNSET else patch.description,
                "configuration": None if patch.configuration is UNSET else Jsonb(patch.configuration),
            })
        ]
        if patch.tools is not UNSET:
            calls.append((_DELETE_TOOLS, {"user_id": user_id, "agent_id": agent_id}))
            calls.append(_tools_call(user_id, agent_id, patch.tools))
        calls.append((_GET, {"user_id": user_id, "agent_id": agent_id}))
        *_, (updated,) = await self.db.run(*calls)
        return msgspec.json.decode(updated[0], type=Agent)

    async def delete(self, *, user_id: UUID, agent_id: UUID) -> None:
        """Delete the agent with its tools, executions and memories: 1 round trip."""
        if await self.db.row(_DELETE, user_id=user_id, agent_id=agent_id) is None:
            raise NotFound("agent not found")
