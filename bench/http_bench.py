"""Loopback HTTP load: `agentdb serve` (Litestar + repositories) vs FastAPI + SQLAlchemy eager.

Both servers run at once (one uvicorn worker each, pool of 10 each) against the
same loaded database; a bounded load generator (httpx.AsyncClient, fixed
concurrency, no retries) hits one endpoint of one server for a short window, and
the windows alternate between the servers round after round, so drift on the
shared machine hits both alike. The generator shares the machine's cores with the
servers and PostgreSQL: absolute req/s are a floor, the ratio is the result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx

from agentdb.config import Settings
from agentdb.pool import open_pool
from bench import common
from repositories import Database, UserRepository, WorkflowRepository

SERVERS = ("agentdb", "fastapi_sqlalchemy")


def start_servers(dsn: str, ports: dict[str, int]) -> dict[str, subprocess.Popen[bytes]]:
    env = {**os.environ, "DATABASE_URL": dsn}
    cmds = {
        "agentdb": [sys.executable, "-m", "agentdb.cli", "serve", "--port", str(ports["agentdb"])],
        "fastapi_sqlalchemy": [
            sys.executable, "-m", "uvicorn", "bench.fastapi_app:create_app", "--factory",
            "--port", str(ports["fastapi_sqlalchemy"]), "--log-level", "warning", "--no-access-log",
        ],
    }
    return {name: subprocess.Popen(cmd, env=env) for name, cmd in cmds.items()}


async def wait_ready(url: str, headers: dict[str, str], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while True:
            try:
                r = await client.get(url, headers=headers)
                if r.status_code == 200:
                    return
                raise RuntimeError(f"{url}: {r.status_code} {r.text[:300]}")
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.3)


async def window(url: str, headers: dict[str, str], concurrency: int, seconds: float) -> tuple[list[int], int, float]:
    """Hit `url` with `concurrency` workers for `seconds`: latencies (ns), errors, elapsed."""
    latencies: list[int] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t0 = time.perf_counter_ns()
                r = await client.get(url, headers=headers)
                t1 = time.perf_counter_ns()
                if r.status_code == 200:
                    latencies.append(t1 - t0)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - started


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with common.loaded_database(args.scale, args.dsn) as dsn:
        hu = common.heavy_user(dsn, args.scale)
        pool = await open_pool(dsn, Settings(database_url=dsn), min_size=1, max_size=1)
        try:
            db = Database(pool)
            wf = await WorkflowRepository(db).create(
                user_id=hu.id, workflow=common.chain(50, name="http bench 50", agent_ids=hu.agent_ids[:32]))
            token = await UserRepository(db).issue_token(user_id=hu.id, name="bench")
        finally:
            await pool.close()
        headers = {"Authorization": f"Bearer {token}"}
        ports = {"agentdb": args.port, "fastapi_sqlalchemy": args.port + 1}
        endpoints = {
            "workflow_50": f"/api/agent-builder/workflows/{wf.id}",
            "recent_activity_50": "/api/agent-builder/dashboard/recent-activity?limit=50",
            "history_first_page": "/api/agent-builder/executions?limit=50",
        }
        procs = start_servers(dsn, ports)
        try:
            for name in SERVERS:
                for path in endpoints.values():
                    await wait_ready(f"http://127.0.0.1:{ports[name]}{path}", headers)
            results: dict[str, Any] = {}
            for ep, path in endpoints.items():
                acc = {s: {"lat": [], "errors": 0, "elapsed": 0.0} for s in SERVERS}
                for r in range(args.rounds):
                    order = SERVERS if r % 2 == 0 else SERVERS[::-1]
                    for s in order:
                        url = f"http://127.0.0.1:{ports[s]}{path}"
                        await window(url, headers, args.concurrency, 0.5)  # warm
                        lat, err, el = await window(url, headers, args.concurrency, args.seconds)
                        acc[s]["lat"] += lat
                        acc[s]["errors"] += err
                        acc[s]["elapsed"] += el
                results[ep] = {}
                for s in SERVERS:
                    samples = common.Samples(acc[s]["lat"])
                    results[ep][s] = {**samples.summary(), "errors": acc[s]["errors"],
                                      "req_per_s": round(len(acc[s]["lat"]) / acc[s]["elapsed"], 1)}
                a, f = results[ep]["agentdb"], results[ep]["fastapi_sqlalchemy"]
                results[ep]["throughput_ratio"] = round(a["req_per_s"] / f["req_per_s"], 3)
                print(f"  {ep:<20} agentdb {a['req_per_s']:8.1f} req/s p50 {a['p50_ms']:.2f} ms | "
                      f"fastapi+sqlalchemy {f['req_per_s']:8.1f} req/s p50 {f['p50_ms']:.2f} ms | "
                      f"x{results[ep]['throughput_ratio']:.2f}")
        finally:
            for p in procs.values():
                p.terminate()
            for p in procs.values():
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
    return {"scale": args.scale, "concurrency": args.concurrency, "seconds_per_window": args.seconds,
            "rounds": args.rounds, "machine": common.machine(), "endpoints": results}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agentdb bench http", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S")
    parser.add_argument("--dsn", help="an already migrated and loaded database instead of a scratch one")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one measured window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per server and endpoint")
    parser.add_argument("--port", type=int, default=8761, help="agentdb's port; FastAPI gets the next one")
    args = parser.parse_args(argv)
    doc = asyncio.run(run(args))
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = common.RESULTS / f"http-{args.scale}.json"
    out.write_text(json.dumps(doc, indent=2, default=str))
    print()
    print("| endpoint | agentdb req/s | agentdb p50 / p99 ms | FastAPI+SQLAlchemy req/s | p50 / p99 ms | agentdb ÷ FastAPI (req/s) |")
    print("|---|---|---|---|---|---|")
    for ep, r in doc["endpoints"].items():
        a, f = r["agentdb"], r["fastapi_sqlalchemy"]
        print(f"| {ep} | {a['req_per_s']:.0f} | {a['p50_ms']:.2f} / {a['p99_ms']:.2f} | {f['req_per_s']:.0f} "
              f"| {f['p50_ms']:.2f} / {f['p99_ms']:.2f} | {r['throughput_ratio']:.2f} |")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
