"""The `agentdb` command: migrate, serve, demo, users."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from agentdb import config


def _dsn() -> str:
    return config.resolve_dsn(config.from_env())


def cmd_migrate(args: argparse.Namespace) -> int:
    from agentdb import migrate

    dsn = _dsn()
    if args.rollback:
        done = migrate.rollback(dsn, args.rollback)
        print(f"rolled back {len(done)}: {', '.join(done) or '-'}")
    else:
        done = migrate.apply(dsn)
        print(f"applied {len(done)}: {', '.join(done) or 'nothing pending'}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from agentdb.server import serve

    serve(config.from_env(), host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from agentdb import demo, migrate

    dsn = _dsn()
    applied = migrate.apply(dsn)
    print(f"migrations applied: {len(applied)}")
    token = asyncio.run(demo.load(dsn))
    base = f"http://{args.host}:{args.port}/api/agent-builder"
    print(demo.instructions(base, token.token, token.workflow_id))
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_users_create(args: argparse.Namespace) -> int:
    from agentdb.pool import JOBS_ROLE, database
    from repositories import UserRepository

    async def create() -> str:
        async with database(role=JOBS_ROLE, min_size=1, max_size=2) as db:
            _, token = await UserRepository(db).create(email=args.email, token_name=args.token_name)
            return token

    print(asyncio.run(create()))
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    """`agentdb jobs NAME`: a job of jobs/ on a pool of the jobs role, with the jobs' own timeouts."""
    import msgspec

    import jobs.cli
    from agentdb.pool import JOBS_ROLE, database

    settings = config.from_env()
    timeouts = msgspec.structs.replace(
        settings, lock_timeout_ms=settings.jobs.lock_timeout_ms, statement_timeout_ms=settings.jobs.statement_timeout_ms,
        deadline_s=settings.jobs.statement_timeout_ms / 1000 + 5, pool_timeout_s=max(settings.pool_timeout_s, 10.0),
    )

    async def run() -> int:
        # One connection holds each running job's advisory lock; the others run its batches.
        async with database(timeouts, role=JOBS_ROLE, min_size=1, max_size=4) as db:
            return await jobs.cli.main(args, db, settings.jobs)

    return asyncio.run(run())


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="agentdb", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply pending migrations (or roll back the last N)")
    p.add_argument("--rollback", type=int, metavar="N", default=0)
    p.set_defaults(func=cmd_migrate)

    for name, func, helptext in (
        ("serve", cmd_serve, "serve the HTTP API against DATABASE_URL (touches no data)"),
        ("demo", cmd_demo, "migrate, load demo data, print a token and curl lines, serve"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="load and print, do not serve")
        p.set_defaults(func=func)

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("create", help="create a user and print a new bearer token once")
    p.add_argument("email")
    p.add_argument("--token-name", default="cli")
    p.set_defaults(func=cmd_users_create)

    from jobs.cli import add_arguments as add_job_arguments

    p = sub.add_parser("jobs", help="run a job (memory-cleanup, rollup), the schedule, or show their status")
    add_job_arguments(p)
    p.set_defaults(func=cmd_jobs)

    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
