"""A scheduler for those without cron: the memory cleanup daily at a local time, roll-ups every few minutes.

Each due run is claimed in the database first (job_runs, migration 0016): of any
number of schedulers, the one whose claim lands runs it, the others skip that slot;
the job's advisory lock then keeps a run that is still going from being started
again by the next slot or by a manual `agentdb jobs NAME`. Jobs run as tasks, so a
long cleanup never delays a roll-up. A run's report (or its error) is recorded with
its claim. Missed slots (the scheduler was down) are not made up: the next one runs.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jobs import memory_cleanup, stats_rollup
from jobs.progress import plain
from jobs.settings import JobSettings
from repositories.database import Database
from repositories.jobs import JobRepository

Log = Callable[[str], None]
JOBS: tuple[str, ...] = (memory_cleanup.NAME, stats_rollup.NAME)


def next_daily(after: datetime, at: time, timezone: str | None) -> datetime:
    """The first instant strictly after `after` whose local time (in `timezone`, else the
    system's own, DST included) is `at`; in UTC."""
    zone = ZoneInfo(timezone) if timezone else None
    local_day = after.astimezone(zone).date() if zone else after.astimezone().date()
    for offset in range(3):
        day = local_day + timedelta(days=offset)
        candidate = _local(day, at, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a day has a 24-hour successor")


def _local(day: date, at: time, zone: ZoneInfo | None) -> datetime:
    naive = datetime.combine(day, at)
    # A naive datetime's astimezone() reads it as the system's local time.
    return (naive.replace(tzinfo=zone) if zone else naive.astimezone()).astimezone(UTC)


def next_every(after: datetime, every_s: int) -> datetime:
    """The first multiple of `every_s` seconds since the epoch strictly after `after` (so every
    scheduler computes the same slots)."""
    epoch = after.timestamp()
    return datetime.fromtimestamp((math.floor(epoch / every_s) + 1) * every_s, UTC)


class Scheduler:
    """Runs the jobs at their slots until `stop` is set; `runner` names this process in job_runs."""

    def __init__(self, db: Database, settings: JobSettings, *, log: Log = print, runner: str | None = None) -> None:
        self.db = db
        self.settings = settings
        self.log = log
        self.runner = runner or f"{socket.gethostname()}:{os.getpid()}"
        self.runs = JobRepository(db)
        self.tasks: set[asyncio.Task[None]] = set()

    def next_slot(self, job: str, after: datetime) -> datetime:
        if job == memory_cleanup.NAME:
            return next_daily(after, self.settings.cleanup_at, self.settings.timezone)
        return next_every(after, self.settings.rollup_every_s)

    def _job(self, job: str) -> Callable[[], Awaitable[Any]]:
        s = self.settings
        if job == memory_cleanup.NAME:
            return lambda: memory_cleanup.run(self.db, policy=s.retention, batch=s.cleanup_batch)
        return lambda: stats_rollup.run(self.db, batch=s.rollup_batch)

    async def run_slot(self, job: str, slot: datetime) -> None:
        """Claim and run one slot of `job`; skip it if another scheduler claimed it."""
        stamp = slot.isoformat(timespec="seconds")
        try:
            if not await self.runs.claim(job=job, slot=slot, runner=self.runner):
                self.log(f"{stamp} {job}: claimed by another scheduler")
                return
            try:
                report = await self._job(job)()
            except Exception as exc:  # recorded, and the schedule goes on
                await self.runs.finish(job=job, slot=slot, outcome={"error": f"{type(exc).__name__}: {exc}"})
                self.log(f"{stamp} {job}: failed: {type(exc).__name__}: {exc}")
                return
            await self.runs.finish(job=job, slot=slot, outcome=plain(report))
            self.log(f"{stamp} {report.summary()}")
        except Exception as exc:  # the claim or the record failed (database away): next slot
            self.log(f"{stamp} {job}: not run: {type(exc).__name__}: {exc}")

    async def run(self, stop: asyncio.Event) -> None:
        """Sleep until the earliest due slot, start its job as a task, repeat; on `stop`, cancel
        the running jobs (a cancelled batch rolls back) and return."""
        now = datetime.now(UTC)
        due = {job: self.next_slot(job, now) for job in JOBS}
        for job, slot in due.items():
            self.log(f"{job}: next at {slot.astimezone().isoformat(timespec='seconds')}")
        try:
            while not stop.is_set():
                job = min(due, key=lambda name: due[name])
                wait = (due[job] - datetime.now(UTC)).total_seconds()
                if wait > 0:
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=min(wait, 60))
                    except TimeoutError:
                        pass
                    continue  # re-read the clock (a suspended machine, a clock step)
                task = asyncio.create_task(self.run_slot(job, due[job]))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
                due[job] = self.next_slot(job, max(due[job], datetime.now(UTC)))  # missed slots: skipped
        finally:
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
