"""How repositories talk to PostgreSQL: every call is one pipeline, one round trip.

A call sends its statements in one pipeline on an autocommit connection: the
statements travel together, followed by a single Sync, and PostgreSQL runs
everything before a Sync as one implicit transaction. So a read is one round
trip (no BEGIN/COMMIT), and a write of several statements is one round trip and
atomic: if any statement fails, none of them is committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from repositories.errors import (
    NotFound,
    RepositoryError,
    StaleVersion,
    Unavailable,
    ValidationFailed,
)
from repositories.sql import EXECUTED, Statement

Row = tuple[Any, ...]
Call = tuple[Statement, Mapping[str, Any]]


class Database:
    """A pool plus the one way of running statements on it."""

    def __init__(self, pool: AsyncConnectionPool, *, deadline_s: float = 10.0) -> None:
        self.pool = pool
        # Client-side ceiling on a whole call, beyond the server's statement_timeout:
        # a dead network answers 503 instead of hanging.
        self.deadline_s = deadline_s

    async def rows(self, statement: Statement, **params: Any) -> list[Row]:
        """Run one statement; its rows."""
        (result,) = await self.run((statement, params))
        return result

    async def row(self, statement: Statement, **params: Any) -> Row | None:
        """Run one statement; its first row, or None."""
        result = await self.rows(statement, **params)
        return result[0] if result else None

    async def run(self, *calls: Call) -> list[list[Row]]:
        """Run statements in one pipeline (one round trip, one implicit transaction)."""
        bound = [(statement, statement.bind(params)) for statement, params in calls]
        try:
            async with asyncio.timeout(self.deadline_s):
                async with self.pool.connection() as conn:
                    cursors = []
                    async with conn.pipeline():
                        for statement, params in bound:
                            cursors.append(await conn.execute(statement.text, params))
                    results = [await cur.fetchall() if cur.description else [] for cur in cursors]
            EXECUTED.update(statement.name for statement, _ in bound)
            return results
        except (PoolTimeout, TimeoutError) as exc:
            raise Unavailable("database busy or unreachable; retry shortly") from exc
        except psycopg.Error as exc:
            mapped = translate(exc)
            if mapped is None:
                raise  # a bug (bad SQL, a missing column): let it surface as a 500
            raise mapped from exc


_FIELD_OF_CONSTRAINT = {
    "workflow_nodes_agent_id_user_id_fkey": "agent_id",
    "workflow_nodes_block_id_user_id_fkey": "block_id",
    "workflow_nodes_workflow_id_node_key_key": "nodes.key",
    "workflow_edges_check": "edges",
    "workflow_edges_workflow_id_source_node_id_target_node_id_key": "edges",
    "agent_tools_agent_id_position_key": "tools.position",
    "agent_executions_workflow_execution_id_user_id_fkey": "workflow_execution_id",
    "users_email_key": "email",
    "users_email_check": "email",
}


def translate(exc: psycopg.Error) -> RepositoryError | None:
    """The one mapping from database errors to repository errors (None: a bug, not the input)."""
    sqlstate = exc.sqlstate or ""
    message = exc.diag.message_primary or str(exc)
    if sqlstate == "AB404":
        return NotFound(message)
    if sqlstate == "AB412":
        return StaleVersion(message)
    if sqlstate == "AB422":
        return ValidationFailed(message, field=exc.diag.message_detail or None)
    if isinstance(exc, pgerrors.IntegrityError):
        constraint = exc.diag.constraint_name or ""
        field = _FIELD_OF_CONSTRAINT.get(constraint) or exc.diag.column_name
        if isinstance(exc, pgerrors.ForeignKeyViolation):
            message = f"{field or constraint}: refers to a row that does not exist"
        elif isinstance(exc, pgerrors.UniqueViolation):
            message = f"{field or constraint}: already exists"
        elif isinstance(exc, pgerrors.CheckViolation | pgerrors.NotNullViolation):
            message = f"{field or constraint}: value not allowed"
        return ValidationFailed(message, field=field)
    if sqlstate.startswith("22"):  # data exception: bad text representation, out of range
        return ValidationFailed(message)
    if isinstance(exc, pgerrors.QueryCanceled | psycopg.OperationalError | pgerrors.AdminShutdown):
        return Unavailable("database unavailable or too slow; retry shortly")
    if sqlstate[:2] in ("08", "53", "57", "58", "40"):  # connection, resources, shutdown, serialization
        return Unavailable(f"database unavailable ({sqlstate}); retry shortly")
    return None
