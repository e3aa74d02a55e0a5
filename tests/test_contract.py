"""The schema contract of ../shared/SCHEMA.md, read back from the catalog.

The contract is copied here (the test must run from a clone without ../shared):
every table and required column with its type, the cascades it names, and the
five composite indexes with their leading columns.
"""

from __future__ import annotations

import psycopg
import pytest

from devtools import statement
from repositories.database import FIELD_OF_CONSTRAINT, connect, run_sync

U, T, TS, J, I = "uuid", "text", "timestamp with time zone", "jsonb", "integer"

CONTRACT: dict[str, dict[str, str | None]] = {
    "users": {"id": U, "email": T, "created_at": TS},
    "api_tokens": {"id": U, "user_id": U, "token_hash": None, "created_at": TS, "expires_at": TS, "revoked_at": TS},
    "agents": {"id": U, "user_id": U, "name": T, "configuration": J, "created_at": TS, "updated_at": TS},
    "agent_tools": {"id": U, "agent_id": U, "user_id": U, "name": T, "position": I},
    "agent_blocks": {"id": U, "user_id": U, "name": T, "block_type": T, "config": J},
    "workflows": {"id": U, "user_id": U, "name": T, "graph_definition": J, "version": I, "created_at": TS,
                  "updated_at": TS},
    "workflow_nodes": {"id": U, "workflow_id": U, "user_id": U, "node_type": T, "name": T, "agent_id": U,
                       "block_id": U, "config": J, "position": I},
    "workflow_edges": {"id": U, "workflow_id": U, "user_id": U, "source_node_id": U, "target_node_id": U},
    "workflow_executions": {"id": U, "user_id": U, "workflow_id": U, "status": T, "started_at": TS,
                            "completed_at": TS, "error": T},
    "execution_events": {"id": U, "user_id": U, "workflow_execution_id": U, "seq": None, "event_type": T,
                         "payload": J, "created_at": TS},
    "agent_executions": {"id": U, "user_id": U, "agent_id": U, "session_id": U, "workflow_execution_id": U,
                         "status": T, "started_at": TS, "completed_at": TS},
    "agent_execution_metrics": {"id": U, "user_id": U, "agent_execution_id": U, "prompt_tokens": None,
                                "completion_tokens": None, "latency_ms": None, "cost_usd": None},
    "agent_memories": {"id": U, "user_id": U, "agent_id": U, "session_id": U, "content": T, "created_at": TS,
                       "last_accessed_at": TS, "expires_at": TS},
    "agent_execution_stats": {"id": U, "user_id": U, "agent_id": U, "bucket_date": "date"},
    "workflow_execution_stats": {"id": U, "user_id": U, "workflow_id": U, "bucket_date": "date"},
}
NULLABLE = {("workflow_nodes", "agent_id"), ("workflow_nodes", "block_id"), ("agent_executions", "workflow_execution_id"),
            ("agent_memories", "expires_at"), ("workflow_executions", "completed_at"), ("workflow_executions", "error"),
            ("agent_executions", "completed_at"), ("api_tokens", "expires_at"), ("api_tokens", "revoked_at")}

FIVE = {
    "ix_workflow_exec_user_workflow_status": ("workflow_executions", ["user_id", "workflow_id", "status"]),
    "ix_workflow_exec_status_started": ("workflow_executions", ["status", "started_at"]),
    "ix_workflow_exec_user_started": ("workflow_executions", ["user_id", "started_at"]),
    "ix_agent_exec_user_agent_started": ("agent_executions", ["user_id", "agent_id", "started_at"]),
    "ix_agent_exec_session_status": ("agent_executions", ["session_id", "status"]),
}

# (table, referenced table, first column) -> ON DELETE ('c' cascade) where SCHEMA.md names it.
CASCADES = {
    ("agent_tools", "agents", "agent_id"),
    ("workflow_nodes", "workflows", "workflow_id"),
    ("workflow_edges", "workflows", "workflow_id"),
    ("agent_execution_metrics", "agent_executions", "agent_execution_id"),
}


@pytest.fixture
def catalog(dsn: str):  # type: ignore[no-untyped-def]
    with connect(dsn) as conn:
        yield conn


def test_every_table_and_column_of_the_contract(catalog: psycopg.Connection) -> None:
    columns = {(t, c): (typ, nullable) for t, c, typ, nullable in run_sync(catalog, statement("catalog.columns")())}
    for table, wanted in CONTRACT.items():
        for column, typ in wanted.items():
            assert (table, column) in columns, f"{table}.{column} missing"
            actual_type, nullable = columns[(table, column)]
            if typ is not None:
                assert actual_type == typ, f"{table}.{column}: {actual_type}, contract says {typ}"
            expected_nullable = "YES" if (table, column) in NULLABLE else "NO"
            assert nullable == expected_nullable, f"{table}.{column}: nullable {nullable}"


def test_the_five_composite_indexes_lead_with_the_contract_columns(catalog: psycopg.Connection) -> None:
    indexes = {name: (table, cols) for name, table, cols in run_sync(catalog, statement("catalog.indexes")())}
    for name, (table, leading) in FIVE.items():
        assert name in indexes, f"index {name} missing or invalid"
        actual_table, columns = indexes[name]
        assert actual_table == table
        assert columns[: len(leading)] == leading, f"{name}: {columns}"


def test_foreign_keys_cascade_where_the_contract_says(catalog: psycopg.Connection) -> None:
    fks = {(t, ref, cols[0]): on_delete for t, ref, cols, on_delete in run_sync(catalog, statement("catalog.foreign_keys")())}
    for key in CASCADES:
        assert fks.get(key) == "c", f"{key}: on delete {fks.get(key)}"
    # Deleting an agent unbinds workflow nodes instead of deleting them: the deleting statement clears
    # agent_id itself (sql/agents/delete.sql), so the key is NO ACTION, not SET NULL, which Citus refuses
    # on a key holding the distribution column (migration 0030). Behaviour: tests/test_agents.py.
    assert fks[("workflow_nodes", "agents", "agent_id")] == "a"


def test_constraints_the_error_mapping_names_exist(catalog: psycopg.Connection) -> None:
    """Renaming a constraint must not silently turn a field-naming 422 into a bare one."""
    names = {name for (name,) in run_sync(catalog, statement("catalog.constraints")())}
    assert set(FIELD_OF_CONSTRAINT) - names == set()
