"""Workflow executions: start, read, history, state-machine transitions; the dashboard's recent activity."""

from __future__ import annotations

import re
import weakref
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from api import live, responses
from api.errors import INVALID_PARAMETER, TOO_MANY_REQUESTS, RequestError
from api.openapi import BODY, COMMON, MINIMAL, NAMED, headers, no_body, problems
from api.cursors import Cursors
from api.params import Cursor, Limit, UserId, repository
from repositories.executions import (
    Execution,
    ExecutionRepository,
    ExecutionSummary,
    Event,
    EventsInput,
    Appended,
    RecentActivity,
    StartInput,
    Status,
    TransitionInput,
)

Executions = NamedDependency[ExecutionRepository]


IdempotencyKeyHeader = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key",
    description="Up to 200 visible ASCII characters, chosen by the client per start: a retry with the same key "
                "within 24 hours answers the execution the first request started (200, not 201).")]
LastEventId = Annotated[str | None, HeaderParameter(
    name="Last-Event-ID", description="The seq of the last event the client has: the stream resumes after it.")]
After = Annotated[int, QueryParameter(ge=0, description="Only events with a greater seq (the previous page's "
                                                           "next_after; 0: from the first).")]
EventLimit = Annotated[int, QueryParameter(ge=1, le=1000, description="Page size, 1..1000.")]
_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_SEQ = re.compile(r"[0-9]{1,18}")
STREAM_BATCH = 500
_SSE = ("Server-Sent Events: `retry`, then one message per event (`id`: its seq, `data`: the event as in "
        "GET .../events), `: ping` comments while idle, and a final `event: end` (data: status, last_seq) once "
        "the execution is finished and every event was sent.")


class EventPage(msgspec.Struct, frozen=True):
    items: list[Event]
    next_after: int
    status: Status
    last_seq: int


class ExecutionPage(msgspec.Struct, frozen=True):
    items: list[ExecutionSummary]
    next_cursor: str | None


class ExecutionController(Controller):
    path = "/"
    tags = ["executions"]
    dependencies = {"executions": repository(ExecutionRepository)}

    @post(
        "/workflows/{workflow_id:uuid}/executions",
        summary="Start (queue) an execution of a workflow",
        status_code=HTTP_201_CREATED,
        responses={
            **problems(*COMMON, *BODY, *NAMED),
            200: ResponseSpec(Execution, description="A retry: the execution this Idempotency-Key already started",
                              generate_examples=False),
            204: no_body(MINIMAL + " (a retry with an Idempotency-Key)"),
        },
        response_headers=headers("Location", "Preference-Applied"),
    )
    async def start_execution(
        self,
        user_id: UserId,
        executions: Executions,
        workflow_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        data: JSONBody[StartInput | None] = None,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[Execution]:
        input = None if data is None else data.input
        if idempotency_key is None:
            started = await executions.start_json(user_id=user_id, workflow_id=workflow_id, input=input)
            created = True
        else:
            if not _KEY.fullmatch(idempotency_key):
                raise RequestError(INVALID_PARAMETER, "Idempotency-Key: 1 to 200 visible ASCII characters",
                                   field="Idempotency-Key")
            started, created = await executions.start_idempotent_json(
                user_id=user_id, workflow_id=workflow_id, idempotency_key=idempotency_key, input=input)
        return responses.written(request, started.json or b"", status_code=HTTP_201_CREATED if created else HTTP_200_OK,
                                 headers=responses.location(f"executions/{started.id}"))

    @get("/executions", summary="Execution history, newest first, keyset-paged, optionally filtered",
         responses=problems(*COMMON))
    async def list_executions(
        self,
        user_id: UserId,
        executions: Executions,
        cursors: NamedDependency[Cursors],
        limit: Limit = 50,
        cursor: Cursor = None,
        status: FromQuery[Status | None] = None,
        workflow_id: FromQuery[UUID | None] = None,
    ) -> Response[ExecutionPage]:
        page = await executions.history_json(
            user_id=user_id, limit=limit, after=cursors.decode(cursor, "executions", status, workflow_id),
            status=status, workflow_id=workflow_id,
        )
        return responses.page(page, cursors.encode(page.next, "executions", status, workflow_id))

    @get("/executions/{execution_id:uuid}", summary="An execution with its agent executions",
         responses=problems(*COMMON, *NAMED))
    async def get_execution(
        self, user_id: UserId, executions: Executions, execution_id: FromPath[UUID]
    ) -> Response[Execution]:
        return responses.json_bytes((await executions.get_json(user_id=user_id, execution_id=execution_id)).json or b"")

    @post(
        "/executions/{execution_id:uuid}/transition",
        summary="Move an execution to another status (409 with current_status if not allowed)",
        status_code=HTTP_200_OK,
        responses={**problems(*COMMON, *BODY, *NAMED, 409), 204: no_body(MINIMAL)},
        response_headers=headers("Preference-Applied"),
    )
    async def transition_execution(
        self, request: Request[Any, Any, Any], user_id: UserId, executions: Executions,
        execution_id: FromPath[UUID], data: JSONBody[TransitionInput],
    ) -> Response[Execution]:
        moved = await executions.transition_json(
            user_id=user_id, execution_id=execution_id, to_status=data.to_status, error=data.error,
            output=data.output,
        )
        return responses.written(request, moved.json or b"")

    @post(
        "/executions/{execution_id:uuid}/events",
        summary="Append a batch of events (gap-free seq per execution); 409 once the execution is finished",
        status_code=HTTP_200_OK,
        responses=problems(*COMMON, *BODY, *NAMED, 409),
    )
    async def append_events(
        self, user_id: UserId, executions: Executions, execution_id: FromPath[UUID], data: JSONBody[EventsInput],
    ) -> Appended:
        return await executions.append_events(user_id=user_id, execution_id=execution_id, events=data.events)

    @get("/executions/{execution_id:uuid}/events", summary="Stored events after a seq, oldest first (keyset page)",
         responses=problems(*COMMON, *NAMED))
    async def list_events(
        self, user_id: UserId, executions: Executions, execution_id: FromPath[UUID], after: After = 0,
        limit: EventLimit = 100,
    ) -> Response[EventPage]:
        batch = await executions.events_after(user_id=user_id, execution_id=execution_id, after=after, limit=limit)
        next_after = batch.documents[-1][0] if batch.documents else after
        return responses.json_bytes(
            b'{"items":' + batch.items() + b',"next_after":%d,"status":"%s","last_seq":%d}'
            % (next_after, batch.status.encode(), batch.last_seq))

    @get(
        "/executions/{execution_id:uuid}/stream",
        summary="Live events (Server-Sent Events): replays after Last-Event-ID, then streams until finished",
        media_type="text/event-stream",
        opt={"no_compression": True},  # every message must reach the client as soon as it is written
        responses=problems(*COMMON, *NAMED),
        response_description=_SSE,
    )
    async def stream_execution(
        self, request: Request[Any, Any, Any], user_id: UserId, executions: Executions,
        execution_id: FromPath[UUID], last_event_id: LastEventId = None, after: FromQuery[int | None] = None,
    ) -> Stream:
        resume = after or 0
        if resume < 0:
            raise RequestError(INVALID_PARAMETER, "after: must be 0 or more", field="after")
        if last_event_id is not None:  # a reconnecting EventSource: it wins over ?after=
            if not _SEQ.fullmatch(last_event_id.strip()):
                raise RequestError(INVALID_PARAMETER, "Last-Event-ID: the seq of an event (digits)",
                                   field="Last-Event-ID")
            resume = int(last_event_id.strip())
        settings = request.app.state.settings
        listener: live.Listener = request.app.state.listener
        try:
            subscription = listener.subscribe(user_id, execution_id)  # before the first read: nothing slips by
        except live.TooManyStreams as exc:
            raise RequestError(TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": "5"}) from None
        try:
            first = await executions.events_after(
                user_id=user_id, execution_id=execution_id, after=resume, limit=STREAM_BATCH)
        except BaseException:
            subscription.release()
            raise
        body = live.stream(executions, subscription, first, after=resume, batch_size=STREAM_BATCH,
                           heartbeat_s=settings.stream_heartbeat_s)
        # A body never started (the client left before it) runs no `finally`: release it when it is dropped.
        weakref.finalize(body, subscription.release)
        return Stream(body, media_type="text/event-stream",
                      headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @get("/dashboard/recent-activity", summary="The latest agent executions with their agent and metrics",
         tags=["dashboard"], responses=problems(*COMMON))
    async def recent_activity(
        self, user_id: UserId, executions: Executions, limit: Limit = 50
    ) -> Response[RecentActivity]:
        page = await executions.recent_agent_activity_json(user_id=user_id, limit=limit)
        return responses.json_bytes(b'{"items":' + page.items + b"}")
