"""Repository hot paths: agentdb vs SQLAlchemy (eager, lazy) vs the bare-psycopg limit.

One run, one loaded database, every variant of an operation measured round-robin
in the same loop (the order rotates each iteration), so a noisy shared machine
slows all variants alike and the ratios within the run stay meaningful.

Variants:
  agentdb         the repository method (pool of 1 connection, untraced)
  limit           the same SQL text agentdb sends, same parameters, prepared
                  (prepare=True), on a bare psycopg AsyncConnection; json arrives
                  as raw bytes and is not decoded; nothing else around it
  limit_pipeline  (single-statement reads only) the same, inside conn.pipeline() as
                  repositories/database.py runs it: isolates the pipeline's cost
  limit_scoped    (reads) what agentdb sends for the read, sent bare: the row-level
                  security scope (auth.act_as) and the read in one pipeline, on a
                  connection working as agentdb_app as the pool's do; no pool, no
                  deadline, no decoding. The reference of the "repository p50 within
                  1.2x of the bare statement" target (limit and limit_pipeline skip the
                  scope and row-level security, which agentdb cannot)
  orm_eager       SQLAlchemy 2 AsyncSession (psycopg 3 async), selectinload
  orm_eager_sync  the same ORM code on a sync Session (no greenlet hop)
  orm_lazy        AsyncSession, default lazy="select" relationships (N+1); fewer iterations

Round trips are counted on the wire (agentdb.wire: libpq trace) on separate,
traced connections, once per variant after a warm-up call, so tracing costs
nothing in the timings. ORM statements/BEGIN/COMMIT/ROLLBACK are also counted with
SQLAlchemy events as a cross-check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg.types.json import Jsonb, set_json_dumps
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy import create_engine

from devtools import wire
from agentdb.config import Settings
from agentdb.pool import APP_ROLE, open_pool
from repositories.database import RawJsonLoader, switch_role
from bench import common, orm
from repositories import AgentRepository, Database, ExecutionRepository, WorkflowRepository
from repositories import paging
from repositories.sql import statement
from repositories.workflows import _graph_params

_ACT_AS = statement("auth.act_as")

Fn = Callable[[], Awaitable[Any]]
ROUND_TRIP_SAMPLES = 5

OPS = (
    "workflow_50",
    "workflow_500",
    "agent_10_tools",
    "recent_activity_50",
    "history_first_page",
    "history_deep_page",
    "graph_replace_50",
    "start_execution",
    "record_agent_execution",
    "workflow_create_500",
)
WRITES = ("graph_replace_50", "start_execution", "record_agent_execution", "workflow_create_500")
VARIANTS = ("agentdb", "limit", "limit_pipeline", "limit_scoped", "orm_eager", "orm_eager_sync", "orm_lazy")


def sa_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)


async def limit_connection(dsn: str, traced: bool = False, *, role: str | None = None) -> psycopg.AsyncConnection:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    if role:
        await switch_role(conn, role)
    conn.adapters.register_loader("json", RawJsonLoader)
    conn.adapters.register_loader("jsonb", RawJsonLoader)
    set_json_dumps(msgspec.json.encode, conn)
    if traced:
        wire.attach(conn)
    return conn


class SqlCounter:
    """Statements and transaction commands as SQLAlchemy reports them (the ORM cross-check)."""

    def __init__(self, engine: Any) -> None:
        self.statements = 0
        self.tx = 0
        event.listen(engine, "before_cursor_execute", self._stmt)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, self._tx)

    def _stmt(self, *args: Any) -> None:
        self.statements += 1

    def _tx(self, *args: Any) -> None:
        self.tx += 1

    def reset(self) -> None:
        self.statements = 0
        self.tx = 0


class Side:
    """One set of connections (timing or counting) and the variant callables over them."""

    def __init__(self, dsn: str, traced: bool) -> None:
        self.dsn = dsn
        self.traced = traced

    async def open(self) -> None:
        settings = Settings(database_url=self.dsn, pool_timeout_s=10.0, statement_timeout_ms=120_000)
        self.pool = await open_pool(self.dsn, settings, min_size=1, max_size=1,
                                    on_connect=wire.attach if self.traced else None)
        db = Database(self.pool, deadline_s=120.0)
        self.workflows = WorkflowRepository(db)
        self.agents = AgentRepository(db)
        self.executions = ExecutionRepository(db)
        self.limit = await limit_connection(self.dsn, traced=self.traced)
        self.limit_app = await limit_connection(self.dsn, traced=self.traced, role=APP_ROLE)
        self.engine = create_async_engine(sa_url(self.dsn), pool_size=1, max_overflow=0)
        self.sync_engine = create_engine(sa_url(self.dsn), pool_size=1, max_overflow=0)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.counters: dict[str, SqlCounter] = {}
        if self.traced:
            for key, eng in (("orm_eager", self.engine.sync_engine), ("orm_eager_sync", self.sync_engine)):
                event.listen(eng, "connect", lambda c, _r: wire.attach(getattr(c, "driver_connection", c)))
                self.counters[key] = SqlCounter(eng)
            self.counters["orm_lazy"] = self.counters["orm_eager"]

    async def close(self) -> None:
        await self.pool.close()
        await self.limit.close()
        await self.limit_app.close()
        await self.engine.dispose()
        self.sync_engine.dispose()

    # -- helpers ---------------------------------------------------------------------------

    async def orm_async(self, fn: Callable[..., Any], *args: Any) -> Any:
        async with self.sessions() as s:
            return await s.run_sync(fn, *args)

    def orm_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        with Session(self.sync_engine, expire_on_commit=False) as s:
            return fn(s, *args)

    async def limit_one(self, name: str, params: dict[str, Any]) -> Any:
        st = statement(name)
        cur = await self.limit.execute(st.text, st.bind(params), prepare=True)
        return await cur.fetchall()

    async def limit_pipeline(self, calls: list[tuple[str, dict[str, Any]]]) -> Any:
        cursors = []
        async with self.limit.pipeline():
            for name, params in calls:
                st = statement(name)
                cursors.append(await self.limit.execute(st.text, st.bind(params), prepare=True))
        return await cursors[-1].fetchall()


    async def limit_scoped(self, name: str, params: dict[str, Any]) -> Any:
        """The read with its row-level security scope, as agentdb sends it (one pipeline)."""
        async with self.limit_app.pipeline():
            await self.limit_app.execute(_ACT_AS.text, _ACT_AS.bind({"user_id": params["user_id"]}), prepare=True)
            st = statement(name)
            cur = await self.limit_app.execute(st.text, st.bind(params), prepare=True)
        return await cur.fetchall()


async def build_ops(side: Side, fx: dict[str, Any]) -> dict[str, dict[str, Fn]]:
    """The callables of every (operation, variant) on `side`, over the fixtures `fx`."""
    uid: UUID = fx["user_id"]
    wf50, wf500, agent = fx["wf50"], fx["wf500"], fx["agent"]
    deep_at, deep_id = fx["deep_at"], fx["deep_id"]
    first_at, first_id = paging.FIRST_PAGE
    deep_cursor = (deep_at, deep_id) if fx["deep_pages"] else None
    s = side

    def history_params(at: Any, row_id: Any) -> dict[str, Any]:
        return {"user_id": uid, "before_at": at, "before_id": row_id, "limit": common.PAGE}

    ops: dict[str, dict[str, Fn]] = {}
    for op, wf in (("workflow_50", wf50), ("workflow_500", wf500)):
        ops[op] = {
            "agentdb": lambda wf=wf: s.workflows.get(user_id=uid, workflow_id=wf),
            "limit": lambda wf=wf: s.limit_one("workflows.get_with_graph", {"user_id": uid, "workflow_id": wf, "unless_version": None}),
            "limit_pipeline": lambda wf=wf: s.limit_pipeline(
                [("workflows.get_with_graph", {"user_id": uid, "workflow_id": wf, "unless_version": None})]),
            "limit_scoped": lambda wf=wf: s.limit_scoped(
                "workflows.get_with_graph", {"user_id": uid, "workflow_id": wf, "unless_version": None}),
            "orm_eager": lambda wf=wf: s.orm_async(orm.workflow_eager, uid, wf),
            "orm_eager_sync": lambda wf=wf: _sync(s.orm_sync, orm.workflow_eager, uid, wf),
            "orm_lazy": lambda wf=wf: s.orm_async(orm.workflow_lazy, uid, wf),
        }
    ops["agent_10_tools"] = {
        "agentdb": lambda: s.agents.get(user_id=uid, agent_id=agent),
        "limit": lambda: s.limit_one("agents.get_with_tools", {"user_id": uid, "agent_id": agent}),
        "limit_pipeline": lambda: s.limit_pipeline([("agents.get_with_tools", {"user_id": uid, "agent_id": agent})]),
        "limit_scoped": lambda: s.limit_scoped("agents.get_with_tools", {"user_id": uid, "agent_id": agent}),
        "orm_eager": lambda: s.orm_async(orm.agent_eager, uid, agent),
        "orm_eager_sync": lambda: _sync(s.orm_sync, orm.agent_eager, uid, agent),
        "orm_lazy": lambda: s.orm_async(orm.agent_lazy, uid, agent),
    }
    ops["recent_activity_50"] = {
        "agentdb": lambda: s.executions.recent_agent_activity(user_id=uid, limit=50),
        "limit": lambda: s.limit_one("executions.recent_agent_activity", {"user_id": uid, "limit": 50}),
        "limit_pipeline": lambda: s.limit_pipeline(
            [("executions.recent_agent_activity", {"user_id": uid, "limit": 50})]),
        "limit_scoped": lambda: s.limit_scoped("executions.recent_agent_activity", {"user_id": uid, "limit": 50}),
        "orm_eager": lambda: s.orm_async(orm.recent_eager, uid, 50),
        "orm_eager_sync": lambda: _sync(s.orm_sync, orm.recent_eager, uid, 50),
        "orm_lazy": lambda: s.orm_async(orm.recent_lazy, uid, 50),
    }
    for op, cursor, at, row_id in (
        ("history_first_page", None, first_at, first_id),
        ("history_deep_page", deep_cursor, deep_at, deep_id),
    ):
        ops[op] = {
            "agentdb": lambda c=cursor: s.executions.history(user_id=uid, limit=common.PAGE, after=c),
            "limit": lambda at=at, i=row_id: s.limit_one("executions.history", history_params(at, i)),
            "limit_pipeline": lambda at=at, i=row_id: s.limit_pipeline(
                [("executions.history", history_params(at, i))]),
            "limit_scoped": lambda at=at, i=row_id: s.limit_scoped("executions.history", history_params(at, i)),
            "orm_eager": lambda at=at, i=row_id: s.orm_async(orm.history_eager, uid, at, i, common.PAGE),
            "orm_eager_sync": lambda at=at, i=row_id: _sync(s.orm_sync, orm.history_eager, uid, at, i, common.PAGE),
            "orm_lazy": lambda at=at, i=row_id: s.orm_async(orm.history_lazy, uid, at, i, common.PAGE),
        }

    # Graph replace: every variant rewrites a 50-node workflow of its own, tracking its version.
    graph = fx["replace_input"]
    targets = fx["replace_targets"]  # variant -> [workflow_id, version]

    async def rep_agentdb() -> Any:
        t = targets["agentdb"]
        out = await s.workflows.replace(user_id=uid, workflow_id=t[0], workflow=graph, expected_version=t[1])
        t[1] = out.version
        return out

    async def rep_limit() -> Any:
        t = targets["limit"]
        row = await s.limit_pipeline([
            ("workflows.replace", {
                "user_id": uid, "workflow_id": t[0], "expected_version": t[1], "name": graph.name,
                "description": graph.description, "graph_definition": Jsonb(graph.graph_definition),
            }),
            ("workflows.delete_edges", {"user_id": uid, "workflow_id": t[0]}),
            ("workflows.insert_graph", _graph_params(uid, t[0], graph)),
            ("workflows.get_with_graph", {"user_id": uid, "workflow_id": t[0], "unless_version": None}),
        ])
        t[1] += 1
        return row

    def orm_rep(key: str) -> Fn:
        async def run() -> Any:
            t = targets[key]
            if key == "orm_eager_sync":
                out = s.orm_sync(orm.replace_graph, uid, t[0], graph, t[1])
            else:
                out = await s.orm_async(orm.replace_graph, uid, t[0], graph, t[1])
            t[1] = out["version"]
            return out
        return run

    ops["graph_replace_50"] = {
        "agentdb": rep_agentdb,
        "limit": rep_limit,
        "orm_eager": orm_rep("orm_eager"),
        "orm_eager_sync": orm_rep("orm_eager_sync"),
    }

    # Writes: each call writes new rows (executions of the 50-node workflow, agent executions of
    # the bench agent, 500-node workflows), the same for every variant.
    wf, agent, session = fx["wf50"], fx["agent"], uuid.uuid4()
    tokens = {"prompt_tokens": 1200, "completion_tokens": 300, "latency_ms": 850, "cost_usd": 0.0081}
    record = {"user_id": uid, "agent_id": agent, "session_id": session, "workflow_execution_id": None,
              "status": "completed", "started_at": None, "completed_at": None, "error": None, **tokens}
    chain500 = fx["create_input"]

    async def start_limit() -> Any:
        xid = uuid.uuid4()
        return await s.limit_pipeline([
            ("executions.start", {"user_id": uid, "workflow_id": wf, "execution_id": xid, "input": None}),
            ("executions.get", {"user_id": uid, "execution_id": xid}),
        ])

    async def create_limit() -> Any:
        wid = uuid.uuid4()
        return await s.limit_pipeline([
            ("workflows.insert", {"user_id": uid, "workflow_id": wid, "name": chain500.name,
                                  "description": chain500.description,
                                  "graph_definition": Jsonb(chain500.graph_definition)}),
            ("workflows.insert_graph", _graph_params(uid, wid, chain500)),
            ("workflows.get_with_graph", {"user_id": uid, "workflow_id": wid, "unless_version": None}),
        ])

    ops["start_execution"] = {
        "agentdb": lambda: s.executions.start(user_id=uid, workflow_id=wf),
        "limit": start_limit,
        "orm_eager": lambda: s.orm_async(orm.start_execution, uid, wf),
        "orm_eager_sync": lambda: _sync(s.orm_sync, orm.start_execution, uid, wf),
    }
    ops["record_agent_execution"] = {
        "agentdb": lambda: s.executions.record_agent_execution(**record),
        "limit": lambda: s.limit_one("executions.record_agent_execution", record),
        "orm_eager": lambda: s.orm_async(orm.record_agent_execution, uid, agent, session, *tokens.values()),
        "orm_eager_sync": lambda: _sync(s.orm_sync, orm.record_agent_execution, uid, agent, session, *tokens.values()),
    }
    ops["workflow_create_500"] = {
        "agentdb": lambda: s.workflows.create(user_id=uid, workflow=chain500),
        "limit": create_limit,
        "orm_eager": lambda: s.orm_async(orm.create_workflow, uid, chain500),
        "orm_eager_sync": lambda: _sync(s.orm_sync, orm.create_workflow, uid, chain500),
    }
    return ops


async def _sync(call: Callable[..., Any], *args: Any) -> Any:
    return call(*args)


async def create_fixtures(side: Side, hu: common.HeavyUser, dsn: str) -> dict[str, Any]:
    uid = hu.id
    agent_ids = hu.agent_ids[:32]
    wf50 = await side.workflows.create(user_id=uid, workflow=common.chain(50, name="bench 50", agent_ids=agent_ids))
    wf500 = await side.workflows.create(user_id=uid, workflow=common.chain(500, name="bench 500", agent_ids=agent_ids))
    agent = await side.agents.create(user_id=uid, agent=common.agent_with_tools(10, name="bench agent"))
    targets: dict[str, list[Any]] = {}
    for key in ("agentdb", "limit", "orm_eager", "orm_eager_sync"):
        created = await side.workflows.create(
            user_id=uid, workflow=common.chain(50, name=f"bench replace {key}", agent_ids=agent_ids)
        )
        targets[key] = [created.id, created.version]
    pages, keyset = common.deep_keyset(dsn, uid)
    at, row_id = keyset or paging.FIRST_PAGE
    return {
        "user_id": uid,
        "wf50": wf50.id,
        "wf500": wf500.id,
        "agent": agent.id,
        "deep_pages": pages,
        "deep_at": at,
        "deep_id": row_id,
        "replace_input": common.chain(50, name="bench replaced", agent_ids=agent_ids[::-1]),
        "create_input": common.chain(500, name="bench created", agent_ids=agent_ids),
        "replace_targets": targets,
    }


def _shape(op: str, variant: str, result: Any) -> Any:
    """A small fingerprint of a result, to check the variants return the same thing."""
    if op in ("start_execution", "record_agent_execution"):
        return "written"
    if variant.startswith("limit"):  # rows: one document, or one row per item (item, at, id)
        docs = [json.loads(row[0]) for row in result]
        doc = docs[0] if op.startswith(("workflow", "graph", "agent_")) else docs[: common.PAGE]
    elif variant == "agentdb":
        doc = json.loads(msgspec.json.encode(result))
        if op.startswith(("history", "recent")):
            doc = doc["items"]
    else:
        doc = json.loads(json.dumps(result, default=str))
    if op.startswith("workflow") or op.startswith("graph"):
        return (len(doc["nodes"]), len(doc["edges"]), sum(1 for n in doc["nodes"] if n["agent"]))
    if op.startswith("agent"):
        return [t["name"] for t in doc["tools"]]
    return [str(item["id"]) for item in doc]


async def count_round_trips(side: Side, ops: dict[str, dict[str, Fn]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for op, variants in ops.items():
        out[op] = {}
        shapes = {}
        for variant, fn in variants.items():
            await fn()  # warm: connection up, statements prepared
            counter = side.counters.get(variant)
            # Several calls: in pipeline mode the server may start answering before the
            # client's Sync is written, which the wire meter sees as a second turn.
            seen = []
            for _ in range(ROUND_TRIP_SAMPLES):
                if counter:
                    counter.reset()
                with wire.round_trips() as meter:
                    result = await fn()
                seen.append(meter.round_trips)
            entry: dict[str, Any] = {"round_trips": min(seen), "round_trips_max": max(seen),
                                     "round_trips_samples": seen, "wire_statements": len(meter.statements)}
            if counter:
                entry["sa_statements"] = counter.statements
                entry["sa_begin_commit_rollback"] = counter.tx
            out[op][variant] = entry
            shapes[variant] = _shape(op, variant, result)
        ref = shapes["agentdb"]
        out[op]["_same_result"] = {v: shapes[v] == ref for v in shapes}
    return out


async def measure(
    ops: dict[str, dict[str, Fn]], iterations: int, lazy_every: int, warmup: int, report: Callable[[str], None]
) -> dict[str, dict[str, common.Samples]]:
    results: dict[str, dict[str, common.Samples]] = {}
    for op, variants in ops.items():
        names = list(variants)
        samples = {v: common.Samples() for v in names}
        n = iterations // 2 if op in ("workflow_500", "graph_replace_50", "workflow_create_500") else iterations
        for i in range(warmup + n):
            k = i % len(names)
            for v in names[k:] + names[:k]:
                if v == "orm_lazy" and i % lazy_every:
                    continue
                t0 = common.now_ns()
                await variants[v]()
                t1 = common.now_ns()
                if i >= warmup:
                    samples[v].add(t1 - t0)
        results[op] = samples
        report(f"  {op:<20} " + "  ".join(f"{v}={samples[v].summary().get('p50_ms', 0):.3f}ms" for v in names))
    return results


def table(doc: dict[str, Any]) -> str:
    head = ("| op | agentdb p50 / p99 ms | limit p50 (plain / in pipeline) | scoped limit p50 | ORM eager p50 (async / sync) "
            "| ORM lazy p50 | round trips agentdb / limit / eager / lazy | agentdb ÷ limit | agentdb ÷ scoped limit "
            "| ORM-eager ÷ agentdb (async / sync) |")
    lines = [head, "|" + "---|" * 10]
    for op, r in doc["ops"].items():
        t, rt = r["timing"], r["round_trips"]
        def p(v: str, key: str = "p50_ms") -> str:
            return f"{t[v][key]:.2f}" if v in t and t[v].get("n") else "—"
        def trips(v: str) -> str:
            if v not in rt:
                return "—"
            lo, hi = rt[v]["round_trips"], rt[v].get("round_trips_max", rt[v]["round_trips"])
            return str(lo) if lo == hi else f"{lo}–{hi}"
        lazy = p("orm_lazy")
        rat = r["ratios"]
        scoped = f"{rat['agentdb_over_limit_scoped']:.2f}" if "agentdb_over_limit_scoped" in rat else "—"
        lines.append(
            f"| {op} | {p('agentdb')} / {p('agentdb', 'p99_ms')} | {p('limit')} / {p('limit_pipeline')} | {p('limit_scoped')} "
            f"| {p('orm_eager')} / {p('orm_eager_sync')} "
            f"| {lazy} | {trips('agentdb')} / {trips('limit')} / {trips('orm_eager')} / {trips('orm_lazy')} "
            f"| {rat['agentdb_over_limit']:.2f} | {scoped} "
            f"| {rat['orm_eager_over_agentdb']:.2f} / {rat['orm_eager_sync_over_agentdb']:.2f} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    report = print
    with common.loaded_database(args.scale, args.dsn, report=report) as dsn:
        hu = common.heavy_user(dsn, args.scale)
        report(f"heavy user {hu.id}: {hu.workflow_executions} workflow executions, {hu.agent_executions} agent executions, "
               f"{len(hu.agent_ids)} agents")
        timing = Side(dsn, traced=False)
        await timing.open()  # untraced: tracing costs nothing in the timings
        counting = Side(dsn, traced=True)
        await counting.open()
        try:
            fx = await create_fixtures(timing, hu, dsn)
            report(f"deep page: {fx['deep_pages']} pages of {common.PAGE} deep")
            count_ops = await build_ops(counting, fx)
            trips = await count_round_trips(counting, count_ops)
            ops = await build_ops(timing, fx)
            samples = await measure(ops, args.iterations, args.lazy_every, args.warmup, report)
        finally:
            await timing.close()
            await counting.close()
    doc: dict[str, Any] = {
        "scale": args.scale,
        "iterations": args.iterations,
        "iterations_note": "workflow_500 and graph_replace_50 run iterations/2; orm_lazy runs every "
                           f"{args.lazy_every}th iteration; {args.warmup} warm-up iterations discarded",
        "heavy_user": {"workflow_executions": hu.workflow_executions, "agent_executions": hu.agent_executions,
                       "agents": len(hu.agent_ids)},
        "deep_page_pages": fx["deep_pages"],
        "machine": common.machine(),
        "ops": {},
    }
    for op in ops:
        t = {v: s.summary() for v, s in samples[op].items()}
        a = t["agentdb"]["p50_ms"]
        doc["ops"][op] = {
            "timing": t,
            "round_trips": trips[op],
            "ratios": {
                "agentdb_over_limit": round(a / t["limit"]["p50_ms"], 3),
                **({"agentdb_over_limit_pipeline": round(a / t["limit_pipeline"]["p50_ms"], 3)}
                   if t.get("limit_pipeline", {}).get("n") else {}),
                **({"agentdb_over_limit_scoped": round(a / t["limit_scoped"]["p50_ms"], 3)}
                   if t.get("limit_scoped", {}).get("n") else {}),
                "orm_eager_over_agentdb": round(t["orm_eager"]["p50_ms"] / a, 3),
                "orm_eager_sync_over_agentdb": round(t["orm_eager_sync"]["p50_ms"] / a, 3),
                "agentdb_over_orm_eager": round(a / t["orm_eager"]["p50_ms"], 3),
            },
        }
    return doc


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agentdb bench repo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="S", help="datagen scale (S, SM, M, L); default S")
    parser.add_argument("--dsn", help="use this already migrated and loaded database instead of a scratch one")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--lazy-every", type=int, default=4, help="run orm_lazy every Nth iteration")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--out", help="JSON path (default bench/results/repo-<scale>.json)")
    args = parser.parse_args(argv)
    doc = asyncio.run(run(args))
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    out = args.out or str(common.RESULTS / f"repo-{args.scale}.json")
    with open(out, "w") as f:
        json.dump(doc, f, indent=2, default=str)
    print()
    print(table(doc))
    print()
    for op, r in doc["ops"].items():
        if not all(r["round_trips"]["_same_result"].values()):
            print(f"WARNING {op}: variants returned different results: {r['round_trips']['_same_result']}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
