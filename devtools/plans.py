"""`python -m devtools plans`: committed plan summaries of every read statement (devtools/plans/).

A scratch database on the resolved server is migrated and filled by the one
generator (devtools.datagen, scale PLANS unless told), its statistics made
deterministic (devtools/sql/datagen/full_statistics.sql: ANALYZE samples every row), and
each SELECT-only statement under sql/{workflows,agents,executions,users} is
EXPLAINed (no ANALYZE) with representative parameters: the heaviest user, their
busiest workflow, the first keyset page. The summary keeps the plan's shape only
(node types nested by indentation, relations, indexes, join types), never costs,
rows, timings or widths, so a diff in review means the plan changed.

`--check` regenerates and compares with the committed files.

Rule: no Seq Scan on a table the dataset makes large, unless the statement's
header has a line `seq-scan-ok: <reason>`.
"""

from __future__ import annotations

import difflib
import json
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

import pglast
import psycopg


from devtools import datagen, statement
from devtools.explain import explain, walk
from devtools.heavy_user import heavy_user
from repositories import paging
from repositories.database import connect, run_sync
from repositories.sql import PRODUCT, Statement, Statements

PLANS_DIR = Path(__file__).resolve().parent / "plans"
READ_AREAS = ("workflows", "agents", "executions", "users")
LARGE_TABLES = frozenset({
    "workflow_executions", "agent_executions", "agent_execution_metrics", "workflow_nodes",
    "workflow_edges", "agent_memories", "agent_tools",
})
SEQ_SCAN_OK = "seq-scan-ok:"
LIMIT = 51  # a page of 50 and the one row that says there is a next page

# Plan fields that describe the plan's shape; everything else (costs, rows,
# widths, timings, output lists, filters) is left out.
_SHAPE_FIELDS = ("Strategy", "Join Type", "Scan Direction", "Relation Name", "Index Name",
                 "Subplan Name", "CTE Name", "Parent Relationship")


def is_read(statement: Statement) -> bool:
    """A statement that only reads: a SELECT with no data-modifying CTE."""
    body = statement.text
    tree = pglast.parse_sql(_placeholders_to_positional(body))
    if len(tree) != 1 or type(tree[0].stmt).__name__ != "SelectStmt":
        return False
    text = json.dumps(_as_dict(tree[0].stmt))
    return not any(kind in text for kind in ('"InsertStmt"', '"UpdateStmt"', '"DeleteStmt"', '"MergeStmt"'))


def _as_dict(node: Any) -> Any:
    return node(depth=None, skip_none=True) if callable(node) else node


def _placeholders_to_positional(body: str) -> str:
    import re

    names: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"${names.setdefault(match.group(1), len(names) + 1)}"

    return re.sub(r"%\((\w+)\)s", number, body.replace("%%", "%"))


def read_statements(statements: Statements = PRODUCT) -> list[Statement]:
    return sorted((s for s in statements if s.name.split(".")[0] in READ_AREAS and is_read(s)), key=lambda s: s.name)


def summarize(plan: Mapping[str, Any]) -> str:
    """The plan's shape: one line per node, children indented under parents."""
    lines: list[str] = []

    def visit(node: Mapping[str, Any], depth: int) -> None:
        parts = [str(node["Node Type"])]
        for field in _SHAPE_FIELDS:
            if field in node:
                value = node[field]
                if field == "Relation Name" and node.get("Schema") not in (None, "public"):
                    value = f"{node['Schema']}.{value}"
                parts.append(f"{field.lower().replace(' ', '_')}={value}")
        lines.append("  " * depth + " ".join(parts))
        for child in node.get("Plans", []):
            visit(child, depth + 1)

    visit(plan, 0)
    return "\n".join(lines) + "\n"


def seq_scan_violations(statement: Statement, plan: Mapping[str, Any]) -> list[str]:
    """Seq Scans on large tables, unless the header allows them with `seq-scan-ok: <reason>`."""
    allowed = any(line.strip().lower().startswith(SEQ_SCAN_OK) and line.strip()[len(SEQ_SCAN_OK):].strip()
                  for line in statement.header.splitlines())
    if allowed:
        return []
    return [f"{statement.path}: Seq Scan on {node['Relation Name']} ({statement.name}); add an index "
            f"or a header line '{SEQ_SCAN_OK} <reason>'"
            for node in walk(plan)
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES]


def make_statistics_deterministic(conn: psycopg.Connection) -> None:
    """ANALYZE with a sample of every row (up to 3M rows a table), so re-runs get identical statistics."""
    run_sync(conn, statement("datagen.full_statistics")())
    run_sync(conn, statement("datagen.analyze")())


def representative_params(conn: psycopg.Connection[Any], scale: str) -> dict[str, Any]:
    """Values for every parameter name of the read statements, from the generated data:
    the heaviest user, their busiest workflow, the first keyset page."""
    user = heavy_user(conn, scale)
    return {
        **paging.params(LIMIT, None),
        "user_id": user.id,
        "workflow_id": user.busiest_workflow_id,
        "agent_id": user.agent_ids[0] if user.agent_ids else UUID(int=0),
        "execution_id": user.latest_execution_id,
        "unless_version": None,
        "agent_execution_id": UUID(int=0),
        "status": "completed",
        "contains": psycopg.types.json.Jsonb({"model": "gpt"}),
        "email": "user0@example.com",
        "token_hash": b"\0" * 32,
        "after": 0,  # executions.events_after: from the first event
        "idempotency_key": "plans",
    }


def _params(statement: Statement, values: dict[str, Any]) -> dict[str, Any]:
    params = {name: values[name] for name in statement.params}
    if statement.name == "workflows.search_by_graph":
        params["contains"] = psycopg.types.json.Jsonb({"kind": "etl"})
    return params


def summaries(conn: psycopg.Connection, scale: str,
              statements: Iterable[Statement] | None = None) -> tuple[dict[str, str], list[str]]:
    """{file name: summary} and the Seq Scan rule's failures, on a loaded, analyzed database."""
    values = representative_params(conn, scale)
    out: dict[str, str] = {}
    failures: list[str] = []
    for stmt in statements if statements is not None else read_statements():
        plan = explain(conn, stmt(**_params(stmt, values)))
        out[f"{stmt.name}.txt"] = f"# {stmt.name} ({stmt.path.parent.name}/{stmt.path.name})\n" + summarize(plan)
        failures += seq_scan_violations(stmt, plan)
    return out, failures


def compare(generated: Mapping[str, str], directory: Path) -> list[str]:
    """Files under `directory` that differ from, lack or add to `generated`, with a diff."""
    problems: list[str] = []
    existing = {p.name for p in directory.glob("*.txt")} if directory.is_dir() else set()
    for name in sorted(set(generated) | existing):
        path = directory / name
        if name not in generated:
            problems.append(f"{path}: no read statement produces this plan any more")
            continue
        if name not in existing:
            problems.append(f"{path}: missing; run `python -m devtools plans`")
            continue
        old = path.read_text(encoding="utf-8")
        if old != generated[name]:
            diff = "".join(difflib.unified_diff(old.splitlines(True), generated[name].splitlines(True),
                                                str(path), f"{path} (regenerated)"))
            problems.append(f"{path}: plan changed\n{diff}")
    return problems


def write(generated: Mapping[str, str], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.txt"):
        if stale.name not in generated:
            stale.unlink()
    for name, text in generated.items():
        (directory / name).write_text(text, encoding="utf-8")


def main(check: bool = False, scale: str = "PLANS") -> int:
    from agentdb import config, migrate
    from devtools.testdb import scratch_database
    from jobs.progress import bar

    started = time.perf_counter()
    server = config.resolve_dsn(config.from_env())
    with scratch_database(server, prefix="agentdb_sqlplans") as dsn, bar("plans") as tick:
        def report(line: str) -> None:
            print(line, file=sys.stderr, flush=True)
            tick(line.strip())

        migrate.apply(dsn)
        datagen.load(dsn, scale, report=report)
        with connect(dsn) as conn:
            tick("full-sample ANALYZE")
            stats_started = time.perf_counter()
            make_statistics_deterministic(conn)
            report(f"plans: full-sample ANALYZE {time.perf_counter() - stats_started:.1f} s")
            tick(f"EXPLAIN of {len(read_statements())} statements")
            generated, failures = summaries(conn, scale)
    status = 0
    if check:
        problems = compare(generated, PLANS_DIR)
        for problem in problems:
            print(problem)
        status = 1 if problems else 0
    else:
        write(generated, PLANS_DIR)
        print(f"plans: wrote {len(generated)} summaries to {PLANS_DIR}")
    for failure in failures:
        print(failure)
    if failures:
        status = 1
    print(f"plans: {len(generated)} statements, scale {scale}, {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return status
