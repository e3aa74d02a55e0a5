"""The repository and API tests, through PgBouncer in transaction mode (issue 15, item 5).

A scratch cluster with PgBouncer (Debian's 1.18) in front of it, in transaction mode;
the test modules run in a pytest subprocess whose agentdb pools reach the test database
through the bouncer, with the documented settings: AGENTDB_PREPARE=0 (no named prepared
statements: a transaction-mode pooler hands each transaction to any server session),
AGENTDB_TRANSACTION_POOLER=1 (no startup options, which PgBouncer 1.18 refuses or drops; the
role switched in each transaction), and the timeouts and time zone set on the login role
(devtools/sql/pgbouncer/role_settings.sql). The test database is created, migrated and
dropped on the cluster directly (AGENTDB_TEST_DIRECT_URL, tests/conftest.py). Skipped with
a reason where PgBouncer or the server binaries are absent (`.ci/run` installs PgBouncer).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from devtools import ROOT, clusters, statement
from devtools.clusters import Cluster
from repositories.database import connect, run_sync

pytestmark = [
    pytest.mark.skipif(not clusters.binaries_available(), reason=clusters.binaries_available().reason),
    pytest.mark.skipif(not clusters.pgbouncer_available(), reason=clusters.pgbouncer_available().reason),
]

# The repository and API test modules (jobs are left out: they hold session-level advisory
# locks, which need a session of their own, so jobs connect to the server directly).
MODULES = ["tests/test_workflows.py", "tests/test_agents.py", "tests/test_executions.py", "tests/test_users.py",
           "tests/test_memories.py", "tests/test_api.py", "tests/test_api_auth.py", "tests/test_api_conventions.py",
           "tests/test_api_input.py", "tests/test_row_level_security.py",
           # live executions: the API through the bouncer, its listener on the server
           # (AGENTDB_LISTEN_DATABASE_URL, set by tests/conftest.py's settings)
           "tests/test_api_live.py",
           # a plan check on 100k generated rows, read directly: nothing of it goes through the bouncer
           "--deselect", "tests/test_memories.py::test_search_reads_only_the_users_rows_off_an_index"]


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Fail a test that leaves a cluster or bouncer undestroyed."""
    assert clusters.live() == []
    yield
    assert clusters.live() == [], "a test did not destroy what it started"


def test_the_repository_and_api_tests_pass_through_pgbouncer_in_transaction_mode() -> None:
    with Cluster(name="behind-pgbouncer") as cluster:
        with connect(cluster.dsn()) as conn:
            run_sync(conn, statement("pgbouncer.role_settings")())
        with clusters.pgbouncer_in_front_of(cluster, "transaction") as bouncer:
            env = {**os.environ, "DATABASE_URL": bouncer.dsn(), "AGENTDB_TEST_DIRECT_URL": cluster.dsn(),
                   "AGENTDB_PREPARE": "0", "AGENTDB_TRANSACTION_POOLER": "1"}
            done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *MODULES],
                                  env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
            log = bouncer.log_file.read_text(errors="replace")
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
        assert "db=agentdb_test_" in log, "the tests' pools did not go through the bouncer:\n" + log[-2000:]
