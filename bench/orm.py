"""SQLAlchemy 2 ORM over agentdb's tables: the comparison point of the benchmarks (bench-only).

The models map the tables of migrations/0002.core-tables.sql as an ORM user would
(single-column foreign keys are enough for loading; the database keeps its
composite ones). Each hot read comes in two variants written as sync functions
over a `Session` (run on an AsyncSession through `run_sync`, or on a sync one):

* `*_eager`: the idiomatic fast way, `selectinload` for every collection and
  reference, plus `raiseload("*", sql_only=True)` so a forgotten relationship
  fails instead of silently lazy-loading;
* `*_lazy`: the default `lazy="select"` relationships touched while serializing
  (the N+1 pattern).

Every function returns plain dicts/lists with the fields the repository returns,
so both sides do the same work: read the rows and build the response objects.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Computed,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    delete,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    raiseload,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(String)
    description: Mapped[str] = mapped_column(Text)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tools: Mapped[list[AgentTool]] = relationship(order_by="AgentTool.position", lazy="select")


class AgentTool(Base):
    __tablename__ = "agent_tools"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[UUID] = mapped_column(ForeignKey("agents.id"))
    user_id: Mapped[UUID]
    name: Mapped[str]
    position: Mapped[int]
    config: Mapped[dict[str, Any]] = mapped_column(JSONB)


class AgentBlock(Base):
    __tablename__ = "agent_blocks"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[UUID]
    name: Mapped[str]
    block_type: Mapped[str]


class Workflow(Base):
    __tablename__ = "workflows"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[UUID]
    name: Mapped[str]
    description: Mapped[str]
    graph_definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    nodes: Mapped[list[WorkflowNode]] = relationship(
        order_by="(WorkflowNode.position, WorkflowNode.node_key)", lazy="select", passive_deletes=True
    )
    edges: Mapped[list[WorkflowEdge]] = relationship(lazy="select", passive_deletes=True)
    # Optimistic concurrency the ORM way: UPDATE ... WHERE version = <loaded>.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class WorkflowNode(Base):
    __tablename__ = "workflow_nodes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workflow_id: Mapped[UUID] = mapped_column(ForeignKey("workflows.id"))
    user_id: Mapped[UUID]
    node_key: Mapped[str]
    node_type: Mapped[str]
    name: Mapped[str]
    agent_id: Mapped[UUID | None] = mapped_column(ForeignKey("agents.id"))
    block_id: Mapped[UUID | None] = mapped_column(ForeignKey("agent_blocks.id"))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB)
    position: Mapped[int]
    agent: Mapped[Agent | None] = relationship(lazy="select")
    block: Mapped[AgentBlock | None] = relationship(lazy="select")


class WorkflowEdge(Base):
    __tablename__ = "workflow_edges"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workflow_id: Mapped[UUID] = mapped_column(ForeignKey("workflows.id"))
    user_id: Mapped[UUID]
    source_node_id: Mapped[UUID] = mapped_column(ForeignKey("workflow_nodes.id"))
    target_node_id: Mapped[UUID] = mapped_column(ForeignKey("workflow_nodes.id"))
    label: Mapped[str | None]
    # Many-to-one by primary key: answered from the identity map once the nodes are loaded.
    source: Mapped[WorkflowNode] = relationship(foreign_keys=[source_node_id], lazy="select")
    target: Mapped[WorkflowNode] = relationship(foreign_keys=[target_node_id], lazy="select")


class WorkflowExecution(Base):
    __tablename__ = "workflow_executions"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID]
    workflow_id: Mapped[UUID] = mapped_column(ForeignKey("workflows.id"))
    status: Mapped[str]
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None]
    workflow: Mapped[Workflow] = relationship(lazy="select")


class AgentExecution(Base):
    __tablename__ = "agent_executions"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID]
    agent_id: Mapped[UUID] = mapped_column(ForeignKey("agents.id"))
    session_id: Mapped[UUID]
    workflow_execution_id: Mapped[UUID | None]
    status: Mapped[str]
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent: Mapped[Agent] = relationship(lazy="select")
    metrics: Mapped[AgentExecutionMetrics | None] = relationship(lazy="select", uselist=False)


class AgentExecutionMetrics(Base):
    __tablename__ = "agent_execution_metrics"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    agent_execution_id: Mapped[UUID] = mapped_column(ForeignKey("agent_executions.id"), unique=True)
    user_id: Mapped[UUID]
    prompt_tokens: Mapped[int]
    completion_tokens: Mapped[int]
    total_tokens: Mapped[int] = mapped_column(Integer, Computed("prompt_tokens + completion_tokens"))
    latency_ms: Mapped[int]
    cost_usd: Mapped[float] = mapped_column(Numeric(14, 6, asdecimal=False))


# --- serialization: the same fields the repository structs carry ---------------------------


def _workflow_dict(w: Workflow) -> dict[str, Any]:
    return {
        "id": w.id,
        "name": w.name,
        "description": w.description,
        "graph_definition": w.graph_definition,
        "version": w.version,
        "created_at": w.created_at,
        "updated_at": w.updated_at,
        "nodes": [
            {
                "id": n.id,
                "key": n.node_key,
                "node_type": n.node_type,
                "name": n.name,
                "agent_id": n.agent_id,
                "block_id": n.block_id,
                "config": n.config,
                "position": n.position,
                "agent": {"id": n.agent.id, "name": n.agent.name} if n.agent is not None else None,
                "block": (
                    {"id": n.block.id, "name": n.block.name, "block_type": n.block.block_type}
                    if n.block is not None
                    else None
                ),
            }
            for n in w.nodes
        ],
        "edges": sorted(
            (
                {
                    "id": e.id,
                    "source_node_id": e.source_node_id,
                    "target_node_id": e.target_node_id,
                    "source": e.source.node_key,
                    "target": e.target.node_key,
                    "label": e.label,
                    "_order": (e.source.position, e.source.node_key, e.target.position, e.target.node_key),
                }
                for e in w.edges
            ),
            key=lambda d: d.pop("_order"),
        ),
    }


def _agent_dict(a: Agent) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "description": a.description,
        "configuration": a.configuration,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "tools": [{"id": t.id, "name": t.name, "position": t.position, "config": t.config} for t in a.tools],
    }


def _activity_dict(x: AgentExecution) -> dict[str, Any]:
    m = x.metrics
    return {
        "id": x.id,
        "session_id": x.session_id,
        "workflow_execution_id": x.workflow_execution_id,
        "status": x.status,
        "started_at": x.started_at,
        "completed_at": x.completed_at,
        "agent": {"id": x.agent.id, "name": x.agent.name},
        "metrics": None
        if m is None
        else {
            "prompt_tokens": m.prompt_tokens,
            "completion_tokens": m.completion_tokens,
            "total_tokens": m.total_tokens,
            "latency_ms": m.latency_ms,
            "cost_usd": m.cost_usd,
        },
    }


def _history_dict(e: WorkflowExecution) -> dict[str, Any]:
    return {
        "id": e.id,
        "workflow_id": e.workflow_id,
        "workflow_name": e.workflow.name,
        "status": e.status,
        "started_at": e.started_at,
        "completed_at": e.completed_at,
        "error": e.error,
    }


class NotFound(Exception):
    pass


class StaleVersion(Exception):
    pass


# --- workflow with nodes (+ agents, blocks) and edges -------------------------------------

_WORKFLOW_EAGER = (
    selectinload(Workflow.nodes).selectinload(WorkflowNode.agent),
    selectinload(Workflow.nodes).selectinload(WorkflowNode.block),
    selectinload(Workflow.edges),
    raiseload("*", sql_only=True),
)


def _owned(s: Session, model: Any, user_id: UUID, row_id: UUID, *options: Any, **execution_options: Any) -> Any:
    """The user's `model` row with that id, loaded with `options`; NotFound as the repositories raise it."""
    stmt = (
        select(model)
        .where(model.id == row_id, model.user_id == user_id)
        .options(*options)
        .execution_options(**execution_options)
    )
    row = s.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"{model.__name__.lower()} not found")
    return row


def workflow_eager(s: Session, user_id: UUID, workflow_id: UUID) -> dict[str, Any]:
    return _workflow_dict(_owned(s, Workflow, user_id, workflow_id, *_WORKFLOW_EAGER, populate_existing=True))


def workflow_lazy(s: Session, user_id: UUID, workflow_id: UUID) -> dict[str, Any]:
    return _workflow_dict(_owned(s, Workflow, user_id, workflow_id))


# --- agent with tools ----------------------------------------------------------------------


def agent_eager(s: Session, user_id: UUID, agent_id: UUID) -> dict[str, Any]:
    return _agent_dict(_owned(s, Agent, user_id, agent_id, selectinload(Agent.tools), raiseload("*", sql_only=True)))


def agent_lazy(s: Session, user_id: UUID, agent_id: UUID) -> dict[str, Any]:
    return _agent_dict(_owned(s, Agent, user_id, agent_id))


# --- recent agent activity -----------------------------------------------------------------


def _recent(user_id: UUID, limit: int):  # type: ignore[no-untyped-def]
    return (
        select(AgentExecution)
        .where(AgentExecution.user_id == user_id)
        .order_by(AgentExecution.started_at.desc(), AgentExecution.id.desc())
        .limit(limit)
    )


def recent_eager(s: Session, user_id: UUID, limit: int = 50) -> list[dict[str, Any]]:
    stmt = _recent(user_id, limit).options(
        selectinload(AgentExecution.agent), selectinload(AgentExecution.metrics), raiseload("*", sql_only=True)
    )
    return [_activity_dict(x) for x in s.scalars(stmt)]


def recent_lazy(s: Session, user_id: UUID, limit: int = 50) -> list[dict[str, Any]]:
    return [_activity_dict(x) for x in s.scalars(_recent(user_id, limit))]


# --- history: keyset page of workflow executions with the workflow name ----------------------


def _history(user_id: UUID, before_at: datetime, before_id: UUID, limit: int):  # type: ignore[no-untyped-def]
    return (
        select(WorkflowExecution)
        .where(
            WorkflowExecution.user_id == user_id,
            tuple_(WorkflowExecution.started_at, WorkflowExecution.id) < tuple_(before_at, before_id),
        )
        .order_by(WorkflowExecution.started_at.desc(), WorkflowExecution.id.desc())
        .limit(limit + 1)
    )


def history_eager(
    s: Session, user_id: UUID, before_at: datetime, before_id: UUID, limit: int = 50
) -> list[dict[str, Any]]:
    stmt = _history(user_id, before_at, before_id, limit).options(
        selectinload(WorkflowExecution.workflow).load_only(Workflow.name), raiseload("*", sql_only=True)
    )
    return [_history_dict(e) for e in s.scalars(stmt)][:limit]


def history_lazy(
    s: Session, user_id: UUID, before_at: datetime, before_id: UUID, limit: int = 50
) -> list[dict[str, Any]]:
    return [_history_dict(e) for e in s.scalars(_history(user_id, before_at, before_id, limit))][:limit]


# --- graph replace -------------------------------------------------------------------------


def replace_graph(
    s: Session, user_id: UUID, workflow_id: UUID, workflow: Any, expected_version: int
) -> dict[str, Any]:
    """Replace name, definition, nodes and edges if `expected_version` is current, then
    return the whole graph (eager), as WorkflowRepository.replace_graph does.

    The ORM way: load the row, bump its version (version_id_col turns the UPDATE into
    a compare-and-set), bulk-delete the old edges and nodes, add the new objects
    (ids generated client-side, so edges need no RETURNING), commit, reload eagerly.
    """
    w = _owned(s, Workflow, user_id, workflow_id)
    if w.version != expected_version:
        raise StaleVersion(f"version is {w.version}, not {expected_version}")
    w.name = workflow.name
    w.description = workflow.description
    w.graph_definition = workflow.graph_definition
    w.version = expected_version + 1
    w.updated_at = func.now()
    s.flush()
    s.execute(delete(WorkflowEdge).where(WorkflowEdge.workflow_id == workflow_id))
    s.execute(delete(WorkflowNode).where(WorkflowNode.workflow_id == workflow_id))
    ids: dict[str, UUID] = {}
    nodes = []
    for index, n in enumerate(workflow.nodes):
        ids[n.key] = uuid.uuid4()
        nodes.append(WorkflowNode(
            id=ids[n.key], workflow_id=workflow_id, user_id=user_id, node_key=n.key, node_type=n.node_type,
            name=n.name, agent_id=n.agent_id, block_id=n.block_id, config=n.config,
            position=index if n.position is None else n.position,
        ))
    s.add_all(nodes)
    s.flush()
    s.add_all([
        WorkflowEdge(workflow_id=workflow_id, user_id=user_id, source_node_id=ids[e.source],
                     target_node_id=ids[e.target], label=e.label)
        for e in workflow.edges
    ])
    s.commit()
    s.expunge_all()
    return workflow_eager(s, user_id, workflow_id)


# --- writes: start an execution, record an agent execution with metrics, create a workflow ---------


def start_execution(s: Session, user_id: UUID, workflow_id: UUID) -> dict[str, Any]:
    """Queue an execution of a workflow the user owns, as ExecutionRepository.start does: check the
    workflow, insert, commit, and read the row back (the server set started_at)."""
    if s.scalars(select(Workflow.id).where(Workflow.id == workflow_id, Workflow.user_id == user_id)).first() is None:
        raise NotFound("workflow not found")
    e = WorkflowExecution(id=uuid.uuid4(), user_id=user_id, workflow_id=workflow_id, status="pending",
                          started_at=func.now())
    s.add(e)
    s.commit()
    s.refresh(e)
    return {"id": e.id, "workflow_id": e.workflow_id, "status": e.status, "started_at": e.started_at,
            "completed_at": e.completed_at, "error": e.error}


def record_agent_execution(s: Session, user_id: UUID, agent_id: UUID, session_id: UUID,
                           prompt_tokens: int, completion_tokens: int, latency_ms: int, cost_usd: float) -> UUID:
    """An agent execution and its metrics row in one transaction (unit of work: two INSERTs)."""
    if s.scalars(select(Agent.id).where(Agent.id == agent_id, Agent.user_id == user_id)).first() is None:
        raise NotFound("agent not found")
    x = AgentExecution(id=uuid.uuid4(), user_id=user_id, agent_id=agent_id, session_id=session_id,
                       status="completed", started_at=func.now(), completed_at=func.now())
    x.metrics = AgentExecutionMetrics(id=uuid.uuid4(), user_id=user_id, prompt_tokens=prompt_tokens,
                                      completion_tokens=completion_tokens, latency_ms=latency_ms, cost_usd=cost_usd)
    s.add(x)
    s.commit()
    return x.id


def create_workflow(s: Session, user_id: UUID, workflow: Any) -> dict[str, Any]:
    """A workflow with its nodes and edges (client-side ids, insertmanyvalues), committed, then
    read back eagerly, as WorkflowRepository.create answers it."""
    w = Workflow(id=uuid.uuid4(), user_id=user_id, name=workflow.name, description=workflow.description,
                 graph_definition=workflow.graph_definition, version=1, created_at=func.now(),
                 updated_at=func.now())
    s.add(w)
    s.flush()
    ids: dict[str, UUID] = {}
    nodes = []
    for index, n in enumerate(workflow.nodes):
        ids[n.key] = uuid.uuid4()
        nodes.append(WorkflowNode(
            id=ids[n.key], workflow_id=w.id, user_id=user_id, node_key=n.key, node_type=n.node_type,
            name=n.name, agent_id=n.agent_id, block_id=n.block_id, config=n.config,
            position=index if n.position is None else n.position,
        ))
    s.add_all(nodes)
    s.flush()
    s.add_all([
        WorkflowEdge(workflow_id=w.id, user_id=user_id, source_node_id=ids[e.source],
                     target_node_id=ids[e.target], label=e.label)
        for e in workflow.edges
    ])
    workflow_id = w.id
    s.commit()
    s.expunge_all()
    return workflow_eager(s, user_id, workflow_id)
