"""`agentdb serve`: the HTTP API."""

from __future__ import annotations

import argparse
import os
from typing import Any

from agentdb import config
from agentdb.cli.common import (
    DATABASE_HELP,
    check_reachable,
    command,
    dsn,
    port,
    positive,
    require_free_port,
    version,
)

API_PREFIX = "/api/agent-builder"  # api.app.API_PREFIX (the runtime does not import the API to say so)
# One worker process per core, up to 4: on 2 cores, 2 workers served 8-64 % more requests a second
# than 1 from 64 to 500 clients (bench/README.md, "Concurrency curve"). Each worker opens up to
# AGENTDB_POOL_MAX connections (and one LISTEN): 4 x 11 stays well inside PostgreSQL's default
# max_connections of 100; past 4, size the pool and the server together (--workers).
DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)


def add_listen_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=port, help="port to listen on (default: PORT, else 8000)")


def listen_port(args: argparse.Namespace) -> int:
    """--port, else PORT, else 8000 (ConfigError for a PORT that is not a port)."""
    if args.port is None:
        args.port = config.port_from_env()
    return int(args.port)


def run(args: argparse.Namespace, target: str) -> int:
    """Serve the API on args.host:args.port against `target`, saying where first."""
    import msgspec

    from agentdb.server import serve

    base = f"http://{args.host}:{args.port}"
    print(f"serving the agentdb {version()} API on {base}{API_PREFIX} (OpenAPI: {base}/schema), "
          f"{args.workers} worker(s)", flush=True)
    print(f"database: {config.redacted(target)}; Ctrl-C to stop", flush=True)
    settings = msgspec.structs.replace(config.from_env(), database_url=target)
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    require_free_port(args.host, listen_port(args))
    config.from_env()  # a bad setting fails here, not in each worker
    target = dsn()
    check_reachable(target)
    return run(args, target)


def register(sub: Any) -> None:
    p = command(sub, "serve", cmd_serve, help="serve the HTTP API (touches no data)",
                description="Serve the HTTP API with uvicorn. Prints where it listens and which database "
                            "it uses (password hidden) before serving. " + DATABASE_HELP)
    add_listen_options(p)
    p.add_argument("--workers", type=positive, default=DEFAULT_WORKERS,
                   help="worker processes (default: one per core, at most 4: %(default)s here)")
