"""/api/agent-builder/agents: agents with their tools."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from api import responses
from api.openapi import BODY, COMMON, MINIMAL, NAMED, headers, no_body, problems
from api.cursors import Cursors
from api.params import Cursor, JsonQuery, Limit, UserId, repository
from api.routes import searchable_page
from repositories.agents import Agent, AgentInput, AgentPatch, AgentRepository, AgentSummary

Agents = NamedDependency[AgentRepository]



class AgentPage(msgspec.Struct, frozen=True):
    items: list[AgentSummary]
    next_cursor: str | None


class AgentController(Controller):
    path = "/agents"
    tags = ["agents"]
    dependencies = {"agents": repository(AgentRepository)}

    @get("/", summary="List agents with tool counts (newest first), or search their configuration",
         responses=problems(*COMMON))
    async def list_agents(
        self,
        user_id: UserId,
        agents: Agents,
        cursors: NamedDependency[Cursors],
        limit: Limit = 50,
        cursor: Cursor = None,
        config_contains: JsonQuery = None,
    ) -> Response[AgentPage]:
        return await searchable_page(agents, cursors, "agents", user_id=user_id, limit=limit, cursor=cursor,
                                     query=config_contains, field="config_contains")

    @post("/", summary="Create an agent with its tools", status_code=HTTP_201_CREATED,
          responses=problems(*COMMON, *BODY), response_headers=headers("Location", "Preference-Applied"))
    async def create_agent(
        self, request: Request[Any, Any, Any], user_id: UserId, agents: Agents, data: JSONBody[AgentInput]
    ) -> Response[Agent]:
        created = await agents.create_json(user_id=user_id, agent=data)
        return responses.written(request, created.json or b"", status_code=HTTP_201_CREATED,
                                 headers=responses.location(f"agents/{created.id}"))

    @get("/{agent_id:uuid}", summary="An agent with its tools", responses=problems(*COMMON, *NAMED))
    async def get_agent(self, user_id: UserId, agents: Agents, agent_id: FromPath[UUID]) -> Response[Agent]:
        return responses.json_bytes((await agents.get_json(user_id=user_id, agent_id=agent_id)).json or b"")

    @patch("/{agent_id:uuid}", summary="Update some fields; `tools`, when given, replaces the list",
           responses={**problems(*COMMON, *BODY, *NAMED), 204: no_body(MINIMAL)},
           response_headers=headers("Preference-Applied"))
    async def update_agent(
        self, request: Request[Any, Any, Any], user_id: UserId, agents: Agents, agent_id: FromPath[UUID],
        data: JSONBody[AgentPatch],
    ) -> Response[Agent]:
        updated = await agents.update_json(user_id=user_id, agent_id=agent_id, patch=data)
        return responses.written(request, updated.json or b"")

    @delete("/{agent_id:uuid}", summary="Delete an agent with its tools, executions and memories",
            responses=problems(*COMMON, *NAMED))
    async def delete_agent(self, user_id: UserId, agents: Agents, agent_id: FromPath[UUID]) -> None:
        await agents.delete(user_id=user_id, agent_id=agent_id)
