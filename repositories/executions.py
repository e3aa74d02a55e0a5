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
from repositories.errors import IllegalTransition, ValidationFailed
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
    workflow_version: int | None = None
    last_event_seq: int = 0


class StartInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What an execution starts with: the input the workflow runs on (any JSON), optional."""

    input: Any = None


class TransitionInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A move of the state machine, with the error or output it ends with."""

    to_status: Status
    error: ErrorText | None = None
    output: Any = None


EventType = Literal["node_started", "node_completed", "node_failed", "log", "output"]
NODE_EVENTS: Final = ("node_started", "node_completed", "node_failed")
MAX_EVENTS: Final = 1000
IdempotencyKey = Annotated[str, text(min_length=1, max_length=200)]


class EventInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One event of a run: a node started, completed or failed (node_id required), a log line or an
    output (node_id optional); payload is any JSON object."""

    type: EventType
    node_id: UUID | None = None
    payload: dict[str, Any] = {}


class EventsInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A batch of events, appended in order with consecutive seq values."""

    events: Annotated[list[EventInput], msgspec.Meta(min_length=1, max_length=MAX_EVENTS)]


class Appended(msgspec.Struct, frozen=True):
    """The seq range a batch of events was given (executions.append_events)."""

    first_seq: int
    last_seq: int
    appended: int


class Event(msgspec.Struct, frozen=True):
    """One stored event (executions.events_after)."""

    seq: int
    type: EventType
    node_id: UUID | None
    payload: dict[str, Any]
    created_at: datetime


class EventBatch(msgspec.Struct, frozen=True):
    """Events after a seq, oldest first, as PostgreSQL's JSON documents (one per event, not
    decoded), with the execution's status and latest seq read in the same snapshot."""

    documents: list[tuple[int, bytes]]
    status: str
    last_seq: int

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def items(self) -> bytes:
        """The events as one JSON array, without decoding them."""
        return b"[" + b",".join(document for _, document in self.documents) + b"]"


TERMINAL: Final = ("completed", "failed", "cancelled")


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
_RELEASE_IDEMPOTENCY_KEY = statement("executions.release_idempotency_key")
_START_IDEMPOTENT = statement("executions.start_idempotent")
_GET_STARTED = statement("executions.get_started")
_APPEND_EVENTS = statement("executions.append_events")
_EVENTS_AFTER = statement("executions.events_after")


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

    async def start_idempotent_json(
        self, *, user_id: UUID, workflow_id: UUID, idempotency_key: str, input: Any = None
    ) -> tuple[Document, bool]:
        """`start_json` once per (user, key) for 24 hours: a retry answers the execution the first
        request started. 1 round trip; True when this call created it."""
        execution_id = uuid.uuid4()
        json, created = await self.db.row(
            _RELEASE_IDEMPOTENCY_KEY(user_id=user_id, idempotency_key=idempotency_key),
            _START_IDEMPOTENT(user_id=user_id, workflow_id=workflow_id, execution_id=execution_id,
                              input=_json(input), idempotency_key=idempotency_key),
            _GET_STARTED(user_id=user_id, execution_id=execution_id, idempotency_key=idempotency_key),
        )
        return Document(msgspec.json.decode(json, type=Recorded).id, json), bool(created)

    async def append_events(self, *, user_id: UUID, execution_id: UUID, events: list[EventInput]) -> Appended:
        """Append `events` with the next gap-free seq values, in order: 1 round trip. Refused
        (IllegalTransition) once the execution is finished; concurrent appenders take turns."""
        if not 1 <= len(events) <= MAX_EVENTS:
            raise ValidationFailed(f"events: between 1 and {MAX_EVENTS} events", field="events")
        rows = []
        for index, event in enumerate(events):
            if event.type in NODE_EVENTS and event.node_id is None:
                raise ValidationFailed(f"events[{index}].node_id: required for {event.type}",
                                       field=f"events[{index}].node_id")
            rows.append({"type": event.type, "node_id": event.node_id, "payload": event.payload})
        try:
            return await self.db.one(
                Appended, _APPEND_EVENTS(user_id=user_id, execution_id=execution_id, events=Jsonb(rows)))
        except IllegalTransition as exc:  # no move was asked for: no field at fault
            raise IllegalTransition(str(exc), current_status=exc.current_status, field=None) from None

    async def events_after(self, *, user_id: UUID, execution_id: UUID, after: int = 0, limit: int = 100) -> EventBatch:
        """At most `limit` events with seq > `after`, oldest first, and the execution's status: 1 round trip."""
        if not 1 <= limit <= 1000:
            raise ValidationFailed("limit: must be between 1 and 1000", field="limit")
        if after < 0:
            raise ValidationFailed("after: must be 0 or more", field="after")
        rows = await self.db.rows(_EVENTS_AFTER(user_id=user_id, execution_id=execution_id, after=after, limit=limit))
        return EventBatch(documents=[(seq, document) for document, seq, _, _ in rows if seq is not None],
                          status=rows[0][2], last_seq=rows[0][3])

    async def events(self, *, user_id: UUID, execution_id: UUID, after: int = 0, limit: int = 100) -> list[Event]:
        """`events_after`, decoded."""
        batch = await self.events_after(user_id=user_id, execution_id=execution_id, after=after, limit=limit)
        return msgspec.json.decode(batch.items(), type=list[Event])

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
