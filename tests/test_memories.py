"""MemoryRepository and its endpoints: batch writes, a session's recent memories (touched as read),
full-text search scoped inside the index; one round trip each, keyset pages, users apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from devtools import statement as tool_statement
from devtools.explain import explain, walk
from devtools.graphs import agent_with_tools
from devtools.heavy_user import heavy_user
from devtools.wire import round_trips
from repositories import AgentRepository, Database, NotFound, ValidationFailed
from repositories.database import connect, run_sync
from repositories.memories import MemoryInput, MemoryRepository
from repositories.paging import params as page_params
from repositories.sql import statement
from tests.api_fixtures import API, Caller, ann, ben, client  # noqa: F401
from tests.pages import every_page


@pytest.fixture
def memories(db: Database) -> MemoryRepository:
    return MemoryRepository(db)


async def _agent(agents: AgentRepository, user: uuid.UUID, name: str = "agent") -> uuid.UUID:
    return (await agents.create(user_id=user, agent=agent_with_tools(1, name=name))).id


def _rows(owner: psycopg.Connection[Any], user: uuid.UUID) -> list[tuple[Any, ...]]:
    return run_sync(owner, tool_statement("testing.memories_of")(user_id=user))


async def test_a_batch_is_one_round_trip_kept_in_order(
    memories: MemoryRepository, agents: AgentRepository, alice: uuid.UUID
) -> None:
    agent, session = await _agent(agents, alice), uuid.uuid4()
    with round_trips() as rt:
        written = await memories.write(user_id=alice, agent_id=agent, session_id=session,
                                       memories=[MemoryInput(content=f"fact {i}") for i in range(500)])
    assert rt.round_trips == 1, rt
    assert rt.statements == ["auth.act_as", "memories.insert"]
    assert [m.content for m in written] == [f"fact {i}" for i in range(500)]
    assert all(a.created_at < b.created_at for a, b in zip(written, written[1:]))  # no ties inside a batch
    assert {m.session_id for m in written} == {session} and {m.agent_id for m in written} == {agent}
    one = await memories.write(user_id=alice, agent_id=agent, session_id=session, memories=[
        MemoryInput(content="x", expires_at=datetime(2030, 1, 1, tzinfo=UTC))])
    assert one[0].expires_at == datetime(2030, 1, 1, tzinfo=UTC)


async def test_writing_for_another_users_agent_is_not_found(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], alice: uuid.UUID,
    bob: uuid.UUID,
) -> None:
    theirs = await _agent(agents, bob)
    with pytest.raises(NotFound):
        await memories.write(user_id=alice, agent_id=theirs, session_id=uuid.uuid4(),
                             memories=[MemoryInput(content="sneaky")])
    assert _rows(owner, alice) == _rows(owner, bob) == []


async def test_recent_pages_newest_first_and_marks_only_the_page_read(
    memories: MemoryRepository, agents: AgentRepository, owner: psycopg.Connection[Any], alice: uuid.UUID,
    bob: uuid.UUID,
) -> None:
    agent, session = await _agent(agents, alice), uuid.uuid4()
    written = await memories.write(user_id=alice, agent_id=agent, session_id=session,
                                   memories=[MemoryInput(content=f"m{i}") for i in range(12)])
    await memories.write(user_id=alice, agent_id=agent, session_id=uuid.uuid4(), memories=[MemoryInput(content="other")])
    expired = await memories.write(user_id=alice, agent_id=agent, session_id=session, memories=[
        MemoryInput(content="gone", expires_at=datetime.now(UTC) - timedelta(seconds=1))])
    run_sync(owner, tool_statement("testing.age_memories")(ids=[m.id for m in written], days=10))
    with round_trips() as rt:
        first = await memories.recent(user_id=alice, agent_id=agent, session_id=session, limit=5)
    assert rt.round_trips == 1 and rt.statements == ["auth.act_as", "memories.recent"], rt
    assert [m.content for m in first.items] == ["m11", "m10", "m9", "m8", "m7"]
    recent = datetime.now(UTC) - timedelta(minutes=5)
    assert all(m.last_accessed_at > recent for m in first.items)
    aged = {m.id for m in written}
    touched = {row[0] for row in _rows(owner, alice) if row[0] in aged and row[3] > recent}
    assert touched == {m.id for m in first.items}  # the look-ahead row (m6) was not marked read
    everything = await every_page(lambda after: memories.recent(
        user_id=alice, agent_id=agent, session_id=session, limit=5, after=after))
    assert [m.id for m in everything] == [m.id for m in reversed(written)]  # expired and other session left out
    assert expired[0].id not in {m.id for m in everything}
    other = await memories.recent(user_id=bob, agent_id=agent, session_id=session)
    assert other.items == []


async def test_search_matches_words_of_the_users_memories_only(
    memories: MemoryRepository, agents: AgentRepository, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    mine, other = await _agent(agents, alice, "mine"), await _agent(agents, alice, "other")
    theirs = await _agent(agents, bob)
    texts = ["The customer paid the invoices", "Refund the customer", "Invoice overdue since May",
             "The meeting moved to Friday"]
    for text in texts:
        await memories.write(user_id=alice, agent_id=mine, session_id=uuid.uuid4(), memories=[MemoryInput(content=text)])
    await memories.write(user_id=alice, agent_id=other, session_id=uuid.uuid4(),
                         memories=[MemoryInput(content="invoice for the other agent")])
    await memories.write(user_id=bob, agent_id=theirs, session_id=uuid.uuid4(),
                         memories=[MemoryInput(content="Bob's invoice customer refund meeting")])
    await memories.write(user_id=alice, agent_id=mine, session_id=uuid.uuid4(), memories=[
        MemoryInput(content="expired invoice", expires_at=datetime.now(UTC) - timedelta(seconds=1))])

    async def found(query: str, agent: uuid.UUID | None = None, user: uuid.UUID = alice) -> list[str]:
        with round_trips() as rt:
            page = await memories.search(user_id=user, query=query, agent_id=agent)
        assert rt.round_trips == 1, rt
        return [m.content for m in page.items]

    # Stemmed words, newest first; other users' and expired memories never.
    assert await found("invoices") == ["invoice for the other agent", "Invoice overdue since May",
                                       "The customer paid the invoices"]
    assert await found("invoice", agent=mine) == ["Invoice overdue since May", "The customer paid the invoices"]
    assert await found("customer -refund") == ["The customer paid the invoices"]
    assert await found('"paid the invoices"') == ["The customer paid the invoices"]
    assert await found("customer or meeting") == [texts[3], texts[1], texts[0]]
    assert await found("the") == []  # nothing searchable: nothing matches (not everything)
    assert await found("invoice", agent=theirs) == []
    assert await found("invoice", user=bob) == ["Bob's invoice customer refund meeting"]
    everything = await every_page(lambda after: memories.search(user_id=alice, query="invoice", limit=1, after=after))
    assert len(everything) == 3
    with pytest.raises(ValidationFailed):
        await memories.search(user_id=alice, query="x", limit=0)


def test_search_reads_only_the_users_rows_off_an_index(big_dsn: str) -> None:
    """On generated data (TEST scale), the heavy user's search reads an index and at most that user's
    own memories, with or without an agent: the scoped GIN index (the user's matches only), or, when
    the planner prefers it for a user this small, the user's (agent's) range of the session index."""
    with connect(big_dsn) as conn:
        user = heavy_user(conn, "TEST")
        own = len(_rows(conn, user.id))
        for agent_id in (None, user.agent_ids[0]):
            call = statement("memories.search")(user_id=user.id, query="invoice", agent_id=agent_id,
                                                **page_params(50, None))
            nodes = list(walk(explain(conn, call, analyze=True)))
            scans = [n for n in nodes if n.get("Relation Name") == "agent_memories"]
            assert scans and all(n["Node Type"] in ("Bitmap Heap Scan", "Index Scan") for n in scans), scans
            used = {n.get("Index Name") for n in nodes} - {None}
            assert used <= {"ix_agent_memories_search", "ix_agent_memories_session_recent"}, used
            for n in scans:
                assert n["Actual Rows"] + n.get("Rows Removed by Filter", 0) <= own, n


def test_the_walk_over_users_is_one_index_probe_per_user(big_dsn: str) -> None:
    """On generated data (TEST scale), memories.users_page reads one index entry per user it
    returns (a loose index scan), never the memories table itself nor every user's rows."""
    with connect(big_dsn) as conn:
        nodes = list(walk(explain(conn, statement("memories.users_page")(after=uuid.UUID(int=0), limit=50),
                                  analyze=True)))
    scans = [n for n in nodes if n.get("Relation Name") == "agent_memories"]
    assert scans and all(n["Node Type"] in ("Index Only Scan", "Index Scan") for n in scans), scans
    assert all(n["Actual Rows"] * n["Actual Loops"] <= 50 for n in scans), scans


# --- HTTP --------------------------------------------------------------------------------------------------------------


async def _http_agent(client: AsyncTestClient, caller: Caller) -> str:
    r = await client.post(f"{API}/agents", json={"name": "a"}, headers=caller.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_memory_endpoints(client: AsyncTestClient, ann: Caller, ben: Caller) -> None:
    agent, session = await _http_agent(client, ann), str(uuid.uuid4())
    url = f"{API}/agents/{agent}/sessions/{session}/memories"
    r = await client.post(url, json={"memories": [{"content": f"invoice {i}"} for i in range(3)]}, headers=ann.headers)
    assert r.status_code == 201, r.text
    assert [m["content"] for m in r.json()["items"]] == ["invoice 0", "invoice 1", "invoice 2"]
    r = await client.get(url, params={"limit": 2}, headers=ann.headers)
    assert r.status_code == 200 and [m["content"] for m in r.json()["items"]] == ["invoice 2", "invoice 1"]
    r = await client.get(url, params={"limit": 2, "cursor": r.json()["next_cursor"]}, headers=ann.headers)
    assert [m["content"] for m in r.json()["items"]] == ["invoice 0"] and r.json()["next_cursor"] is None
    r = await client.get(f"{API}/memories", params={"q": "invoices", "agent_id": agent}, headers=ann.headers)
    assert r.status_code == 200 and len(r.json()["items"]) == 3
    r = await client.get(f"{API}/memories", params={"q": "invoice"}, headers=ben.headers)
    assert r.status_code == 200 and r.json()["items"] == []
    assert (await client.get(url, headers=ben.headers)).json()["items"] == []
    r = await client.post(url, json={"memories": [{"content": "x"}]}, headers=ben.headers)
    assert r.status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"memories": []}, "memories"),
    ({"memories": [{"content": "x"}] * 1001}, "memories"),
    ({"memories": [{"content": ""}]}, "memories[0].content"),
    ({"memories": [{"content": "a\u0000b"}]}, "memories[0].content"),
    ({"memories": [{"content": "x", "expires_at": "2030-01-01T00:00:00"}]}, "memories[0].expires_at"),
    ({"memories": [{"content": "x", "colour": "red"}]}, "memories[0].colour"),
])
async def test_memory_writes_refuse_bad_input(client: AsyncTestClient, ann: Caller, body: Any, field: str) -> None:
    agent = await _http_agent(client, ann)
    r = await client.post(f"{API}/agents/{agent}/sessions/{uuid.uuid4()}/memories", json=body, headers=ann.headers)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


async def test_search_needs_a_query(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.get(f"{API}/memories", headers=ann.headers)
    assert r.status_code == 400 and "'q'" in r.json()["detail"], r.text
