"""Review yoyo migrations (migrations/NNNN.name.sql): squawk for locking and rewrite hazards,
plus the checks only yoyo's conventions make sense of.

squawk (PyPI squawk-cli; configured by the repository's .squawk.toml) knows far more
hazards than a hand-written list (tests/test_sqlcheck.py holds a migration with 11 that it
all reports): index builds that block writes, constraints validated under a lock, column
type changes, renames and drops, NOT NULL added to a live table, and so on. It runs on the
forward migrations (a rollback exists to drop things), each as yoyo runs it:
`--assume-in-transaction` unless the file says `-- transactional: false`. In a transaction,
squawk exempts tables the same migration created, and flags CONCURRENTLY; outside one, it
flags statements that cannot be re-run after a failure (no IF NOT EXISTS).

Kept here, because they are about yoyo's files and not about SQL: every migration has its
`.rollback.sql` twin; every migration but the first says `-- depends:` and names earlier,
existing migrations; a CONCURRENTLY statement sits in a `-- transactional: false` migration.

A hazard taken on purpose is waived where it is, with its reason: in a new migration,
`-- squawk-ignore <rule>` (squawk's own comment) on the line before the statement, with a
comment saying why; for a migration already applied (whose file is not edited), an entry in
WAIVED below. Every message names the file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pglast
from pglast import ast

from devtools import ROOT

CONFIG = ROOT / ".squawk.toml"
INSTALL = "pip install -e '.[dev]'"

# Hazards of migrations already applied, waived per file and rule, each with its reason.
WAIVED: dict[str, dict[str, str]] = {
    "0002.core-tables.sql": {
        "prefer-bigint-over-int": "the integer columns are versions, positions and per-day counts, bounded by "
                                  "their CHECKs and their meaning; every id is a uuid",
    },
    "0010.stats-rollup-columns.sql": {
        "prefer-bigint-over-int": "latency_ms_max is the maximum of agent_execution_metrics.latency_ms, itself an "
                                  "integer of milliseconds (0002); the sums beside it are bigint",
    },
    "0030.keys-include-user-id.sql": {
        rule: "the keys of every tenant table change together (user_id added, issue 15) or not at all, in "
              "one transaction under the tables' locks, keeping the constraint names the error mapping "
              "reads; run it at a quiet moment on a large database (the migration's header says so)"
        for rule in ("ban-drop-constraint", "constraint-missing-not-valid", "adding-serial-primary-key-field",
                     "disallowed-unique-constraint", "adding-foreign-key-constraint")
    },
    "0006.raise-returns-json.sql": {
        "ban-drop-function": "agentdb_raise(text, text) is replaced in the same transaction by "
                             "agentdb_raise(text, text, text DEFAULT NULL), which every 2-argument call "
                             "resolves to; the statements using it changed in the same release",
    },
}

_DEPENDS = re.compile(r"^--\s*depends:(.*)$", re.MULTILINE)
_TRANSACTIONAL_FALSE = re.compile(r"^--\s*transactional:\s*false\s*$", re.MULTILINE | re.IGNORECASE)


def squawk_binary() -> str | None:
    """squawk from this interpreter's environment (the venv's bin/), else from PATH."""
    beside = Path(sys.executable).parent / "squawk"
    return str(beside) if beside.exists() else shutil.which("squawk")


def forward_migrations(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if not p.name.endswith(".rollback.sql"))


def is_transactional(path: Path) -> bool:
    return _TRANSACTIONAL_FALSE.search(path.read_text(encoding="utf-8")) is None


def yoyo_checks(path: Path, earlier: list[str]) -> list[str]:
    """The yoyo-specific checks of one migration; `earlier` are the ids sorting before it."""
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []
    rollback = path.with_name(path.name[: -len(".sql")] + ".rollback.sql")
    if not rollback.exists():
        problems.append(f"{path}: no rollback file {rollback.name}")
    depends = [name for match in _DEPENDS.finditer(text) for name in re.split(r"[\s,]+", match.group(1)) if name]
    if earlier and not depends:
        problems.append(f"{path}: no '-- depends: <previous migration>' line")
    for name in depends:
        if name not in earlier:
            problems.append(f"{path}: depends on {name}, which is not an earlier migration here")
    try:
        stmts = pglast.parse_sql(text)
    except pglast.parser.ParseError as exc:
        return problems + [f"{path}: does not parse as PostgreSQL: {exc}"]
    if is_transactional(path):
        for raw in stmts:
            stmt = raw.stmt
            if isinstance(stmt, (ast.IndexStmt, ast.DropStmt, ast.ReindexStmt)) and _concurrent(stmt):
                problems.append(f"{path}:{_line(text, raw.stmt_location)}: CONCURRENTLY cannot run in yoyo's "
                                "transaction: put it in its own migration starting '-- transactional: false'")
    return problems


def _concurrent(stmt: ast.Node) -> bool:
    if isinstance(stmt, ast.ReindexStmt):
        return any(getattr(p, "defname", "") == "concurrently" for p in stmt.params or ())
    return bool(getattr(stmt, "concurrent", False))


def _line(text: str, offset: int | None) -> int:
    """The line where the statement at byte `offset` starts (past blank and comment lines)."""
    data = text.encode("utf-8")
    line = data[: offset or 0].count(b"\n") + 1
    for raw in data[offset or 0:].split(b"\n"):
        if raw.strip() and not raw.strip().startswith(b"--"):
            break
        line += 1
    return line


def squawk(paths: list[Path], *, in_transaction: bool, config: Path = CONFIG) -> list[str]:
    """squawk's findings on `paths` (run as yoyo runs them), less the WAIVED ones."""
    if not paths:
        return []
    binary = squawk_binary()
    if binary is None:
        return [f"{paths[0].parent}: squawk is not installed; run: {INSTALL}"]
    command = [binary, "--reporter", "json", "--config", str(config),
               "--assume-in-transaction" if in_transaction else "--no-assume-in-transaction", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return [f"{paths[0].parent}: squawk failed (exit {done.returncode}): {done.stderr.strip() or done.stdout}"]
    problems = []
    for finding in findings:
        path = Path(finding["file"])
        rule = finding["rule_name"]
        if rule in WAIVED.get(path.name, {}):
            continue
        help_text = f" ({finding['help']})" if finding.get("help") else ""
        problems.append(f"{path}:{finding['line'] + 1}: {rule}: {finding['message']}{help_text}")
    return problems


def lint(directory: Path, config: Path = CONFIG) -> list[str]:
    """Every problem of the migrations in `directory`: yoyo's checks, then squawk's."""
    migrations = forward_migrations(directory)
    problems: list[str] = []
    for index, path in enumerate(migrations):
        problems += yoyo_checks(path, [p.stem for p in migrations[:index]])
    problems += squawk([p for p in migrations if is_transactional(p)], in_transaction=True, config=config)
    problems += squawk([p for p in migrations if not is_transactional(p)], in_transaction=False, config=config)
    return problems
