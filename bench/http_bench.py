"""Loopback HTTP load: `agentdb serve` vs the bare baseline vs FastAPI + SQLAlchemy eager.

The three servers run on the same stack (uvicorn, uvloop, httptools; `--workers` worker
processes; pools of AGENTDB_POOL_MAX connections per process) against the same loaded
database, one server at a time (so the machine's 2 cores and the database's connections
are not shared between them), in an order that alternates round after round, so drift on
the shared machine hits all alike. The load generator is wrk (`apt-get install wrk`):
fixed keep-alive connections, bounded in time (`--seconds` per window) and by its socket
timeout, answers counted by status (bench/wrk_report.lua). It shares the cores with the
servers and PostgreSQL: absolute req/s are a floor; ratios within a run are the result.

* `python -m bench http` — the three seed reads on the three servers, at `--workers` (1,2),
  `--concurrency` connections: req/s, p50/p99, agentdb ÷ bare and agentdb ÷ FastAPI.
* `python -m bench http --curve 1,16,64,256,500` — agentdb (and the bare app) at each number of
  concurrent keep-alive clients: req/s, p50/p99, answers by status, socket errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from agentdb.config import Settings
from agentdb.pool import open_pool
from bench import common
from repositories import Database, UserRepository, WorkflowRepository

SERVERS = ("agentdb", "bare", "fastapi_sqlalchemy")
ASGI_APPS = {"bare": "bench.bare_app:create_app", "fastapi_sqlalchemy": "bench.fastapi_app:create_app"}
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


def server_command(kind: str, port: int, workers: int) -> list[str]:
    """The one way the benchmarks start a server: agentdb through its own command, the
    others through uvicorn with the same loop, parser and worker count."""
    if kind == "agentdb":
        return [sys.executable, "-m", "agentdb.cli", "serve", "--port", str(port), "--workers", str(workers)]
    return [sys.executable, "-m", "uvicorn", ASGI_APPS[kind], "--factory", "--port", str(port),
            "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
            "--log-level", "warning", "--no-access-log"]


class Server:
    """A server process for the length of a `with` block, ready when entered."""

    def __init__(self, kind: str, dsn: str, port: int, workers: int, ready_url: str, headers: dict[str, str]) -> None:
        self.kind, self.port = kind, port
        self.ready_url, self.headers = ready_url, headers
        env = {**os.environ, "DATABASE_URL": dsn}
        self.proc = subprocess.Popen(server_command(kind, port, workers), env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def __enter__(self) -> Server:
        try:
            asyncio.run(wait_ready(self.ready_url, self.headers, self.proc))
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def wait_ready(url: str, headers: dict[str, str], proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                r = await client.get(url, headers=headers)
                if r.status_code == 200:
                    return
                raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.3)


def wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
    """One wrk window: req/s, p50/p90/p99/max ms, answers by status, socket errors."""
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    raw = json.loads(line[len("WRK_JSON "):])
    ok = raw["statuses"].get("200", 0)
    return {
        "req_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "ok_per_s": round(ok / (raw["duration_us"] / 1e6), 1),
        "requests": raw["requests"],
        **{f"{k[:-3]}_ms": round(raw[k] / 1000, 2) for k in ("p50_us", "p90_us", "p99_us", "max_us")},
        "statuses": raw["statuses"],
        "socket_errors": raw["socket_errors"],
        "errors": raw["requests"] - ok + sum(raw["socket_errors"].values()),
    }


async def _fixtures(dsn: str, scale: str) -> tuple[dict[str, str], dict[str, str]]:
    hu = common.heavy_user(dsn, scale)
    pool = await open_pool(dsn, Settings(database_url=dsn), min_size=1, max_size=1)
    try:
        db = Database(pool)
        wf = await WorkflowRepository(db).create(
            user_id=hu.id, workflow=common.chain(50, name="http bench 50", agent_ids=hu.agent_ids[:32]))
        token = await UserRepository(db).issue_token(user_id=hu.id, name="bench")
    finally:
        await pool.close()
    endpoints = {
        "workflow_50": f"/api/agent-builder/workflows/{wf.id}",
        "recent_activity_50": "/api/agent-builder/dashboard/recent-activity?limit=50",
        "history_first_page": "/api/agent-builder/executions?limit=50",
    }
    return {"Authorization": f"Bearer {token}"}, endpoints


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def compare(args: argparse.Namespace, dsn: str, headers: dict[str, str], endpoints: dict[str, str]) -> dict[str, Any]:
    """Every server, every endpoint, at each worker count: windows alternated round by round."""
    out: dict[str, Any] = {}
    for workers in args.workers:
        windows: dict[str, dict[str, list[dict[str, Any]]]] = {ep: {s: [] for s in SERVERS} for ep in endpoints}
        for r in range(args.rounds):
            order = SERVERS[r % len(SERVERS):] + SERVERS[:r % len(SERVERS)]
            for kind in order:
                first = next(iter(endpoints.values()))
                with Server(kind, dsn, args.port, workers, f"http://127.0.0.1:{args.port}{first}", headers):
                    for ep, path in endpoints.items():
                        url = f"http://127.0.0.1:{args.port}{path}"
                        wrk(url, headers, args.concurrency, args.warmup)
                        windows[ep][kind].append(wrk(url, headers, args.concurrency, args.seconds))
                        w = windows[ep][kind][-1]
                        print(f"  workers {workers} round {r} {kind:<19} {ep:<19} {w['req_per_s']:8.1f} req/s "
                              f"p50 {w['p50_ms']:6.2f} p99 {w['p99_ms']:7.2f} ms errors {w['errors']}", flush=True)
        result: dict[str, Any] = {}
        for ep in endpoints:
            result[ep] = {}
            for kind in SERVERS:
                ws = windows[ep][kind]
                result[ep][kind] = {
                    "req_per_s": round(_median([w["req_per_s"] for w in ws]), 1),
                    "p50_ms": round(_median([w["p50_ms"] for w in ws]), 2),
                    "p99_ms": round(_median([w["p99_ms"] for w in ws]), 2),
                    "errors": sum(w["errors"] for w in ws),
                    "windows": ws,
                }
            a = result[ep]["agentdb"]["req_per_s"]
            for other, key in (("bare", "agentdb_over_bare"), ("fastapi_sqlalchemy", "agentdb_over_fastapi")):
                result[ep][key] = round(a / max(result[ep][other]["req_per_s"], 0.1), 3)
        out[str(workers)] = result
    return out


def curve(args: argparse.Namespace, dsn: str, headers: dict[str, str], endpoints: dict[str, str]) -> dict[str, Any]:
    """agentdb and the bare app at each concurrency, every endpoint, one window each."""
    out: dict[str, Any] = {}
    for workers in args.workers:
        for kind in args.curve_servers:
            first = next(iter(endpoints.values()))
            with Server(kind, dsn, args.port, workers, f"http://127.0.0.1:{args.port}{first}", headers):
                for connections in args.curve:
                    for ep, path in endpoints.items():
                        url = f"http://127.0.0.1:{args.port}{path}"
                        wrk(url, headers, connections, args.warmup)
                        w = wrk(url, headers, connections, args.seconds)
                        out.setdefault(str(workers), {}).setdefault(kind, {}).setdefault(str(connections), {})[ep] = w
                        print(f"  workers {workers} {kind:<8} c={connections:<4} {ep:<19} {w['req_per_s']:8.1f} req/s "
                              f"p50 {w['p50_ms']:7.2f} p99 {w['p99_ms']:8.2f} ms statuses {w['statuses']} "
                              f"socket errors {w['socket_errors']}", flush=True)
    return out


def _table(doc: dict[str, Any]) -> None:
    for workers, result in doc.get("compare", {}).items():
        print(f"\nworkers {workers}, {doc['concurrency']} connections, median of {doc['rounds']} windows of "
              f"{doc['seconds_per_window']} s\n")
        print("| endpoint | agentdb req/s (p50 / p99 ms) | bare req/s (p50 / p99) | FastAPI+SQLAlchemy req/s (p50 / p99) "
              "| agentdb ÷ bare | agentdb ÷ FastAPI |")
        print("|---|---|---|---|---|---|")
        for ep, r in result.items():
            cells = [f"{r[s]['req_per_s']:,.0f} ({r[s]['p50_ms']:.1f} / {r[s]['p99_ms']:.1f})" for s in SERVERS]
            print(f"| {ep} | {' | '.join(cells)} | {r['agentdb_over_bare']:.2f} | {r['agentdb_over_fastapi']:.2f} |")
    for workers, by_kind in doc.get("curve", {}).items():
        for kind, by_c in by_kind.items():
            print(f"\n{kind}, workers {workers}: req/s, p50 / p99 ms, non-200 answers and socket errors\n")
            eps = list(next(iter(by_c.values())))
            print("| clients | " + " | ".join(eps) + " |")
            print("|---|" + "---|" * len(eps))
            for c, by_ep in by_c.items():
                cells = []
                for ep in eps:
                    w = by_ep[ep]
                    bad = {k: v for k, v in w["statuses"].items() if k != "200"}
                    sock = {k: v for k, v in w["socket_errors"].items() if v}
                    cells.append(f"{w['req_per_s']:,.0f} ({w['p50_ms']:.1f} / {w['p99_ms']:.1f})"
                                 + (f" errors {bad}" if bad else "") + (f" socket {sock}" if sock else ""))
                print(f"| {c} | " + " | ".join(cells) + " |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench http", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    ints = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    parser.add_argument("--scale", default="S")
    parser.add_argument("--dsn", help="an already migrated and loaded database instead of a scratch one")
    parser.add_argument("--workers", type=ints, default=[1, 2], help="worker counts to run (default 1,2)")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections (default 16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one measured window (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured window before each (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="windows per server and endpoint (default 3)")
    parser.add_argument("--curve", type=ints, help="instead of the comparison: these client counts, e.g. 1,16,64,256,500")
    parser.add_argument("--curve-servers", type=lambda t: t.split(","), default=["agentdb", "bare"],
                        help="servers on the curve (default agentdb,bare)")
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--out", help="result file (default bench/results/http-SCALE.json, http-curve-SCALE.json)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench http needs wrk on PATH (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    with common.loaded_database(args.scale, args.dsn) as dsn:
        headers, endpoints = asyncio.run(_fixtures(dsn, args.scale))
        doc: dict[str, Any] = {"scale": args.scale, "concurrency": args.concurrency,
                               "seconds_per_window": args.seconds, "rounds": args.rounds,
                               "command": "python -m bench http " + " ".join(argv),
                               "machine": common.machine(), "load_average": os.getloadavg()}
        if args.curve:
            doc["curve"] = curve(args, dsn, headers, endpoints)
        else:
            doc["compare"] = compare(args, dsn, headers, endpoints)
        doc["load_average_after"] = os.getloadavg()
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else common.RESULTS / f"http{'-curve' if args.curve else ''}-{args.scale}.json"
    out.write_text(json.dumps(doc, indent=2, default=str))
    _table(doc)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
