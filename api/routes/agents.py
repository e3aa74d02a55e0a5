"""/api/agent-builder/agents: agents with their tools."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from api.cursors import Cursors
from repositories.database import Database
from api.params import Cursor, JsonQuery, Limit, UserId, json_object
from repositories.agents import Agent, AgentInput, AgentPatch, AgentRepository, AgentSummary
from repositories.paging import Page

Agents = NamedDependency[AgentRepository]


class AgentPage(msgspec.Struct, frozen=True):
    items: list[AgentSummary]
    next_cursor: str | None


def provide_agents(db: NamedDependency[Database]) -> AgentRepository:
    return AgentRepository(db)


class AgentController(Controller):
    path = "/agents"
    tags = ["agents"]
    dependencies = {"agents": Provide(provide_agents, sync_to_thread=False)}

    @get("/", summary="List agents with tool counts (newest first), or search their configuration")
    async def list_agents(
        self,
        user_id: UserId,
        agents: Agents,
        cursors: NamedDependency[Cursors],
        limit: Limit = 50,
        cursor: Cursor = None,
        config_contains: JsonQuery = None,
    ) -> AgentPage:
        if config_contains is not None:
            contains = json_object(config_contains, field="config_contains")
            page: Page[AgentSummary] = await agents.search(
                user_id=user_id, contains=contains, limit=limit, after=cursors.decode(cursor, "agents", config_contains)
            )
        else:
            page = await agents.list(user_id=user_id, limit=limit, after=cursors.decode(cursor, "agents", config_contains))
        return AgentPage(items=page.items, next_cursor=cursors.encode(page.next, "agents", config_contains))

    @post("/", summary="Create an agent with its tools", status_code=HTTP_201_CREATED)
    async def create_agent(self, user_id: UserId, agents: Agents, data: JSONBody[AgentInput]) -> Agent:
        return await agents.create(user_id=user_id, agent=data)

    @get("/{agent_id:uuid}", summary="An agent with its tools")
    async def get_agent(self, user_id: UserId, agents: Agents, agent_id: FromPath[UUID]) -> Agent:
        return await agents.get(user_id=user_id, agent_id=agent_id)

    @patch("/{agent_id:uuid}", summary="Update some fields; `tools`, when given, replaces the list")
    async def update_agent(
        self, user_id: UserId, agents: Agents, agent_id: FromPath[UUID], data: JSONBody[AgentPatch]
    ) -> Agent:
        return await agents.update(user_id=user_id, agent_id=agent_id, patch=data)

    @delete("/{agent_id:uuid}", summary="Delete an agent with its tools, executions and memories")
    async def delete_agent(self, user_id: UserId, agents: Agents, agent_id: FromPath[UUID]) -> None:
        await agents.delete(user_id=user_id, agent_id=agent_id)
