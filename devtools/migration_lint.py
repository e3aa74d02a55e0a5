"""Lint yoyo migrations (migrations/NNNN.name.sql) for locking and rewrite hazards.

Flags: CREATE INDEX without CONCURRENTLY on a table the same migration did not
create; ADD COLUMN ... NOT NULL without DEFAULT; ALTER COLUMN ... TYPE (a table
rewrite) without a `-- rewrite-ok:` note; CONCURRENTLY in a migration lacking
`-- transactional: false`; a missing .rollback.sql. Every message names the file.
"""

from __future__ import annotations

from pathlib import Path

import pglast
from pglast import ast


def lint_file(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []
    rollback = path.with_name(path.name[: -len(".sql")] + ".rollback.sql")
    if not rollback.exists():
        problems.append(f"{path}: no rollback file {rollback.name}")
    transactional_false = any(line.strip().lower().replace(" ", "") == "--transactional:false"
                              for line in text.splitlines())
    rewrite_ok = "-- rewrite-ok:" in text
    try:
        stmts = pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        return problems + [f"{path}: does not parse as PostgreSQL: {exc}"]
    created: set[str] = set()
    for raw in stmts:
        stmt = raw.stmt
        if isinstance(stmt, ast.CreateStmt):
            created.add(stmt.relation.relname)
        elif isinstance(stmt, ast.IndexStmt):
            table = stmt.relation.relname
            if stmt.concurrent and not transactional_false:
                problems.append(f"{path}: CREATE INDEX CONCURRENTLY {stmt.idxname} needs '-- transactional: false'")
            if not stmt.concurrent and table not in created:
                problems.append(f"{path}: CREATE INDEX {stmt.idxname} on existing table {table} "
                                "without CONCURRENTLY (blocks writes)")
        elif isinstance(stmt, ast.AlterTableStmt):
            table = stmt.relation.relname
            for cmd in stmt.cmds or ():
                sub = cmd.subtype
                if sub == pglast.enums.AlterTableType.AT_AddColumn:
                    col = cmd.def_
                    kinds = {c.contype for c in (col.constraints or ())}
                    if (pglast.enums.ConstrType.CONSTR_NOTNULL in kinds
                            and pglast.enums.ConstrType.CONSTR_DEFAULT not in kinds and table not in created):
                        problems.append(f"{path}: ADD COLUMN {col.colname} NOT NULL without DEFAULT on {table}")
                elif sub == pglast.enums.AlterTableType.AT_AlterColumnType and not rewrite_ok and table not in created:
                    problems.append(f"{path}: ALTER COLUMN {cmd.name} TYPE rewrites {table}; "
                                    "add '-- rewrite-ok: <reason>' if intended")
    return problems


def lint(directory: Path) -> list[str]:
    problems: list[str] = []
    for path in sorted(directory.glob("*.sql")):
        if path.name.endswith(".rollback.sql"):
            continue
        problems += lint_file(path)
    return problems
