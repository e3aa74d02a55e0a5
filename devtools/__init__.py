"""Developer tooling: SQL review, plan summaries, migration review, the wire meter,
the data generator and scratch databases and clusters. Production code never
imports it (tests/test_layout.py checks); it is not part of the wheel.

Its own statements (catalog reads, bulk loads, test helpers) live in devtools/sql/
and load with the product's loader: `devtools.statement("catalog.columns")`.
"""

from __future__ import annotations

from pathlib import Path

from repositories.sql import Statement, Statements

ROOT = Path(__file__).resolve().parent.parent
# The packages of the product (the wheel): they never import devtools, bench or tests.
PRODUCT_PACKAGES = ("agentdb", "repositories", "api", "jobs")
TOOLS = Statements(Path(__file__).resolve().parent / "sql")


def statement(name: str) -> Statement:
    """The tooling statement `area.verb_noun`."""
    return TOOLS[name]
