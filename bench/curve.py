"""Growth curve: the heavy user's history (first and deep page) and recent activity across scales.

For each datagen scale, on its own database (scratch, or given with --dsn SCALE=DSN),
the three reads are timed round-robin through the repository (agentdb) and the
bare-psycopg limit, p50/p99 per scale; bench/results/curve.json and curve.png.
Flat means: p50 at the largest scale within 1.5x of S, and the deep page within
1.5x of the first page at each scale.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from devtools import datagen  # noqa: E402
from bench import common  # noqa: E402
from bench.repo_bench import Side  # noqa: E402
from repositories import paging  # noqa: E402

OPS = ("history_first_page", "history_deep_page", "recent_activity_50")


async def measure_scale(scale: str, dsn: str, iterations: int, warmup: int) -> dict[str, Any]:
    hu = common.heavy_user(dsn, scale)
    pages, keyset = common.deep_keyset(dsn, hu.id)
    at, row_id = keyset or paging.FIRST_PAGE
    side = Side(dsn, traced=False)
    await side.open()
    uid = hu.id
    cursor = (at, row_id) if pages else None

    def hp(a: Any, i: Any) -> dict[str, Any]:
        return {"user_id": uid, "before_at": a, "before_id": i, "limit": common.PAGE}

    ops = {
        "history_first_page": {
            "agentdb": lambda: side.executions.history(user_id=uid, limit=common.PAGE),
            "limit": lambda: side.limit_one("executions.history", hp(*paging.FIRST_PAGE)),
        },
        "history_deep_page": {
            "agentdb": lambda: side.executions.history(user_id=uid, limit=common.PAGE, after=cursor),
            "limit": lambda: side.limit_one("executions.history", hp(at, row_id)),
        },
        "recent_activity_50": {
            "agentdb": lambda: side.executions.recent_agent_activity(user_id=uid, limit=50),
            "limit": lambda: side.limit_one("executions.recent_agent_activity", {"user_id": uid, "limit": 50}),
        },
    }
    samples = {op: {v: common.Samples() for v in vs} for op, vs in ops.items()}
    calls = [(op, v, fn) for op, vs in ops.items() for v, fn in vs.items()]
    try:
        for i in range(warmup + iterations):
            k = i % len(calls)
            for op, v, fn in calls[k:] + calls[:k]:
                t0 = common.now_ns()
                await fn()
                t1 = common.now_ns()
                if i >= warmup:
                    samples[op][v].add(t1 - t0)
    finally:
        await side.close()
    sc = datagen.SCALES[scale]
    return {
        "scale": scale,
        "workflow_executions": sc.workflow_executions,
        "agent_executions": sc.agent_executions,
        "heavy_user_workflow_executions": hu.workflow_executions,
        "heavy_user_agent_executions": hu.agent_executions,
        "deep_page_pages": pages,
        "timing": {op: {v: s.summary() for v, s in vs.items()} for op, vs in samples.items()},
    }


def plot(points: list[dict[str, Any]], path: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [p["agent_executions"] for p in points]
    for op, color in zip(OPS, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        ys = [p["timing"][op]["agentdb"]["p50_ms"] for p in points]
        ax.plot(xs, ys, "o-", color=color, label=f"{op} (agentdb p50)")
        ys = [p["timing"][op]["limit"]["p50_ms"] for p in points]
        ax.plot(xs, ys, "x--", color=color, alpha=0.6, label=f"{op} (bare psycopg p50)")
    for p in points:
        ax.annotate(f"{p['scale']} (deep={p['deep_page_pages']} pages)", (p["agent_executions"], 0),
                    textcoords="offset points", xytext=(0, 6), fontsize=8, ha="center")
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("agent executions in the database (datagen scale; workflow executions = half)")
    ax.set_ylabel("latency p50, ms (heavy user, page of 50)")
    ax.set_title("agentdb read latency vs data size")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="agentdb bench curve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="S,SM,M", help="comma-separated datagen scales (default S,SM,M)")
    parser.add_argument("--dsn", action="append", default=[], metavar="SCALE=DSN",
                        help="an already migrated and loaded database for SCALE (repeatable)")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    given = dict(item.split("=", 1) for item in args.dsn)
    points = []
    for scale in args.scales.split(","):
        with common.loaded_database(scale, given.get(scale)) as dsn:
            point = asyncio.run(measure_scale(scale, dsn, args.iterations, args.warmup))
        points.append(point)
        t = point["timing"]
        print(f"{scale:>3}: " + "  ".join(
            f"{op}={t[op]['agentdb']['p50_ms']:.3f}ms (limit {t[op]['limit']['p50_ms']:.3f})" for op in OPS))
    base = points[0]["timing"]
    summary = []
    for p in points:
        t = p["timing"]
        summary.append({
            "scale": p["scale"],
            **{f"{op}_vs_{points[0]['scale']}": round(t[op]["agentdb"]["p50_ms"] / base[op]["agentdb"]["p50_ms"], 3)
               for op in OPS},
            "deep_vs_first": round(t["history_deep_page"]["agentdb"]["p50_ms"]
                                   / t["history_first_page"]["agentdb"]["p50_ms"], 3),
        })
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"iterations": args.iterations, "warmup": args.warmup, "machine": common.machine(),
           "points": points, "ratios": summary}
    with open(common.RESULTS / "curve.json", "w") as f:
        json.dump(doc, f, indent=2, default=str)
    plot(points, str(common.RESULTS / "curve.png"))
    print()
    print("| scale | agent execs | heavy user wf execs | deep page (pages) | history first p50 / p99 ms "
          "| history deep p50 / p99 ms | recent activity p50 / p99 ms | first ÷ S | recent ÷ S | deep ÷ first |")
    print("|" + "---|" * 10)
    for p, r in zip(points, summary, strict=True):
        t = p["timing"]
        cell = lambda op: f"{t[op]['agentdb']['p50_ms']:.2f} / {t[op]['agentdb']['p99_ms']:.2f}"  # noqa: E731
        s0 = points[0]["scale"]
        print(f"| {p['scale']} | {p['agent_executions']:,} | {p['heavy_user_workflow_executions']:,} "
              f"| {p['deep_page_pages']} | {cell('history_first_page')} | {cell('history_deep_page')} "
              f"| {cell('recent_activity_50')} | {r[f'history_first_page_vs_{s0}']:.2f} "
              f"| {r[f'recent_activity_50_vs_{s0}']:.2f} | {r['deep_vs_first']:.2f} |")
    print(f"\nwrote {common.RESULTS / 'curve.json'} and {common.RESULTS / 'curve.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
