"""Builders of test inputs shared by the repository and API tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from repositories.agents import AgentInput, ToolInput
from repositories.workflows import EdgeInput, NodeInput, WorkflowInput


def chain(n: int, *, name: str = "wf", agent_id: UUID | None = None, **graph: Any) -> WorkflowInput:
    """A workflow of `n` nodes joined in a chain (n - 1 edges); node 1 bound to `agent_id`."""
    nodes = [
        NodeInput(key=f"n{i}", node_type="agent" if i == 1 and agent_id else "tool", name=f"node {i}",
                  agent_id=agent_id if i == 1 else None, config={"i": i})
        for i in range(n)
    ]
    edges = [EdgeInput(source=f"n{i}", target=f"n{i + 1}", label=None) for i in range(n - 1)]
    return WorkflowInput(name=name, graph_definition=graph or {"kind": "test"}, nodes=nodes, edges=edges)


def agent_with_tools(n: int, *, name: str = "agent", **configuration: Any) -> AgentInput:
    return AgentInput(
        name=name,
        configuration=configuration or {"model": "test"},
        tools=[ToolInput(name=f"tool{i}", config={"i": i}) for i in range(n)],
    )
