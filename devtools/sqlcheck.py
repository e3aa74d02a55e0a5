"""`python -m devtools check`: every statement file (sql/ and devtools/sql/) parses,
has a header and named params only, and passes sqlfluff; every product statement
(sql/) is executed by a test and filters every tenant table alias by its own user_id (Citus routing,
`check_routing`); no SQL strings in Python product code; migrations
pass devtools.migration_lint (squawk and yoyo's own checks). Every failure names its file.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pglast

from devtools import PRODUCT_PACKAGES, ROOT, TOOLS, migration_lint
from repositories.sql import SQL_DIR, SqlFileError, parse

# Written by the test session (tests/conftest.py): the names of the statements
# the wire meter saw go out.
EXECUTED_FILE = ROOT / ".agentdb" / "executed-statements.txt"
# Known, reviewed exceptions: (file relative to ROOT, reason).
ALLOWED_PY_SQL: dict[str, str] = {}
_NAMED = re.compile(r"%\((\w+)\)s")
_SQL_START = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS|"
                        r"CREATE\s+(TABLE|INDEX|UNIQUE|DATABASE|VIEW|FUNCTION)|DROP\s+|ALTER\s+TABLE|"
                        r"EXPLAIN|TRUNCATE|ANALYZE\b|SET\s+\w+\s*(=|TO)|COPY\s+\w+)")  # house style: keywords upper case


def sql_files(sql_dir: Path) -> list[Path]:
    return sorted(sql_dir.glob("*/*.sql"))


def check_files(sql_dir: Path) -> list[str]:
    """Header, named params only, one statement (repositories.sql.parse), and it parses as PostgreSQL."""
    problems: list[str] = []
    for path in sql_files(sql_dir):
        name = f"{path.parent.name}.{path.stem}"
        try:
            stmt = parse(path, name)
        except SqlFileError as exc:
            problems.append(str(exc))
            continue
        names: dict[str, int] = {}
        body = _NAMED.sub(lambda m: f"${names.setdefault(m.group(1), len(names) + 1)}",
                          stmt.text.replace("%%", "%"))
        try:
            pglast.parse_sql(body)
        except pglast.parser.ParseError as exc:
            problems.append(f"{path}: does not parse as PostgreSQL: {exc}")
    return problems


def check_executed(sql_dir: Path, executed_file: Path) -> list[str]:
    """Files no test executed (orphans), from the record the last test run left."""
    if not executed_file.exists():
        return [f"{executed_file}: missing, so whether a test runs every statement of {sql_dir} is unknown "
                "(a fresh clone has no record yet): run the tests once (`make test`, or `python -m pytest`), "
                "which record the statements they send, then `python -m devtools check` again"]
    executed = set(executed_file.read_text(encoding="utf-8").split())
    recorded = executed_file.stat().st_mtime
    problems = []
    for path in sql_files(sql_dir):
        if f"{path.parent.name}.{path.stem}" not in executed:
            stale = " (changed since the last test run: run the tests again)" if path.stat().st_mtime > recorded else ""
            problems.append(f"{path}: not executed by any test (orphan){stale}")
    return problems


def check_python(root: Path, dirs: tuple[str, ...] = PRODUCT_PACKAGES,
                 allowed: dict[str, str] = ALLOWED_PY_SQL) -> list[str]:
    """String literals in Python product code that look like SQL statements."""
    problems: list[str] = []
    for directory in dirs:
        for path in sorted((root / directory).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel in allowed:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                          if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                          and n.body and isinstance(n.body[0], ast.Expr)
                          and isinstance(n.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                        and id(node) not in docstrings and _SQL_START.match(node.value)
                        and _looks_like_statement(node.value)):
                    problems.append(f"{path}:{node.lineno}: SQL in Python code; move it to sql/<area>/<verb>.sql")
    return problems


def _looks_like_statement(text: str) -> bool:
    try:
        pglast.parse_sql(_NAMED.sub("NULL", text).replace("%s", "NULL"))
    except Exception:
        # f-string fragments do not parse; a fragment starting with a statement keyword still counts.
        return bool(re.match(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|EXPLAIN|TRUNCATE)\s",
                             text)) and len(text.split()) >= 2
    return True


def check_style(sql_dir: Path, config: Path = ROOT / ".sqlfluff") -> list[str]:
    """sqlfluff (postgres dialect, the committed .sqlfluff) on every file."""
    from sqlfluff.core import FluffConfig, Linter

    linter = Linter(config=FluffConfig.from_path(str(config.parent)))
    problems: list[str] = []
    for path in sql_files(sql_dir):
        result = linter.lint_path(str(path))
        for file in result.files:
            for violation in file.get_violations():
                problems.append(f"{path}:{violation.line_no}: {violation.rule_code()} {violation.desc()}")
    return problems


def run_all(root: Path = ROOT, sql_dir: Path = SQL_DIR, executed_file: Path = EXECUTED_FILE,
            migrations_dir: Path | None = None) -> list[str]:
    return (check_files(sql_dir) + check_files(TOOLS.root) + check_executed(sql_dir, executed_file)
            + check_routing(sql_dir)
            + check_python(root) + check_style(sql_dir) + check_style(TOOLS.root)
            + migration_lint.lint(migrations_dir or root / "migrations"))


def main(fix: bool = False) -> int:
    problems = run_all()
    for problem in problems:
        print(problem)
    print(f"sql check: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


# --- Citus routing: every tenant table alias filtered by its own user_id (issue 15) ------------------------------------

# The tables distributed by user_id under Citus (migration 0031's agentdb_distribute()).
TENANT_TABLES = frozenset({
    "agents", "agent_tools", "agent_blocks", "workflows", "workflow_nodes", "workflow_edges", "workflow_executions",
    "execution_events", "agent_executions", "agent_execution_metrics", "agent_memories", "agent_execution_stats",
    "workflow_execution_stats", "agent_execution_stats_dirty", "workflow_execution_stats_dirty",
})
# Statements that read or write several users' rows on purpose (jobs and operator commands: they
# run as agentdb_jobs and fan out to every shard under Citus), each with its reason.
SPANS_USERS: dict[str, str] = {
    "memories.users_page": "the memory cleanup's walk over users who have memories",
    "stats.users_with_marks": "the roll-up's walk over users with dirty buckets",
    "stats.backlog": "`agentdb jobs status`: dirty buckets of every user",
}


def routing_problems(name: str, text: str) -> list[str]:
    """Tenant-table aliases of one statement not filtered by their own `alias.user_id = %(user_id)s`
    (INSERT targets excepted: the inserted row's user_id routes them). Under Citus a statement routes
    to one shard only when every distributed table in it is so filtered."""
    names: dict[str, int] = {}
    body = _NAMED.sub(lambda m: f"${names.setdefault(m.group(1), len(names) + 1)}", text.replace("%%", "%"))
    user_param = names.get("user_id")
    tree = pglast.parse_sql(body)
    aliases: list[tuple[str, str]] = []  # (alias, table)
    filtered: set[str] = set()
    insert_targets: set[int] = set()

    def visit(node: Any) -> None:
        if isinstance(node, pglast.ast.InsertStmt):
            insert_targets.add(id(node.relation))
        if isinstance(node, pglast.ast.RangeVar) and node.relname in TENANT_TABLES and id(node) not in insert_targets:
            aliases.append((node.alias.aliasname if node.alias else node.relname, node.relname))
        if isinstance(node, pglast.ast.A_Expr) and node.kind == pglast.enums.A_Expr_Kind.AEXPR_OP \
                and [n.sval for n in node.name] == ["="]:
            for column, other in ((node.lexpr, node.rexpr), (node.rexpr, node.lexpr)):
                if (isinstance(column, pglast.ast.ColumnRef) and isinstance(other, pglast.ast.ParamRef)
                        and user_param is not None and other.number == user_param):
                    fields = [f.sval for f in column.fields if isinstance(f, pglast.ast.String)]
                    if fields and fields[-1] == "user_id":
                        filtered.add(fields[0] if len(fields) == 2 else "")

    for found in _walk(tree):
        visit(found)
    return [f"{name}: {table} AS {alias} has no `{alias}.user_id = %(user_id)s` of its own (Citus fans it out "
            f"to every shard); filter it, or list the statement in devtools.sqlcheck.SPANS_USERS with a reason"
            for alias, table in aliases
            if alias not in filtered and not ("" in filtered and alias == table)]


def _walk(node: Any) -> Any:
    """Every pglast node under `node` (lists and tuples included), parents before children."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, pglast.ast.Node):
        yield node
        for attr in node.__slots__:
            yield from _walk(getattr(node, attr, None))


def check_routing(sql_dir: Path, spans_users: dict[str, str] = SPANS_USERS) -> list[str]:
    """`routing_problems` of every product statement not in `spans_users`."""
    problems: list[str] = []
    for path in sql_files(sql_dir):
        name = f"{path.parent.name}.{path.stem}"
        if name in spans_users:
            continue
        try:
            stmt = parse(path, name)
        except SqlFileError:
            continue  # check_files reports it
        problems += [f"{path}: {problem}" for problem in routing_problems(name, stmt.text)]
    return problems
