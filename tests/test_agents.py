"""AgentRepository against real PostgreSQL: one round trip per call, isolation."""

from __future__ import annotations

import uuid

import pytest

from devtools.wire import round_trips
from repositories import AgentRepository, NotFound, ValidationFailed
from repositories.agents import AgentPatch, ToolInput
from tests.pages import every_page
from devtools.graphs import agent_with_tools


@pytest.mark.parametrize("n", [0, 1, 10])
async def test_get_with_tools_is_one_round_trip(agents: AgentRepository, alice: uuid.UUID, n: int) -> None:
    with round_trips() as rt:
        created = await agents.create(user_id=alice, agent=agent_with_tools(n))
    assert rt.round_trips == 1, rt
    with round_trips() as rt:
        got = await agents.get(user_id=alice, agent_id=created.id)
    assert rt.round_trips == 1, rt
    assert rt.statements == ["auth.act_as", "agents.get_with_tools"]
    assert [t.name for t in got.tools] == [f"tool{i}" for i in range(n)]
    assert [t.position for t in got.tools] == list(range(n))
    assert got == created


async def test_update_is_partial_and_replaces_tools_atomically(agents: AgentRepository, alice: uuid.UUID) -> None:
    created = await agents.create(user_id=alice, agent=agent_with_tools(10, model="a"))
    with round_trips() as rt:
        renamed = await agents.update(user_id=alice, agent_id=created.id, patch=AgentPatch(name="renamed"))
    assert rt.round_trips == 1, rt
    assert renamed.name == "renamed" and renamed.configuration == {"model": "a"} and len(renamed.tools) == 10
    with round_trips() as rt:
        retooled = await agents.update(
            user_id=alice, agent_id=created.id,
            patch=AgentPatch(configuration={"model": "b"}, tools=[ToolInput(name="only")]),
        )
    assert rt.round_trips == 1, rt
    assert retooled.configuration == {"model": "b"} and [t.name for t in retooled.tools] == ["only"]
    # A tool the database refuses (name too long for the CHECK) leaves name and tools as they were.
    with pytest.raises(ValidationFailed):
        await agents.update(
            user_id=alice, agent_id=created.id, patch=AgentPatch(name="x", tools=[ToolInput(name="y" * 300)])
        )
    assert await agents.get(user_id=alice, agent_id=created.id) == retooled


async def test_list_pages_with_tool_counts(agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID) -> None:
    made = [await agents.create(user_id=alice, agent=agent_with_tools(i, name=f"a{i}")) for i in range(5)]
    await agents.create(user_id=bob, agent=agent_with_tools(2))
    seen = await every_page(lambda after: agents.list(user_id=alice, limit=2, after=after))
    assert sorted((a.name, a.tool_count) for a in seen) == [(f"a{i}", i) for i in range(5)]
    assert {a.id for a in seen} == {a.id for a in made}


async def test_search_by_configuration(agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID) -> None:
    wanted = await agents.create(user_id=alice, agent=agent_with_tools(1, model="gpt", tier="pro"))
    await agents.create(user_id=alice, agent=agent_with_tools(1, model="llama"))
    await agents.create(user_id=bob, agent=agent_with_tools(1, model="gpt"))
    page = await agents.list(user_id=alice, contains={"model": "gpt"})
    assert [a.id for a in page.items] == [wanted.id]


async def test_other_users_agent_is_not_found_for_every_method(
    agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    theirs = await agents.create(user_id=bob, agent=agent_with_tools(3))
    with pytest.raises(NotFound):
        await agents.get(user_id=alice, agent_id=theirs.id)
    with pytest.raises(NotFound):
        await agents.update(user_id=alice, agent_id=theirs.id, patch=AgentPatch(name="x", tools=[]))
    with pytest.raises(NotFound):
        await agents.delete(user_id=alice, agent_id=theirs.id)
    assert (await agents.list(user_id=alice)).items == []
    assert await agents.get(user_id=bob, agent_id=theirs.id) == theirs


async def test_delete(agents: AgentRepository, alice: uuid.UUID) -> None:
    created = await agents.create(user_id=alice, agent=agent_with_tools(3))
    with round_trips() as rt:
        await agents.delete(user_id=alice, agent_id=created.id)
    assert rt.round_trips == 1
    with pytest.raises(NotFound):
        await agents.get(user_id=alice, agent_id=created.id)
