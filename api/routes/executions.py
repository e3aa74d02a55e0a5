"""Workflow executions: start, read, history, state-machine transitions; the dashboard's recent activity."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from api import responses
from api.openapi import BODY, COMMON, NAMED, headers, no_body, problems
from api.cursors import Cursors
from repositories.database import Database
from api.params import Cursor, Limit, UserId
from repositories.executions import (
    Execution,
    ExecutionRepository,
    ExecutionSummary,
    RecentActivity,
    StartInput,
    Status,
    TransitionInput,
)

Executions = NamedDependency[ExecutionRepository]


_MINIMAL = "No body: the client sent Prefer: return=minimal"


class ExecutionPage(msgspec.Struct, frozen=True):
    items: list[ExecutionSummary]
    next_cursor: str | None


def provide_executions(db: NamedDependency[Database]) -> ExecutionRepository:
    return ExecutionRepository(db)


class ExecutionController(Controller):
    path = "/"
    tags = ["executions"]
    dependencies = {"executions": Provide(provide_executions, sync_to_thread=False)}

    @post(
        "/workflows/{workflow_id:uuid}/executions",
        summary="Start (queue) an execution of a workflow",
        status_code=HTTP_201_CREATED,
        responses=problems(*COMMON, *BODY, *NAMED),
        response_headers=headers("Location", "Preference-Applied"),
    )
    async def start_execution(
        self,
        user_id: UserId,
        executions: Executions,
        workflow_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        data: JSONBody[StartInput | None] = None,
    ) -> Response[Execution]:
        started = await executions.start_json(
            user_id=user_id, workflow_id=workflow_id, input=None if data is None else data.input
        )
        return responses.written(request, started.json or b"", status_code=HTTP_201_CREATED,
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
        responses={**problems(*COMMON, *BODY, *NAMED, 409), 204: no_body(_MINIMAL)},
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

    @get("/dashboard/recent-activity", summary="The latest agent executions with their agent and metrics",
         tags=["dashboard"], responses=problems(*COMMON))
    async def recent_activity(
        self, user_id: UserId, executions: Executions, limit: Limit = 50
    ) -> Response[RecentActivity]:
        page = await executions.recent_agent_activity_json(user_id=user_id, limit=limit)
        return responses.json_bytes(b'{"items":' + page.items + b"}")
