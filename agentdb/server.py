"""Serving the API: uvicorn on uvloop and httptools, N worker processes, agentdb's logging.

The stack was chosen on measurements (bench/README.md, "server stack"): uvicorn
with uvloop and httptools served ... (see there) more than with its pure-Python
defaults (asyncio loop, h11 parser).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

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


class _Supervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, remembering which signal stopped it (uvicorn's
    own returns normally on SIGTERM, so `agentdb serve` would exit 0 where one worker exits 143)."""

    stopped_by: int | None = None

    def handle_int(self) -> None:
        self.stopped_by = signal.SIGINT
        super().handle_int()

    def handle_term(self) -> None:
        self.stopped_by = signal.SIGTERM
        super().handle_term()


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve the API until interrupted: SIGINT raises KeyboardInterrupt, SIGTERM whatever the
    command's SIGTERM handler raises (agentdb.cli), after a clean shutdown, with any number of workers."""
    # Resolved once here (starting the embedded server if DATABASE_URL is unset), so every
    # worker process uses the same database.
    dsn = resolve_dsn(settings)
    os.environ["DATABASE_URL"] = dsn
    if workers > 1:
        _share_metrics_between_workers()
    logs.configure(settings.log_level, settings.log_format)
    log.info("serving http://%s:%s with %d worker(s) on %s", host, port, workers, redacted(dsn),
             extra={"fields": {"host": host, "port": port, "workers": workers, "database": redacted(dsn)}})
    options: dict[str, Any] = {
        "factory": True, "host": host, "port": port, "workers": workers, "loop": "uvloop", "http": "httptools",
        "log_config": logs.dict_config(settings.log_level, settings.log_format),
        "access_log": False,  # api.observability writes one line per request
        "server_header": False,
    }
    if workers == 1:  # uvicorn re-raises the signal that stopped it once it has shut down
        uvicorn.run("api.app:create_app", **options)
        return
    config = uvicorn.Config("api.app:create_app", **options)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    supervisor = _Supervisor(config, sockets=[config.bind_socket()])  # installs handlers of its own
    try:
        supervisor.run()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if supervisor.stopped_by is not None:
        signal.raise_signal(supervisor.stopped_by)  # to the handler the command had installed
