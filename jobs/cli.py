"""`agentdb jobs ...`: the subcommands' arguments, and running one on a Database of the jobs role.

agentdb/cli.py opens the pool (settings, role) and calls `main`; this module only
knows the jobs, so the jobs stay runnable from any script that has a Database.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import msgspec

from jobs import memory_cleanup, stats_rollup
from jobs.progress import bar
from jobs.schedule import JOBS, Scheduler
from jobs.settings import JobSettings, parse_time_of_day
from repositories.database import Database
from repositories.jobs import JobRepository
from repositories.stats import StatsRepository


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `agentdb jobs` subcommands."""
    sub = parser.add_subparsers(dest="job", required=True)
    p = sub.add_parser(memory_cleanup.NAME, help="delete expired, idle and over-limit memories of every user")
    p.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    p.add_argument("--batch", type=int, help="rows per rule per transaction (AGENTDB_CLEANUP_BATCH)")
    p = sub.add_parser(stats_rollup.NAME, help="roll the dirty daily statistics buckets up")
    p.add_argument("--rebuild", action="store_true", help="mark every bucket dirty first (after a bulk load)")
    p.add_argument("--batch", type=int, help="dirty marks per transaction (AGENTDB_ROLLUP_BATCH)")
    p = sub.add_parser("schedule", help="run the cleanup daily and the roll-ups every few minutes, until stopped")
    p.add_argument("--cleanup-at", type=parse_time_of_day, help="local time HH:MM[:SS] (AGENTDB_CLEANUP_AT)")
    p.add_argument("--rollup-every", type=int, metavar="SECONDS", help="(AGENTDB_ROLLUP_EVERY_S)")
    p.add_argument("--timezone", help="IANA zone of --cleanup-at (AGENTDB_JOBS_TZ; default: the system's)")
    sub.add_parser("status", help="the latest runs of each job and the roll-up backlog")


def with_arguments(settings: JobSettings, args: argparse.Namespace) -> JobSettings:
    """`settings` with what the command line overrides."""
    changes = {
        "cleanup_batch": getattr(args, "batch", None) if args.job == memory_cleanup.NAME else None,
        "rollup_batch": getattr(args, "batch", None) if args.job == stats_rollup.NAME else None,
        "cleanup_at": getattr(args, "cleanup_at", None),
        "rollup_every_s": getattr(args, "rollup_every", None),
        "timezone": getattr(args, "timezone", None),
    }
    return msgspec.structs.replace(settings, **{k: v for k, v in changes.items() if v is not None})


async def main(args: argparse.Namespace, db: Database, settings: JobSettings) -> int:
    """Run the job `args.job` names; print one summary line at the end (0: done or skipped)."""
    settings = with_arguments(settings, args)
    if args.job == memory_cleanup.NAME:
        with bar(memory_cleanup.NAME) as tick:
            report = await memory_cleanup.run(db, policy=settings.retention, batch=settings.cleanup_batch,
                                              dry_run=args.dry_run, tick=tick)
        print(report.summary(), flush=True)
        return 0
    if args.job == stats_rollup.NAME:
        with bar(stats_rollup.NAME) as tick:
            rolled = await stats_rollup.run(db, batch=settings.rollup_batch, rebuild=args.rebuild, tick=tick)
        print(rolled.summary(), flush=True)
        return 0
    if args.job == "status":
        return await _status(db)
    return await _schedule(db, settings)


async def _status(db: Database) -> int:
    for run in await JobRepository(db).recent_runs(jobs=list(JOBS), limit=3):
        took = f"{(run.finished_at - run.started_at).total_seconds():.1f} s" if run.finished_at else "running"
        print(f"{run.job:<15} {run.slot.astimezone().isoformat(timespec='seconds')}  {took:>9}  {run.runner}  "
              f"{msgspec.json.encode(run.outcome).decode() if run.outcome is not None else ''}")
    backlog = await StatsRepository(db).backlog()
    print(f"rollup backlog: {backlog.agent_marks:,} agent marks, {backlog.workflow_marks:,} workflow marks, "
          f"oldest {backlog.oldest_mark_at or '-'}", flush=True)
    return 0


async def _schedule(db: Database, settings: JobSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"schedule: {memory_cleanup.NAME} daily at {settings.cleanup_at.isoformat()} "
          f"({settings.timezone or 'local time'}), {stats_rollup.NAME} every {settings.rollup_every_s} s; "
          "Ctrl-C stops", flush=True)
    await Scheduler(db, settings, log=lambda line: print(line, flush=True)).run(stop)
    print("schedule: stopped", flush=True)
    return 0
