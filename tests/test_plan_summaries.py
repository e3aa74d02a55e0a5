"""The plan summaries of `python -m devtools plans`, and its Seq Scan rule, on the TEST-scale database.

Dropping ix_workflow_exec_user_started alone leaves the planner other indexes with
user_id leading (user+status, user+workflow, user+workflow+status), which it uses
instead; so the test drops every user-leading index of workflow_executions, inside
a transaction it rolls back (DROP INDEX is transactional), to show the rule trips.
"""

from __future__ import annotations

from typing import Any

import psycopg

from devtools import plans
from repositories.database import connect
from repositories.sql import statement

USER_LEADING = ("ix_workflow_exec_user_started", "ix_workflow_exec_user_status_started",
                "ix_workflow_exec_user_workflow_started", "ix_workflow_exec_user_workflow_status")


def _history(conn: psycopg.Connection[Any]) -> tuple[str, list[str]]:
    out, failures = plans.summaries(conn, "TEST", [statement("executions.history")])
    return out["executions.history.txt"], failures


def test_history_summary_names_its_index_and_a_dropped_index_trips_the_rule(big_dsn: str) -> None:
    with connect(big_dsn) as conn:
        plans.make_statistics_deterministic(conn)
        before, failures = _history(conn)
    assert "ix_workflow_exec_user_started" in before
    assert "Seq Scan" not in before and not failures
    assert "rows" not in before.lower() and "cost" not in before.lower()

    with connect(big_dsn, autocommit=False) as conn:  # one transaction, rolled back
        for index in USER_LEADING:
            conn.execute(f"DROP INDEX {index}")  # test-only DDL
        after, failures = _history(conn)
        conn.rollback()
    assert after != before
    assert "ix_workflow_exec_user_started" not in after
    assert "Seq Scan relation_name=workflow_executions" in after
    assert failures and "history.sql" in failures[0] and "Seq Scan on workflow_executions" in failures[0]


def test_summary_is_shape_only() -> None:
    plan = {"Node Type": "Limit", "Total Cost": 1.0, "Plan Rows": 5, "Plans": [
        {"Node Type": "Index Scan", "Relation Name": "t", "Index Name": "ix_t", "Scan Direction": "Backward",
         "Parent Relationship": "Outer", "Actual Total Time": 3.0, "Plan Width": 8}]}
    assert plans.summarize(plan) == ("Limit\n  Index Scan scan_direction=Backward relation_name=t index_name=ix_t "
                                     "parent_relationship=Outer\n")
