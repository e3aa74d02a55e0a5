"""The one SQL loader: every file loads, and mistakes fail loudly before a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentdb.paths import SQL_DIR
from repositories.sql import STATEMENTS, SqlFileError, load_all, parse, statement


def test_every_file_is_loaded_with_its_name_as_a_leading_comment() -> None:
    files = sorted(SQL_DIR.glob("*/*.sql"))
    assert len(STATEMENTS) == len(files) > 30
    for name, st in STATEMENTS.items():
        assert st.text.startswith(f"/* {name} */ ")
        assert st.header


def test_a_misspelt_parameter_fails_loudly() -> None:
    st = statement("workflows.get_with_graph")
    with pytest.raises(SqlFileError, match="missing parameters \\['workflow_id'\\], unexpected \\['workflow'\\]"):
        st.bind({"user_id": 1, "workflow": 2})


def test_a_missing_file_fails_loudly() -> None:
    with pytest.raises(SqlFileError, match="no sql file"):
        statement("workflows.get_with_grpah")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT 1 WHERE id = %(id)s", "no header"),
        ("-- header\nSELECT 1 WHERE id = %s", "positional"),
        ("-- header\nSELECT 1; SELECT 2", "more than one statement"),
        ("-- header only\n", "no statement"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "area").mkdir()
    path = tmp_path / "area" / "bad.sql"
    path.write_text(text)
    with pytest.raises(SqlFileError, match=message):
        parse(path, "area.bad")
    with pytest.raises(SqlFileError):
        load_all(tmp_path)


def test_literal_percent_and_semicolons_in_strings_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.sql"
    path.write_text("-- header\nSELECT '50%%;' || %(x)s")
    assert parse(path, "a.ok").params == {"x"}
