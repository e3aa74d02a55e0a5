"""`python -m devtools check`: each failure case, on files in a tmp dir; and the repo itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devtools import ROOT, migration_lint, sqlcheck


def _sql(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("broken", "-- Broken on purpose.\nSELEC id FROM users WHERE id = %(id)s\n", "does not parse"),
    ("positional", "-- Positional on purpose.\nSELECT id FROM users WHERE id = %s\n", "positional parameter"),
    ("bare", "SELECT 1\n", "header"),
])
def test_a_file_that_cannot_be_used_is_named_with_the_reason(tmp_path: Path, name: str, text: str, reason: str) -> None:
    _sql(tmp_path, f"users/{name}.sql", text)
    problems = sqlcheck.check_files(tmp_path)
    assert len(problems) == 1 and f"{name}.sql" in problems[0] and reason in problems[0]


def test_an_orphan_file_and_a_missing_executed_list(tmp_path: Path) -> None:
    _sql(tmp_path, "sql/users/used.sql", "-- Used.\nSELECT 1\n")
    _sql(tmp_path, "sql/users/orphan.sql", "-- Never run.\nSELECT 2\n")
    executed = tmp_path / "executed.txt"
    fresh_clone = sqlcheck.check_executed(tmp_path / "sql", executed)
    assert len(fresh_clone) == 1 and "fresh clone" in fresh_clone[0]
    assert "`make test`" in fresh_clone[0] and "`python -m devtools check` again" in fresh_clone[0]
    executed.write_text("users.used\n")
    os.utime(executed, (0, 0))  # a record older than the files: the message says to run the tests again
    problems = sqlcheck.check_executed(tmp_path / "sql", executed)
    assert len(problems) == 1 and "orphan.sql" in problems[0] and "orphan" in problems[0]
    assert "run the tests again" in problems[0]


def test_devtools_check_on_a_fresh_clone_says_what_to_do(tmp_path: Path) -> None:
    """`python -m devtools check` without a test run: exit 1, and the first line says what to run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".agentdb", ".git", ".venv", "__pycache__", "bench"))
    done = subprocess.run([sys.executable, "-m", "devtools", "check"], cwd=clone, env={**env, "PYTHONPATH": str(clone)},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and "executed-statements.txt: missing" in lines[0], done.stdout
    assert "run the tests once (`make test`" in lines[0]
    assert "sql check: 1 problem(s)" in done.stderr


def test_sql_left_in_python(tmp_path: Path) -> None:
    _sql(tmp_path, "repositories/leak.py",
         '"""Docstring: SELECT nothing."""\nQ = "SELECT id FROM users WHERE id = %(id)s"\nOK = "selected"\n')
    problems = sqlcheck.check_python(tmp_path, dirs=("repositories",), allowed={})
    assert len(problems) == 1 and "leak.py:2" in problems[0]


def _migration(root: Path, name: str, text: str, *, rollback: bool = True) -> Path:
    path = _sql(root, f"{name}.sql", text)
    if rollback:
        _sql(root, f"{name}.rollback.sql", "SELECT 1;\n")
    return path


# Eleven hazards on an existing table t, each a statement that blocks reads or writes for the
# length of a scan or rewrite, or breaks running clients. The hand-written linter squawk replaced
# caught 3 of them (the first three); squawk reports each. Line -> the rule squawk names.
HAZARDS = {
    2: ("CREATE INDEX ix_t_a ON t (a);", "require-concurrent-index-creation"),
    3: ("ALTER TABLE t ADD COLUMN b int8 NOT NULL;", "adding-required-field"),
    4: ("ALTER TABLE t ALTER COLUMN a TYPE int8;", "changing-column-type"),
    5: ("ALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES u (id);", "adding-foreign-key-constraint"),
    6: ("ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0);", "constraint-missing-not-valid"),
    7: ("ALTER TABLE t ALTER COLUMN c SET NOT NULL;", "adding-not-nullable-field"),
    8: ("ALTER TABLE t ADD CONSTRAINT t_d_key UNIQUE (d);", "disallowed-unique-constraint"),
    9: ("ALTER TABLE t ADD COLUMN e uuid DEFAULT gen_random_uuid();", "adding-field-with-default"),
    10: ("ALTER TABLE t RENAME COLUMN f TO g;", "renaming-column"),
    11: ("ALTER TABLE t DROP COLUMN h;", "ban-drop-column"),
    12: ("ALTER TABLE u ADD PRIMARY KEY (id);", "adding-serial-primary-key-field"),
}


def test_squawk_reports_each_of_eleven_hazards(tmp_path: Path) -> None:
    _migration(tmp_path, "0001.t", "CREATE TABLE t (a int8);\n")
    body = "\n".join(statement for statement, _ in HAZARDS.values())
    # A table created by the same migration is exempt: nobody can be using it yet.
    exempt = ("CREATE TABLE n (id uuid PRIMARY KEY, x int8);\nCREATE INDEX ix_n_x ON n (x);\n"
              "ALTER TABLE n ADD CONSTRAINT n_x_check CHECK (x > 0);\n"
              "ALTER TABLE n ADD CONSTRAINT n_x_fkey FOREIGN KEY (x) REFERENCES t (a);\n")
    _migration(tmp_path, "0002.hazards", f"-- depends: 0001.t\n{body}\n{exempt}")
    problems = migration_lint.lint(tmp_path)
    found = {(int(p.split(":")[1]), p.split(": ")[1].split(":")[0]) for p in problems}
    assert all("0002.hazards.sql:" in p for p in problems), problems
    missing = [(line, rule) for line, (_, rule) in HAZARDS.items() if (line, rule) not in found]
    assert missing == [], problems
    assert {line for line, _ in found} == set(HAZARDS), problems  # nothing on the new table's lines


def test_yoyo_checks_rollback_depends_and_concurrently(tmp_path: Path) -> None:
    _migration(tmp_path, "0001.t", "CREATE TABLE t (a int8);\n")
    _migration(tmp_path, "0002.ix", "-- depends: 0009.nope\nCREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON t (a);\n",
               rollback=False)
    _migration(tmp_path, "0003.nodep", "ALTER TABLE t ADD COLUMN b text;\n")
    problems = migration_lint.lint(tmp_path)
    text = "\n".join(problems)
    assert "0002.ix.sql: no rollback file 0002.ix.rollback.sql" in text
    assert "0002.ix.sql: depends on 0009.nope, which is not an earlier migration" in text
    assert "0002.ix.sql:2: CONCURRENTLY cannot run in yoyo's transaction" in text and "transactional: false" in text
    assert "0003.nodep.sql: no '-- depends:" in text
    # squawk (2.70) says nothing of a CONCURRENTLY in an assumed transaction: this check is ours alone.
    assert len(problems) == 4, problems


def test_a_non_transactional_migration_must_be_rerunnable(tmp_path: Path) -> None:
    _migration(tmp_path, "0001.t", "CREATE TABLE t (a int8);\n")
    _migration(tmp_path, "0002.ix", "-- transactional: false\n-- depends: 0001.t\n"
                                    "CREATE INDEX CONCURRENTLY ix_a ON t (a);\n"
                                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_b ON t (a);\n")
    problems = migration_lint.lint(tmp_path)
    assert len(problems) == 1 and "0002.ix.sql:3: prefer-robust-stmts" in problems[0], problems


def test_a_hazard_waived_in_place_or_for_an_applied_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _migration(tmp_path, "0001.t", "CREATE TABLE t (a int8, h text, k text);\n")
    _migration(tmp_path, "0002.drop", "-- depends: 0001.t\n-- Nothing reads h since 0.1 (why it may go):\n"
                                      "-- squawk-ignore ban-drop-column\nALTER TABLE t DROP COLUMN h;\n"
                                      "ALTER TABLE t DROP COLUMN k;\n")
    problems = migration_lint.lint(tmp_path)
    assert len(problems) == 1 and "0002.drop.sql:5: ban-drop-column" in problems[0], problems
    monkeypatch.setitem(migration_lint.WAIVED, "0002.drop.sql", {"ban-drop-column": "k was never written"})
    assert migration_lint.lint(tmp_path) == []


def test_squawk_missing_is_one_line_saying_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _migration(tmp_path, "0001.t", "CREATE TABLE t (a int8);\n")
    monkeypatch.setattr(migration_lint, "squawk_binary", lambda: None)
    problems = migration_lint.lint(tmp_path)
    assert len(problems) == 1 and "squawk is not installed; run: pip install -e '.[dev]'" in problems[0]


def test_the_repository_passes_the_static_checks() -> None:
    from devtools import ROOT, TOOLS
    from repositories.sql import SQL_DIR

    assert sqlcheck.check_files(SQL_DIR) == [] and sqlcheck.check_files(TOOLS.root) == []
    assert sqlcheck.check_python(ROOT) == []
    assert sqlcheck.check_style(SQL_DIR) == [] and sqlcheck.check_style(TOOLS.root) == []
    assert migration_lint.lint(ROOT / "migrations") == []


def test_every_tenant_alias_needs_its_own_user_id_filter(tmp_path: Path) -> None:
    """Citus routes a statement to one shard only when each distributed table is filtered itself."""
    joined_through_another = ("SELECT w.name FROM agents AS a INNER JOIN workflows AS w ON w.user_id = a.user_id "
                              "WHERE a.user_id = %(user_id)s")
    assert [p.split(": ", 1)[1][:20] for p in sqlcheck.routing_problems("x.y", joined_through_another)] == [
        "workflows AS w has n"]
    each_filtered = ("SELECT w.name FROM agents AS a INNER JOIN workflows AS w ON w.id = a.id "
                     "AND w.user_id = %(user_id)s WHERE a.user_id = %(user_id)s")
    assert sqlcheck.routing_problems("x.y", each_filtered) == []
    unaliased_delete = "DELETE FROM agents WHERE id = %(agent_id)s AND user_id = %(user_id)s"
    assert sqlcheck.routing_problems("x.y", unaliased_delete) == []
    inserted = "INSERT INTO agents AS a (user_id, name) VALUES (%(user_id)s, %(name)s) RETURNING a.id"
    assert sqlcheck.routing_problems("x.y", inserted) == []
    subquery = ("SELECT e.id FROM workflow_executions AS e WHERE e.user_id = %(user_id)s "
                "AND e.workflow_id IN (SELECT w.id FROM workflows AS w WHERE w.name = %(name)s)")
    assert len(sqlcheck.routing_problems("x.y", subquery)) == 1
    # Files: a statement spanning users is refused unless listed with a reason.
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "every_agent.sql").write_text("-- Every user's agents.\nSELECT a.id FROM agents AS a\n")
    assert len(sqlcheck.check_routing(tmp_path, {})) == 1
    assert sqlcheck.check_routing(tmp_path, {"jobs.every_agent": "a job over every user"}) == []
    from repositories.sql import SQL_DIR
    assert sqlcheck.check_routing(SQL_DIR) == []
