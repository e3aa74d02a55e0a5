"""Fixtures of the API tests: an app on the session pool, users with tokens, a client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from litestar.testing import AsyncTestClient

from agentdb.config import Settings
from api.app import create_app
from repositories import Database, UserRepository
from tests import conformance

API = "/api/agent-builder"


@dataclass
class Caller:
    id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


async def make_caller(users: UserRepository, name: str) -> Caller:
    user, token = await users.create(email=f"{name}-{uuid.uuid4().hex[:8]}@example.com")
    return Caller(user.id, token)


async def _conforms(response: httpx.Response) -> None:
    await response.aread()
    conformance.check(response)


@pytest.fixture
async def client(db: Database, settings: Settings, pool: object) -> AsyncIterator[AsyncTestClient]:
    """A client of the app on the test pool; every response it gets is checked against the
    app's OpenAPI document (tests/conformance.py)."""
    async with AsyncTestClient(app=create_app(settings, pool=pool)) as test_client:  # type: ignore[arg-type]
        test_client.event_hooks["response"].append(_conforms)
        yield test_client


@pytest.fixture
async def ann(users: UserRepository) -> Caller:
    return await make_caller(users, "ann")


@pytest.fixture
async def ben(users: UserRepository) -> Caller:
    return await make_caller(users, "ben")
