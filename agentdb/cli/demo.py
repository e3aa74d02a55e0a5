"""`agentdb demo` (what `make run` runs): migrate, load the demo data once, print a token, serve."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from agentdb.cli import serve
from agentdb.cli.common import DATABASE_HELP, check_reachable, command, dsn, positive, require_free_port


def cmd_demo(args: argparse.Namespace) -> int:
    from agentdb import demo, migrate

    if not args.no_serve:  # before anything else: a taken port must not cost a migration and a token
        require_free_port(args.host, serve.listen_port(args))
    target = dsn()
    check_reachable(target)
    applied = migrate.apply(target)
    print(f"migrations applied: {len(applied)}", flush=True)
    info = asyncio.run(demo.load(target, executions=args.executions))
    base = f"http://{args.host}:{serve.listen_port(args)}{serve.API_PREFIX}"
    print(demo.instructions(base, info.token, info.workflow_id), flush=True)
    if args.no_serve:
        return 0
    return serve.run(args, target)


def register(sub: Any) -> None:
    p = command(sub, "demo", cmd_demo, help="migrate, load demo data once, print a token and curl lines, serve",
                description="What `make run` runs. Checks that the port is free first; then migrates, loads "
                            "the demo data once (user demo@agentdb.local, a 50-node workflow, executions), "
                            "revokes the previous demo token and prints a new one with curl lines for the "
                            "demo workflow, and serves. When DATABASE_URL is unset the embedded PostgreSQL "
                            "is started, and stopped on exit (Ctrl-C or SIGTERM) unless another process "
                            "still uses it. " + DATABASE_HELP)
    serve.add_listen_options(p)
    p.add_argument("--workers", type=positive, default=serve.DEFAULT_WORKERS,
                   help="worker processes (default: one per core, at most 4: %(default)s here)")
    p.add_argument("--executions", type=positive, default=2000,
                   help="workflow executions to generate on the first load")
    p.add_argument("--no-serve", action="store_true", help="load and print, do not serve")
