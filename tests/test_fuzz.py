"""Fuzzing from the schema: schemathesis generates requests from the app's own OpenAPI document
(valid ones and invalid ones), sends them with a valid token to a real server (`agentdb serve`,
devtools.live_server), and holds each answer to the document: never a 5xx, only documented
statuses, documented content types and bodies that match their schemas.

Bounded for CI: FUZZ_EXAMPLES examples per operation (AGENTDB_FUZZ_EXAMPLES, default 8), no
shrinking, and at most FUZZ_BUDGET_S seconds of requests in all (AGENTDB_FUZZ_BUDGET_S, default
40), shared evenly by the operations: on a slow machine an operation stops sending when its share
is spent, and says so. A larger run, documented in the README:
`AGENTDB_FUZZ_EXAMPLES=500 AGENTDB_FUZZ_BUDGET_S=3600 pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import os
import time
import warnings
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devtools.live_server import LiveServer, live_server
from repositories import Database, UserRepository
from tests import conformance

FUZZ_EXAMPLES = int(os.environ.get("AGENTDB_FUZZ_EXAMPLES", "8"))
FUZZ_BUDGET_S = float(os.environ.get("AGENTDB_FUZZ_BUDGET_S", "40"))
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

schema = schemathesis.openapi.from_dict(
    conformance.document(), config=SchemathesisConfig.from_dict({"generation": {"mode": "all"}})
).include(path_regex="^/api/")
OPERATIONS = sum(1 for _ in schema.get_all_operations())


@pytest.fixture(scope="module")
def server(dsn: str) -> Iterator[LiveServer]:
    with live_server(dsn, {"AGENTDB_AUTH_FAILURES_PER_MINUTE": "100000"}) as live:
        yield live


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


UNSENT: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _say_what_the_budget_left_out() -> Iterator[None]:
    yield
    if UNSENT:
        warnings.warn(f"fuzz time budget spent: {len(UNSENT)} generated requests not sent "
                      f"({', '.join(sorted(set(UNSENT)))})", stacklevel=1)


@pytest.fixture
def spent_at() -> float:
    """When this operation's share of the budget is spent."""
    return time.monotonic() + FUZZ_BUDGET_S / OPERATIONS


@pytest.fixture
async def token(db: Database, users: UserRepository) -> str:
    _, issued = await users.create(email=f"fuzz-{uuid.uuid4().hex[:8]}@example.com")
    return issued


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_generated_requests_never_get_a_5xx_and_conform(case: Any, server: LiveServer, session: requests.Session,
                                                       token: str, spent_at: float) -> None:
    if time.monotonic() > spent_at:
        UNSENT.append(case.operation.label)
        return  # this operation's share of the time budget is spent (see the module's docstring)
    case.call_and_validate(base_url=server.url, session=session, headers={"Authorization": f"Bearer {token}"},
                           checks=CHECKS, timeout=15)
