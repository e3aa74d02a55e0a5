"""`agentdb migrate`: apply pending migrations, show their status, or roll back the last N."""

from __future__ import annotations

import argparse
from typing import Any

from agentdb import config
from agentdb.cli.common import DATABASE_HELP, check_reachable, command, confirm, dsn, positive


def cmd_migrate(args: argparse.Namespace) -> int:
    from agentdb import migrate

    target = dsn()
    check_reachable(target)
    if args.status:
        states = migrate.status(target)
        for state in states:
            print(f"{'applied' if state.applied else 'pending'}  {state.id}")
        applied = sum(state.applied for state in states)
        print(f"{applied} applied, {len(states) - applied} pending ({config.redacted(target)})")
        return 0
    if args.rollback:
        chosen = migrate.to_roll_back(target, args.rollback)
        print(f"would roll back, newest first: {', '.join(chosen)}")
        confirm(f"roll back {len(chosen)} migration(s) on {config.redacted(target)}?", yes=args.yes)
        done = migrate.rollback(target, args.rollback)
        print(f"rolled back {len(done)}: {', '.join(done)}")
        return 0
    done = migrate.apply(target)
    print(f"applied {len(done)}: {', '.join(done) or 'nothing pending'}")
    return 0


def register(sub: Any) -> None:
    p = command(sub, "migrate", cmd_migrate, help="apply pending migrations (or --status, --rollback N)",
                description="Apply every pending migration under yoyo's lock (two at once are safe: one "
                            "waits, then finds nothing pending). " + DATABASE_HELP)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help="list every migration as applied or pending; change nothing")
    mode.add_argument("--rollback", type=positive, metavar="N",
                      help="roll back the last N applied migrations (1 <= N <= applied), after confirmation")
    p.add_argument("--yes", action="store_true",
                   help="confirm --rollback without asking (required when stdin is not a terminal)")
