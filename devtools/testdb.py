"""Throwaway databases on a server: the one fixture behind tests, plans and benchmarks.

`scratch_database(server_dsn)` creates a database with a unique name, yields its
DSN, and drops it afterwards (FORCE: connections left open by a failed test do
not keep it alive), so a shared server's leftovers never matter.

On a Citus coordinator (the citus extension installed in the server DSN's
database, workers in its pg_dist_node) the database is created on every worker
too, with the extension, and the workers are registered in it: `agentdb migrate`
then distributes its tables (migration 0031), as on a production cluster.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from devtools import statement
from repositories.database import run_sync


def with_database(dsn: str, dbname: str) -> str:
    """`dsn` pointing at another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + dbname))


def with_host(dsn: str, host: str, port: int) -> str:
    """`dsn` pointing at another server (same user and database)."""
    parts = urlsplit(dsn)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}:{port}"))


def citus_workers(conn: psycopg.Connection) -> list[tuple[str, int]]:
    """The workers of the Citus coordinator `conn` is on; empty without citus."""
    if not run_sync(conn, statement("citus.installed")())[0][0]:
        return []
    return [(str(host), int(port)) for host, port in run_sync(conn, statement("citus.workers")())]


def _create(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        # DDL on a database name: an identifier, composed safely (no user input).
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(server_dsn: str, prefix: str = "agentdb_test") -> Iterator[str]:
    """A fresh, empty database on the server of `server_dsn` (every node of a Citus cluster), dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        workers = citus_workers(admin)
    nodes = [with_host(server_dsn, host, port) for host, port in workers]
    made: list[str] = []
    try:
        for node in [server_dsn, *nodes]:
            _create(node, name)
            made.append(node)
        if workers:
            for node in nodes:
                with psycopg.connect(with_database(node, name), autocommit=True) as conn:
                    run_sync(conn, statement("citus.create_extension")())
            parts = urlsplit(server_dsn)
            with psycopg.connect(with_database(server_dsn, name), autocommit=True) as conn:
                run_sync(conn, statement("citus.create_extension")())
                run_sync(conn, statement("citus.set_coordinator_host")(host=parts.hostname or "127.0.0.1",
                                                                        port=parts.port or 5432))
                for host, port in workers:
                    run_sync(conn, statement("citus.add_node")(host=host, port=port))
        yield with_database(server_dsn, name)
    finally:
        for node in reversed(made):
            _drop(node, name)
