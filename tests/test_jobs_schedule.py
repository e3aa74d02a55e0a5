"""The scheduler: slots every scheduler computes alike, and two schedulers started at once run each
job once per slot (claimed in job_runs), across processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

import psycopg

from devtools import ROOT
from jobs import memory_cleanup, stats_rollup
from jobs.schedule import next_daily, next_every
from repositories import Database
from repositories.jobs import JobRepository


def test_interval_slots_are_the_same_for_every_scheduler() -> None:
    at = datetime(2026, 3, 1, 12, 4, 59, 999999, tzinfo=UTC)
    assert next_every(at, 300) == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    assert next_every(datetime(2026, 3, 1, 12, 5, tzinfo=UTC), 300) == datetime(2026, 3, 1, 12, 10, tzinfo=UTC)


def test_daily_slots_follow_local_time_across_daylight_saving() -> None:
    zone = "Europe/Berlin"  # 03:00 local: 02:00 UTC in winter, 01:00 UTC in summer
    before = datetime(2026, 3, 28, 12, tzinfo=UTC)
    first = next_daily(before, clock(3), zone)
    assert first == datetime(2026, 3, 29, 1, tzinfo=UTC)  # the night the clocks go forward
    assert next_daily(first, clock(3), zone) == datetime(2026, 3, 30, 1, tzinfo=UTC)
    assert next_daily(datetime(2026, 1, 10, 1, 59, tzinfo=UTC), clock(3), zone) == datetime(2026, 1, 10, 2, tzinfo=UTC)
    local = next_daily(before, clock(3), None)  # the system's zone
    assert local > before and local.astimezone().time() == clock(3)


def test_two_schedulers_started_at_once_run_each_job_once(dsn: str, db: Database) -> None:
    cleanup_at = (datetime.now() + timedelta(seconds=4)).time().replace(microsecond=0)
    env = {**os.environ, "DATABASE_URL": dsn, "AGENTDB_ROLLUP_EVERY_S": "1",
           "AGENTDB_CLEANUP_AT": cleanup_at.isoformat(), "AGENTDB_JOBS_TZ": ""}
    procs = [subprocess.Popen([sys.executable, "-m", "agentdb.cli", "jobs", "schedule"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(7)
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    outs = [proc.communicate(timeout=30) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outs
    ran: dict[tuple[str, str], int] = {}
    claimed: dict[tuple[str, str], int] = {}
    for out, _ in outs:
        assert out.strip().endswith("schedule: stopped"), out
        for stamp, job, rest in re.findall(r"^(\S+) (memory-cleanup|rollup): (.*)$", out, re.M):
            target = claimed if rest.startswith("claimed by another") else ran
            target[(job, stamp)] = target.get((job, stamp), 0) + 1
    assert all(n == 1 for n in ran.values()), (ran, outs)  # no slot ran twice
    assert all(key in ran for key in claimed), (claimed, ran)  # a slot claimed elsewhere ran there
    cleanup_runs = [key for key in ran if key[0] == memory_cleanup.NAME]
    rollup_runs = [key for key in ran if key[0] == stats_rollup.NAME]
    assert len(cleanup_runs) == 1, outs
    assert len(rollup_runs) >= 3, outs
    assert claimed, outs  # both schedulers did race for the same slots


async def test_a_slot_is_claimed_once(jobs_pool: Any, db: Database) -> None:
    runs = JobRepository(Database(jobs_pool))
    slot = datetime(2026, 3, 1, 3, tzinfo=UTC)
    assert await runs.claim(job="rollup", slot=slot, runner="a:1")
    assert not await runs.claim(job="rollup", slot=slot, runner="b:2")
    await runs.finish(job="rollup", slot=slot, outcome={"buckets": 3})
    (run,) = await runs.recent_runs(jobs=["rollup", "memory-cleanup"])
    assert run.runner == "a:1" and run.outcome == {"buckets": 3} and run.finished_at is not None
