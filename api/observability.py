"""The outermost layer of every HTTP request: its id, its access line, its metrics, its database meter.

Wraps the whole app (not one route), so unknown routes, 405s and requests refused
by authentication are logged and counted like the others:

- `X-Request-ID`: taken from the request when it is a sane token (letters, digits,
  `._:-`, at most 128), else generated; echoed on the response and set for every
  log record of the request (agentdb.logs).
- One access line per request (logger `agentdb.access`): method, route template,
  path, status, duration, database time and round trips, user id.
- Prometheus (prometheus-client): requests and latency by method, route template
  and status; database time per request; the pool's size, idle and waiting
  connections and timeouts (read at scrape time). With several worker processes
  the metrics are shared through PROMETHEUS_MULTIPROC_DIR (set by `agentdb serve`).
- `Server-Timing: db;dur=<ms>;desc="<n> queries"`: what the request cost the database, from
  its meter (agentdb.dbmeter: every round trip a repository makes is counted), on every
  response, error responses and refused requests included.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge, Histogram

from agentdb import logs
from agentdb.dbmeter import DbMeter, metering

access_log = logging.getLogger("agentdb.access")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("agentdb_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("agentdb_http_request_duration_seconds", "HTTP request duration, first byte in to last byte out",
                    ["method", "route"], buckets=_BUCKETS)
DB_TIME = Histogram("agentdb_db_time_seconds", "Time a request spent waiting on the database",
                    ["route"], buckets=_BUCKETS)
POOL = Gauge("agentdb_db_pool_connections", "Pooled database connections by state", ["state"],
             multiprocess_mode="livesum")
POOL_TIMEOUTS = Gauge("agentdb_db_pool_timeouts", "Requests that found no pooled connection in time (since start)",
                      multiprocess_mode="livesum")


def server_timing(meter: DbMeter) -> bytes:
    return f'db;dur={meter.milliseconds:.1f};desc="{meter.round_trips} queries"'.encode()


def observe_pool(stats: dict[str, int]) -> None:
    """Publish a psycopg_pool `get_stats()` snapshot."""
    POOL.labels("open").set(stats.get("pool_size", 0))
    POOL.labels("idle").set(stats.get("pool_available", 0))
    POOL.labels("waiting").set(stats.get("requests_waiting", 0))
    POOL_TIMEOUTS.set(stats.get("requests_errors", 0))


class Observability:
    """ASGI middleware around the whole Litestar app (see api.app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode()),
                                      (b"server-timing", server_timing(meter))]
            await send(message)

        with metering() as meter:
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - started
                route = scope.get("path_template") or "unmatched"  # type: ignore[call-overload]
                REQUESTS.labels(scope["method"], route, str(status)).inc()
                LATENCY.labels(scope["method"], route).observe(elapsed)
                DB_TIME.labels(route).observe(meter.seconds)
                user = scope.get("user")  # type: ignore[call-overload]
                fields: dict[str, Any] = {
                    "method": scope["method"], "route": route, "path": scope["path"], "status": status,
                    "duration_ms": round(elapsed * 1000, 2), "db_ms": round(meter.milliseconds, 2),
                    "db_round_trips": meter.round_trips, "user_id": str(user) if user else None,
                }
                access_log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": fields})
                logs.request_id.reset(token)
