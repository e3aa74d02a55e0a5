"""EXPLAIN of a loaded statement, and walking the JSON plan it returns.

Shared by tests/test_plans.py and `python -m devtools plans`: the statement's own text
(as loaded from sql/) is prefixed with EXPLAIN, never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import psycopg

import msgspec

from repositories.sql import Call


def explain(conn: psycopg.Connection[Any], call: Call, *, analyze: bool = False) -> dict[str, Any]:
    """The plan tree (the top "Plan" node) of a bound statement, on a configured connection
    (`repositories.database.connect`: json arrives as bytes)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    row = conn.execute(f"EXPLAIN ({options}) {call.statement.text}", call.params).fetchone()
    assert row is not None
    return msgspec.json.decode(row[0])[0]["Plan"]


def walk(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every node of a plan, depth first, parents before children."""
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)
