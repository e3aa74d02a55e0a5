"""Throwaway databases on a server: the one fixture behind tests, plans and benchmarks.

`scratch_database(server_dsn)` creates a database with a unique name, yields its
DSN, and drops it afterwards (FORCE: connections left open by a failed test do
not keep it alive), so a shared server's leftovers never matter.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def with_database(dsn: str, dbname: str) -> str:
    """`dsn` pointing at another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + dbname))


@contextmanager
def scratch_database(server_dsn: str, prefix: str = "agentdb_test") -> Iterator[str]:
    """A fresh, empty database on the server of `server_dsn`, dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        # DDL on a database name: an identifier, composed safely (no user input).
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server_dsn, name)
    finally:
        with psycopg.connect(server_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
