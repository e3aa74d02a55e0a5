"""`agentdb tokens ...`: issue, list and revoke bearer tokens (operators, role agentdb_jobs)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from agentdb.cli.common import DATABASE_HELP, CliError, command, cursor, group, keyset, operators, table, when
from agentdb.cli.users import email, limit

_DURATION = re.compile(r"(\d+)([smhdw])")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(text: str) -> timedelta:
    """argparse type: a duration such as 90d, 12h, 30m (s, m, h, d, w)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90d, 12h or 30m")
    try:
        return timedelta(**{_UNIT[match.group(2)]: int(match.group(1))})
    except OverflowError:
        raise argparse.ArgumentTypeError(f"{text!r}: too long") from None


def token_id(text: str) -> UUID:
    """argparse type: a token's id (as `tokens list` prints it)."""
    try:
        return UUID(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a token id (a UUID; see `agentdb tokens list EMAIL`)") from None


def cmd_tokens_issue(args: argparse.Namespace) -> int:
    from repositories import NotFound, UserRepository

    expires_at = datetime.now(UTC) + args.expires_in if args.expires_in else None

    async def issue() -> str:
        async with operators() as db:
            users = UserRepository(db)
            try:
                user = await users.get_by_email(email=args.email)
            except NotFound:
                raise CliError(f"no user with email {args.email}") from None
            return await users.issue_token(user_id=user.id, name=args.name, expires_at=expires_at)

    token = asyncio.run(issue())
    print(token)
    print(f"token {args.name!r} for {args.email}, expires {when(expires_at) or 'never'}; shown once: store it now",
          file=sys.stderr)
    return 0


def cmd_tokens_list(args: argparse.Namespace) -> int:
    from repositories import NotFound, UserRepository

    async def page() -> Any:
        async with operators() as db:
            try:
                return await UserRepository(db).list_tokens(email=args.email, limit=args.limit, after=args.after)
            except NotFound:
                raise CliError(f"no user with email {args.email}") from None

    result = asyncio.run(page())
    print(table(("id", "name", "created", "expires", "revoked"),
                [(t.id, t.name, when(t.created_at), when(t.expires_at), when(t.revoked_at)) for t in result.items]))
    if (after := cursor(result.next)) is not None:
        print(f"more: {args.prog} {args.email} --limit {args.limit} --after {after}")
    return 0


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    from repositories import IllegalTransition, NotFound, UserRepository

    async def revoke() -> Any:
        async with operators() as db:
            try:
                return await UserRepository(db).revoke_token_by_id(token_id=args.token_id)
            except IllegalTransition as exc:
                raise CliError(f"token {args.token_id} was already revoked at {exc.current_status}") from None
            except NotFound:
                raise CliError(f"no token with id {args.token_id}") from None

    token = asyncio.run(revoke())
    print(f"revoked token {token.id} ({token.name!r}) at {when(token.revoked_at)}")
    return 0


def register(sub: Any) -> None:
    tokens = group(sub, "tokens", help="issue, list and revoke bearer tokens",
                   description="Bearer tokens (`agdb_<user id>_<secret>`), stored only as SHA-256: a token "
                               "is shown once, when issued. " + DATABASE_HELP)
    p = command(tokens, "issue", cmd_tokens_issue, help="issue a token to a user and print it, once",
                description="Issue a new bearer token to the user with EMAIL; the token alone goes to "
                            "stdout, once. " + DATABASE_HELP)
    p.add_argument("email", type=email, metavar="EMAIL", help="the user's email")
    p.add_argument("--name", default="cli", help="the token's name, shown by `tokens list`")
    p.add_argument("--expires-in", type=duration, metavar="DURATION",
                   help="lifetime such as 90d, 12h or 30m (default: never expires)")
    p = command(tokens, "list", cmd_tokens_list, help="list a user's tokens (ids, names, times), newest first",
                description="A page of the tokens of the user with EMAIL: id, name, created, expires and "
                            "revoked times (never the token itself). " + DATABASE_HELP)
    p.add_argument("email", type=email, metavar="EMAIL", help="the user's email")
    p.add_argument("--limit", type=limit, default=50, help="tokens per page (1-200)")
    p.add_argument("--after", type=keyset, metavar="CURSOR", help="the cursor a previous page printed")
    p = command(tokens, "revoke", cmd_tokens_revoke, help="revoke a token by its id",
                description="Revoke the token with TOKEN_ID (from `tokens list`): refused from the very "
                            "next request on. " + DATABASE_HELP)
    p.add_argument("token_id", type=token_id, metavar="TOKEN_ID", help="the token's id")
