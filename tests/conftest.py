"""The one test database fixture.

One fresh database per test session on the server of DATABASE_URL (or the
embedded PostgreSQL when unset), migrated once, emptied before each test that
asks for `db`, dropped at the end. A second database, filled once by the shared
generator (agentdb.datagen, scale TEST), serves the plan checks.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from agentdb import config, datagen, migrate, wire
from agentdb.pool import open_pool
from agentdb.testdb import scratch_database
from repositories import AgentRepository, Database, ExecutionRepository, UserRepository, WorkflowRepository
from repositories.sql import statement

wire.enable()  # before any pool opens: every connection is traced, so tests can count round trips


@pytest.fixture(scope="session")
def server_dsn() -> str:
    return config.resolve_dsn(config.from_env())


@pytest.fixture(scope="session")
def dsn(server_dsn: str) -> Iterator[str]:
    with scratch_database(server_dsn) as database:
        migrate.apply(database)
        yield database


@pytest.fixture(scope="session")
def settings(dsn: str) -> config.Settings:
    return config.Settings(database_url=dsn, pool_timeout_s=0.5, token_cache_ttl_s=30.0)


@pytest.fixture(scope="session")
async def pool(dsn: str, settings: config.Settings) -> AsyncIterator[object]:
    pool = await open_pool(dsn, settings, min_size=2, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def db(pool) -> Database:  # type: ignore[no-untyped-def]
    database = Database(pool)
    await database.run((statement("testing.truncate_all"), {}))
    return database


@pytest.fixture
def workflows(db: Database) -> WorkflowRepository:
    return WorkflowRepository(db)


@pytest.fixture
def agents(db: Database) -> AgentRepository:
    return AgentRepository(db)


@pytest.fixture
def executions(db: Database) -> ExecutionRepository:
    return ExecutionRepository(db)


@pytest.fixture
def users(db: Database) -> UserRepository:
    return UserRepository(db)


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
def big_conn(big_dsn: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(big_dsn, autocommit=True) as conn:
        yield conn


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record which sql/ statements the session executed, for `agentdb sql check`."""
    from agentdb.paths import ROOT
    from repositories.sql import EXECUTED

    if session.config.option.collectonly:
        return
    out = ROOT / ".agentdb" / "executed-statements.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("".join(f"{name}\n" for name in sorted(EXECUTED)))
