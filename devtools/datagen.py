"""The one data generator: deterministic (seeded), loaded with COPY, at named scales.

Tests (plan checks), `python -m devtools plans` and the benchmarks all load their data
through `load()`. The same scale and seed give the same rows, byte for byte, so a
plan summary regenerated on another run sees the same data.

Shape: many users with Zipf-like skew (user 0 is the heaviest), every user owning
at least one workflow and one agent; workflows of 5-500 nodes (most small) joined
in a chain; agents of 1-20 tools; workflow executions spread over a year, most
finished; each with agent executions (and their metrics) of its owner's agents;
memories, some expiring.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from devtools import statement

BASE_TIME = datetime(2026, 6, 1, tzinfo=UTC)
YEAR_S = 365 * 24 * 3600
CHUNK = 20_000
MEMORY_SESSIONS_PER_AGENT = 4
MEMORY_WORDS = ("invoice", "customer", "refund", "deadline", "meeting", "budget", "contract", "shipment",
                "password", "preference", "address", "holiday", "report", "server", "outage", "renewal",
                "discount", "feedback", "warranty", "schedule", "language", "timezone", "allergy", "project")


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    workflows: int
    agents_per_user: int
    workflow_executions: int
    agent_executions_per_workflow_execution: int
    memories: int

    @property
    def agent_executions(self) -> int:
        return self.workflow_executions * self.agent_executions_per_workflow_execution


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        # Tests' plan checks: enough rows that a Seq Scan or a Sort would show.
        Scale("TEST", users=1_000, workflows=2_000, agents_per_user=3, workflow_executions=100_000,
              agent_executions_per_workflow_execution=1, memories=10_000),
        Scale("S", users=1_000, workflows=2_000, agents_per_user=5, workflow_executions=10_000,
              agent_executions_per_workflow_execution=2, memories=10_000),
        Scale("SM", users=1_000, workflows=5_000, agents_per_user=5, workflow_executions=100_000,
              agent_executions_per_workflow_execution=2, memories=50_000),
        # sql/plans/: >= 1M workflow executions, >= 1M agent executions, 10k workflows.
        Scale("PLANS", users=1_000, workflows=10_000, agents_per_user=5, workflow_executions=1_000_000,
              agent_executions_per_workflow_execution=1, memories=100_000),
        Scale("M", users=1_000, workflows=10_000, agents_per_user=5, workflow_executions=1_000_000,
              agent_executions_per_workflow_execution=2, memories=200_000),
        Scale("L", users=2_000, workflows=10_000, agents_per_user=5, workflow_executions=2_000_000,
              agent_executions_per_workflow_execution=5, memories=500_000),
    )
}


def _uuid(rng: random.Random) -> str:
    # PostgreSQL reads 32 hex digits as a uuid; much cheaper than str(uuid.UUID).
    return f"{rng.getrandbits(128):032x}"


def _ts(seconds_before_base: float) -> str:
    return (BASE_TIME - timedelta(seconds=seconds_before_base)).isoformat()


class _Loader:
    """COPY rows into one table in chunks, counting rows and time."""

    def __init__(self, conn: psycopg.Connection, report: Callable[[str], None]) -> None:
        self.conn = conn
        self.report = report
        self.total_rows = 0

    def copy(self, name: str, rows: Iterator[str]) -> None:
        started = time.perf_counter()
        count = 0
        with self.conn.cursor() as cur, cur.copy(statement(f"datagen.{name}").text) as copy:
            while True:
                chunk = list(itertools.islice(rows, CHUNK))
                if not chunk:
                    break
                copy.write("".join(chunk).encode())
                count += len(chunk)
        took = time.perf_counter() - started
        self.total_rows += count
        self.report(f"  {name[5:]:<26} {count:>10,} rows {took:7.1f} s {count / max(took, 1e-9):>10,.0f} rows/s")


def load(dsn: str, scale: Scale | str, *, seed: int = 42, report: Callable[[str], None] = print) -> int:
    """Load `scale` into the (migrated, empty) database at `dsn`; returns rows loaded."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    rng = random.Random(seed)
    started = time.perf_counter()
    report(f"datagen: scale {scale.name}, seed {seed}")

    # Zipf-like weights: user i carries weight 1/(i+1)^0.9, so a few users are heavy.
    cum: list[float] = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(scale.users)))

    def pick_users(k: int) -> list[int]:
        return rng.choices(range(scale.users), cum_weights=cum, k=k)

    users = [_uuid(rng) for _ in range(scale.users)]
    n_agents = scale.users * scale.agents_per_user
    agent_owner = list(range(scale.users)) + pick_users(n_agents - scale.users)
    agents = [_uuid(rng) for _ in range(n_agents)]
    workflow_owner = list(range(scale.users)) + pick_users(scale.workflows - scale.users)
    workflows = [_uuid(rng) for _ in range(scale.workflows)]
    agents_of: list[list[int]] = [[] for _ in users]
    for a, u in enumerate(agent_owner):
        agents_of[u].append(a)
    workflows_of: list[list[int]] = [[] for _ in users]
    for w, u in enumerate(workflow_owner):
        workflows_of[u].append(w)

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement("datagen.skip_triggers").text)
        out = _Loader(conn, report)
        out.copy("copy_users", (
            f"{uid}\tuser{i}@example.com\t{_ts(YEAR_S + i)}\n" for i, uid in enumerate(users)
        ))

        def agent_rows() -> Iterator[str]:
            for a, aid in enumerate(agents):
                model = ("gpt-4o", "claude-sonnet", "llama-3")[a % 3]
                created = _ts(YEAR_S - a)
                yield (f"{aid}\t{users[agent_owner[a]]}\tagent {a}\tgenerated\t"
                       f'{{"model": "{model}", "temperature": 0.{a % 10}}}\t{created}\t{created}\n')
        out.copy("copy_agents", agent_rows())

        def tool_rows() -> Iterator[str]:
            for a, aid in enumerate(agents):
                for p in range(1 + int(19 * rng.random() ** 2)):
                    yield f"{_uuid(rng)}\t{aid}\t{users[agent_owner[a]]}\ttool{p}\t{p}\t{{}}\n"
        out.copy("copy_agent_tools", tool_rows())

        def workflow_rows() -> Iterator[str]:
            for w, wid in enumerate(workflows):
                created = _ts(YEAR_S - w)
                yield (f"{wid}\t{users[workflow_owner[w]]}\tworkflow {w}\tgenerated\t"
                       f'{{"kind": "{("etl", "chat", "review")[w % 3]}"}}\t1\t{created}\t{created}\n')
        out.copy("copy_workflows", workflow_rows())

        # Most workflows are small, a few large: 5 + 495 * u^8 nodes (mean ~60).
        node_ids: list[list[str]] = []
        for _ in workflows:
            node_ids.append([_uuid(rng) for _ in range(5 + int(495 * rng.random() ** 8))])

        def node_rows() -> Iterator[str]:
            for w, wid in enumerate(workflows):
                owner = workflow_owner[w]
                for p, nid in enumerate(node_ids[w]):
                    agent = agents[agents_of[owner][p % len(agents_of[owner])]] if p % 4 == 1 else "\\N"
                    kind = "agent" if p % 4 == 1 else ("start" if p == 0 else "tool")
                    yield f"{nid}\t{wid}\t{users[owner]}\tn{p}\t{kind}\tnode {p}\t{agent}\t{{}}\t{p}\n"
        out.copy("copy_workflow_nodes", node_rows())

        def edge_rows() -> Iterator[str]:
            for w, wid in enumerate(workflows):
                ids = node_ids[w]
                uid = users[workflow_owner[w]]
                for p in range(len(ids) - 1):
                    yield f"{_uuid(rng)}\t{wid}\t{uid}\t{ids[p]}\t{ids[p + 1]}\n"
        out.copy("copy_workflow_edges", edge_rows())
        del node_ids

        # Executions: owner by skew, workflow among the owner's, time over a year.
        per = scale.agent_executions_per_workflow_execution
        executions: list[tuple[str, int, float, str, float]] = []  # id, user, seconds before base, status, duration

        def execution_rows() -> Iterator[str]:
            for u in pick_users(scale.workflow_executions):
                before = rng.random() * YEAR_S
                # Skew inside a user too: their first workflows run most often.
                mine = workflows_of[u]
                wid = workflows[mine[int(len(mine) * rng.random() ** 3)]]
                eid = _uuid(rng)
                if before < 3600:
                    status = "running" if rng.random() < 0.5 else "pending"
                    duration = 0.0
                    completed = "\\N"
                else:
                    r = rng.random()
                    status = "completed" if r < 0.85 else ("failed" if r < 0.95 else "cancelled")
                    duration = 1 + rng.random() * 120
                    completed = _ts(before - duration)
                error = "step failed" if status == "failed" else "\\N"
                executions.append((eid, u, before, status, duration))
                yield f"{eid}\t{users[u]}\t{wid}\t{status}\t{_ts(before)}\t{completed}\t{error}\n"
        out.copy("copy_workflow_executions", execution_rows())

        agent_execution_ids: list[tuple[str, int]] = []

        def agent_execution_rows() -> Iterator[str]:
            for eid, u, before, status, duration in executions:
                session = _uuid(rng)
                mine = agents_of[u]
                for j in range(per):
                    aid = agents[mine[(j + len(agent_execution_ids)) % len(mine)]]
                    xid = _uuid(rng)
                    agent_execution_ids.append((xid, u))
                    start = before - j * duration / (per + 1)
                    completed = "\\N" if status in ("pending", "running") else _ts(start - duration / (per + 1))
                    yield f"{xid}\t{users[u]}\t{aid}\t{session}\t{eid}\t{status}\t{_ts(start)}\t{completed}\n"
        out.copy("copy_agent_executions", agent_execution_rows())
        executions.clear()

        def metrics_rows() -> Iterator[str]:
            for xid, u in agent_execution_ids:
                prompt = rng.randrange(50, 4000)
                completion = rng.randrange(10, 1500)
                cost = (prompt * 3 + completion * 15) / 1_000_000
                yield f"{_uuid(rng)}\t{xid}\t{users[u]}\t{prompt}\t{completion}\t{rng.randrange(80, 9000)}\t{cost:.6f}\n"
        out.copy("copy_agent_execution_metrics", metrics_rows())
        agent_execution_ids.clear()

        def memory_rows() -> Iterator[str]:
            # A few sessions per agent (so a session holds several memories), and text
            # from a small vocabulary (so a word matches a known share of rows).
            for u in pick_users(scale.memories):
                aid = agents[rng.choice(agents_of[u])]
                session = f"{(int(aid, 16) + rng.randrange(MEMORY_SESSIONS_PER_AGENT)) % 2**128:032x}"
                before = rng.random() * YEAR_S
                r = rng.random()
                expires = "\\N" if r < 0.5 else _ts(before - 30 * 86400 * r)
                content = " ".join(rng.choice(MEMORY_WORDS) for _ in range(4))
                yield (f"{_uuid(rng)}\t{users[u]}\t{aid}\t{session}\tremembered {content}\t"
                       f"{_ts(before)}\t{_ts(before / 2)}\t{expires}\n")
        out.copy("copy_agent_memories", memory_rows())

        analyze_started = time.perf_counter()
        conn.execute(statement("datagen.analyze").text)
        report(f"  analyze {time.perf_counter() - analyze_started:.1f} s")
    took = time.perf_counter() - started
    report(f"datagen: {out.total_rows:,} rows in {took:.1f} s ({out.total_rows / took:,.0f} rows/s)")
    return out.total_rows


def heaviest_user_id(scale: Scale | str, *, seed: int = 42) -> str:
    """The id of user 0, the heaviest (the first id the generator draws)."""
    return f"{random.Random(seed).getrandbits(128):032x}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.datagen", description=__doc__)
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    from agentdb import config

    load(config.resolve_dsn(config.from_env()), args.scale, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
