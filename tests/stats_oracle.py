"""The dashboard's numbers computed in Python straight from the executions a test wrote:
the independent oracle of tests/test_jobs_stats.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

STATUSES = ("pending", "running", "completed", "failed", "cancelled")


@dataclass
class Execution:
    """A workflow execution (kind "w") or an agent execution with its metrics (kind "a")."""

    kind: str
    user_id: uuid.UUID
    subject: uuid.UUID  # workflow_id or agent_id
    status: str
    started_at: datetime
    completed_at: datetime | None = None
    prompt: int = 0
    completion: int = 0
    latency: int = 0
    cost: Decimal = Decimal(0)
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def row(self) -> dict[str, Any]:
        base = {"id": self.id, "user_id": self.user_id, "status": self.status, "started_at": self.started_at,
                "completed_at": self.completed_at}
        if self.kind == "w":
            return {**base, "workflow_id": self.subject}
        return {**base, "agent_id": self.subject, "prompt_tokens": self.prompt, "completion_tokens": self.completion,
                "latency_ms": self.latency, "cost_usd": str(self.cost)}


def bucket(at: datetime) -> date:
    return at.astimezone(UTC).date()


def duration_ms(e: Execution) -> int:
    if e.completed_at is None:
        return 0
    micro = (e.completed_at - e.started_at) // timedelta(microseconds=1)
    return (micro + 500) // 1000  # PostgreSQL's round(): half away from zero


def _totals(rows: list[Execution], kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {s: sum(1 for e in rows if e.status == s) for s in STATUSES}
    out["executions"] = len(rows)
    if kind == "a":
        out.update(prompt_tokens=sum(e.prompt for e in rows), completion_tokens=sum(e.completion for e in rows),
                   total_tokens=sum(e.prompt + e.completion for e in rows),
                   cost_usd=float(sum((e.cost for e in rows), Decimal(0))),
                   latency_ms_sum=sum(e.latency for e in rows), latency_ms_max=max((e.latency for e in rows), default=0))
    else:
        out.update(duration_ms_sum=sum(duration_ms(e) for e in rows),
                   duration_ms_max=max((duration_ms(e) for e in rows), default=0))
    return out


def expected(executions: Iterable[Execution], user_id: uuid.UUID, since: date, until: date,
             agent_id: uuid.UUID | None = None, workflow_id: uuid.UUID | None = None) -> dict[str, Any]:
    """{"agents"|"workflows": {"total": {...}, "daily": [{date, ...}, ...]}} as the dashboard answers."""
    out: dict[str, Any] = {}
    for kind, side, chosen in (("a", "agents", agent_id), ("w", "workflows", workflow_id)):
        rows = [e for e in executions if e.kind == kind and e.user_id == user_id and since <= bucket(e.started_at) <= until
                and (chosen is None or e.subject == chosen)]
        days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
        out[side] = {
            "total": _totals(rows, kind),
            "daily": [{"date": d, **_totals([e for e in rows if bucket(e.started_at) == d], kind)} for d in days],
        }
    return out


def buckets(executions: Iterable[Execution]) -> dict[tuple[str, uuid.UUID, uuid.UUID, date], dict[str, Any]]:
    """What each roll-up row must hold once every mark is rolled up: {(kind, user, subject, day): totals}."""
    groups: dict[tuple[str, uuid.UUID, uuid.UUID, date], list[Execution]] = {}
    for e in executions:
        groups.setdefault((e.kind, e.user_id, e.subject, bucket(e.started_at)), []).append(e)
    return {key: _totals(rows, key[0]) for key, rows in groups.items()}


def actual(dashboard: Any) -> dict[str, Any]:
    """The dashboard struct in the oracle's shape."""
    import msgspec

    doc = msgspec.to_builtins(dashboard)
    out = {}
    for side in ("agents", "workflows"):
        total = {k: v for k, v in doc[side]["total"].items() if k != "date"}
        daily = [{**d, "date": date.fromisoformat(d["date"])} for d in doc[side]["daily"]]
        out[side] = {"total": total, "daily": daily}
    return out
