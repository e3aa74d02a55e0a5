"""JobRepository: what jobs share: one advisory lock per job, scheduled runs claimed once, users in steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import msgspec
import psycopg
from psycopg.types.json import Jsonb

from repositories import errors
from repositories.database import Database, translate
from repositories.sql import Call, statement

_TRY_LOCK = statement("jobs.try_lock")
_UNLOCK = statement("jobs.unlock")
_CLAIM_RUN = statement("jobs.claim_run")
_FINISH_RUN = statement("jobs.finish_run")
_RECENT_RUNS = statement("jobs.recent_runs")
_USERS_PAGE = statement("jobs.users_page")

NO_USER: Final = UUID(int=0)


class Run(msgspec.Struct, frozen=True):
    """One scheduled run (migration 0016)."""

    job: str
    slot: datetime
    runner: str
    started_at: datetime
    finished_at: datetime | None
    outcome: Any


async def _scalar(conn: psycopg.AsyncConnection[Any], call: Call) -> Any:
    cur = await conn.execute(call.statement.text, call.params)
    row = await cur.fetchone()
    return None if row is None else row[0]


class JobRepository:
    """Runs on a pool of the jobs role (agentdb_jobs): nothing here is one user's."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """Hold job `name`'s session advisory lock for the block, on a pooled connection kept for it:
        yields True, or False at once when another session (another process) holds it.

        The lock is the session's, not a transaction's, so it spans every batch the job
        runs on the pool's other connections, and it goes with the connection if the
        process dies. The connection never returns to the pool still holding it: if the
        unlock cannot be confirmed, the connection is closed instead.
        """
        try:
            async with self.db.pool.connection() as conn:
                locked = bool(await _scalar(conn, _TRY_LOCK(name=name)))
                try:
                    yield locked
                finally:
                    if locked:
                        try:
                            unlocked = await _scalar(conn, _UNLOCK(name=name))
                        except BaseException:
                            unlocked = False
                        if not unlocked:
                            await conn.close()
        except psycopg.Error as exc:
            raise translate(exc) or exc from exc
        except TimeoutError as exc:
            raise errors.Unavailable("no database connection for the job's lock; retry shortly") from exc

    async def claim(self, *, job: str, slot: datetime, runner: str) -> bool:
        """Claim the run of `job` for `slot`: True for exactly one caller, across processes. 1 round trip."""
        row = await self.db.row(_CLAIM_RUN(job=job, slot=slot, runner=runner))
        return bool(row[0])

    async def finish(self, *, job: str, slot: datetime, outcome: Any) -> None:
        """Record a claimed run's end and outcome (JSON). 1 round trip."""
        await self.db.row(_FINISH_RUN(job=job, slot=slot, outcome=Jsonb(outcome)))

    async def recent_runs(self, *, jobs: list[str], limit: int = 5) -> list[Run]:
        """The latest `limit` runs of each of `jobs`, newest first. 1 round trip."""
        rows = await self.db.rows(_RECENT_RUNS(jobs=jobs, limit=limit))
        return [msgspec.json.decode(row[0], type=Run) for row in rows]

    async def users_page(self, *, after: UUID = NO_USER, limit: int = 500) -> list[UUID]:
        """User ids after `after`, in id order (every user, a step at a time). 1 round trip."""
        return [row[0] for row in await self.db.rows(_USERS_PAGE(after=after, limit=limit))]
