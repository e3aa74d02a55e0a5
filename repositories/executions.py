"""ExecutionRepository: workflow executions, agent executions and their metrics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from psycopg.types.json import Jsonb

from repositories import paging
from repositories.database import Database
from repositories.errors import ValidationFailed
from repositories.sql import statement
from repositories.types import AgentRef, Document, text

Status = Literal["pending", "running", "completed", "failed", "cancelled"]
STATUSES: Final = ("pending", "running", "completed", "failed", "cancelled")
ErrorText = Annotated[str, text(max_length=10_000)]


class Metrics(msgspec.Struct, frozen=True):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: int
    cost_usd: float


class AgentExecution(msgspec.Struct, frozen=True):
    """One agent execution with its agent and metrics: an item of the recent
    activity, and of an execution's agent_executions."""

    id: UUID
    agent: AgentRef
    session_id: UUID
    workflow_execution_id: UUID | None
    status: Status
    started_at: datetime
    completed_at: datetime | None
    metrics: Metrics | None


class ExecutionSummary(msgspec.Struct, frozen=True):
    """A workflow execution in the history (executions.history*)."""

    id: UUID
    workflow_id: UUID
    workflow_name: str
    status: Status
    started_at: datetime
    completed_at: datetime | None
    error: str | None


class Execution(ExecutionSummary, frozen=True):
    """One workflow execution with its input, output and agent executions (executions.get)."""

    input: Any
    output: Any
    agent_executions: list[AgentExecution]


class StartInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What an execution starts with: the input the workflow runs on (any JSON), optional."""

    input: Any = None


class TransitionInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A move of the state machine, with the error or output it ends with."""

    to_status: Status
    error: ErrorText | None = None
    output: Any = None


class RecentActivity(msgspec.Struct, frozen=True):
    items: list[AgentExecution]


class Recorded(msgspec.Struct, frozen=True):
    id: UUID


_RECENT_AGENT_ACTIVITY = statement("executions.recent_agent_activity")
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
_RECORD_AGENT_EXECUTION = statement("executions.record_agent_execution")


def _check_status(value: str, field: str) -> str:
    if value not in STATUSES:
        raise ValidationFailed(f"{field}: must be one of {', '.join(STATUSES)}", field=field)
    return value


def _decode(document: Document) -> Execution:
    return msgspec.json.decode(document.json or b"", type=Execution)


def _json(value: Any) -> Jsonb | None:
    return None if value is None else Jsonb(value)


class ExecutionRepository:
    """Executions of one user: reads in one round trip, writes atomic and race-safe."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent_agent_activity(self, *, user_id: UUID, limit: int = 50) -> RecentActivity:
        """The user's latest agent executions with agent and metrics: 1 round trip."""
        page = await self.recent_agent_activity_json(user_id=user_id, limit=limit)
        return RecentActivity(items=page.decode(AgentExecution).items)

    async def recent_agent_activity_json(self, *, user_id: UUID, limit: int = 50) -> paging.RawPage:
        """`recent_agent_activity`'s items as PostgreSQL's JSON bytes, not decoded."""
        rows = await self.db.rows(_RECENT_AGENT_ACTIVITY(user_id=user_id, limit=paging.params(limit, None)["limit"]))
        return paging.raw_page(rows, limit)

    async def history(
        self,
        *,
        user_id: UUID,
        limit: int = 50,
        after: paging.Keyset | None = None,
        status: str | None = None,
        workflow_id: UUID | None = None,
    ) -> paging.Page[ExecutionSummary]:
        """Workflow executions newest first, keyset-paged (never OFFSET): 1 round trip."""
        page = await self.history_json(user_id=user_id, limit=limit, after=after, status=status,
                                       workflow_id=workflow_id)
        return page.decode(ExecutionSummary)

    async def history_json(
        self,
        *,
        user_id: UUID,
        limit: int = 50,
        after: paging.Keyset | None = None,
        status: str | None = None,
        workflow_id: UUID | None = None,
    ) -> paging.RawPage:
        """`history` with the items as PostgreSQL's JSON bytes, not decoded."""
        filters: dict[str, Any] = {}
        if status is not None:
            filters["status"] = _check_status(status, "status")
        if workflow_id is not None:
            filters["workflow_id"] = workflow_id
        query = _HISTORY[status is not None, workflow_id is not None]
        return paging.raw_page(await self.db.rows(query(user_id=user_id, **filters, **paging.params(limit, after))), limit)

    async def start(self, *, user_id: UUID, workflow_id: UUID, input: Any = None) -> Execution:
        """Queue an execution (status pending) of a workflow the user owns: 1 round trip."""
        return _decode(await self.start_json(user_id=user_id, workflow_id=workflow_id, input=input))

    async def start_json(self, *, user_id: UUID, workflow_id: UUID, input: Any = None) -> Document:
        """`start`, answering PostgreSQL's JSON bytes."""
        execution_id = uuid.uuid4()
        (json,) = await self.db.row(
            _START(user_id=user_id, workflow_id=workflow_id, execution_id=execution_id, input=_json(input)),
            _GET(user_id=user_id, execution_id=execution_id),
        )
        return Document(execution_id, json)

    async def get(self, *, user_id: UUID, execution_id: UUID) -> Execution:
        """The execution with its workflow's name and agent executions: 1 round trip."""
        return _decode(await self.get_json(user_id=user_id, execution_id=execution_id))

    async def get_json(self, *, user_id: UUID, execution_id: UUID) -> Document:
        """`get` as PostgreSQL's JSON bytes, not decoded (what the HTTP API sends as is)."""
        (json,) = await self.db.row(_GET(user_id=user_id, execution_id=execution_id))
        return Document(execution_id, json)

    async def transition(
        self, *, user_id: UUID, execution_id: UUID, to_status: str, error: str | None = None, output: Any = None
    ) -> Execution:
        """Move to `to_status` if the state machine allows it: 1 round trip.

        Of two callers racing for the same move exactly one wins; the other gets
        IllegalTransition naming the status the winner left behind.
        """
        return _decode(await self.transition_json(
            user_id=user_id, execution_id=execution_id, to_status=to_status, error=error, output=output))

    async def transition_json(
        self, *, user_id: UUID, execution_id: UUID, to_status: str, error: str | None = None, output: Any = None
    ) -> Document:
        """`transition`, answering PostgreSQL's JSON bytes."""
        (json,) = await self.db.row(
            _TRANSITION(
                user_id=user_id,
                execution_id=execution_id,
                to_status=_check_status(to_status, "to_status"),
                error=error,
                output=_json(output),
            ),
            _GET(user_id=user_id, execution_id=execution_id),
        )
        return Document(execution_id, json)

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
    ) -> UUID:
        """Record an agent execution together with its metrics row (1 statement, atomic); its id."""
        recorded = await self.db.one(
            Recorded,
            _RECORD_AGENT_EXECUTION(
                user_id=user_id,
                agent_id=agent_id,
                session_id=session_id,
                workflow_execution_id=workflow_execution_id,
                status=_check_status(status, "status"),
                started_at=started_at,
                completed_at=completed_at,
                error=error,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency_ms=latency_ms,
                cost_usd=cost_usd,
            ),
        )
        return recorded.id
