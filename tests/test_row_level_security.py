"""Row-level security, the second wall: every user table policed, the app's role unable to
bypass it, and a statement stripped of its `user_id` filters still blind to other users."""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec
import psycopg
import pytest
from psycopg import sql

from agentdb.pool import APP_ROLE, JOBS_ROLE, open_pool
from devtools import statement as tool_statement
from devtools import wire
from devtools.graphs import agent_with_tools, chain
from repositories import AgentRepository, Database, ExecutionRepository, UserRepository, WorkflowRepository
from repositories.database import run_sync, switch_role
from repositories.sql import Call, Statement, statement

TABLES = {"users", "api_tokens", "agents", "agent_tools", "agent_blocks", "workflows", "workflow_nodes",
          "workflow_edges", "workflow_executions", "execution_events", "agent_executions",
          "agent_execution_metrics", "agent_memories", "agent_execution_stats", "workflow_execution_stats"}


def test_every_user_table_is_policed_and_forced(owner: psycopg.Connection[Any]) -> None:
    rows = {name: (enabled, forced, policies)
            for name, enabled, forced, policies in run_sync(owner, tool_statement("catalog.row_security")())}
    assert TABLES <= set(rows), TABLES - set(rows)
    for table in TABLES:
        assert rows[table] == (True, True, ["app_own_rows", "jobs_every_row"]), (table, rows[table])


@pytest.mark.parametrize("role", [APP_ROLE, JOBS_ROLE])
def test_the_pools_roles_cannot_bypass_row_level_security(owner: psycopg.Connection[Any], role: str) -> None:
    assert run_sync(owner, tool_statement("catalog.role_attributes")(role=role)) == [(False, False, False)]


def _unfiltered(st: Statement) -> Statement:
    """`st` with every `<alias>.user_id = %(user_id)s` condition replaced by TRUE."""
    text, count = re.subn(r"\b\w+\.user_id = %\(user_id\)s", "TRUE", st.text)
    assert count, st.name
    return Statement(st.name, st.path, st.header, text, st.params, st.read_only)


async def test_statements_without_their_user_filter_still_see_only_the_callers_rows(
    pool: Any, users: UserRepository, workflows: WorkflowRepository, agents: AgentRepository,
    executions: ExecutionRepository, alice: uuid.UUID, bob: uuid.UUID,
) -> None:
    agent = await agents.create(user_id=alice, agent=agent_with_tools(3))
    wf = await workflows.create(user_id=alice, workflow=chain(5, agent_ids=[agent.id]))
    ex = await executions.start(user_id=alice, workflow_id=wf.id)
    await executions.record_agent_execution(user_id=alice, agent_id=agent.id, session_id=uuid.uuid4(),
                                            workflow_execution_id=ex.id)
    page = {"limit": 50, "before_at": "9999-12-31T00:00:00Z", "before_id": "ffffffff-ffff-ffff-ffff-ffffffffffff"}
    reads: dict[str, dict[str, Any]] = {
        "workflows.get_with_graph": {"workflow_id": wf.id, "unless_version": None},
        "agents.get_with_tools": {"agent_id": agent.id},
        "executions.get": {"execution_id": ex.id},
        "workflows.list_page": page,
        "agents.list_page": page,
        "executions.history": page,
        "executions.recent_agent_activity": {"limit": 50},
    }

    async def run(st: Statement, acting_for: uuid.UUID, params: dict[str, Any]) -> list[Any]:
        async with pool.connection() as conn:  # the app's role, as every repository call
            async with conn.pipeline():
                if role := pool.transaction_role:  # behind a transaction-mode pooler (tests/test_pgbouncer.py)
                    await conn.execute(statement("auth.set_role_local").text, {"role": role})
                await conn.execute(statement("auth.act_as").text, {"user_id": acting_for})
                cur = await conn.execute(st.text, Call(st, {"user_id": acting_for, **params}).params)
            return await cur.fetchall()

    for name, params in reads.items():
        stripped = _unfiltered(statement(name))
        assert await run(stripped, alice, params), name  # alice still reads her own rows
        try:
            rows = await run(stripped, bob, params)
        except psycopg.Error as exc:  # AB404: the row is not there for bob
            assert exc.sqlstate == "AB404", (name, exc)
            continue
        assert rows == [], (name, rows)


async def test_no_table_holds_a_bearer_token(owner: psycopg.Connection[Any], users: UserRepository,
                                             alice: uuid.UUID) -> None:
    _, token = await users.create(email=f"carol-{uuid.uuid4().hex[:6]}@example.com")
    issued = await users.issue_token(user_id=alice, name="second")
    for table in sorted(TABLES):
        dump = " ".join(row[0] for row in owner.execute(sql.SQL("SELECT t::text FROM {} AS t").format(
            sql.Identifier(table))).fetchall())
        for secret in (token, issued, token.split("_")[-1], issued.split("_")[-1]):
            assert secret not in dump, table


async def test_pooled_connections_work_as_their_pools_role(dsn: str, pool: Any, jobs_pool: Any) -> None:
    for the_pool, role in ((pool, APP_ROLE), (jobs_pool, JOBS_ROLE)):
        # Every call: on a connection switched once (or, behind a transaction-mode pooler, in its transaction).
        row = await Database(the_pool).row(tool_statement("testing.whoami")())
        assert row[0] == role, row
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        wire.attach(conn)
        await switch_role(conn, APP_ROLE)
        assert (await (await conn.execute(tool_statement("testing.whoami").text)).fetchone())[0] == APP_ROLE


async def test_behind_a_transaction_pooler_each_call_switches_its_own_transaction(
    app_dsn: str, settings: Any
) -> None:
    """AGENTDB_TRANSACTION_POOLER=1: no session is switched (a pooler mixes them); each call's
    transaction is, first thing in its own round trip."""
    pooled = msgspec.structs.replace(settings, transaction_pooler=True, prepare=False)
    for role in (APP_ROLE, JOBS_ROLE):
        the_pool = await open_pool(app_dsn, pooled, role=role, min_size=1, max_size=1, on_connect=wire.attach)
        try:
            with wire.round_trips() as rt:
                row = await Database(the_pool).row(tool_statement("testing.whoami")())
            assert row[0] == role and rt.round_trips == 1, (row, rt)
            async with the_pool.connection() as conn:  # the session itself stays the login role
                session = await (await conn.execute(tool_statement("testing.whoami").text)).fetchone()
            assert session is not None and session[0] == session[1] != role, session
        finally:
            await the_pool.close()
