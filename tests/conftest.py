"""The one test database fixture.

One fresh database per test session on the server of DATABASE_URL (or the
embedded PostgreSQL when unset), migrated once, emptied before each test that
asks for `db`, dropped at the end. A second database, filled once by the shared
generator (devtools.datagen, scale TEST), serves the plan checks. Every pooled
connection is traced on the wire (devtools.wire), so tests count round trips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
import psycopg
import pytest

from agentdb import config, migrate
from agentdb.pool import JOBS_ROLE, open_pool
from devtools import ROOT, datagen, statement, wire
from devtools.testdb import scratch_database, with_database
from repositories import AgentRepository, Database, ExecutionRepository, UserRepository, WorkflowRepository
from repositories.database import connect, run_sync


# Set (tests/test_pgbouncer.py) when DATABASE_URL is a pooler: the server itself, where the
# test database is created, migrated and dropped, and what test tooling connects to.
DIRECT_URL = "AGENTDB_TEST_DIRECT_URL"


@pytest.fixture(scope="session")
def server_dsn() -> str:
    return os.environ.get(DIRECT_URL) or config.resolve_dsn(config.from_env())


@pytest.fixture(scope="session")
def dsn(server_dsn: str) -> Iterator[str]:
    """The test database, on the server directly (tools, set-up, inspection)."""
    with scratch_database(server_dsn) as database:
        migrate.apply(database)
        yield database


@pytest.fixture(scope="session")
def app_dsn(dsn: str) -> str:
    """The test database as agentdb's pools reach it: through DATABASE_URL's pooler when
    AGENTDB_TEST_DIRECT_URL is set, else directly."""
    if not os.environ.get(DIRECT_URL):
        return dsn
    return with_database(str(config.from_env().database_url), dsn.rsplit("/", 1)[1])


@pytest.fixture(scope="session")
def settings(dsn: str, app_dsn: str) -> config.Settings:
    """The environment's settings (AGENTDB_PREPARE, AGENTDB_TRANSACTION_POOLER...) on the test database;
    behind a pooler, the live executions' listener reaches the database directly (it LISTENs)."""
    listen = dsn if os.environ.get(DIRECT_URL) else None
    return msgspec.structs.replace(config.from_env(), database_url=app_dsn, listen_database_url=listen,
                                   pool_timeout_s=0.5)


@pytest.fixture(scope="session")
async def pool(app_dsn: str, settings: config.Settings) -> AsyncIterator[Any]:
    pool = await open_pool(app_dsn, settings, min_size=2, max_size=4, on_connect=wire.attach)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def jobs_pool(app_dsn: str, settings: config.Settings) -> AsyncIterator[Any]:
    """A pool working as agentdb_jobs: every user's rows, as jobs and operator commands see them."""
    pool = await open_pool(app_dsn, settings, role=JOBS_ROLE, min_size=1, max_size=2, on_connect=wire.attach)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def owner(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection as the schema's owner (DATABASE_URL's role), outside row-level security's
    app role: what tests use to set up and inspect, never what repositories run on."""
    with connect(dsn) as conn:
        yield conn


@pytest.fixture
def db(pool: Any, owner: psycopg.Connection[Any]) -> Database:
    """The repositories' Database (the app's role, row-level security on), on an emptied database."""
    run_sync(owner, statement("testing.truncate_all")())
    return Database(pool)


def _repository(cls: type[Any]) -> Any:
    """A fixture: a `cls` repository on the emptied test database."""
    return pytest.fixture(lambda db: cls(db))


workflows = _repository(WorkflowRepository)
agents = _repository(AgentRepository)
executions = _repository(ExecutionRepository)
users = _repository(UserRepository)


@pytest.fixture
async def alice(users: UserRepository) -> uuid.UUID:
    user, _ = await users.create(email=f"alice-{uuid.uuid4().hex[:6]}@example.com")
    return user.id


@pytest.fixture
async def bob(users: UserRepository) -> uuid.UUID:
    user, _ = await users.create(email=f"bob-{uuid.uuid4().hex[:6]}@example.com")
    return user.id


@pytest.fixture(scope="session")
def big_dsn(server_dsn: str) -> Iterator[str]:
    """A database holding the generator's TEST scale (100k workflow executions), analyzed."""
    with scratch_database(server_dsn, prefix="agentdb_plans") as database:
        migrate.apply(database)
        datagen.load(database, "TEST", report=lambda line: None)
        yield database


@pytest.fixture
def big_conn(big_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with connect(big_dsn) as conn:
        wire.attach(conn)
        yield conn


# Modules whose tests start PostgreSQL servers of their own (devtools.clusters), whatever
# DATABASE_URL names: CI runs them in one of its two passes only (AGENTDB_TEST_CLUSTERS=0 in the other).
OWN_SERVERS = frozenset({"test_citus", "test_clusters", "test_faults", "test_pgbouncer", "test_read_replicas"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("AGENTDB_TEST_CLUSTERS") != "0":
        return
    skip = pytest.mark.skip(reason="AGENTDB_TEST_CLUSTERS=0: the tests on scratch clusters run in the other pass")
    for item in items:
        if item.module is not None and item.module.__name__.rpartition(".")[2] in OWN_SERVERS:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record which sql/ statements went out on the wire, for `python -m devtools check`."""
    if session.config.option.collectonly or os.environ.get("AGENTDB_TEST_RECORD") == "0":
        return  # (0: a nested session, e.g. tests/test_citus.py's, must not overwrite the outer record)
    wire.drain()
    out = ROOT / ".agentdb" / "executed-statements.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("".join(f"{name}\n" for name in sorted(wire.EXECUTED)))
