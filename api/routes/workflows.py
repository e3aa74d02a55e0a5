"""/api/agent-builder/workflows: workflows with their whole graph."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_304_NOT_MODIFIED

from api import responses
from api.openapi import BODY, COMMON, MINIMAL, NAMED, headers, no_body, problems
from api.cursors import Cursors
from api.params import Cursor, IfMatch, IfNoneMatch, JsonQuery, Limit, UserId, etag, expected_version, repository
from api.params import version_of
from api.routes import searchable_page
from repositories.workflows import Workflow, WorkflowInput, WorkflowRepository, WorkflowSummary

Workflows = NamedDependency[WorkflowRepository]

_NOT_MODIFIED = "Not Modified: the workflow is still at the version If-None-Match names"


class WorkflowPage(msgspec.Struct, frozen=True):
    items: list[WorkflowSummary]
    next_cursor: str | None


class WorkflowController(Controller):
    path = "/workflows"
    tags = ["workflows"]
    dependencies = {"workflows": repository(WorkflowRepository)}

    @get("/", summary="List workflows (newest first, keyset-paged), or search their graph_definition",
         responses=problems(*COMMON))
    async def list_workflows(
        self,
        user_id: UserId,
        workflows: Workflows,
        cursors: NamedDependency[Cursors],
        limit: Limit = 50,
        cursor: Cursor = None,
        graph_contains: JsonQuery = None,
    ) -> Response[WorkflowPage]:
        return await searchable_page(workflows, cursors, "workflows", user_id=user_id, limit=limit, cursor=cursor,
                                     query=graph_contains, field="graph_contains")

    @post("/", summary="Create a workflow with its nodes and edges", status_code=HTTP_201_CREATED,
          responses=problems(*COMMON, *BODY), response_headers=headers("ETag", "Location", "Preference-Applied"))
    async def create_workflow(
        self, request: Request[Any, Any, Any], user_id: UserId, workflows: Workflows, data: JSONBody[WorkflowInput]
    ) -> Response[Workflow]:
        created = await workflows.create_json(user_id=user_id, workflow=data)
        headers = {**etag(created.version or 1), **responses.location(f"workflows/{created.id}")}
        return responses.written(request, created.json or b"", status_code=HTTP_201_CREATED, headers=headers)

    @get("/{workflow_id:uuid}", summary="A workflow with all its nodes and edges (ETag: its version)",
         responses={**problems(*COMMON, *NAMED), 304: no_body(_NOT_MODIFIED)}, response_headers=headers("ETag"))
    async def get_workflow(
        self, user_id: UserId, workflows: Workflows, workflow_id: FromPath[UUID], if_none_match: IfNoneMatch = None
    ) -> Response[Workflow]:
        document = await workflows.get_json(user_id=user_id, workflow_id=workflow_id,
                                            unless_version=version_of(if_none_match))
        if document.json is None:
            return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers=etag(document.version or 1))
        return responses.json_bytes(document.json, headers=etag(document.version or 1))

    @put("/{workflow_id:uuid}", summary="Replace the whole workflow; If-Match names the version replaced",
         responses={**problems(*COMMON, *BODY, *NAMED, 412, 428), 204: no_body(MINIMAL)},
         response_headers=headers("ETag", "Preference-Applied"))
    async def replace_workflow(
        self,
        request: Request[Any, Any, Any],
        user_id: UserId,
        workflows: Workflows,
        workflow_id: FromPath[UUID],
        data: JSONBody[WorkflowInput],
        if_match: IfMatch = "",
    ) -> Response[Workflow]:
        version = expected_version(if_match)
        replaced = await workflows.replace_json(
            user_id=user_id, workflow_id=workflow_id, workflow=data, expected_version=version
        )
        return responses.written(request, replaced.json or b"", headers=etag(replaced.version or 1))

    @delete("/{workflow_id:uuid}", summary="Delete a workflow with its graph and executions",
            responses=problems(*COMMON, *NAMED))
    async def delete_workflow(self, user_id: UserId, workflows: Workflows, workflow_id: FromPath[UUID]) -> None:
        await workflows.delete(user_id=user_id, workflow_id=workflow_id)
