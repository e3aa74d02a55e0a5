"""What the jobs are told: the retention policy, batch sizes, timeouts, the schedule (AGENTDB_* in agentdb.config)."""

from __future__ import annotations

from datetime import time
from typing import Annotated

import msgspec
from msgspec import Meta

from repositories.memories import RetentionPolicy

Positive = Annotated[int, Meta(ge=1)]


class JobSettings(msgspec.Struct, frozen=True, kw_only=True):
    # The memory cleanup's defaults (an agent's configuration {"memory": {...}} overrides them).
    retention: RetentionPolicy = RetentionPolicy()
    # Rows per rule per cleanup transaction; dirty marks per roll-up transaction.
    cleanup_batch: Positive = 1000
    rollup_batch: Positive = 2000
    # Each job transaction gives up waiting for a lock after this (it never waits on rows: SKIP LOCKED).
    lock_timeout_ms: Positive = 200
    statement_timeout_ms: Positive = 60_000
    # The schedule: cleanup daily at this local time (in `timezone`, else the system's), roll-ups every N seconds.
    cleanup_at: time = time(3, 0)
    rollup_every_s: Positive = 300
    timezone: str | None = None


def parse_time_of_day(value: str) -> time:
    """"03:00" or "03:00:30" as a time of day (ValueError otherwise)."""
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a time of day HH:MM[:SS]: {value!r}")
    return time(*(int(p) for p in parts))
