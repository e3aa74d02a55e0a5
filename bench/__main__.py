"""`python -m bench <repo|curve|http|jobs|citus> [options]`."""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "repo":
        from bench import repo_bench

        return repo_bench.main(rest)
    if command == "curve":
        from bench import curve

        return curve.main(rest)
    if command == "http":
        from bench import http_bench

        return http_bench.main(rest)
    if command == "jobs":
        from bench import jobs_bench

        return jobs_bench.main(rest)
    if command == "live":
        from bench import live_bench

        return live_bench.main(rest)
    if command == "citus":
        from bench import citus_bench

        return citus_bench.main(rest)
    if command == "replica":
        from bench import replica_bench

        return replica_bench.main(rest)
    print(f"unknown bench command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
