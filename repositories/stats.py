"""StatsRepository: the dashboard's statistics and the daily roll-ups behind them (migrations 0010-0013)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final
from uuid import UUID

import msgspec
from msgspec import Meta

from repositories.database import Database
from repositories.sql import statement

MAX_DAYS: Final = 366
Days = Annotated[int, Meta(ge=1, le=MAX_DAYS)]


class _StatusCounts(msgspec.Struct, frozen=True):
    """Executions of a day (or of the whole range), and how many are in each current status."""

    executions: int
    pending: int
    running: int
    completed: int
    failed: int
    cancelled: int


class AgentTotals(_StatusCounts, frozen=True):
    """Agent executions of a day (or of the whole range): counts per current status, token and
    cost sums, latency sum and maximum (average latency = latency_ms_sum / executions)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float
    latency_ms_sum: int
    latency_ms_max: int
    date: date | None = None


class WorkflowTotals(_StatusCounts, frozen=True):
    """Workflow executions of a day (or of the range): counts per current status, duration sum and
    maximum over the finished ones (average = duration_ms_sum / (completed + failed + cancelled))."""

    duration_ms_sum: int
    duration_ms_max: int
    date: date | None = None


class AgentStats(msgspec.Struct, frozen=True):
    total: AgentTotals
    daily: list[AgentTotals]


class WorkflowStats(msgspec.Struct, frozen=True):
    total: WorkflowTotals
    daily: list[WorkflowTotals]


class LiveBuckets(msgspec.Struct, frozen=True):
    """Buckets of the range read from the raw rows (changed since their last roll-up)."""

    agents: int
    workflows: int


class Dashboard(msgspec.Struct, frozen=True):
    """Statistics of the UTC days since..until (inclusive), exact as of the read."""

    since: date
    until: date
    agent_id: UUID | None
    workflow_id: UUID | None
    live_buckets: LiveBuckets
    agents: AgentStats
    workflows: WorkflowStats


class Rolled(msgspec.Struct, frozen=True):
    """One roll-up batch: marks taken, buckets recomputed, roll-up rows written (changed) and emptied."""

    marks: int = 0
    buckets: int = 0
    written: int = 0
    emptied: int = 0


class Marked(msgspec.Struct, frozen=True):
    agent_buckets: int
    workflow_buckets: int


class Backlog(msgspec.Struct, frozen=True):
    agent_marks: int
    workflow_marks: int
    oldest_mark_at: str | None


_DASHBOARD = statement("stats.dashboard")
_LOCK_USER_ROLLUP = statement("stats.lock_user_rollup")
_ROLLUP = {
    "agents": statement("stats.rollup_agent_buckets"),
    "workflows": statement("stats.rollup_workflow_buckets"),
}
_USERS_WITH_MARKS = statement("stats.users_with_marks")
_MARK_USER_BUCKETS = statement("stats.mark_user_buckets")
_BACKLOG = statement("stats.backlog")

NO_USER: Final = UUID(int=0)


class StatsRepository:
    """Daily statistics. `dashboard` is the user's; the roll-up methods are the rollup job's."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def dashboard(
        self, *, user_id: UUID, days: int = 30, until: date | None = None, agent_id: UUID | None = None,
        workflow_id: UUID | None = None,
    ) -> Dashboard:
        """Totals and a daily series of the `days` UTC days ending `until` (today): roll-ups plus the
        raw rows not yet rolled up, so exact at any moment. 1 round trip; NotFound for an agent or
        workflow the user does not have."""
        return await self.db.one(Dashboard, _DASHBOARD(
            user_id=user_id, days=days, until=until, agent_id=agent_id, workflow_id=workflow_id,
        ))

    async def rollup_batch(self, *, user_id: UUID, side: str, batch: int) -> Rolled:
        """Roll up at most `batch` of the user's dirty marks of `side` ("agents" or "workflows"):
        1 round trip, one transaction, under the user's roll-up lock."""
        return await self.db.one(
            Rolled, _LOCK_USER_ROLLUP(user_id=user_id), _ROLLUP[side](user_id=user_id, batch=batch)
        )

    async def users_with_marks(self, *, after: UUID = NO_USER, limit: int = 500) -> list[UUID]:
        """Jobs only: ids of users with dirty marks, after `after`, in id order: 1 round trip."""
        return [row[0] for row in await self.db.rows(_USERS_WITH_MARKS(after=after, limit=limit))]

    async def mark_user_buckets(self, *, user_id: UUID) -> Marked:
        """Mark every bucket of the user dirty (a rebuild): 1 round trip."""
        return await self.db.one(Marked, _MARK_USER_BUCKETS(user_id=user_id))

    async def backlog(self) -> Backlog:
        """Jobs only: dirty marks waiting for the roll-up, and the oldest one's time."""
        return await self.db.one(Backlog, _BACKLOG())


SIDES: Final = tuple(_ROLLUP)
