"""WorkflowRepository: workflows with their nodes and edges, each call one round trip."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta
from psycopg.types.json import Jsonb

from repositories import paging
from repositories.database import Database
from repositories.errors import ValidationFailed
from repositories.sql import Call, statement
from repositories.types import AgentRef, Description, Document, Name, text

Key = Annotated[str, text(min_length=1, max_length=100)]

MAX_NODES = 1000
MAX_EDGES = 5000


class BlockRef(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    block_type: str


class Node(msgspec.Struct, frozen=True):
    id: UUID
    key: str
    node_type: str
    name: str
    agent_id: UUID | None
    block_id: UUID | None
    config: dict[str, Any]
    position: int
    agent: AgentRef | None = None
    block: BlockRef | None = None


class Edge(msgspec.Struct, frozen=True):
    id: UUID
    source_node_id: UUID
    target_node_id: UUID
    source: str
    target: str
    label: str | None = None


class Workflow(msgspec.Struct, frozen=True):
    """A workflow with its whole graph (workflows.get_with_graph)."""

    id: UUID
    name: str
    description: str
    graph_definition: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    nodes: list[Node]
    edges: list[Edge]


class WorkflowSummary(msgspec.Struct, frozen=True):
    """A workflow in a list (workflows.list_page, workflows.search_by_graph)."""

    id: UUID
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime


class NodeInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: Key
    node_type: Annotated[str, text(min_length=1, max_length=100)]
    name: Annotated[str, text(max_length=200)] = ""
    agent_id: UUID | None = None
    block_id: UUID | None = None
    config: dict[str, Any] = {}
    position: Annotated[int, Meta(ge=0, le=2**31 - 1)] | None = None


class EdgeInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    source: Key
    target: Key
    label: Annotated[str, text(max_length=200)] | None = None


class WorkflowInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A whole workflow, as create and replace write it."""

    name: Name
    description: Description = ""
    graph_definition: dict[str, Any] = {}
    nodes: Annotated[list[NodeInput], Meta(max_length=MAX_NODES)] = []
    edges: Annotated[list[EdgeInput], Meta(max_length=MAX_EDGES)] = []


_GET_WITH_GRAPH = statement("workflows.get_with_graph")
_INSERT = statement("workflows.insert")
_INSERT_GRAPH = statement("workflows.insert_graph")
_REPLACE = statement("workflows.replace")
_DELETE_EDGES = statement("workflows.delete_edges")
_DELETE = statement("workflows.delete")
_LIST_PAGE = statement("workflows.list_page")
_SEARCH_BY_GRAPH = statement("workflows.search_by_graph")


def _decode(document: Document) -> Workflow:
    return msgspec.json.decode(document.json or b"", type=Workflow)


def _get(user_id: UUID, workflow_id: UUID, unless_version: int | None = None) -> Call:
    return _GET_WITH_GRAPH(user_id=user_id, workflow_id=workflow_id, unless_version=unless_version)


def _graph_params(user_id: UUID, workflow_id: UUID, workflow: WorkflowInput) -> dict[str, Any]:
    """The nodes and edges as the two JSON arrays workflows.insert_graph expands.

    Checked here, before anything is sent, so a bad graph names its field: keys
    are unique, edges join two distinct known keys, at most once.
    """
    keys: set[str] = set()
    nodes = []
    for index, node in enumerate(workflow.nodes):
        if node.key in keys:
            raise ValidationFailed(f"nodes[{index}].key: duplicate key {node.key!r}", field=f"nodes[{index}].key")
        keys.add(node.key)
        nodes.append({
            "key": node.key,
            "node_type": node.node_type,
            "name": node.name,
            "agent_id": node.agent_id,
            "block_id": node.block_id,
            "config": node.config,
            "position": index if node.position is None else node.position,
        })
    pairs: set[tuple[str, str]] = set()
    edges = []
    for index, edge in enumerate(workflow.edges):
        for end in ("source", "target"):
            if getattr(edge, end) not in keys:
                raise ValidationFailed(
                    f"edges[{index}].{end}: no node with key {getattr(edge, end)!r}", field=f"edges[{index}].{end}"
                )
        if edge.source == edge.target:
            raise ValidationFailed(f"edges[{index}]: an edge joins two different nodes", field=f"edges[{index}]")
        if (edge.source, edge.target) in pairs:
            raise ValidationFailed(f"edges[{index}]: duplicate edge", field=f"edges[{index}]")
        pairs.add((edge.source, edge.target))
        edges.append({"source": edge.source, "target": edge.target, "label": edge.label})
    return {"user_id": user_id, "workflow_id": workflow_id, "nodes": Jsonb(nodes), "edges": Jsonb(edges)}


class WorkflowRepository(paging.SearchableList[WorkflowSummary]):
    """Workflows, their nodes and edges. Every method is scoped to `user_id`. `list`: workflows
    newest first, or those whose graph_definition contains a jsonb object."""

    item = WorkflowSummary
    list_page = _LIST_PAGE
    search = _SEARCH_BY_GRAPH

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, *, user_id: UUID, workflow_id: UUID) -> Workflow:
        """The workflow with all nodes and edges: 1 round trip, any size."""
        return _decode(await self.get_json(user_id=user_id, workflow_id=workflow_id))

    async def get_json(
        self, *, user_id: UUID, workflow_id: UUID, unless_version: int | None = None
    ) -> Document:
        """`get` as PostgreSQL's JSON bytes, not decoded (what the HTTP API sends as is); no
        document at all when the workflow is still at `unless_version`."""
        json, version = await self.db.row(_get(user_id, workflow_id, unless_version))
        return Document(workflow_id, json, version)

    async def create(self, *, user_id: UUID, workflow: WorkflowInput, workflow_id: UUID | None = None) -> Workflow:
        """Create a workflow with its graph: 1 round trip, atomic, any number of nodes.

        Its id is new unless given (the demo's is derived from its user's, to be found again)."""
        return _decode(await self.create_json(user_id=user_id, workflow=workflow, workflow_id=workflow_id))

    async def create_json(self, *, user_id: UUID, workflow: WorkflowInput, workflow_id: UUID | None = None) -> Document:
        """`create`, answering PostgreSQL's JSON bytes."""
        workflow_id = workflow_id or uuid.uuid4()
        json, version = await self.db.row(
            _INSERT(
                user_id=user_id,
                workflow_id=workflow_id,
                name=workflow.name,
                description=workflow.description,
                graph_definition=Jsonb(workflow.graph_definition),
            ),
            _INSERT_GRAPH(**_graph_params(user_id, workflow_id, workflow)),
            _get(user_id, workflow_id),
        )
        return Document(workflow_id, json, version)

    async def replace(
        self, *, user_id: UUID, workflow_id: UUID, workflow: WorkflowInput, expected_version: int
    ) -> Workflow:
        """Replace name, description, definition, nodes and edges if `expected_version` is current.

        1 round trip, atomic: workflows.replace raises (StaleVersion, NotFound)
        before anything is deleted, and a failure anywhere leaves the old graph whole.
        """
        return _decode(await self.replace_json(
            user_id=user_id, workflow_id=workflow_id, workflow=workflow, expected_version=expected_version))

    async def replace_json(
        self, *, user_id: UUID, workflow_id: UUID, workflow: WorkflowInput, expected_version: int
    ) -> Document:
        """`replace`, answering PostgreSQL's JSON bytes."""
        graph = _graph_params(user_id, workflow_id, workflow)
        json, version = await self.db.row(
            _REPLACE(
                user_id=user_id,
                workflow_id=workflow_id,
                expected_version=expected_version,
                name=workflow.name,
                description=workflow.description,
                graph_definition=Jsonb(workflow.graph_definition),
            ),
            _DELETE_EDGES(user_id=user_id, workflow_id=workflow_id),
            _INSERT_GRAPH(**graph),
            _get(user_id, workflow_id),
        )
        return Document(workflow_id, json, version)

    async def delete(self, *, user_id: UUID, workflow_id: UUID) -> None:
        """Delete the workflow with its graph and executions: 1 round trip."""
        await self.db.row(_DELETE(user_id=user_id, workflow_id=workflow_id))
