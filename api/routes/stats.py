"""The dashboard's statistics: daily roll-ups plus what is not rolled up yet, exact, in one round trip."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from api.openapi import COMMON, problems
from api.params import UserId, repository
from repositories.stats import MAX_DAYS, Dashboard, StatsRepository

Stats = NamedDependency[StatsRepository]
DaysParam = Annotated[int, QueryParameter(ge=1, le=MAX_DAYS, description=f"UTC days ending `until`, 1..{MAX_DAYS}.")]
Until = Annotated[date | None, QueryParameter(description="The last UTC day (YYYY-MM-DD); default today.")]


class StatsController(Controller):
    path = "/dashboard"
    tags = ["dashboard"]
    dependencies = {"stats": repository(StatsRepository)}

    @get("/stats", summary="Execution statistics per UTC day and in total, optionally of one agent and/or workflow",
         responses=problems(*COMMON, 404))
    async def dashboard_stats(
        self, user_id: UserId, stats: Stats, days: DaysParam = 30, until: Until = None,
        agent_id: FromQuery[UUID | None] = None, workflow_id: FromQuery[UUID | None] = None,
    ) -> Dashboard:
        return await stats.dashboard(
            user_id=user_id, days=days, until=until, agent_id=agent_id, workflow_id=workflow_id
        )
