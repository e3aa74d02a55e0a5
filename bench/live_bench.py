"""Live executions: event latency from append to arrival at streaming clients, and start latency.

`python -m bench live [--streams 100,1000] [--events 30] [--starts 200]`

A scratch database (migrated, empty); `agentdb serve` in a subprocess (uvloop, httptools, one
worker, its own pool and its one LISTEN connection); this process opens N Server-Sent Events
streams on one running execution with httpx, then appends one event at a time through the
repository (its own pool) and records, for every stream, the time from just before the append
was sent to the moment that stream parsed the event. The next event is appended once every
stream has it. So a sample is: append round trip + commit + NOTIFY + the listener's fan-out +
each stream's read of the row (executions.events_after, one pooled round trip per stream) + the
loopback HTTP write + this process's parse (one event loop reading N sockets: at 1,000 streams
the client's own queueing is part of the number).

Start latency: POST /workflows/{id}/executions over loopback HTTP for a 50- and a 500-node
workflow, interleaved, sequential requests (the statement does not read the graph).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx

from agentdb import migrate
from agentdb.config import Settings
from agentdb.pool import database
from bench.common import RESULTS, Samples, chain, machine, now_ns, server_dsn
from devtools.testdb import scratch_database
from repositories import ExecutionRepository, UserRepository, WorkflowRepository
from repositories.executions import EventInput

API = "/api/agent-builder"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.arrived: dict[int, int] = {}
        self.progress = asyncio.Event()

    async def read(self) -> None:
        data = None
        async for line in self.lines:
            if line.startswith("data: "):
                data = line[6:]
            elif line == "" and data is not None:
                at = now_ns()
                event = json.loads(data)
                if "seq" in event:
                    self.arrived[event["seq"]] = at
                    self.progress.set()
                data = None


async def _open(client: httpx.AsyncClient, token: str, execution_id: uuid.UUID) -> Stream:
    request = client.build_request("GET", f"{API}/executions/{execution_id}/stream",
                                   headers={"Authorization": f"Bearer {token}"})
    response = await client.send(request, stream=True)
    if response.status_code != 200:
        raise RuntimeError(f"stream: {response.status_code} {(await response.aread())[:200]!r}")
    return Stream(response)


async def _latency(base: str, token: str, user_id: uuid.UUID, execution_id: uuid.UUID,
                   executions: ExecutionRepository, streams: int, events: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        opened: list[Stream] = []
        started = time.monotonic()
        while len(opened) < streams:
            wave = min(50, streams - len(opened))
            opened += await asyncio.gather(*(_open(client, token, execution_id) for _ in range(wave)))
        open_s = time.monotonic() - started
        readers = [asyncio.create_task(s.read()) for s in opened]
        samples = Samples()
        try:
            seq = (await executions.events_after(user_id=user_id, execution_id=execution_id, limit=1)).last_seq
            for i in range(events):
                sent = now_ns()
                done = await executions.append_events(user_id=user_id, execution_id=execution_id,
                                                      events=[EventInput(type="log", payload={"i": i})])
                seq = done.last_seq
                async with asyncio.timeout(60):
                    for s in opened:
                        while seq not in s.arrived:
                            s.progress.clear()
                            await s.progress.wait()
                for s in opened:
                    samples.add(s.arrived[seq] - sent)
        finally:
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            await asyncio.gather(*(s.response.aclose() for s in opened), return_exceptions=True)
    return {"streams": streams, "events": events, "open_all_s": round(open_s, 2), **samples.summary()}


async def _starts(base: str, token: str, workflows: dict[int, uuid.UUID], iterations: int) -> dict[str, Any]:
    samples = {n: Samples() for n in workflows}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base) as client:
        for i in range(iterations + 10):
            for n, workflow_id in sorted(workflows.items(), key=lambda kv: (kv[0] + i) % 2):
                t0 = now_ns()
                r = await client.post(f"{API}/workflows/{workflow_id}/executions", content=b'{"input":{"q":1}}',
                                      headers={**headers, "Idempotency-Key": f"k-{n}-{i}"})
                elapsed = now_ns() - t0
                assert r.status_code == 201, r.text
                if i >= 10:  # warm-up
                    samples[n].add(elapsed)
    return {f"{n}_nodes": s.summary() for n, s in samples.items()}


async def run(dsn: str, stream_counts: list[int], events: int, starts: int) -> dict[str, Any]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "AGENTDB_LOG_LEVEL": "warning", "AGENTDB_POOL_MAX": "20",
           "AGENTDB_POOL_TIMEOUT": "10", "AGENTDB_DEADLINE_S": "30", "AGENTDB_STREAMS_PER_USER": str(max(stream_counts) + 10)}
    server = subprocess.Popen([sys.executable, "-m", "agentdb.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"server did not start: {server.stderr.read() if server.stderr else ''}")
            await asyncio.sleep(0.1)
        async with database(Settings(database_url=dsn, pool_max_size=4, pool_timeout_s=30.0, deadline_s=60.0)) as db:
            users, workflows, executions = UserRepository(db), WorkflowRepository(db), ExecutionRepository(db)
            user, token = await users.create(email=f"bench-{uuid.uuid4().hex[:8]}@example.com")
            graphs = {n: (await workflows.create(user_id=user.id, workflow=chain(n))).id for n in (50, 500)}
            results: dict[str, Any] = {"latency": []}
            for count in stream_counts:
                started = await executions.start(user_id=user.id, workflow_id=graphs[50])
                await executions.transition(user_id=user.id, execution_id=started.id, to_status="running")
                print(f"live: {count} streams, {events} events ...", flush=True)
                results["latency"].append(
                    await _latency(base, token, user.id, started.id, executions, count, events))
                print(f"  {results['latency'][-1]}", flush=True)
            print(f"live: start endpoint, {starts} iterations ...", flush=True)
            results["start"] = await _starts(base, token, graphs, starts)
            print(f"  {results['start']}", flush=True)
            return results
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:  # streams still closing under load: stop it hard
            server.kill()
            server.wait(10)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", default="1,100,1000",
                        help="stream counts, comma-separated (default 1,100,1000)")
    parser.add_argument("--events", type=int, default=30, help="events appended per stream count (default 30)")
    parser.add_argument("--starts", type=int, default=200, help="start requests per workflow size (default 200)")
    parser.add_argument("--dsn", help="a migrated database to use instead of a scratch one")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.streams.split(",") if c.strip()]
    if args.dsn:
        results = asyncio.run(run(args.dsn, counts, args.events, args.starts))
    else:
        with scratch_database(server_dsn(), prefix="agentdb_bench") as scratch:
            migrate.apply(scratch)
            results = asyncio.run(run(scratch, counts, args.events, args.starts))
    out = RESULTS / "live.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "machine": machine(),
                               "command": "python -m bench live " + " ".join(argv)}, indent=2) + "\n")
    print(f"-> {out}")
    return 0
