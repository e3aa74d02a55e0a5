"""Read replicas: repository read throughput with 0 and 1 standby, and what read-your-writes costs.

`python -m bench replica [--seconds 5] [--rounds 3] [--concurrency 8] [--pairs 300]`

Starts a scratch primary (synchronous_commit on) and a hot standby (devtools.clusters, on free
ports, destroyed afterwards), migrates, creates one user with 20 agents through the
repositories, then in the same run:

* throughput: `--concurrency` tasks call `AgentRepository.get` (one agent with its tools, random
  among 20) for `--seconds`, alternately on a Database without read pool (0 standbys: every read
  on the primary) and with one (1 standby: reads on the standby, guarded); `--rounds` rounds each,
  interleaved; reads/s and p50/p99 per call.
* read-your-writes: `--pairs` update-then-get pairs of one agent, each way: on the primary only;
  with the standby (the write reads its WAL position after its Sync; the read is guarded); and two
  wrong ways, counted for staleness: an unguarded standby read, and a position read inside the
  write's transaction (before its Sync, issue 15's trap).

Writes bench/results/replica.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from typing import Any

from agentdb import config, migrate
from bench import common
from agentdb.pool import open_pool, open_read_pool
from devtools import clusters
from devtools.clusters import Cluster
from repositories import AgentRepository, Database, UserRepository
from repositories.agents import AgentInput, AgentPatch, ToolInput
from repositories.database import ReadReplicas, lsn_value
from repositories.sql import statement

OUT = common.RESULTS / "replica.json"
_UPDATE, _WAL_POSITION = statement("agents.update"), statement("replicas.wal_position")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _load(db: Database, user_id: uuid.UUID, agents: list[uuid.UUID], seconds: float,
                concurrency: int) -> dict[str, float]:
    repo, times = AgentRepository(db), []
    stop = time.monotonic() + seconds

    async def reader() -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            await repo.get(user_id=user_id, agent_id=random.choice(agents))
            times.append(time.perf_counter() - start)

    began = time.monotonic()
    await asyncio.gather(*(reader() for _ in range(concurrency)))
    return {"reads": len(times), "reads_per_s": len(times) / (time.monotonic() - began),
            "p50_ms": _pct(times, 0.5) * 1000, "p99_ms": _pct(times, 0.99) * 1000}


async def _pairs(write: Any, read: Any, n: int) -> dict[str, float]:
    """n write-then-read pairs; how many reads missed their write, and the per-pair time."""
    stale, times = 0, []
    for i in range(n):
        name = f"p{i}-{uuid.uuid4().hex[:4]}"
        start = time.perf_counter()
        await write(name)
        stale += (await read()) != name
        times.append(time.perf_counter() - start)
    return {"pairs": n, "stale": stale, "p50_ms": _pct(times, 0.5) * 1000, "p99_ms": _pct(times, 0.99) * 1000,
            "mean_ms": statistics.fmean(times) * 1000}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = config.Settings(database_url="unused", pool_min_size=args.concurrency,
                               pool_max_size=args.concurrency)
    with Cluster({"synchronous_commit": "on"}, name="bench-primary") as primary:
        migrate.apply(primary.dsn())
        with clusters.standby_of(primary) as standby:
            pool = await open_pool(primary.dsn(), settings)
            read_pool = await open_read_pool(standby.dsn(), settings)
            await read_pool.wait(timeout=10)
            try:
                plain, replicas = Database(pool), ReadReplicas(read_pool)
                routed = Database(pool, replicas=replicas)
                user, _ = await UserRepository(plain).create(email=f"bench-{uuid.uuid4().hex[:6]}@example.com")
                agents = [(await AgentRepository(plain).create(
                    user_id=user.id, agent=AgentInput(name=f"a{i}", tools=[ToolInput(name=f"t{j}") for j in range(5)])
                )).id for i in range(20)]
                standby.wait_for_replay()
                for db in (plain, routed):  # warm both pools
                    await _load(db, user.id, agents, 1.0, args.concurrency)
                throughput: dict[str, list[dict[str, float]]] = {"0_standbys": [], "1_standby": []}
                for _ in range(args.rounds):
                    throughput["0_standbys"].append(await _load(plain, user.id, agents, args.seconds, args.concurrency))
                    throughput["1_standby"].append(await _load(routed, user.id, agents, args.seconds, args.concurrency))

                agent_id, repo, routed_repo = agents[0], AgentRepository(plain), AgentRepository(routed)
                unguarded = Database(read_pool)

                async def get_plain() -> str:
                    return (await repo.get(user_id=user.id, agent_id=agent_id)).name

                async def get_routed() -> str:
                    return (await routed_repo.get(user_id=user.id, agent_id=agent_id)).name

                async def get_unguarded() -> str:
                    return (await AgentRepository(unguarded).get(user_id=user.id, agent_id=agent_id)).name

                async def write_plain(name: str) -> None:
                    await repo.update(user_id=user.id, agent_id=agent_id, patch=AgentPatch(name=name))

                async def write_routed(name: str) -> None:
                    await routed_repo.update(user_id=user.id, agent_id=agent_id, patch=AgentPatch(name=name))

                async def write_position_inside(name: str) -> None:
                    # The trap: the position read in the write's own pipeline, before its Sync.
                    lsn = (await plain.row(_UPDATE(user_id=user.id, agent_id=agent_id, name=name, description=None,
                                                   configuration=None),
                                           _WAL_POSITION()))[0]
                    replicas.wrote(user.id, lsn_value(lsn))

                before = (replicas.standby_reads, replicas.primary_reads)
                pairs = {"primary_only": await _pairs(write_plain, get_plain, args.pairs),
                         "with_standby": await _pairs(write_routed, get_routed, args.pairs)}
                pairs["with_standby"]["on_standby"] = replicas.standby_reads - before[0]
                pairs["with_standby"]["on_primary"] = replicas.primary_reads - before[1]
                pairs["unguarded_standby_read"] = await _pairs(write_plain, get_unguarded, args.pairs)
                before = (replicas.standby_reads, replicas.primary_reads)
                pairs["position_before_sync"] = await _pairs(write_position_inside, get_routed, args.pairs)
                pairs["position_before_sync"]["on_standby"] = replicas.standby_reads - before[0]
            finally:
                await read_pool.close()
                await pool.close()
    return {"machine": {"cpus": os.cpu_count(), "note": "loopback; primary, standby and client on one machine"},
            "args": vars(args), "throughput": throughput, "read_your_writes": pairs}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench replica", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per configuration (default 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent readers and pool size (default 8)")
    parser.add_argument("--pairs", type=int, default=300, help="write-then-read pairs per way (default 300)")
    args = parser.parse_args(argv)
    if not (ok := clusters.binaries_available()):
        print(f"skipped: {ok.reason}")
        return 1
    result = asyncio.run(run(args))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for name, rounds in result["throughput"].items():
        print(f"{name:>11}: " + ", ".join(f"{r['reads_per_s']:.0f}/s p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms"
                                           for r in rounds))
    for name, r in result["read_your_writes"].items():
        print(f"{name:>22}: {r['stale']}/{r['pairs']} stale, pair p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms"
              + (f", {r['on_standby']} reads on the standby" if "on_standby" in r else ""))
    print(f"-> {OUT}")
    return 0
