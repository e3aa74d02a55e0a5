"""Serving the API: uvicorn on uvloop and httptools, N worker processes, agentdb's logging.

The stack was chosen on measurements (bench/README.md, "server stack"): uvicorn
with uvloop and httptools served ... (see there) more than with its pure-Python
defaults (asyncio loop, h11 parser).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

import uvicorn

from agentdb import logs
from agentdb.config import Settings, redacted, resolve_dsn

log = logging.getLogger("agentdb.server")


def _share_metrics_between_workers() -> None:
    """prometheus-client's multiprocess mode: every worker writes its metrics to one fresh directory,
    and /metrics reads them all (set before any worker imports prometheus_client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    directory = tempfile.mkdtemp(prefix="agentdb-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    import atexit

    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve the API until interrupted (SIGINT/SIGTERM stop it cleanly)."""
    # Resolved once here (starting the embedded server if DATABASE_URL is unset), so every
    # worker process uses the same database.
    dsn = resolve_dsn(settings)
    os.environ["DATABASE_URL"] = dsn
    if workers > 1:
        _share_metrics_between_workers()
    logs.configure(settings.log_level, settings.log_format)
    log.info("serving http://%s:%s with %d worker(s) on %s", host, port, workers, redacted(dsn),
             extra={"fields": {"host": host, "port": port, "workers": workers, "database": redacted(dsn)}})
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_config=logs.dict_config(settings.log_level, settings.log_format),
        access_log=False,  # api.observability writes one line per request
        server_header=False,
    )
