"""`make run` (`agentdb demo`): port checked before anything, the demo's own workflow printed,
one live demo token, and the embedded PostgreSQL stopped when the demo exits (SIGTERM, SIGINT),
even after a run that died without letting go of it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools import ROOT
from devtools.clusters import free_port
from devtools.live_server import status_of, wait_until
from devtools.testdb import scratch_database
from tests.test_cli import agentdb, assert_one_line, environment

TOKEN = re.compile(r"demo token \(earlier demo tokens are revoked\): (agdb_\S+)")
WORKFLOW = re.compile(r"demo workflow: ([0-9a-f-]{36})")


def postgres_processes(data_dir: Path) -> list[int]:
    """Pids of the postgres processes serving `data_dir` (their command line names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"postgres") and str(data_dir).encode() in argv:
            pids.append(int(entry.name))
    return pids


def get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


class Demo:
    """`agentdb demo` running in its own process; its stdout read until it serves."""

    def __init__(self, env: dict[str, str], port: int, *extra: str) -> None:
        self.port = port
        self.proc = subprocess.Popen([sys.executable, "-m", "agentdb.cli", "demo", "--port", str(port), *extra],
                                     env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out: list[str] = []

    def wait_serving(self, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.out.append(line)
            if "Ctrl-C to stop" in line:
                break
            assert time.monotonic() < deadline, self.out
        text = "".join(self.out)
        assert "Ctrl-C to stop" in text, (text, self.proc.stderr.read() if self.proc.stderr else "")
        # uvicorn binds after printing: ready when /readyz answers (devtools.live_server's wait)
        wait_until(lambda: status_of(f"http://127.0.0.1:{self.port}/readyz") == 200,
                   max(1.0, deadline - time.monotonic()), f"agentdb demo on port {self.port}", self.proc)
        return text

    def stop(self, signum: int) -> tuple[int, str]:
        self.proc.send_signal(signum)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


@pytest.fixture
def demo_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """The embedded PostgreSQL in a data directory of this test's own (never the shared one)."""
    data_dir = tmp_path / "pgdata"
    yield environment(DATABASE_URL=None, AGENTDB_PGDATA=str(data_dir)), data_dir.resolve()
    for pid in postgres_processes(data_dir.resolve()):  # a failed test leaves nothing behind either
        os.kill(pid, signal.SIGQUIT)


@pytest.mark.embedded
def test_demo_stops_its_embedded_postgres_on_sigterm_and_sigint(demo_env: tuple[dict[str, str], Path]) -> None:
    env, data_dir = demo_env
    demo = Demo(env, free_port(), "--executions", "20")
    text = demo.wait_serving()
    token, workflow_id = TOKEN.search(text).group(1), WORKFLOW.search(text).group(1)  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{demo.port}/api/agent-builder"
    status, workflow = get(f"{base}/workflows/{workflow_id}", token)
    assert status == 200 and len(workflow["nodes"]) == 50
    assert postgres_processes(data_dir)
    code, err = demo.stop(signal.SIGTERM)
    assert code == 143 and "Traceback" not in err, err
    assert postgres_processes(data_dir) == []
    assert json.loads((data_dir / ".handle_pids.json").read_text()) == []

    # A process that died without letting go (SIGKILL) is left in the handle list; it must
    # not keep the next run's server alive. The second run finds the data: same workflow,
    # a new token, the first one revoked.
    (data_dir / ".handle_pids.json").write_text(json.dumps([_dead_pid()]))
    again = Demo(env, free_port())
    text = again.wait_serving()
    assert WORKFLOW.search(text).group(1) == workflow_id and "loading demo data" not in text  # type: ignore[union-attr]
    second = TOKEN.search(text).group(1)  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{again.port}/api/agent-builder"
    assert get(f"{base}/workflows/{workflow_id}", second)[0] == 200
    assert get(f"{base}/workflows/{workflow_id}", token)[0] == 401
    code, err = again.stop(signal.SIGINT)
    assert code in (0, 130) and "Traceback" not in err, err
    assert postgres_processes(data_dir) == []


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_taken_port_stops_the_demo_before_anything(tmp_path: Path) -> None:
    data_dir = tmp_path / "pgdata"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = environment(DATABASE_URL=None, AGENTDB_PGDATA=str(data_dir))
        for done in (agentdb("demo", "--port", str(port), env=env), agentdb("demo", env={**env, "PORT": str(port)})):
            assert_one_line(done, 2, f"port {port} on 127.0.0.1 is not free", "make run PORT=N")
            assert done.stdout == ""  # nothing migrated, no token minted, no curl lines
    assert not data_dir.exists()  # not even the embedded server was started


def test_make_run_passes_its_port() -> None:
    done = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "agentdb demo --port 8123" in done.stdout, done


def test_a_second_demo_prints_its_own_workflow_and_keeps_one_live_token(server_dsn: str) -> None:
    """Against DATABASE_URL's server: the demo's workflow, not the newest one; one live demo token."""
    with scratch_database(server_dsn, prefix="agentdb_demo") as database:
        env = environment(DATABASE_URL=database)
        first = agentdb("demo", "--no-serve", "--executions", "10", env=env)
        assert first.returncode == 0, first.stderr
        workflow_id = WORKFLOW.search(first.stdout).group(1)  # type: ignore[union-attr]
        # The demo user (through its token) creates a newer workflow: still not the one printed.
        token = TOKEN.search(first.stdout).group(1)  # type: ignore[union-attr]
        _create_workflow(database, token)
        for _ in range(2):
            again = agentdb("demo", "--no-serve", env=env)
            assert again.returncode == 0 and "loading demo data" not in again.stdout, again.stderr
            assert WORKFLOW.search(again.stdout).group(1) == workflow_id  # type: ignore[union-attr]
        listed = agentdb("tokens", "list", "demo@agentdb.local", env=env)
        rows = [line.split() for line in listed.stdout.splitlines()[1:]]
        assert [row[1] for row in rows] == ["demo"] * 3
        assert [row[4] == "-" for row in rows] == [True, False, False]  # only the newest is live


def _create_workflow(database: str, token: str) -> None:
    """A newer workflow of the demo user, made the way a client would (the HTTP app, in process)."""
    import asyncio

    from litestar.testing import AsyncTestClient

    from agentdb.config import Settings
    from api.app import create_app

    async def create() -> None:
        app = create_app(Settings(database_url=database, pool_min_size=1, pool_max_size=2))
        async with AsyncTestClient(app=app) as client:
            response = await client.post("/api/agent-builder/workflows", json={"name": "newer"},
                                         headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 201, response.text

    asyncio.run(create())


@pytest.mark.embedded
def test_a_command_on_a_fresh_embedded_server_says_migrate_and_stops_it(
        demo_env: tuple[dict[str, str], Path]) -> None:
    """A server never migrated has no agentdb roles: one line saying what to run, and the
    embedded server this short command started is stopped again when it exits."""
    env, data_dir = demo_env
    # (Not the pool's "did not answer in time" after 10 s of connections failing to switch role.)
    assert_one_line(agentdb("users", "list", env=env), 1, "not migrated", "run `agentdb migrate` first")
    assert (data_dir / "PG_VERSION").exists() and postgres_processes(data_dir) == []
