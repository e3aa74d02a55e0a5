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
from repositories.database import Database
from repositories.sql import Call, statement
from repositories.types import Description, Document, Name

MAX_TOOLS = 200


class Tool(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    position: int
    config: dict[str, Any]


class _AgentFields(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    description: str
    configuration: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class AgentSummary(_AgentFields, frozen=True):
    """An agent in a list (agents.list_page, agents.search_by_configuration)."""

    tool_count: int


class Agent(_AgentFields, frozen=True):
    """An agent with its tools in position order (agents.get_with_tools)."""

    tools: list[Tool]


class ToolInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Name
    config: dict[str, Any] = {}


Tools = Annotated[list[ToolInput], Meta(max_length=MAX_TOOLS)]


class AgentInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new agent; tools are stored in the order given."""

    name: Name
    description: Description = ""
    configuration: dict[str, Any] = {}
    tools: Tools = []


class AgentPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A partial update: absent fields stay; `tools`, when given, replaces the list."""

    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    configuration: dict[str, Any] | UnsetType = UNSET
    tools: Tools | UnsetType = UNSET


_GET_WITH_TOOLS = statement("agents.get_with_tools")
_INSERT = statement("agents.insert")
_INSERT_TOOLS = statement("agents.insert_tools")
_DELETE_TOOLS = statement("agents.delete_tools")
_UPDATE = statement("agents.update")
_DELETE = statement("agents.delete")
_LIST_PAGE = statement("agents.list_page")
_SEARCH_BY_CONFIGURATION = statement("agents.search_by_configuration")


def _insert_tools(user_id: UUID, agent_id: UUID, tools: list[ToolInput]) -> Call:
    rows = [{"name": t.name, "position": i, "config": t.config} for i, t in enumerate(tools)]
    return _INSERT_TOOLS(user_id=user_id, agent_id=agent_id, tools=Jsonb(rows))


def _decode(document: Document) -> Agent:
    return msgspec.json.decode(document.json or b"", type=Agent)


def _unset_to_none(value: Any) -> Any:
    return None if value is UNSET else value


class AgentRepository(paging.SearchableList[AgentSummary]):
    """Agents and their tools. Every method is scoped to `user_id`. `list`: agents with tool counts,
    newest first, or those whose configuration contains a jsonb object."""

    item = AgentSummary
    list_page = _LIST_PAGE
    search = _SEARCH_BY_CONFIGURATION

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, *, user_id: UUID, agent_id: UUID) -> Agent:
        """The agent with all its tools: 1 round trip, any number of tools."""
        return _decode(await self.get_json(user_id=user_id, agent_id=agent_id))

    async def get_json(self, *, user_id: UUID, agent_id: UUID) -> Document:
        """`get` as PostgreSQL's JSON bytes, not decoded (what the HTTP API sends as is)."""
        (json,) = await self.db.row(_GET_WITH_TOOLS(user_id=user_id, agent_id=agent_id))
        return Document(agent_id, json)

    async def create(self, *, user_id: UUID, agent: AgentInput) -> Agent:
        """Create an agent with its tools: 1 round trip, atomic."""
        return _decode(await self.create_json(user_id=user_id, agent=agent))

    async def create_json(self, *, user_id: UUID, agent: AgentInput) -> Document:
        """`create`, answering PostgreSQL's JSON bytes."""
        agent_id = uuid.uuid4()
        (json,) = await self.db.row(
            _INSERT(
                user_id=user_id,
                agent_id=agent_id,
                name=agent.name,
                description=agent.description,
                configuration=Jsonb(agent.configuration),
            ),
            _insert_tools(user_id, agent_id, agent.tools),
            _GET_WITH_TOOLS(user_id=user_id, agent_id=agent_id),
        )
        return Document(agent_id, json)

    async def update(self, *, user_id: UUID, agent_id: UUID, patch: AgentPatch) -> Agent:
        """Apply a partial update (and replace the tools if given): 1 round trip, atomic."""
        return _decode(await self.update_json(user_id=user_id, agent_id=agent_id, patch=patch))

    async def update_json(self, *, user_id: UUID, agent_id: UUID, patch: AgentPatch) -> Document:
        """`update`, answering PostgreSQL's JSON bytes."""
        configuration = _unset_to_none(patch.configuration)
        calls = [
            _UPDATE(
                user_id=user_id,
                agent_id=agent_id,
                name=_unset_to_none(patch.name),
                description=_unset_to_none(patch.description),
                configuration=None if configuration is None else Jsonb(configuration),
            )
        ]
        if patch.tools is not UNSET:
            calls += [_DELETE_TOOLS(user_id=user_id, agent_id=agent_id), _insert_tools(user_id, agent_id, patch.tools)]
        (json,) = await self.db.row(*calls, _GET_WITH_TOOLS(user_id=user_id, agent_id=agent_id))
        return Document(agent_id, json)

    async def delete(self, *, user_id: UUID, agent_id: UUID) -> None:
        """Delete the agent with its tools, executions and memories: 1 round trip."""
        await self.db.row(_DELETE(user_id=user_id, agent_id=agent_id))
