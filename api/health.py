"""Unauthenticated operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.plugins.prometheus import PrometheusController

from agentdb.migrate import newest_migration
from api.errors import UNAVAILABLE, Problem, problem
from api.openapi import problems
from repositories.errors import Unavailable
from repositories.meta import migration_applied


class Health(msgspec.Struct, frozen=True):
    status: str


class HealthController(Controller):
    tags = ["operations"]
    security = [{}]  # no token

    @get("/healthz", summary="Liveness: the process answers (the database is not asked)", operation_id="healthz")
    async def healthz(self) -> Health:
        return Health(status="ok")

    @get("/readyz", summary="Readiness: the database answers and its schema is this code's",
         operation_id="readyz", responses=problems(503))
    async def readyz(self, state: State) -> Response[Health | Problem]:
        try:
            applied = await migration_applied(state.db, newest_migration())
        except Unavailable as exc:
            return problem(UNAVAILABLE, f"database: {exc}", headers={"Retry-After": "1"})  # type: ignore[return-value]
        if not applied:
            return problem(UNAVAILABLE, "database: migrations pending (run `agentdb migrate`)")  # type: ignore[return-value]
        return Response(Health(status="ready"))


class MetricsController(PrometheusController):
    """Prometheus text format, every process's metrics (see api.observability)."""

    path = "/metrics"
    include_in_schema = False
