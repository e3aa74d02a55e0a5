"""`agentdb serve` in a process of its own, for tests that need a real HTTP server.

`live_server(dsn)` runs the real command line (`python -m agentdb.cli serve`) on a
free port of 127.0.0.1 against `dsn`, waits until `/readyz` answers 200, yields a
`LiveServer` (its base URL, its log), and stops it on exit: SIGTERM, then SIGKILL
if it has not exited within a few seconds. A server that fails to start raises
`LiveServerError` with the tail of its log. The process gets a parent-death signal,
so it does not outlive a test run that is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from devtools import ROOT
from devtools.clusters import free_port

API = "/api/agent-builder"


class LiveServerError(RuntimeError):
    """The server did not start, or did not stop, in time."""


def status_of(url: str, timeout: float = 2.0) -> int:
    """The HTTP status `url` answers a GET with (0: no answer at all)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def wait_until(check: Callable[[], bool], timeout: float, what: str,
               proc: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    """Poll `check` every 50 ms until it is true; LiveServerError (with the log's tail) on timeout or
    when `proc` exits first."""
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            raise LiveServerError(f"{what}: the server exited with status {proc.returncode}\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise LiveServerError(f"{what}: not within {timeout:.0f} s\n{_tail(log)}")
        time.sleep(0.05)


def _tail(log: Path | None, lines: int = 30) -> str:
    if log is None:
        return ""
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return f"(no log at {log})"


@dataclass
class LiveServer:
    """A running `agentdb serve`."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        """Its base URL, `http://127.0.0.1:PORT`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        """The base URL of its API routes."""
        return self.url + API

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of its output (stdout and stderr)."""
        return _tail(self.log, lines)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL after `timeout`; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return int(self.proc.returncode)


def start(dsn: str, env: Mapping[str, str] | None = None, *, timeout: float = 60.0) -> LiveServer:
    """Start `agentdb serve` against `dsn` (with `env` added to this process's environment) and wait
    until /readyz answers 200; stop it yourself (`stop()`), or use `live_server`."""
    environment = {**os.environ, "DATABASE_URL": dsn, "AGENTDB_LOG_LEVEL": "warning", **(env or {})}
    log = Path(tempfile.mkstemp(prefix="agentdb-serve-", suffix=".log")[1])
    preexec = None
    if threading.current_thread() is threading.main_thread():  # PDEATHSIG follows the spawning thread
        libc = ctypes.CDLL(None, use_errno=True)
        preexec = lambda: libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # noqa: E731  1 = PR_SET_PDEATHSIG
    for attempt in range(3):
        port = free_port()
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "agentdb.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", "1"],
                env=environment, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=preexec)
        server = LiveServer(port, proc, log)
        try:
            wait_until(lambda: status_of(server.url + "/readyz") == 200, timeout, f"agentdb serve on port {port}",
                       proc, log)
            return server
        except BaseException:
            server.stop()
            if attempt == 2 or "is not free" not in server.log_tail(5):
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def live_server(dsn: str, env: Mapping[str, str] | None = None, *, timeout: float = 60.0) -> Iterator[LiveServer]:
    """`agentdb serve` against `dsn` for the length of the block (see the module's docstring)."""
    server = start(dsn, env, timeout=timeout)
    try:
        yield server
    finally:
        server.stop()
        with contextlib.suppress(OSError):
            server.log.unlink()
