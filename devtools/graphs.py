"""Builders of inputs shared by tests, plan checks and benchmarks: chain workflows, agents with tools."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from repositories.agents import AgentInput, ToolInput
from repositories.workflows import EdgeInput, NodeInput, WorkflowInput


def chain(n: int, *, name: str = "wf", agent_ids: Sequence[UUID] = (), **graph: Any) -> WorkflowInput:
    """A workflow of `n` nodes joined in a chain (n - 1 edges). Every 4th node (p % 4 == 1)
    is bound to one of `agent_ids` in turn, as devtools.datagen binds them."""
    def agent(i: int) -> UUID | None:
        return agent_ids[(i // 4) % len(agent_ids)] if agent_ids and i % 4 == 1 else None

    nodes = [
        NodeInput(key=f"n{i}", node_type="agent" if agent(i) else "tool", name=f"node {i}", agent_id=agent(i),
                  config={"i": i})
        for i in range(n)
    ]
    edges = [EdgeInput(source=f"n{i}", target=f"n{i + 1}") for i in range(n - 1)]
    return WorkflowInput(name=name, graph_definition=graph or {"kind": "test"}, nodes=nodes, edges=edges)


def agent_with_tools(n: int, *, name: str = "agent", **configuration: Any) -> AgentInput:
    """An agent with `n` tools, tool0..tool{n-1}."""
    return AgentInput(
        name=name,
        configuration=configuration or {"model": "test"},
        tools=[ToolInput(name=f"tool{i}", config={"i": i}) for i in range(n)],
    )
