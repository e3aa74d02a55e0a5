"""Memory cleanup: delete the memories the retention policy removes, user by user, in bounded batches.

Rules (sql/memories/cleanup_batch.sql): expired (expires_at passed); idle (not read
for `idle_days`); over_limit (beyond the `max_per_session` newest of an agent's
session). An agent's configuration {"memory": {"idle_days": .., "max_per_session": ..}}
overrides the defaults; 0 switches a rule off. Each batch is one short transaction
that deletes at most `batch` rows per rule and skips rows other transactions hold,
so readers and writers of memories are never blocked; a run is idempotent (a second
run finds nothing more to delete). `dry_run` deletes nothing and counts everything.
"""

from __future__ import annotations

import time
from uuid import UUID

from jobs.progress import Tick, count, rate
from repositories.database import Database
from repositories.jobs import JobRepository
from repositories.memories import MemoryRepository, Removed, RetentionPolicy, RuleCounts

NAME = "memory-cleanup"
# A user whose batches keep finding locked rows is left for the next run after this many.
MAX_BATCHES_PER_USER = 10_000


class UserCleanup(RuleCounts, frozen=True):
    """One user's cleanup: rows removed per rule, batches sent, and whether it finished."""

    batches: int = 0
    complete: bool = True


class CleanupReport(RuleCounts, frozen=True, kw_only=True):
    """A whole run: rows removed per rule (or that would be, in a dry run), users, batches, time."""

    users: int = 0
    batches: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    skipped: bool = False  # another process was running this job

    def summary(self) -> str:
        if self.skipped:
            return f"{NAME}: skipped, already running elsewhere"
        verb = "would remove" if self.dry_run else "removed"
        return (f"{NAME}: {verb} {count(self.total)} memories (expired {count(self.expired)}, idle "
                f"{count(self.idle)}, over limit {count(self.over_limit)}) of {count(self.users)} users in "
                f"{count(self.batches)} batches, {self.seconds:.1f} s, {rate(self.total, self.seconds)}")


async def cleanup_user(
    memories: MemoryRepository, *, user_id: UUID, policy: RetentionPolicy, batch: int, dry_run: bool = False,
    max_batches: int = MAX_BATCHES_PER_USER,
) -> UserCleanup:
    """Apply the policy to one user's memories: batch after batch, each its own transaction, until no
    rule fills its batch (or a batch removes nothing: what is left is locked by others, for next time).
    A dry run is one statement that counts every candidate."""
    if dry_run:
        found = await memories.cleanup_batch(user_id=user_id, policy=policy, batch=None, dry_run=True)
        return UserCleanup(found.expired, found.idle, found.over_limit, batches=1)
    totals = Removed()
    batches = 0
    while True:
        removed = await memories.cleanup_batch(user_id=user_id, policy=policy, batch=batch)
        batches += 1
        totals = Removed(totals.expired + removed.expired, totals.idle + removed.idle,
                         totals.over_limit + removed.over_limit)
        if not removed.more or removed.total == 0:
            return UserCleanup(totals.expired, totals.idle, totals.over_limit, batches, complete=not removed.more)
        if batches >= max_batches:
            return UserCleanup(totals.expired, totals.idle, totals.over_limit, batches, complete=False)


async def run(
    db: Database, *, policy: RetentionPolicy = RetentionPolicy(), batch: int = 1000, dry_run: bool = False,
    tick: Tick | None = None,
) -> CleanupReport:
    """Clean up every user's memories (on a pool of the jobs role). Skipped if already running."""
    started = time.perf_counter()
    memories = MemoryRepository(db)
    expired = idle = over_limit = users = batches = 0
    async with JobRepository(db).exclusive(NAME) as held:
        if not held:
            return CleanupReport(skipped=True, dry_run=dry_run)
        page = await memories.users_page()
        while page:
            for user_id in page:
                done = await cleanup_user(memories, user_id=user_id, policy=policy, batch=batch, dry_run=dry_run)
                expired, idle, over_limit = expired + done.expired, idle + done.idle, over_limit + done.over_limit
                users, batches = users + 1, batches + done.batches
                if tick is not None:
                    tick(f"{count(users)} users, {count(expired + idle + over_limit)} memories")
            page = await memories.users_page(after=page[-1])
    return CleanupReport(expired=expired, idle=idle, over_limit=over_limit, users=users, batches=batches,
                         seconds=time.perf_counter() - started, dry_run=dry_run)
