"""/api/agent-builder/dashboard: the home screen's reads."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get


from api.params import Executions, Limit, UserId
from repositories.executions import AgentActivity


class RecentActivity(msgspec.Struct, frozen=True):
    items: list[AgentActivity]


class DashboardController(Controller):
    path = "/api/agent-builder/dashboard"
    tags = ["dashboard"]

    @get("/recent-activity", summary="The latest agent executions with their agent and metrics")
    async def recent_activity(self, user_id: UserId, executions: Executions, limit: Limit = 50) -> RecentActivity:
        return RecentActivity(items=await executions.recent_agent_activity(user_id=user_id, limit=limit))
