"""The `agentdb` command: migrate, serve, demo, users, sql, bench."""

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
    import uvicorn

    settings = config.from_env()
    if not settings.database_url:
        print("agentdb serve: DATABASE_URL is not set (use `agentdb demo` for the embedded database)", file=sys.stderr)
        return 2
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
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
    os.environ["DATABASE_URL"] = dsn
    return cmd_serve(args)


def cmd_users_create(args: argparse.Namespace) -> int:
    from repositories import UserRepository

    async def create() -> str:
        async with _database() as db:
            _, token = await UserRepository(db).create(email=args.email, token_name=args.token_name)
            return token

    print(asyncio.run(create()))
    return 0


def _database():  # type: ignore[no-untyped-def]
    from contextlib import asynccontextmanager

    from agentdb.pool import open_pool
    from repositories import Database

    @asynccontextmanager
    async def scope():  # type: ignore[no-untyped-def]
        settings = config.from_env()
        pool = await open_pool(config.resolve_dsn(settings), settings, min_size=1, max_size=2)
        try:
            yield Database(pool)
        finally:
            await pool.close()

    return scope()


def cmd_sql_check(args: argparse.Namespace) -> int:
    from agentdb.sqlcheck import main as check_main

    return check_main(fix=False)


def cmd_sql_plans(args: argparse.Namespace) -> int:
    from agentdb.plans import main as plans_main

    return plans_main(check=args.check, scale=args.scale)


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.__main__ import main as bench_main

    return bench_main(args.rest)


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

    sql = sub.add_parser("sql", help="SQL review tools").add_subparsers(dest="sql_command", required=True)
    p = sql.add_parser("check", help="parse, lint and cover every sql/ file; lint migrations")
    p.set_defaults(func=cmd_sql_check)
    p = sql.add_parser("plans", help="write sql/plans/ from EXPLAIN on generated data")
    p.add_argument("--check", action="store_true", help="fail when the committed plans differ")
    p.add_argument("--scale", default="PLANS")
    p.set_defaults(func=cmd_sql_plans)

    p = sub.add_parser("bench", help="benchmarks (see bench/README.md)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
