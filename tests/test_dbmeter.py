"""The production meter (behind Server-Timing) agrees with the wire trace."""

from __future__ import annotations

import uuid

from agentdb.dbmeter import metering
from devtools.wire import round_trips
from repositories import AgentRepository, ExecutionRepository, NotFound, WorkflowRepository
from devtools.graphs import agent_with_tools, chain


async def test_dbmeter_counts_what_the_wire_sees(
    workflows: WorkflowRepository, agents: AgentRepository, executions: ExecutionRepository, alice: uuid.UUID
) -> None:
    async def work() -> None:
        wf = await workflows.create(user_id=alice, workflow=chain(50))
        await workflows.get(user_id=alice, workflow_id=wf.id)
        await workflows.replace(user_id=alice, workflow_id=wf.id, workflow=chain(10), expected_version=1)
        agent = await agents.create(user_id=alice, agent=agent_with_tools(10))
        await agents.get(user_id=alice, agent_id=agent.id)
        await executions.recent_agent_activity(user_id=alice)
        await executions.history(user_id=alice)
        try:
            await workflows.get(user_id=alice, workflow_id=uuid.uuid4())
        except NotFound:
            pass

    with round_trips() as wire, metering() as meter:
        await work()
    assert wire.round_trips == 8, wire
    assert meter.round_trips == wire.round_trips
    assert meter.seconds > 0
