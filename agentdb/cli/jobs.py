"""`agentdb jobs ...`: the background jobs (jobs/), on a pool of the jobs role with the jobs' own timeouts.

The subcommands and their options are jobs.cli's (so the jobs stay runnable from any
script that has a Database); this module opens the pool and gives each subcommand
its description and the one-line error prefix of the other commands.
"""

from __future__ import annotations

import argparse
import asyncio
import textwrap
from typing import Any

from agentdb.cli.common import DATABASE_HELP, HelpFormatter, check_reachable, command, dsn, settings


def cmd_jobs(args: argparse.Namespace) -> int:
    """`agentdb jobs NAME`: a job of jobs/ on a pool of the jobs role, with the jobs' own timeouts."""
    import msgspec

    import jobs.cli
    from agentdb.pool import JOBS_ROLE, database

    current = settings()
    target = dsn(current)
    check_reachable(target, role=JOBS_ROLE if current.switch_role else None)
    timeouts = msgspec.structs.replace(
        current, database_url=target,
        lock_timeout_ms=current.jobs.lock_timeout_ms, statement_timeout_ms=current.jobs.statement_timeout_ms,
        deadline_s=current.jobs.statement_timeout_ms / 1000 + 5, pool_timeout_s=max(current.pool_timeout_s, 10.0),
    )

    async def run() -> int:
        # One connection holds each running job's advisory lock; the others run its batches.
        async with database(timeouts, role=JOBS_ROLE, min_size=1, max_size=4) as db:
            return await jobs.cli.main(args, db, current.jobs)

    return asyncio.run(run())


def register(sub: Any) -> None:
    from jobs.cli import add_arguments

    p = command(sub, "jobs", cmd_jobs, help="run a job (memory-cleanup, rollup), the schedule, or show their status",
                description="The background jobs: the memory cleanup, the statistics roll-up, the schedule "
                            "that runs both, and their status. They run as agentdb_jobs with their own "
                            "timeouts (AGENTDB_JOBS_*), and a job already running elsewhere is skipped. "
                            + DATABASE_HELP)
    add_arguments(p)
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                child.description = textwrap.fill(f"{helps.get(name, name).capitalize()}. {DATABASE_HELP}", 100)
                child.formatter_class = HelpFormatter
                child.set_defaults(prog=child.prog)
