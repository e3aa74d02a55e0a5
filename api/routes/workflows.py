"""/api/agent-builder/workflows: workflows with their whole graph."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

import msgspec
from litestar.di import NamedDependency

from api.cursors import Cursors
from repositories.database import Database
from api.params import Cursor, IfMatch, JsonQuery, Limit, UserId, etag, expected_version, json_object
from repositories.paging import Page
from repositories.workflows import Workflow, WorkflowInput, WorkflowRepository, WorkflowSummary

Workflows = NamedDependency[WorkflowRepository]


class WorkflowPage(msgspec.Struct, frozen=True):
    items: list[WorkflowSummary]
    next_cursor: str | None


def provide_workflows(db: NamedDependency[Database]) -> WorkflowRepository:
    return WorkflowRepository(db)


class WorkflowController(Controller):
    path = "/workflows"
    tags = ["workflows"]
    dependencies = {"workflows": Provide(provide_workflows, sync_to_thread=False)}

    @get("/", summary="List workflows (newest first, keyset-paged), or search their graph_definition")
    async def list_workflows(
        self,
        user_id: UserId,
        workflows: Workflows,
        cursors: NamedDependency[Cursors],
        limit: Limit = 50,
        cursor: Cursor = None,
        graph_contains: JsonQuery = None,
    ) -> WorkflowPage:
        if graph_contains is not None:
            contains = json_object(graph_contains, field="graph_contains")
            page: Page[WorkflowSummary] = await workflows.search(
                user_id=user_id, contains=contains, limit=limit, after=cursors.decode(cursor, "workflows", graph_contains)
            )
        else:
            page = await workflows.list(user_id=user_id, limit=limit, after=cursors.decode(cursor, "workflows", graph_contains))
        return WorkflowPage(items=page.items, next_cursor=cursors.encode(page.next, "workflows", graph_contains))

    @post("/", summary="Create a workflow with its nodes and edges", status_code=HTTP_201_CREATED)
    async def create_workflow(
        self, user_id: UserId, workflows: Workflows, data: JSONBody[WorkflowInput]
    ) -> Response[Workflow]:
        created = await workflows.create(user_id=user_id, workflow=data)
        return Response(created, status_code=HTTP_201_CREATED, headers=etag(created.version))

    @get("/{workflow_id:uuid}", summary="A workflow with all its nodes and edges (ETag: its version)")
    async def get_workflow(
        self, user_id: UserId, workflows: Workflows, workflow_id: FromPath[UUID]
    ) -> Response[Workflow]:
        workflow = await workflows.get(user_id=user_id, workflow_id=workflow_id)
        return Response(workflow, headers=etag(workflow.version))

    @put("/{workflow_id:uuid}", summary="Replace the whole workflow; If-Match names the version replaced")
    async def replace_workflow(
        self,
        user_id: UserId,
        workflows: Workflows,
        workflow_id: FromPath[UUID],
        data: JSONBody[WorkflowInput],
        if_match: IfMatch = None,
    ) -> Response[Workflow]:
        version = expected_version(if_match)
        replaced = await workflows.replace(
            user_id=user_id, workflow_id=workflow_id, workflow=data, expected_version=version
        )
        return Response(replaced, headers=etag(replaced.version))

    @delete("/{workflow_id:uuid}", summary="Delete a workflow with its graph and executions")
    async def delete_workflow(
        self, user_id: UserId, workflows: Workflows, workflow_id: FromPath[UUID]
    ) -> None:
        await workflows.delete(user_id=user_id, workflow_id=workflow_id)
