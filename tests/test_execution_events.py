"""Execution events against real PostgreSQL: gap-free seq under concurrent writers, refusal once
finished, keyset reads, idempotent starts, the graph version an execution ran; round trips."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from devtools.graphs import chain
from devtools.wire import round_trips
from repositories import ExecutionRepository, IllegalTransition, NotFound, ValidationFailed, WorkflowRepository
from repositories.executions import EventInput


async def _running(workflows: WorkflowRepository, executions: ExecutionRepository, user: uuid.UUID,
                   n: int = 3) -> tuple[uuid.UUID, list[uuid.UUID]]:
    workflow = await workflows.create(user_id=user, workflow=chain(n))
    started = await executions.start(user_id=user, workflow_id=workflow.id)
    await executions.transition(user_id=user, execution_id=started.id, to_status="running")
    return started.id, [node.id for node in workflow.nodes]


def _log(i: int) -> EventInput:
    return EventInput(type="log", payload={"i": i})


async def test_append_is_one_round_trip_and_numbers_in_order(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID
) -> None:
    execution_id, nodes = await _running(workflows, executions, alice)
    batch = [EventInput(type="node_started", node_id=nodes[0]), _log(1),
             EventInput(type="node_completed", node_id=nodes[0], payload={"out": "x"})]
    with round_trips() as rt:
        appended = await executions.append_events(user_id=alice, execution_id=execution_id, events=batch)
    assert rt.round_trips == 1, rt
    assert rt.statements == ["auth.act_as", "executions.append_events"]
    assert (appended.first_seq, appended.last_seq, appended.appended) == (1, 3, 3)
    more = await executions.append_events(user_id=alice, execution_id=execution_id, events=[_log(2)])
    assert (more.first_seq, more.last_seq) == (4, 4)
    with round_trips() as rt:
        events = await executions.events(user_id=alice, execution_id=execution_id, after=1, limit=2)
    assert rt.round_trips == 1, rt
    assert [(e.seq, e.type) for e in events] == [(2, "log"), (3, "node_completed")]
    assert events[1].node_id == nodes[0] and events[1].payload == {"out": "x"}
    got = await executions.get(user_id=alice, execution_id=execution_id)
    assert got.last_event_seq == 4 and got.workflow_version == 1


async def test_concurrent_writers_never_duplicate_or_skip_a_seq(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID
) -> None:
    execution_id, _ = await _running(workflows, executions, alice)

    async def writer(w: int) -> list[tuple[int, int]]:
        ranges = []
        for b in range(10):
            size = 1 + (w + b) % 3
            done = await executions.append_events(
                user_id=alice, execution_id=execution_id, events=[_log(w * 100 + b)] * size)
            ranges.append((done.first_seq, done.last_seq))
        return ranges

    ranges = [r for rs in await asyncio.gather(*(writer(w) for w in range(4))) for r in rs]
    seqs = sorted(s for first, last in ranges for s in range(first, last + 1))
    assert seqs == list(range(1, len(seqs) + 1))  # disjoint ranges, no gap
    stored = await executions.events_after(user_id=alice, execution_id=execution_id, after=0, limit=1000)
    assert [seq for seq, _ in stored.documents] == seqs and stored.last_seq == len(seqs)


async def test_finished_execution_takes_no_more_events(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    execution_id, _ = await _running(workflows, executions, alice)
    await executions.append_events(user_id=alice, execution_id=execution_id, events=[_log(1)])
    await executions.transition(user_id=alice, execution_id=execution_id, to_status="completed")
    with round_trips() as rt, pytest.raises(IllegalTransition) as info:
        await executions.append_events(user_id=alice, execution_id=execution_id, events=[_log(2)])
    assert rt.round_trips == 1, rt
    assert info.value.current_status == "completed" and info.value.field is None
    batch = await executions.events_after(user_id=alice, execution_id=execution_id)
    assert batch.finished and batch.last_seq == 1 and len(batch.documents) == 1
    with pytest.raises(NotFound):
        await executions.append_events(user_id=bob, execution_id=execution_id, events=[_log(3)])
    with pytest.raises(NotFound):
        await executions.events_after(user_id=bob, execution_id=execution_id)
    with pytest.raises(ValidationFailed) as bad:
        await executions.append_events(user_id=alice, execution_id=execution_id,
                                       events=[_log(1), EventInput(type="node_failed")])
    assert bad.value.field == "events[1].node_id"


async def test_idempotent_start_creates_one_execution(
    workflows: WorkflowRepository, executions: ExecutionRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    workflow = await workflows.create(user_id=alice, workflow=chain(3))
    with round_trips() as rt:
        first, created = await executions.start_idempotent_json(
            user_id=alice, workflow_id=workflow.id, idempotency_key="k1", input={"a": 1})
    assert rt.round_trips == 1, rt
    assert created
    # Racing pairs (no more at once than the test pool's 2 standing connections): one winner.
    retries = await asyncio.gather(*(executions.start_idempotent_json(
        user_id=alice, workflow_id=workflow.id, idempotency_key="k1", input=None) for _ in range(2)))
    assert {doc.id for doc, _ in retries} == {first.id} and not any(c for _, c in retries)
    racing = await asyncio.gather(*(executions.start_idempotent_json(
        user_id=alice, workflow_id=workflow.id, idempotency_key="k2", input=None) for _ in range(2)))
    assert len({doc.id for doc, _ in racing}) == 1 and sum(c for _, c in racing) == 1
    page = await executions.history(user_id=alice, limit=50)
    assert len(page.items) == 2
    # Keys are per user: Bob's "k1" is his own (and his start of Alice's workflow is not found).
    with pytest.raises(NotFound):
        await executions.start_idempotent_json(user_id=bob, workflow_id=workflow.id, idempotency_key="k1")
    other = await workflows.create(user_id=alice, workflow=chain(1))
    with pytest.raises(ValidationFailed) as reused:
        await executions.start_idempotent_json(user_id=alice, workflow_id=other.id, idempotency_key="k1")
    assert reused.value.field == "Idempotency-Key"
