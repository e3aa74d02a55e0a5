"""`python -m devtools`: the developer tools (run from a checkout with `pip install -e '.[dev]'`).

  check                 SQL review: parse, style, coverage of sql/ and devtools/sql/; migration review
  plans [--check]       write (or compare) devtools/plans/, the plan summaries of every read statement
  datagen SCALE         load generated data into DATABASE_URL (a migrated, empty database)

Benchmarks run as `python -m bench` (bench/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    top = argparse.ArgumentParser(prog="python -m devtools", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="SQL and migration review (run `make test` first: it records what the tests ran)")
    p = sub.add_parser("plans", help="plan summaries of the read statements on generated data")
    p.add_argument("--check", action="store_true", help="fail when the committed summaries differ")
    p.add_argument("--scale", default="PLANS", help="datagen scale (default PLANS)")
    p = sub.add_parser("datagen", help="load generated data into DATABASE_URL")
    p.add_argument("scale")
    p.add_argument("--seed", type=int, default=42)
    args = top.parse_args(argv)
    try:
        if args.command == "check":
            from devtools.sqlcheck import main as check

            return check()
        if args.command == "plans":
            from devtools.plans import main as plans

            return plans(check=args.check, scale=args.scale)
        from devtools.datagen import main as datagen

        return datagen([args.scale, "--seed", str(args.seed)])
    except ModuleNotFoundError as exc:
        print(f"python -m devtools {args.command}: {exc.name} is not installed; run: pip install -e '.[dev]'",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
