"""ExecutionRepository: workflow executions, agent executions and their metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal
from uuid import UUID

import msgspec
from psycopg.types.json import Jsonb

from repositories import paging
from repositories.database import Database
from repositories.errors import IllegalTransition, NotFound, ValidationFailed
from repositories.sql import statement

Status = Literal["pending", "running", "completed", "failed", "cancelled"]
STATUSES: Final = ("pending", "running", "completed", "failed", "cancelled")


class Metrics(msgspec.Struct, frozen=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: int
    cost_usd: float


class AgentRef(msgspec.Struct, frozen=True):
    id: UUID
    name: str


class AgentActivity(msgspec.Struct, frozen=True):
    """One agent execution with its agent and metrics (executions.recent_agent_activity)."""

    id: UUID
    session_id: UUID
    workflow_execution_id: UUID | None
    status: Status
    started_at: datetime
    completed_at: datetime | None
    agent: AgentRef
    metrics: Metrics | None


class AgentExecution(msgspec.Struct, frozen=True):
    """An agent execution inside a workflow execution, or as just recorded."""

    id: UUID
    agent_id: UUID
    session_id: UUID
    workflow_execution_id: UUID | None = None
    status: Status = "pending"
    started_at: datetime | None = None
    completed_at: datetime | None = None
    metrics: Metrics | None = None


class ExecutionSummary(msgspec.Struct, frozen=True):
    """A workflow execution in the history (executions.history*)."""

    id: UUID
    workflow_id: UUID
    workflow_name: str
    status: Status
    started_at: datetime
    completed_at: datetime | None
    error: str | None


class Execution(msgspec.Struct, frozen=True):
    """One workflow execution; `get` adds the workflow name and its agent executions."""

    id: UUID
    workflow_id: UUID
    status: Status
    started_at: datetime
    completed_at: datetime | None
    error: str | None
    input: Any
    output: Any
    workflow_name: str | None = None
    agent_executions: list[AgentExecution] = []


_RECENT = statement("executions.recent_agent_activity")
# One statement (and one index) per filter combination: no `(%(x)s IS NULL OR ...)`
# predicates, which would leave the planner one generic plan for all of them.
_HISTORY = {
    (False, False): statement("executions.history"),
    (True, False): statement("executions.history_by_status"),
    (False, True): statement("executions.history_by_workflow"),
    (True, True): statement("executions.history_by_workflow_status"),
}
_START = statement("executions.start")
_GET = statement("executions.get")
_TRANSITION = statement("executions.transition")
_RECORD = statement("executions.record_agent_execution")


def _check_status(value: str, field: str) -> str:
    if value not in STATUSES:
        raise ValidationFailed(f"{field}: must be one of {', '.join(STATUSES)}", field=field)
    return value


class ExecutionRepository:
    """Executions of one user: reads in one round trip, writes atomic and race-safe."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent_agent_activity(self, *, user_id: UUID, limit: int = 50) -> list[AgentActivity]:
        """The user's latest agent executions with agent and metrics: 1 round trip."""
        paging.check_limit(limit)
        row = await self.db.row(_RECENT, user_id=user_id, limit=limit)
        assert row is not None  # an aggregate always returns its row
        return msgspec.json.decode(row[0], type=list[AgentActivity])

    async def history(
        self,
        *,
        user_id: UUID,
        limit: int = 50,
        cursor: str | None = None,
        status: str | None = None,
        workflow_id: UUID | None = None,
    ) -> paging.Page[ExecutionSummary]:
        """Workflow executions newest first, keyset-paged (never OFFSET): 1 round trip."""
        paging.check_limit(limit)
        before_at, before_id = paging.decode(cursor)
        params: dict[str, Any] = {
            "user_id": user_id,
            "before_started_at": before_at,
            "before_id": before_id,
            "limit": limit + 1,
        }
        if status is not None:
            params["status"] = _check_status(status, "status")
        if workflow_id is not None:
            params["workflow_id"] = workflow_id
        row = await self.db.row(_HISTORY[status is not None, workflow_id is not None], **params)
        assert row is not None
        items = msgspec.json.decode(row[0], type=list[ExecutionSummary])
        if len(items) <= limit:
            return paging.Page(items=items)
        items = items[:limit]
        return paging.Page(items=items, next_cursor=paging.encode(items[-1].started_at, items[-1].id))

    async def start(self, *, user_id: UUID, workflow_id: UUID, input: Any = None) -> Execution:
        """Queue an execution (status pending) of a workflow the user owns: 1 round trip."""
        row = await self.db.row(
            _START, user_id=user_id, workflow_id=workflow_id, input=None if input is None else Jsonb(input)
        )
        if row is None:
            raise NotFound("workflow not found")
        return msgspec.json.decode(row[0], type=Execution)

    async def get(self, *, user_id: UUID, execution_id: UUID) -> Execution:
        """The execution with its workflow's name and agent executions: 1 round trip."""
        row = await self.db.row(_GET, user_id=user_id, execution_id=execution_id)
        if row is None:
            raise NotFound("execution not found")
        return msgspec.json.decode(row[0], type=Execution)

    async def transition(
        self,
        *,
        user_id: UUID,
        execution_id: UUID,
        to_status: str,
        error: str | None = None,
        output: Any = None,
    ) -> Execution:
        """Move to `to_status` if the state machine allows it: 1 round trip.

        Of two callers racing for the same move exactly one wins; the other gets
        IllegalTransition naming the status the winner left behind.
        """
        _check_status(to_status, "to_status")
        row = await self.db.row(
            _TRANSITION,
            user_id=user_id,
            execution_id=execution_id,
            to_status=to_status,
            error=error,
            output=None if output is None else Jsonb(output),
        )
        current_status, moved = row if row else (None, None)
        if current_status is None:
            raise NotFound("execution not found")
        if moved is None:
            raise IllegalTransition(
                f"cannot move an execution from {current_status} to {to_status}", current_status=current_status
            )
        return msgspec.json.decode(moved, type=Execution)

    async def record_agent_execution(
        self,
        *,
        user_id: UUID,
        agent_id: UUID,
        session_id: UUID,
        workflow_execution_id: UUID | None = None,
        status: str = "completed",
        started_at: datetime | None = None,
        completed_at: datetime | None = None,
        error: str | None = None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        latency_ms: int = 0,
        cost_usd: float = 0.0,
    ) -> AgentExecution:
        """Record an agent execution together with its metrics row: 1 statement, 1 round trip."""
        _check_status(status, "status")
        row = await self.db.row(
            _RECORD,
            user_id=user_id,
            agent_id=agent_id,
            session_id=session_id,
            workflow_execution_id=workflow_execution_id,
            status=status,
            started_at=started_at,
            completed_at=completed_at,
            error=error,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_ms=latency_ms,
            cost_usd=cost_usd,
        )
        if row is None:
            raise NotFound("agent not found")
        return msgspec.json.decode(row[0], type=AgentExecution)
