"""`agentdb users ...`: create and list users (operators: every user's rows, role agentdb_jobs)."""

from __future__ import annotations

import argparse
import asyncio
import re
from typing import Any

from agentdb.cli.common import (
    DATABASE_HELP,
    CliError,
    command,
    cursor,
    group,
    keyset,
    operators,
    table,
    when,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def email(text: str) -> str:
    """argparse type: an email address (the database checks the same shape: users_email_check)."""
    if not _EMAIL.fullmatch(text.strip()) or len(text) > 320:
        raise argparse.ArgumentTypeError(f"{text!r} is not an email address")
    return text.strip().lower()


def limit(text: str) -> int:
    """argparse type: a page size (1-200, repositories.paging.MAX_LIMIT)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError(f"{text}: must be between 1 and 200")
    return value


def cmd_users_create(args: argparse.Namespace) -> int:
    from repositories import UserRepository, ValidationFailed

    async def create() -> str:
        async with operators() as db:
            try:
                _, token = await UserRepository(db).create(email=args.email, token_name=args.token_name)
            except ValidationFailed as exc:
                if exc.field == "email" and "already exists" in str(exc):
                    raise CliError(f"a user with email {args.email} already exists") from None
                raise
            return token

    print(asyncio.run(create()))
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from repositories import UserRepository

    async def page() -> Any:
        async with operators() as db:
            return await UserRepository(db).list(limit=args.limit, after=args.after)

    result = asyncio.run(page())
    print(table(("id", "email", "created", "live tokens", "tokens"),
                [(u.id, u.email, when(u.created_at), u.live_tokens, u.tokens) for u in result.items]))
    if (after := cursor(result.next)) is not None:
        print(f"more: {args.prog} --limit {args.limit} --after {after}")
    return 0


def register(sub: Any) -> None:
    users = group(sub, "users", help="create and list users",
                  description="Users, across all of them (role agentdb_jobs). " + DATABASE_HELP)
    p = command(users, "create", cmd_users_create, help="create a user and print a bearer token, once",
                description="Create a user and a first bearer token, printed once on stdout (only its "
                            "SHA-256 is stored). " + DATABASE_HELP)
    p.add_argument("email", type=email, metavar="EMAIL", help="the user's email (stored lower case, unique)")
    p.add_argument("--token-name", default="cli", help="name of the first token")
    p = command(users, "list", cmd_users_list, help="list users, newest first, with their token counts",
                description="A page of users, newest first, with how many tokens each has (live: "
                            "neither revoked nor expired). " + DATABASE_HELP)
    p.add_argument("--limit", type=limit, default=50, help="users per page (1-200)")
    p.add_argument("--after", type=keyset, metavar="CURSOR", help="the cursor a previous page printed")
