"""Statistics roll-ups: recompute every dirty daily bucket from the raw rows (migration 0011).

Writes of executions and metrics mark their bucket (user, agent or workflow, UTC
day) dirty in their own transaction. A run visits the users with marks, and for
each takes a batch of marks at a time and recomputes those buckets whole, in one
statement (sql/stats/rollup_*_buckets.sql): so running it twice, or again after a
crash halfway, gives the same totals as once, and an execution finishing days
later only marks its old bucket again. `rebuild` first marks every bucket of every
user (after a load that skipped triggers, a TRUNCATE, a restore).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

import msgspec

from jobs.progress import Tick, count, rate
from repositories.database import Database
from repositories.jobs import JobRepository
from repositories.stats import SIDES, Rolled, StatsRepository

NAME = "rollup"


class RollupReport(msgspec.Struct, frozen=True, kw_only=True):
    """A whole run: marks consumed, buckets recomputed, roll-up rows written (changed) and emptied."""

    users: int = 0
    marks: int = 0
    buckets: int = 0
    written: int = 0
    emptied: int = 0
    batches: int = 0
    marked: int = 0  # buckets a rebuild marked first
    seconds: float = 0.0
    skipped: bool = False  # another process was running this job

    def summary(self) -> str:
        if self.skipped:
            return f"{NAME}: skipped, already running elsewhere"
        rebuilt = f"marked {count(self.marked)} buckets, " if self.marked else ""
        return (f"{NAME}: {rebuilt}recomputed {count(self.buckets)} buckets from {count(self.marks)} marks "
                f"({count(self.written)} rows written, {count(self.emptied)} emptied) for {count(self.users)} users "
                f"in {count(self.batches)} batches, {self.seconds:.1f} s, {rate(self.buckets, self.seconds)}")


def _add(a: Rolled, b: Rolled) -> Rolled:
    return Rolled(a.marks + b.marks, a.buckets + b.buckets, a.written + b.written, a.emptied + b.emptied)


async def rollup_user(
    stats: StatsRepository, *, user_id: UUID, batch: int, after_batch: Callable[[Rolled], None] | None = None
) -> tuple[Rolled, int]:
    """Roll up one user's marks, both sides, batch by batch until a batch takes fewer than `batch`
    marks (what is marked after that is the next run's). Each batch is one transaction."""
    total, batches = Rolled(), 0
    for side in SIDES:
        while True:
            rolled = await stats.rollup_batch(user_id=user_id, side=side, batch=batch)
            total, batches = _add(total, rolled), batches + 1
            if after_batch is not None:
                after_batch(rolled)
            if rolled.marks < batch:
                break
    return total, batches


async def _rebuild_marks(db: Database, stats: StatsRepository, tick: Tick | None) -> int:
    users = JobRepository(db)
    marked = 0
    page = await users.users_page()
    while page:
        for user_id in page:
            done = await stats.mark_user_buckets(user_id=user_id)
            marked += done.agent_buckets + done.workflow_buckets
            if tick is not None:
                tick(f"marking: {count(marked)} buckets")
        page = await users.users_page(after=page[-1])
    return marked


async def run(
    db: Database, *, batch: int = 2000, rebuild: bool = False, tick: Tick | None = None,
    after_batch: Callable[[Rolled], None] | None = None,
) -> RollupReport:
    """Roll up every user's dirty buckets (on a pool of the jobs role). Skipped if already running.
    `after_batch` is called after each committed batch (a test stops a run halfway with it)."""
    started = time.perf_counter()
    stats = StatsRepository(db)
    total, users, batches = Rolled(), 0, 0
    async with JobRepository(db).exclusive(NAME) as held:
        if not held:
            return RollupReport(skipped=True)
        marked = await _rebuild_marks(db, stats, tick) if rebuild else 0
        page = await stats.users_with_marks()
        while page:
            for user_id in page:
                rolled, n = await rollup_user(stats, user_id=user_id, batch=batch, after_batch=after_batch)
                total, users, batches = _add(total, rolled), users + 1, batches + n
                if tick is not None:
                    tick(f"{count(users)} users, {count(total.buckets)} buckets")
            page = await stats.users_with_marks(after=page[-1])
    return RollupReport(users=users, marks=total.marks, buckets=total.buckets, written=total.written,
                        emptied=total.emptied, batches=batches, marked=marked, seconds=time.perf_counter() - started)
