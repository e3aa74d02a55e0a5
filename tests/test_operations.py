"""What an operator sees: health, readiness, metrics, request ids, one JSON access line per request."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from litestar.testing import AsyncTestClient

from agentdb import logs
from devtools.live_server import live_server, status_of, wait_until
from tests.api_fixtures import API, Caller, ann, client  # noqa: F401


async def test_healthz_and_readyz_need_no_token(client: AsyncTestClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


async def test_readyz_is_503_when_migrations_are_pending(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.health.newest_migration", lambda: "9999.not-applied-yet")
    r = await client.get("/readyz")
    assert r.status_code == 503 and r.json()["code"] == "unavailable" and "migrations pending" in r.json()["detail"]


async def test_metrics_count_requests_by_route_template(client: AsyncTestClient, ann: Caller) -> None:
    missing = uuid.uuid4()
    await client.get(f"{API}/workflows/{missing}", headers=ann.headers)  # 404 from the repository
    await client.get(f"{API}/workflows")  # 401
    await client.get("/no/such/route")  # 404 from routing
    text = (await client.get("/metrics")).text
    assert 'agentdb_http_requests_total{method="GET",route="/api/agent-builder/workflows/{workflow_id}",status="404"}' \
        in text
    assert 'agentdb_http_requests_total{method="GET",route="/api/agent-builder/workflows",status="401"}' in text
    assert 'agentdb_http_requests_total{method="GET",route="unmatched",status="404"}' in text
    assert "agentdb_http_request_duration_seconds_bucket" in text and "agentdb_db_time_seconds_bucket" in text
    assert 'agentdb_db_pool_connections{state="open"}' in text
    assert str(missing) not in text and missing.hex not in text  # no raw ids as labels


async def test_request_ids_are_echoed_or_made(client: AsyncTestClient, ann: Caller) -> None:
    r = await client.get(f"{API}/workflows", headers={**ann.headers, "X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get(f"{API}/workflows", headers={**ann.headers, "X-Request-ID": "bad id;<script>"})
    assert r.headers["x-request-id"] != "bad id;<script>" and len(r.headers["x-request-id"]) == 32
    assert (await client.get("/healthz")).headers["x-request-id"]


class _Lines(logging.Handler):
    """Every record of the `agentdb` loggers, formatted as `agentdb serve` formats them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logs.JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


async def test_one_json_access_line_per_request_and_errors_carry_its_id(
    client: AsyncTestClient, ann: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, logger = _Lines(), logging.getLogger("agentdb")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # setLevel, not the attribute: loggers cache isEnabledFor
    try:
        r = await client.get(f"{API}/workflows", headers={**ann.headers, "X-Request-ID": "line-1"})
        assert r.status_code == 200

        async def boom(*_: object, **__: object) -> None:
            raise RuntimeError("SELECT secret FROM internals")

        monkeypatch.setattr("repositories.WorkflowRepository.list_json", boom)
        r = await client.get(f"{API}/workflows", headers={**ann.headers, "X-Request-ID": "line-2"})
        assert r.status_code == 500 and "SELECT" not in r.text
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    lines = handler.lines
    access = [line for line in lines if line["logger"] == "agentdb.access"]
    assert [line["request_id"] for line in access] == ["line-1", "line-2"]
    first = access[0]
    assert first["route"] == "/api/agent-builder/workflows" and first["status"] == 200
    assert first["method"] == "GET" and first["user_id"] == str(ann.id)
    assert first["db_round_trips"] == 1 and first["db_ms"] > 0 and first["duration_ms"] >= first["db_ms"]
    assert {"time", "level", "message"} <= first.keys()
    error = next(line for line in lines if line["logger"] == "agentdb.api")
    assert error["request_id"] == "line-2" and error["level"] == "error" and "RuntimeError" in error["exception"]
    assert error["path"] == "/api/agent-builder/workflows" and error["user_id"] == str(ann.id)


def test_a_served_process_logs_json_lines_only(dsn: str) -> None:
    """`agentdb serve` as operators run it: every line on its output is one JSON object (the
    framework's own logging config, text through a queue thread, must not take over)."""
    with live_server(dsn, {"AGENTDB_LOG_LEVEL": "info"}) as live:
        assert status_of(live.url + "/healthz") == 200
        assert status_of(live.api + "/workflows") == 401
        wait_until(lambda: '"status":401' in live.log.read_text(), 10, "the access line of the 401")
        output = live.log.read_text().splitlines()
    records = [json.loads(line) for line in output if line.startswith("{")]
    assert {"agentdb.server", "uvicorn.error", "agentdb.access"} <= {r["logger"] for r in records}
    access = [(r["route"], r["status"]) for r in records if r["logger"] == "agentdb.access"]
    assert access[-2:] == [("/healthz", 200), ("/api/agent-builder/workflows", 401)]
    banner = [line for line in output if not line.startswith("{")]
    assert len(banner) == 2 and banner[0].startswith("serving the agentdb") and banner[1].startswith("database:")
