"""Workflow executions: start, read, history, state-machine transitions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from api.params import Cursor, Executions, Limit, UserId
from repositories.executions import Execution, ExecutionSummary, Status
from repositories.paging import Page


class StartExecution(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The input the workflow runs on (any JSON), optional."""

    input: Any = None


class TransitionInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    to_status: Status
    error: str | None = None
    output: Any = None


class ExecutionController(Controller):
    path = "/api/agent-builder"
    tags = ["executions"]

    @post(
        "/workflows/{workflow_id:uuid}/executions",
        summary="Start (queue) an execution of a workflow",
        status_code=HTTP_201_CREATED,
    )
    async def start_execution(
        self,
        user_id: UserId,
        executions: Executions,
        workflow_id: FromPath[UUID],
        data: JSONBody[StartExecution | None] = None,
    ) -> Execution:
        return await executions.start(
            user_id=user_id, workflow_id=workflow_id, input=None if data is None else data.input
        )

    @get("/executions", summary="Execution history, newest first, keyset-paged, optionally filtered")
    async def list_executions(
        self,
        user_id: UserId,
        executions: Executions,
        limit: Limit = 50,
        cursor: Cursor = None,
        status: FromQuery[Status | None] = None,
        workflow_id: FromQuery[UUID | None] = None,
    ) -> Page[ExecutionSummary]:
        return await executions.history(
            user_id=user_id, limit=limit, cursor=cursor, status=status, workflow_id=workflow_id
        )

    @get("/executions/{execution_id:uuid}", summary="An execution with its agent executions")
    async def get_execution(self, user_id: UserId, executions: Executions, execution_id: FromPath[UUID]) -> Execution:
        return await executions.get(user_id=user_id, execution_id=execution_id)

    @post(
        "/executions/{execution_id:uuid}/transition",
        summary="Move an execution to another status (409 with current_status if not allowed)",
        status_code=HTTP_200_OK,
    )
    async def transition_execution(
        self, user_id: UserId, executions: Executions, execution_id: FromPath[UUID], data: JSONBody[TransitionInput]
    ) -> Execution:
        return await executions.transition(
            user_id=user_id, execution_id=execution_id, to_status=data.to_status, error=data.error,
            output=data.output,
        )
