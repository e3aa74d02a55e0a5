"""ExecutionRepository: one-round-trip reads, keyset pages, the state machine, races, isolation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devtools.wire import round_trips
from repositories import (
    AgentRepository,
    ExecutionRepository,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    WorkflowRepository,
)
from tests.pages import every_page
from devtools.graphs import agent_with_tools, chain

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def _record(executions: ExecutionRepository, user_id: uuid.UUID, agent_id: uuid.UUID, n: int,
                  workflow_execution_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    ids = []
    for i in range(n):
        done = await executions.record_agent_execution(
            user_id=user_id, agent_id=agent_id, session_id=uuid.uuid4(), workflow_execution_id=workflow_execution_id,
            started_at=T0 + timedelta(minutes=i), prompt_tokens=i, completion_tokens=1, latency_ms=10, cost_usd=0.5,
        )
        ids.append(done)
    return ids


@pytest.mark.parametrize("n", [1, 50])
async def test_recent_activity_is_one_round_trip(
    executions: ExecutionRepository, agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID, n: int
) -> None:
    agent = await agents.create(user_id=alice, agent=agent_with_tools(2, name="worker"))
    ids = await _record(executions, alice, agent.id, n)
    other = await agents.create(user_id=bob, agent=agent_with_tools(1))
    await _record(executions, bob, other.id, 3)
    with round_trips() as rt:
        recent = (await executions.recent_agent_activity(user_id=alice, limit=50)).items
    assert rt.round_trips == 1, rt
    assert rt.statements == ["auth.act_as", "executions.recent_agent_activity"]
    assert [r.id for r in recent] == ids[::-1]  # newest first, only Alice's
    assert recent[0].agent.name == "worker" and recent[0].metrics is not None
    assert recent[0].metrics.total_tokens == n  # prompt n-1 + completion 1, computed by the database


async def test_record_refuses_another_users_agent(
    executions: ExecutionRepository, agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    theirs = await agents.create(user_id=bob, agent=agent_with_tools(1))
    with pytest.raises(NotFound):
        await executions.record_agent_execution(user_id=alice, agent_id=theirs.id, session_id=uuid.uuid4())
    assert (await executions.recent_agent_activity(user_id=bob)).items == []


async def _history_fixture(workflows: WorkflowRepository, executions: ExecutionRepository,
                           user_id: uuid.UUID) -> tuple[list[uuid.UUID], dict[uuid.UUID, set[uuid.UUID]]]:
    wf = [(await workflows.create(user_id=user_id, workflow=chain(2, name=f"w{i}"))).id for i in range(2)]
    by_workflow: dict[uuid.UUID, set[uuid.UUID]] = {w: set() for w in wf}
    for i in range(23):
        started = await executions.start(user_id=user_id, workflow_id=wf[i % 2])
        by_workflow[wf[i % 2]].add(started.id)
        if i % 3 == 0:
            await executions.transition(user_id=user_id, execution_id=started.id, to_status="running")
    return wf, by_workflow


async def _all_pages(executions: ExecutionRepository, user_id: uuid.UUID, **filters: Any) -> list[Any]:
    return await every_page(lambda after: executions.history(user_id=user_id, limit=5, after=after, **filters))


async def test_history_keyset_pages_cover_every_row_once(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    wf, by_workflow = await _history_fixture(workflows, executions, alice)
    await _history_fixture(workflows, executions, bob)
    everything = await _all_pages(executions, alice)
    ids = [e.id for e in everything]
    assert len(ids) == len(set(ids)) == 23
    assert set(ids) == by_workflow[wf[0]] | by_workflow[wf[1]]
    keys = [(e.started_at, e.id) for e in everything]
    assert keys == sorted(keys, reverse=True)  # newest first, ties broken by id
    running = await _all_pages(executions, alice, status="running")
    assert {e.id for e in running} == {e.id for e in everything if e.status == "running"} and len(running) == 8
    one = await _all_pages(executions, alice, workflow_id=wf[0])
    assert {e.id for e in one} == by_workflow[wf[0]]
    both = await _all_pages(executions, alice, workflow_id=wf[0], status="pending")
    assert {e.id for e in both} == {e.id for e in one if e.status == "pending"}
    assert all(e.workflow_name == "w0" for e in one)


async def test_history_refuses_bad_filters(executions: ExecutionRepository, alice: uuid.UUID) -> None:
    with pytest.raises(ValidationFailed) as info:
        await executions.history(user_id=alice, status="done")
    assert info.value.field == "status"
    for limit in (0, 201):
        with pytest.raises(ValidationFailed) as info:
            await executions.history(user_id=alice, limit=limit)
        assert info.value.field == "limit"


async def test_start_get_and_the_state_machine(
    workflows: WorkflowRepository, agents: AgentRepository, executions: ExecutionRepository, alice: uuid.UUID
) -> None:
    wf = await workflows.create(user_id=alice, workflow=chain(3))
    with round_trips() as rt:
        started = await executions.start(user_id=alice, workflow_id=wf.id, input={"q": 1})
    assert rt.round_trips == 1
    assert started.status == "pending" and started.completed_at is None and started.input == {"q": 1}
    with pytest.raises(IllegalTransition) as info:
        await executions.transition(user_id=alice, execution_id=started.id, to_status="completed")
    assert info.value.current_status == "pending"
    with round_trips() as rt:
        running = await executions.transition(user_id=alice, execution_id=started.id, to_status="running")
    assert rt.round_trips == 1 and running.status == "running"
    agent = await agents.create(user_id=alice, agent=agent_with_tools(1))
    await _record(executions, alice, agent.id, 3, workflow_execution_id=started.id)
    done = await executions.transition(
        user_id=alice, execution_id=started.id, to_status="completed", output={"answer": 42}
    )
    assert done.status == "completed" and done.completed_at is not None and done.output == {"answer": 42}
    for to in ("running", "failed", "cancelled", "pending", "completed"):
        with pytest.raises(IllegalTransition):
            await executions.transition(user_id=alice, execution_id=started.id, to_status=to)
    with round_trips() as rt:
        got = await executions.get(user_id=alice, execution_id=started.id)
    assert rt.round_trips == 1
    assert got.workflow_name == wf.name and len(got.agent_executions) == 3
    assert all(x.metrics is not None for x in got.agent_executions)
    with pytest.raises(ValidationFailed):
        await executions.transition(user_id=alice, execution_id=started.id, to_status="exploded")


@pytest.mark.parametrize("frm,to", [("pending", "cancelled"), ("running", "cancelled"), ("running", "failed")])
async def test_legal_moves(workflows, executions, alice, frm: str, to: str) -> None:  # type: ignore[no-untyped-def]
    wf = await workflows.create(user_id=alice, workflow=chain(1))
    e = await executions.start(user_id=alice, workflow_id=wf.id)
    if frm == "running":
        await executions.transition(user_id=alice, execution_id=e.id, to_status="running")
    moved = await executions.transition(user_id=alice, execution_id=e.id, to_status=to, error="why")
    assert moved.status == to and moved.completed_at is not None


async def test_racing_transitions_have_exactly_one_winner(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID
) -> None:
    wf = await workflows.create(user_id=alice, workflow=chain(1))
    for _ in range(5):
        e = await executions.start(user_id=alice, workflow_id=wf.id)
        results = await asyncio.gather(
            *(executions.transition(user_id=alice, execution_id=e.id, to_status="running") for _ in range(4)),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(r, IllegalTransition) and r.current_status == "running" for r in losers), results


async def test_other_users_executions_are_not_found(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    theirs_wf = await workflows.create(user_id=bob, workflow=chain(1))
    with pytest.raises(NotFound):
        await executions.start(user_id=alice, workflow_id=theirs_wf.id)
    theirs = await executions.start(user_id=bob, workflow_id=theirs_wf.id)
    with pytest.raises(NotFound):
        await executions.get(user_id=alice, execution_id=theirs.id)
    with pytest.raises(NotFound):
        await executions.transition(user_id=alice, execution_id=theirs.id, to_status="running")
    assert (await executions.history(user_id=alice)).items == []
    assert (await executions.history(user_id=alice, workflow_id=theirs_wf.id)).items == []
    assert (await executions.get(user_id=bob, execution_id=theirs.id)).status == "pending"


async def test_deleting_a_workflow_detaches_its_agent_executions(workflows, agents, executions, alice) -> None:  # type: ignore[no-untyped-def]
    """The former ON DELETE SET NULL, done by workflows.delete itself (migration 0030): the agent
    executions stay, no longer pointing at the deleted workflow's executions; one round trip."""
    agent = await agents.create(user_id=alice, agent=agent_with_tools(0))
    wf = await workflows.create(user_id=alice, workflow=chain(1))
    started = await executions.start(user_id=alice, workflow_id=wf.id)
    await _record(executions, alice, agent.id, 2, workflow_execution_id=started.id)
    with round_trips() as rt:
        await workflows.delete(user_id=alice, workflow_id=wf.id)
    assert rt.round_trips == 1, rt
    activity = await executions.recent_agent_activity(user_id=alice)
    assert len(activity.items) == 2 and all(x.workflow_execution_id is None for x in activity.items)
