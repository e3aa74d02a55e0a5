"""The heaviest user of a generated dataset, the one benchmarks and plan checks measure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
import psycopg

from devtools import datagen, statement
from repositories import paging
from repositories.database import run_sync
from repositories.sql import statement as product_statement


@dataclass(frozen=True)
class HeavyUser:
    id: UUID
    busiest_workflow_id: UUID
    latest_execution_id: UUID
    agent_ids: list[UUID]
    workflow_executions: int
    agent_executions: int


def heavy_user(conn: psycopg.Connection[Any], scale: str, *, seed: int = 42) -> HeavyUser:
    """User 0 of the generator (the heaviest), with their busiest workflow on the first history page.

    `conn` is a configured connection (repositories.database.connect) to a loaded database.
    """
    user_id = UUID(datagen.heaviest_user_id(scale, seed=seed))
    rows = run_sync(conn, product_statement("executions.history")(user_id=user_id, **paging.params(50, None)))
    history = [msgspec.json.decode(row[0]) for row in rows]
    if not history:
        raise RuntimeError(f"the generator gave the heaviest user of {scale} no executions")
    busiest = Counter(e["workflow_id"] for e in history).most_common(1)[0][0]
    ((executions, agent_executions, agent_ids),) = run_sync(conn, statement("fixtures.user_counts")(user_id=user_id))
    return HeavyUser(user_id, UUID(busiest), UUID(history[0]["id"]), list(agent_ids), executions, agent_executions)


def keyset_at(conn: psycopg.Connection[Any], user_id: UUID, offset: int) -> paging.Keyset | None:
    """The keyset `offset` rows down the user's history (None past its end)."""
    rows = run_sync(conn, statement("fixtures.keyset_at_offset")(user_id=user_id, skip=offset))
    return (rows[0][0], rows[0][1]) if rows else None
