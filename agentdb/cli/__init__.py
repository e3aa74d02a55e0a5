"""The `agentdb` command.

One module per command group, each with `register(subparsers)` that adds its
commands (every option with help text) and sets `func` on each: add a group by
writing agentdb/cli/<group>.py and listing its `register` in GROUPS below.

`main` turns every failure a person can act on into one line on stderr and an
exit status: 2 for the command line or a setting (argparse's own errors too),
1 for a command that ran and failed, 130 / 143 when interrupted or terminated.
SIGTERM becomes a normal exit, so exit handlers run (the embedded PostgreSQL is
let go of, and stopped when no one else uses it: agentdb/embedded.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from agentdb import config
from agentdb.cli import demo, embedded, jobs, migrate, serve, tokens, users
from agentdb.cli.common import FAILURE, USAGE, CliError, HelpFormatter, first_line, version

# Command groups, in the order `agentdb --help` lists them. Add yours here.
GROUPS: tuple[Callable[[Any], None], ...] = (
    migrate.register,
    serve.register,
    demo.register,
    users.register,
    tokens.register,
    jobs.register,
    embedded.register,
)


def environment_help() -> str:
    """The environment variables agentdb reads, with their defaults (config.VARIABLES)."""
    lines = ["environment variables (default in brackets):"]
    for variable in config.VARIABLES:
        lines.append(f"  {variable.name} [{variable.default}]")
        lines += textwrap.wrap(variable.meaning.replace("`", ""), 100, initial_indent=" " * 6,
                               subsequent_indent=" " * 6)
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line naming where to get help."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(USAGE, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    top = _Parser(
        prog="agentdb",
        description="agentdb: the agent-builder platform's data layer and HTTP API.",
        epilog=environment_help(),
        formatter_class=HelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"agentdb {version()}",
                     help="print the installed version and exit")
    top.add_argument("--traceback", action="store_true",
                     help="on an unexpected error, show the Python traceback instead of one line")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for register in GROUPS:
        register(sub)
    return top


class Terminated(BaseException):
    """SIGTERM arrived: unwind like an interrupt, so exit handlers run."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; failures a person can act on become one line on stderr."""
    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"\n{_prog(args)}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{_prog(args)}: stopped (SIGTERM)", file=sys.stderr)
        return 143
    except Exception as exc:
        if args.traceback and not isinstance(exc, (CliError, config.ConfigError)):
            raise
        message, code = explain(exc)
        print(f"{_prog(args)}: {message}", file=sys.stderr)
        return code
    finally:
        signal.signal(signal.SIGTERM, previous)


def _prog(args: argparse.Namespace) -> str:
    return getattr(args, "prog", "agentdb")


def explain(exc: Exception) -> tuple[str, int]:
    """One line and an exit status for an error."""
    import psycopg
    from psycopg_pool import PoolTimeout
    from yoyo.connections import BadConnectionURI

    from agentdb.migrate import MigrationError, NoMigrations
    from repositories import errors

    if isinstance(exc, CliError):
        return str(exc), exc.code
    if isinstance(exc, config.ConfigError):
        return str(exc), USAGE
    if isinstance(exc, NoMigrations):
        return str(exc), FAILURE
    if isinstance(exc, MigrationError):
        return str(exc), USAGE
    if isinstance(exc, BadConnectionURI):
        return f"DATABASE_URL: {exc}", USAGE
    if isinstance(exc, errors.RepositoryError):
        return str(exc), FAILURE
    if isinstance(exc, PoolTimeout):
        return f"the database did not answer in time ({first_line(exc)})", FAILURE
    if isinstance(exc, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction)) or (
        isinstance(exc, psycopg.errors.InvalidParameterValue) and "role" in str(exc)
    ):
        return f"the database is not migrated ({first_line(exc)}): run `agentdb migrate` first", FAILURE
    if isinstance(exc, psycopg.OperationalError):
        return f"database unavailable: {first_line(exc)}", FAILURE
    if isinstance(exc, psycopg.Error):
        return f"database error: {first_line(exc)}", FAILURE
    return f"unexpected error: {type(exc).__name__}: {first_line(exc)} (rerun with --traceback)", FAILURE
