"""Scratch clusters from devtools.clusters: start/stop, pause, standby, Citus, PgBouncer.

Every test starts its own servers on free ports (never the shared one on 5432) and checks
that nothing it started is left behind.
"""

from __future__ import annotations

import os
import pwd
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from devtools import clusters
from devtools.clusters import Cluster

pytestmark = pytest.mark.skipif(not clusters.binaries_available(), reason=clusters.binaries_available().reason)


def _gone(pid: int) -> bool:
    """Whether a process no longer exists (or is a zombie)."""
    return clusters.proc_stat(pid)[:1] in ([], ["Z"])


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Fail a test that leaves a cluster, standby, Citus cluster or bouncer undestroyed."""
    assert clusters.live() == []
    yield
    assert clusters.live() == [], "a test did not destroy what it started"


@pytest.fixture
def make() -> Iterator[Callable[..., Cluster]]:
    """Start scratch clusters, all destroyed after the test."""
    with clusters.cluster_factory() as make:
        yield make


def test_start_query_restart_stop() -> None:
    with Cluster() as c:
        base, pid = c.base, c.proc.pid  # type: ignore[union-attr]
        assert c.port != 5432 and base is not None
        if os.geteuid() == 0:
            assert base.stat().st_uid == pwd.getpwnam("postgres").pw_uid
        assert c.execute("SHOW server_version_num")[0][0].startswith("15")
        assert c.execute("SHOW fsync") == [("off",)]
        c.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)")
        port = c.port
        c.restart()
        assert c.port == port and c.proc is not None and c.proc.pid != pid
        assert c.execute("SELECT count(*) FROM t") == [(2,)]
        c.stop()
        assert not c.running and _gone(pid)
        with pytest.raises(psycopg.OperationalError):
            c.execute("SELECT 1", timeout=2)
        c.start()
        assert c.execute("SELECT sum(id) FROM t") == [(3,)]
        pid = c.proc.pid
    assert not base.exists() and c.proc is None and _gone(pid)


def test_a_failed_start_names_the_log_with_its_tail() -> None:
    broken = Cluster({"shared_preload_libraries": "no_such_library"}, timeout=10)
    try:
        with pytest.raises(clusters.ClusterError) as failed:
            broken.start()
        message = str(failed.value)
        assert str(broken.log_file) in message and "no_such_library" in message, message
        assert not broken.running
    finally:
        broken.destroy()


def test_pause_times_out_a_client_then_resume_recovers(make: Callable[..., Cluster]) -> None:
    c = make()
    held = c.connect()
    c.pause()
    # every process is stopped (T), or a backend that had just exited and cannot be reaped (Z)
    assert c.paused and all(clusters.proc_stat(p)[:1] in (["T"], ["Z"]) for p in c.paused)
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        c.execute("SELECT 1", timeout=2)
    assert time.monotonic() - started < 6
    c.resume()
    assert c.execute("SELECT 1") == [(1,)]
    assert held.execute("SELECT 2").fetchone() == (2,)
    held.close()
    c.pause()  # destroy must resume before stopping
    pids = list(c.paused)
    c.destroy()
    assert all(_gone(p) for p in pids)


def test_terminate_backends(make: Callable[..., Cluster]) -> None:
    c = make()
    with c.connect(application_name="victim") as victim, c.connect(application_name="bystander") as bystander:
        assert c.terminate_backends("victim") == 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
        assert bystander.execute("SELECT 1").fetchone() == (1,)
        assert c.terminate_backends() == 1
        with pytest.raises(psycopg.OperationalError):
            bystander.execute("SELECT 1")


def test_standby_replicates_refuses_writes_and_promotes(make: Callable[..., Cluster]) -> None:
    primary = make()
    primary.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    with clusters.standby_of(primary) as standby:
        assert standby.port != primary.port
        primary.execute("INSERT INTO t VALUES (1, 'from primary')")
        standby.wait_for_replay()
        assert standby.execute("SELECT v FROM t WHERE id = 1") == [("from primary",)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as refused:
            standby.execute("INSERT INTO t VALUES (2, 'on standby')")
        assert refused.value.sqlstate == "25006"
        standby.promote()
        standby.execute("INSERT INTO t VALUES (2, 'after promote')")
        assert standby.execute("SELECT count(*) FROM t") == [(2,)]
        assert standby.execute("SELECT pg_is_in_recovery()") == [(False,)]


def test_citus_routes_a_filtered_query_to_one_shard() -> None:
    if not (available := clusters.citus_available()):
        pytest.skip(available.reason)
    with clusters.citus_cluster(workers=2) as citus:
        coordinator = citus.coordinator
        assert coordinator.execute("SELECT count(*) FROM citus_get_active_worker_nodes()") == [(2,)]
        coordinator.execute("CREATE TABLE events (user_id int NOT NULL, id int NOT NULL, body text,"
                            " PRIMARY KEY (user_id, id))")
        coordinator.execute("SELECT create_distributed_table('events', 'user_id')")
        coordinator.execute("INSERT INTO events SELECT u, 1, 'x' FROM generate_series(1, 50) u")
        placed = coordinator.execute("SELECT count(DISTINCT nodeport) FROM citus_shards"
                                     " WHERE table_name = 'events'::regclass")
        assert placed == [(2,)]
        plan = "\n".join(r[0] for r in coordinator.execute("EXPLAIN SELECT * FROM events WHERE user_id = 7"))
        assert "Task Count: 1" in plan, plan
        assert coordinator.execute("SELECT count(*) FROM events") == [(50,)]
        assert citus.create_database("other") == citus.dsn("other")
        assert coordinator.execute("SELECT count(*) FROM citus_get_active_worker_nodes()", dbname="other") == [(2,)]


def test_pgbouncer_in_transaction_mode_answers(make: Callable[..., Cluster]) -> None:
    if not (available := clusters.pgbouncer_available()):
        pytest.skip(available.reason)
    c = make()
    with clusters.pgbouncer_in_front_of(c, pool_mode="transaction") as bouncer:
        assert bouncer.port not in (c.port, 5432)
        with psycopg.connect(bouncer.dsn(), prepare_threshold=None, autocommit=True, connect_timeout=5) as conn:
            assert conn.execute("SELECT %s::int + 1", [41]).fetchone() == (42,)
            assert conn.execute("SELECT current_setting('port')::int").fetchone() == (c.port,)
        with psycopg.connect(bouncer.dsn("pgbouncer"), autocommit=True, connect_timeout=5) as admin:
            pools = admin.execute("SHOW POOLS")
            columns = [d.name for d in pools.description or []]
            modes = {dict(zip(columns, row, strict=True))["pool_mode"] for row in pools.fetchall()}
            assert "transaction" in modes
        pid = bouncer.proc.pid  # type: ignore[union-attr]
    assert _gone(pid)
