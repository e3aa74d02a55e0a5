"""EXPLAIN of a loaded statement, and walking the JSON plan it returns.

Shared by tests/test_plans.py and `agentdb sql plans`: the statement's own text
(as loaded from sql/) is prefixed with EXPLAIN, never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import psycopg

from repositories.sql import Statement


def explain(conn: psycopg.Connection, statement: Statement, params: Mapping[str, Any], *,
            analyze: bool = False) -> dict[str, Any]:
    """The plan tree (the top "Plan" node) of `statement` with `params`."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    row = conn.execute(f"EXPLAIN ({options}) {statement.text}", statement.bind(params)).fetchone()
    assert row is not None
    doc = row[0]
    if isinstance(doc, (bytes, str)):
        import json

        doc = json.loads(doc)
    return doc[0]["Plan"]


def walk(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every node of a plan, depth first, parents before children."""
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)
