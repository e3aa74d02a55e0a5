"""The one SQL loader: every file loads, and mistakes fail loudly before a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from repositories.sql import PRODUCT, SQL_DIR, SqlFileError, load_all, parse, statement


def test_every_file_is_loaded_with_its_name_as_a_leading_comment() -> None:
    files = sorted(SQL_DIR.glob("*/*.sql"))
    assert len(PRODUCT) == len(files) >= 30
    for st in PRODUCT:
        assert st.text.startswith(f"/* {st.name} */ ")
        assert st.header


def test_statements_that_write_are_never_resent() -> None:
    """Only read-only statements may be sent again on a fresh connection (see Database._send)."""
    assert statement("workflows.get_with_graph").read_only
    assert statement("executions.history").read_only
    for name in ("workflows.insert", "workflows.replace", "executions.transition", "agents.delete",
                 "executions.record_agent_execution", "users.revoke_token"):
        assert not statement(name).read_only, name


def test_a_misspelt_parameter_fails_loudly() -> None:
    st = statement("workflows.get_with_graph")
    with pytest.raises(SqlFileError, match="missing parameters \\['workflow_id'\\], unexpected \\['workflow'\\]"):
        st(user_id=1, workflow=2, unless_version=None)


def test_a_missing_file_fails_loudly() -> None:
    with pytest.raises(SqlFileError, match="no sql file"):
        statement("workflows.get_with_grpah")
    assert "workflows.get_with_graph" in {st.name for st in PRODUCT}


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


# Statements kept apart only so that each gets its own plan (one index each): they
# must stay the same statement but for the filter lines their one-line header names.
VARIANTS = {
    "executions.history": {
        "executions.history_by_status": ["AND e.status = %(status)s"],
        "executions.history_by_workflow": ["AND e.workflow_id = %(workflow_id)s"],
        "executions.history_by_workflow_status": ["AND e.workflow_id = %(workflow_id)s", "AND e.status = %(status)s"],
    },
    "workflows.list_page": {"workflows.search_by_graph": ["AND w.graph_definition @> %(contains)s"]},
    "agents.list_page": {"agents.search_by_configuration": ["AND a.configuration @> %(contains)s"]},
}


@pytest.mark.parametrize("base", sorted(VARIANTS))
def test_filter_variants_differ_only_in_their_filter(base: str) -> None:
    body = statement(base).text.split(" */ ", 1)[1]
    for name, filters in VARIANTS[base].items():
        variant = statement(name)
        assert variant.header.startswith(base) and len(variant.header.splitlines()) == 1, variant.header
        text = variant.text.split(" */ ", 1)[1]
        for condition in filters:
            assert text.count(f" {condition}") == 1, (name, condition)
            text = text.replace(f" {condition}", "")
        assert text == body, name


def test_the_started_execution_is_answered_with_the_document_of_executions_get() -> None:
    """executions.get_started finds the execution by idempotency key, not by id, and adds `created`:
    the document it answers is executions.get's, to the letter."""
    def document(name: str) -> str:
        text = statement(name).text
        return text[text.index("SELECT "):text.index(" AS document")]

    assert document("executions.get_started") == document("executions.get")
