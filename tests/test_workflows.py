"""WorkflowRepository against real PostgreSQL: round trips, atomicity, versions, isolation."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from devtools.wire import round_trips
from repositories import NotFound, StaleVersion, ValidationFailed, WorkflowRepository
from repositories.workflows import EdgeInput, NodeInput, WorkflowInput
from tests.pages import every_page
from devtools.graphs import agent_with_tools, chain


@pytest.mark.parametrize("n", [1, 50, 500])
async def test_get_is_one_round_trip_at_any_size(workflows: WorkflowRepository, alice: uuid.UUID, n: int) -> None:
    created = await workflows.create(user_id=alice, workflow=chain(n))
    with round_trips() as rt:
        got = await workflows.get(user_id=alice, workflow_id=created.id)
    assert rt.round_trips == 1, rt
    assert rt.statements == ["auth.act_as", "workflows.get_with_graph"], rt
    assert len(got.nodes) == n and len(got.edges) == n - 1
    assert [node.key for node in got.nodes] == [f"n{i}" for i in range(n)]
    assert got == created


@pytest.mark.parametrize("n", [1, 50, 500])
async def test_create_and_replace_are_one_round_trip_at_any_size(
    workflows: WorkflowRepository, alice: uuid.UUID, n: int
) -> None:
    with round_trips() as rt:
        created = await workflows.create(user_id=alice, workflow=chain(n))
    assert rt.round_trips == 1, rt
    assert created.version == 1 and len(created.nodes) == n
    with round_trips() as rt:
        replaced = await workflows.replace(
            user_id=alice, workflow_id=created.id, workflow=chain(n, name="renamed"), expected_version=1
        )
    assert rt.round_trips == 1, rt
    assert rt.statements == [
        "auth.act_as", "workflows.replace", "workflows.delete_edges", "workflows.insert_graph", "workflows.get_with_graph"
    ]
    assert replaced.version == 2 and replaced.name == "renamed" and len(replaced.edges) == n - 1


async def test_node_bound_to_agent_carries_it(workflows, agents, alice) -> None:  # type: ignore[no-untyped-def]
    agent = await agents.create(user_id=alice, agent=agent_with_tools(1, name="planner"))
    got = await workflows.create(user_id=alice, workflow=chain(3, agent_ids=[agent.id]))
    assert got.nodes[1].agent is not None and got.nodes[1].agent.name == "planner"
    await agents.delete(user_id=alice, agent_id=agent.id)  # the delete unbinds the node (sql/agents/delete.sql): it stays
    again = await workflows.get(user_id=alice, workflow_id=got.id)
    assert again.nodes[1].agent_id is None and again.nodes[1].agent is None and len(again.nodes) == 3


async def test_failed_replace_leaves_old_graph_whole(workflows, agents, alice, bob) -> None:  # type: ignore[no-untyped-def]
    created = await workflows.create(user_id=alice, workflow=chain(50))
    # Bob's agent: the node insert fails on the composite (agent_id, user_id) foreign key,
    # after workflows.replace and workflows.delete_edges already ran in the same pipeline.
    bobs_agent = await agents.create(user_id=bob, agent=agent_with_tools(1))
    bad = chain(60, name="bad", agent_ids=[bobs_agent.id])
    with round_trips() as rt, pytest.raises(ValidationFailed) as info:
        await workflows.replace(user_id=alice, workflow_id=created.id, workflow=bad, expected_version=1)
    assert rt.round_trips == 1, rt
    assert info.value.field == "agent_id"
    after = await workflows.get(user_id=alice, workflow_id=created.id)
    assert after == created  # same version, name, 50 nodes, 49 edges


async def test_stale_version_is_refused_distinctly(workflows: WorkflowRepository, alice: uuid.UUID) -> None:
    created = await workflows.create(user_id=alice, workflow=chain(3))
    await workflows.replace(user_id=alice, workflow_id=created.id, workflow=chain(4), expected_version=1)
    with pytest.raises(StaleVersion):
        await workflows.replace(user_id=alice, workflow_id=created.id, workflow=chain(5), expected_version=1)
    after = await workflows.get(user_id=alice, workflow_id=created.id)
    assert after.version == 2 and len(after.nodes) == 4


async def test_racing_replaces_have_one_winner(workflows: WorkflowRepository, alice: uuid.UUID) -> None:
    import asyncio

    created = await workflows.create(user_id=alice, workflow=chain(20))
    results = await asyncio.gather(
        *(workflows.replace(user_id=alice, workflow_id=created.id, workflow=chain(20 + i), expected_version=1)
          for i in range(4)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StaleVersion) for r in results if isinstance(r, BaseException)), results
    after = await workflows.get(user_id=alice, workflow_id=created.id)
    assert after.version == 2 and len(after.nodes) == len(winners[0].nodes)


@pytest.mark.parametrize(
    ("workflow", "field"),
    [
        (WorkflowInput(name="x", nodes=[NodeInput(key="a", node_type="t"), NodeInput(key="a", node_type="t")]),
         "nodes[1].key"),
        (WorkflowInput(name="x", nodes=[NodeInput(key="a", node_type="t")], edges=[EdgeInput(source="a", target="b")]),
         "edges[0].target"),
        (WorkflowInput(name="x", nodes=[NodeInput(key="a", node_type="t")], edges=[EdgeInput(source="a", target="a")]),
         "edges[0]"),
    ],
)
async def test_bad_graph_names_the_field_and_writes_nothing(
    workflows: WorkflowRepository, alice: uuid.UUID, workflow: WorkflowInput, field: str
) -> None:
    with round_trips() as rt, pytest.raises(ValidationFailed) as info:
        await workflows.create(user_id=alice, workflow=workflow)
    assert info.value.field == field
    assert rt.round_trips == 0  # refused before anything was sent
    assert (await workflows.list(user_id=alice)).items == []


async def test_unknown_agent_is_refused_atomically(workflows: WorkflowRepository, alice: uuid.UUID) -> None:
    with pytest.raises(ValidationFailed) as info:
        await workflows.create(user_id=alice, workflow=chain(3, agent_ids=[uuid.uuid4()]))
    assert info.value.field == "agent_id"
    assert (await workflows.list(user_id=alice)).items == []  # the workflow row went with the failed nodes


async def test_list_pages_cover_every_row_once(workflows: WorkflowRepository, alice: uuid.UUID, bob) -> None:  # type: ignore[no-untyped-def]
    ids = {(await workflows.create(user_id=alice, workflow=chain(1, name=f"w{i}"))).id for i in range(7)}
    await workflows.create(user_id=bob, workflow=chain(1))
    seen = [w.id for w in await every_page(lambda after: workflows.list(user_id=alice, limit=3, after=after))]
    assert len(seen) == len(set(seen)) == 7 and set(seen) == ids


async def test_search_by_graph_definition(workflows: WorkflowRepository, alice: uuid.UUID, bob) -> None:  # type: ignore[no-untyped-def]
    etl = await workflows.create(user_id=alice, workflow=chain(2, kind="etl", team="data"))
    await workflows.create(user_id=alice, workflow=chain(2, kind="chat"))
    await workflows.create(user_id=bob, workflow=chain(2, kind="etl"))
    with round_trips() as rt:
        page = await workflows.list(user_id=alice, contains={"kind": "etl"})
    assert rt.round_trips == 1
    assert [w.id for w in page.items] == [etl.id]


async def test_other_users_workflow_is_not_found_for_every_method(
    workflows: WorkflowRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    theirs = await workflows.create(user_id=bob, workflow=chain(3))
    with pytest.raises(NotFound):
        await workflows.get(user_id=alice, workflow_id=theirs.id)
    with pytest.raises(NotFound):
        await workflows.replace(user_id=alice, workflow_id=theirs.id, workflow=chain(1), expected_version=1)
    with pytest.raises(NotFound):
        await workflows.delete(user_id=alice, workflow_id=theirs.id)
    assert (await workflows.list(user_id=alice)).items == []
    assert await workflows.get(user_id=bob, workflow_id=theirs.id) == theirs  # untouched


async def test_delete(workflows: WorkflowRepository, alice: uuid.UUID) -> None:
    created = await workflows.create(user_id=alice, workflow=chain(5))
    with round_trips() as rt:
        await workflows.delete(user_id=alice, workflow_id=created.id)
    assert rt.round_trips == 1
    with pytest.raises(NotFound):
        await workflows.get(user_id=alice, workflow_id=created.id)
    with pytest.raises(NotFound):
        await workflows.delete(user_id=alice, workflow_id=created.id)


async def test_replace_keeps_the_id_of_every_node_whose_key_survives(
    workflows: WorkflowRepository, alice: uuid.UUID
) -> None:
    created = await workflows.create(user_id=alice, workflow=chain(5))
    ids = {node.key: node.id for node in created.nodes}
    kept = [n for n in chain(5).nodes if n.key in (created.nodes[0].key, created.nodes[2].key)]
    new = msgspec.structs.replace(chain(1).nodes[0], key="fresh", name="fresh")
    graph = msgspec.structs.replace(
        chain(5), name="kept", nodes=[*kept, new],
        edges=[EdgeInput(source=kept[0].key, target="fresh"), EdgeInput(source="fresh", target=kept[1].key)],
    )
    with round_trips() as rt:
        replaced = await workflows.replace(user_id=alice, workflow_id=created.id, workflow=graph, expected_version=1)
    assert rt.round_trips == 1, rt
    after = {node.key: node.id for node in replaced.nodes}
    assert set(after) == {kept[0].key, kept[1].key, "fresh"}
    assert after[kept[0].key] == ids[kept[0].key] and after[kept[1].key] == ids[kept[1].key]
    assert after["fresh"] not in ids.values()
    assert {(e.source, e.target) for e in replaced.edges} == {(kept[0].key, "fresh"), ("fresh", kept[1].key)}
    assert replaced == await workflows.get(user_id=alice, workflow_id=created.id)
