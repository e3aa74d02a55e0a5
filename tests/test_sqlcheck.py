"""`python -m devtools check`: each failure case, on files in a tmp dir; and the repo itself."""

from __future__ import annotations

from pathlib import Path

from devtools import migration_lint, sqlcheck


def _sql(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_file_that_does_not_parse(tmp_path: Path) -> None:
    _sql(tmp_path, "users/broken.sql", "-- Broken on purpose.\nSELEC id FROM users WHERE id = %(id)s\n")
    problems = sqlcheck.check_files(tmp_path)
    assert len(problems) == 1 and "broken.sql" in problems[0] and "does not parse" in problems[0]


def test_a_positional_parameter(tmp_path: Path) -> None:
    _sql(tmp_path, "users/positional.sql", "-- Positional on purpose.\nSELECT id FROM users WHERE id = %s\n")
    problems = sqlcheck.check_files(tmp_path)
    assert len(problems) == 1 and "positional.sql" in problems[0] and "positional parameter" in problems[0]


def test_a_missing_header(tmp_path: Path) -> None:
    _sql(tmp_path, "users/bare.sql", "SELECT 1\n")
    problems = sqlcheck.check_files(tmp_path)
    assert len(problems) == 1 and "bare.sql" in problems[0] and "header" in problems[0]


def test_an_orphan_file_and_a_missing_executed_list(tmp_path: Path) -> None:
    _sql(tmp_path, "sql/users/used.sql", "-- Used.\nSELECT 1\n")
    _sql(tmp_path, "sql/users/orphan.sql", "-- Never run.\nSELECT 2\n")
    executed = tmp_path / "executed.txt"
    assert "run `make test` first" in sqlcheck.check_executed(tmp_path / "sql", executed)[0]
    executed.write_text("users.used\n")
    problems = sqlcheck.check_executed(tmp_path / "sql", executed)
    assert len(problems) == 1 and "orphan.sql" in problems[0] and "orphan" in problems[0]


def test_sql_left_in_python(tmp_path: Path) -> None:
    _sql(tmp_path, "repositories/leak.py",
         '"""Docstring: SELECT nothing."""\nQ = "SELECT id FROM users WHERE id = %(id)s"\nOK = "selected"\n')
    problems = sqlcheck.check_python(tmp_path, dirs=("repositories",), allowed={})
    assert len(problems) == 1 and "leak.py:2" in problems[0]


def test_a_non_concurrent_index_on_an_existing_table(tmp_path: Path) -> None:
    _sql(tmp_path, "0001.t.sql", "CREATE TABLE t (id int);\nCREATE INDEX ix_t_new ON t (id);\n")
    _sql(tmp_path, "0001.t.rollback.sql", "DROP TABLE t;\n")
    _sql(tmp_path, "0002.ix.sql", "CREATE INDEX ix_t_id ON t (id);\n")
    _sql(tmp_path, "0002.ix.rollback.sql", "DROP INDEX ix_t_id;\n")
    problems = migration_lint.lint(tmp_path)
    assert len(problems) == 1 and "0002.ix.sql" in problems[0] and "CONCURRENTLY" in problems[0]


def test_other_migration_hazards(tmp_path: Path) -> None:
    _sql(tmp_path, "0003.x.sql", "CREATE INDEX CONCURRENTLY ix_a ON t (a);\n"
                                 "ALTER TABLE t ADD COLUMN b int NOT NULL;\n"
                                 "ALTER TABLE t ALTER COLUMN a TYPE bigint;\n")
    problems = migration_lint.lint(tmp_path)
    text = "\n".join(problems)
    assert all("0003.x.sql" in p for p in problems) and len(problems) == 4
    assert "rollback" in text and "transactional: false" in text and "NOT NULL" in text and "rewrites" in text


def test_the_repository_passes_the_static_checks() -> None:
    from devtools import ROOT, TOOLS
    from repositories.sql import SQL_DIR

    assert sqlcheck.check_files(SQL_DIR) == [] and sqlcheck.check_files(TOOLS.root) == []
    assert sqlcheck.check_python(ROOT) == []
    assert sqlcheck.check_style(SQL_DIR) == [] and sqlcheck.check_style(TOOLS.root) == []
    assert migration_lint.lint(ROOT / "migrations") == []
