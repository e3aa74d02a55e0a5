"""`python -m bench <command> [options]`: one benchmark module per command."""

from __future__ import annotations

import importlib
import sys

USAGE = """usage: python -m bench {repo,curve,http,jobs,live,citus,replica} [options]

  repo   repository hot paths: agentdb vs SQLAlchemy eager/lazy vs bare psycopg (bench/repo_bench.py)
  curve  history and recent activity latency across datagen scales, bench/results/curve.png (bench/curve.py)
  http   loopback HTTP load (wrk): agentdb serve vs the bare ASGI baseline vs FastAPI+SQLAlchemy,
         or a concurrency curve with --curve 1,16,64,256,500 (bench/http_bench.py, bench/bare_app.py)
  jobs   dashboard from roll-ups vs raw rows, cleanup rows/s, trigger cost (bench/jobs_bench.py)
  live   append-to-arrival latency at 100/1,000 open SSE streams; start latency at 50/500 nodes (bench/live_bench.py)
  citus  single-shard latency of the three seed reads: Citus vs plain PostgreSQL 15 (bench/citus_bench.py)
  replica  read throughput with 0 and 1 hot standby, read-your-writes cost (bench/replica_bench.py)

`python -m bench <command> --help` for the options of each."""

COMMANDS = {"repo": "repo_bench", "curve": "curve", "http": "http_bench", "jobs": "jobs_bench",
            "live": "live_bench", "citus": "citus_bench", "replica": "replica_bench"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command in COMMANDS:
        # Imported on demand: each benchmark pulls in its own extras (SQLAlchemy, matplotlib...).
        return importlib.import_module(f"bench.{COMMANDS[command]}").main(rest)
    print(f"unknown bench command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
