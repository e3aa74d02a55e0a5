"""What every command shares: errors that become one line, the database, confirmation, tables."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from agentdb import config

USAGE = 2  # exit status: the command line or a setting is wrong (argparse's too)
FAILURE = 1  # exit status: the command ran and failed


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit status `code`."""

    def __init__(self, message: str, code: int = FAILURE) -> None:
        super().__init__(message)
        self.code = code


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions as written; every option's default shown after its help (unless it has none)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.help is None or "default:" in action.help:
            return action.help
        return super()._get_help_string(action)


def command(sub: Any, name: str, func: Callable[[argparse.Namespace], int], *, help: str,
            description: str) -> argparse.ArgumentParser:
    """A (sub)command: its one-line help in the list, its description on its own --help."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=textwrap.fill(description, 100),
                                                     formatter_class=HelpFormatter)
    parser.set_defaults(func=func, prog=parser.prog)
    return parser


def group(sub: Any, name: str, *, help: str, description: str) -> Any:
    """A command group (`agentdb users ...`): its subcommands' parsers."""
    parser = sub.add_parser(name, help=help, description=textwrap.fill(description, 100),
                            formatter_class=HelpFormatter)
    parser.set_defaults(prog=parser.prog)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND",
                                 parser_class=type(parser))


DATABASE_HELP = ("Reads DATABASE_URL (unset: the embedded PostgreSQL in AGENTDB_PGDATA) and the AGENTDB_* "
                 "settings: see `agentdb --help`.")


def version() -> str:
    """The installed agentdb's version."""
    from importlib import metadata

    try:
        return metadata.version("agentdb")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def settings() -> config.Settings:
    """Settings from the environment (ConfigError naming a bad variable)."""
    return config.from_env()


def dsn(current: config.Settings | None = None) -> str:
    """The database to use: DATABASE_URL, else the embedded server (started)."""
    return config.resolve_dsn(current or settings())


def check_reachable(target: str, *, role: str | None = None) -> None:
    """Connect once, so that a wrong or unreachable server fails now, in one line, with libpq's
    reason; with `role`, switch to it too (a server never migrated has no agentdb roles)."""
    import psycopg

    from repositories.database import connect, run_sync
    from repositories.sql import statement

    try:
        conn = connect(target)
    except psycopg.OperationalError as exc:
        raise CliError(f"cannot connect to {config.redacted(target)}: {first_line(exc)}") from None
    with conn:
        if role is not None:
            run_sync(conn, statement("auth.switch_role")(role=role))


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an error's message (libpq's run to several)."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip().removeprefix("connection failed: ")
    return type(exc).__name__


@asynccontextmanager
async def operators() -> AsyncIterator[Any]:
    """A Database working as agentdb_jobs (every user's rows, as migration 0007 grants): what the
    commands that cross users run on."""
    import msgspec

    from agentdb.pool import JOBS_ROLE, database

    current = settings()
    target = dsn(current)
    check_reachable(target, role=JOBS_ROLE if current.switch_role else None)
    current = msgspec.structs.replace(current, database_url=target)
    async with database(current, role=JOBS_ROLE, min_size=1, max_size=2) as db:
        yield db


def confirm(question: str, *, yes: bool) -> None:
    """Ask `question` on the terminal unless `yes`; refuse without a terminal to ask on."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError(f"{question} needs confirmation, and stdin is not a terminal: pass --yes", USAGE)
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise CliError("cancelled: nothing was changed")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as left-aligned columns under their headers."""
    cells = [[str(h) for h in headers]] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells)


def when(value: Any) -> str | None:
    """A timestamp as printed in tables: to the second, UTC offset kept."""
    return None if value is None else value.isoformat(timespec="seconds")


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def port(text: str) -> int:
    """argparse type: a TCP port."""
    value = positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return value


def keyset(text: str) -> tuple[Any, Any]:
    """argparse type: a page cursor as `cursor()` prints it (TIMESTAMP,ID)."""
    from datetime import datetime
    from uuid import UUID

    at, _, row_id = text.rpartition(",")
    try:
        parsed = datetime.fromisoformat(at), UUID(row_id)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a cursor this command printed") from None
    if parsed[0].tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a cursor this command printed")
    return parsed


def cursor(next_keyset: Any) -> str | None:
    """The --after value of the page after `next_keyset` (None on the last page)."""
    if next_keyset is None:
        return None
    at, row_id = next_keyset
    return f"{at.isoformat()},{row_id}"


def require_free_port(host: str, port_number: int) -> None:
    """Refuse, before anything else is done, a port something already listens on."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port_number, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(f"--host {host}: {exc.strerror}", USAGE) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise CliError(f"port {port_number} on {host} is not free ({exc.strerror}): "
                           "stop what uses it, or pass --port N (make run PORT=N)", USAGE) from None
