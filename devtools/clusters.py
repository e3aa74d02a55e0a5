"""Scratch PostgreSQL 15 servers for tests: clusters, hot standbys, Citus and PgBouncer.

Each server gets its own temp directory (owned by the `postgres` OS user when we run as root; on
/dev/shm when it has room), a free port on 127.0.0.1 and its own unix socket directory. Everything is
destroyed on `with` exit, by `cluster_factory()`, or at interpreter exit; servers started from the
main thread also get a parent-death signal, so they shut down even if we are SIGKILLed (unless paused).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import psycopg
from psycopg import sql as pgsql

from devtools import statement
from repositories.database import run_sync

PG_BIN = Path(os.environ.get("DEVTOOLS_PG_BIN", "/usr/lib/postgresql/15/bin"))
CITUS_INSTALL = Path(__file__).resolve().parents[2] / "shared" / "citus" / "install.sh"  # <repo>/../shared
OS_USER = "postgres"
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": "32MB"}
STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
Settings = Mapping[str, Any] | None

_LIVE: dict[int, Any] = {}  # id -> object with destroy(), in creation order
_PORTS: set[int] = set()
_LOCK = threading.Lock()
_ONCE: dict[str, Any] = {}  # the initdb template and the Citus check, made once per process


class ClusterError(RuntimeError):
    """A scratch server failed to start, stop or answer in time."""


@dataclass(frozen=True)
class Availability:
    """Whether a tool can run here; falsy, with a `reason` for `pytest.skip`, when not."""

    ok: bool
    reason: str

    def __bool__(self) -> bool:
        """True exactly when available."""
        return self.ok


def live() -> list[Any]:
    """Objects started here and not yet destroyed (tests assert it is empty)."""
    return list(_LIVE.values())


@atexit.register
def _destroy_all() -> None:
    """Destroy everything still alive, newest first (bouncers and standbys before their primaries)."""
    for obj in reversed(live()):
        with contextlib.suppress(Exception):
            obj.destroy()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 not already handed out by this process."""
    with _LOCK:
        for _ in range(100):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
            if port not in _PORTS:
                _PORTS.add(port)
                return port
    raise ClusterError("no free TCP port on 127.0.0.1")


def temp_root() -> str:
    """Where scratch directories go: $DEVTOOLS_TMPDIR, else /dev/shm with 2 GiB free, else /tmp."""
    if chosen := os.environ.get("DEVTOOLS_TMPDIR"):
        return chosen
    with contextlib.suppress(OSError):
        shm = os.statvfs("/dev/shm")
        if shm.f_bavail * shm.f_frsize >= 2 << 30 and os.access("/dev/shm", os.W_OK | os.X_OK):
            return "/dev/shm"  # RAM: copying a data directory and starting a server are ~10x faster than on disk
    return tempfile.gettempdir()


def _mkdtemp(prefix: str) -> Path:
    """A fresh temp directory owned by the postgres OS user."""
    path = Path(tempfile.mkdtemp(prefix=f"devtools-{prefix}-", dir=temp_root()))
    if os.geteuid() == 0:
        os.chown(path, pwd.getpwnam(OS_USER).pw_uid, pwd.getpwnam(OS_USER).pw_gid)
    return path


def _as_postgres() -> dict[str, Any]:
    """Popen arguments: drop root to the postgres OS user; environment without PG* variables."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, "LC_ALL": "C"}
    if os.geteuid() != 0:
        return {"env": env}
    return {"env": env, "user": OS_USER, "group": pwd.getpwnam(OS_USER).pw_gid, "extra_groups": []}


def _tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(log unreadable: {exc})"


def _run(cmd: Sequence[str | Path | int], timeout: float, cwd: Path | None = None) -> str:
    """Run a tool as the postgres OS user; its stdout, or ClusterError with its stderr."""
    args = [str(a) for a in cmd]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=cwd or temp_root(),
                              **_as_postgres())
    except subprocess.TimeoutExpired as exc:
        raise ClusterError(f"{Path(args[0]).name} timed out after {timeout:.0f}s: {args}") from exc
    if done.returncode:
        raise ClusterError(f"{Path(args[0]).name} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return str(done.stdout)


def _wait_until(check: Callable[[], Any], timeout: float, what: str, log: Path,
                proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `check` until truthy; ClusterError naming `log`, with its tail, on timeout or process exit."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if check():
                return
        if proc is not None and proc.poll() is not None:
            raise ClusterError(f"{what}: process exited with code {proc.returncode}; log {log}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}; log {log}:\n{_tail(log)}")
        time.sleep(0.05)


def proc_stat(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (state, ppid, ...); empty when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def descendants(pid: int) -> list[int]:
    """Every descendant of `pid`, parents before children, read from /proc."""
    parents = {int(e): proc_stat(int(e))[1:2] for e in os.listdir("/proc") if e.isdigit()}
    found, frontier = [], {str(pid)}
    while frontier:
        children = [p for p, parent in parents.items() if parent and parent[0] in frontier]
        found += children
        frontier = {str(p) for p in children}
    return found


def _signal_all(pids: Sequence[int], sig: int) -> None:
    """Send `sig` to each pid, ignoring those already gone."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _accepts(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:`port` (raises when not)."""
    with socket.create_connection(("127.0.0.1", port), 1):
        return True


def binaries_available() -> Availability:
    """Whether the PostgreSQL server binaries (and, as root, the postgres OS user) are present."""
    missing = [n for n in ("postgres", "initdb", "pg_basebackup", "pg_config") if not os.access(PG_BIN / n, os.X_OK)]
    if missing:
        return Availability(False, f"PostgreSQL server binaries missing from {PG_BIN}: {', '.join(missing)}")
    if os.geteuid() == 0 and OS_USER not in {entry.pw_name for entry in pwd.getpwall()}:
        return Availability(False, f"running as root but there is no {OS_USER!r} OS user to own clusters")
    return Availability(True, f"PostgreSQL server binaries in {PG_BIN}")


class _Scoped:
    """`with` support for things that start and are destroyed."""

    def __enter__(self) -> Self:
        return _started(self)  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    def start(self) -> Self:
        """Start (subclasses)."""
        raise NotImplementedError

    def destroy(self) -> None:
        """Stop and delete everything (subclasses)."""
        raise NotImplementedError


class _Server(_Scoped):
    """What scratch servers share: a temp directory, a port, one process and cleanup."""

    name, log_name = "server", "server.log"

    def __init__(self, timeout: float) -> None:
        """Nothing happens on disk until `start()`."""
        self.timeout, self.port = timeout, 0
        self.base: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, port={self.port}, dir={self.base})"

    def stop(self) -> None:
        """Stop the server (subclasses)."""
        raise NotImplementedError

    @property
    def log_file(self) -> Path:
        """The server's log: its stdout and stderr."""
        return Path(self.base or "/nonexistent") / self.log_name

    @property
    def running(self) -> bool:
        """Whether the process is alive (a paused one counts)."""
        return self.proc is not None and self.proc.poll() is None

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq URI for user postgres over TCP (trust auth)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _allocate(self) -> bool:
        """Make the directory and pick a port on first use; whether this was the first use."""
        if self.base is not None:
            return False
        self.base = _mkdtemp(self.name)
        _LIVE[id(self)] = self
        self.port = free_port()
        return True

    def _spawn(self, cmd: Sequence[str | Path], death_signal: int) -> None:
        """Run the server process as the postgres OS user, output appended to the log."""
        preexec = None
        if threading.current_thread() is threading.main_thread():  # PDEATHSIG follows the spawning thread
            libc = ctypes.CDLL(None, use_errno=True)
            preexec = lambda: libc.prctl(1, death_signal, 0, 0, 0)  # noqa: E731  1 = PR_SET_PDEATHSIG
        with open(self.log_file, "ab") as out:
            self.proc = subprocess.Popen([str(a) for a in cmd], stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, cwd=self.base, start_new_session=True,
                                         preexec_fn=preexec, **_as_postgres())

    def _terminate(self, first: int) -> None:
        """Signal the process with `first`, escalating to SIGQUIT then SIGKILL (with children) until gone."""
        proc, self.proc = self.proc, None
        for sig, wait in ((first, self.timeout), (signal.SIGQUIT, 10.0), (signal.SIGKILL, 10.0)):
            if proc is None or proc.poll() is not None:
                return
            if sig == signal.SIGKILL:
                _signal_all(descendants(proc.pid), sig)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(wait)
        raise ClusterError(f"{self} survived SIGKILL")

    def destroy(self) -> None:
        """Stop and delete the directory; safe to call twice."""
        try:
            self.stop()
        finally:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
            _PORTS.discard(self.port)
            _LIVE.pop(id(self), None)


def _started(server: Any) -> Any:
    """Start `server`, destroying it if that fails (the error carries the log's tail)."""
    try:
        return server.start()
    except BaseException:
        server.destroy()
        raise


def _template(timeout: float) -> Path:
    """The data directory made once per process by initdb; clusters start as copies of it."""
    with _LOCK:
        if "template" not in _ONCE:
            if not (ok := binaries_available()):
                raise ClusterError(ok.reason)
            base = _mkdtemp("initdb")
            atexit.register(shutil.rmtree, base, True)
            _run([PG_BIN / "initdb", "-D", base / "data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions"], timeout, cwd=base)
            _ONCE["template"] = base / "data"
        return Path(_ONCE["template"])


class Cluster(_Server):
    """A scratch PostgreSQL cluster: user postgres with trust auth, FAST_SETTINGS unless fast=False."""

    log_name = "postgresql.log"

    def __init__(self, settings: Settings = None, *, name: str = "pg", fast: bool = True,
                 timeout: float = 30.0) -> None:
        """Describe a cluster; `settings` go to postgresql.conf (e.g. shared_preload_libraries, wal_level)."""
        super().__init__(timeout)
        self.settings = {**(FAST_SETTINGS if fast else {}), **(settings or {})}
        self.name = name
        self.paused: list[int] = []

    @property
    def data_dir(self) -> Path:
        """The data directory (PGDATA)."""
        return Path(self.base or "/nonexistent") / "data"

    def _create(self) -> None:
        """Make the data directory: a copy of the initdb template plus our settings."""
        _run(["cp", "-a", _template(self.timeout), self.data_dir], self.timeout)
        self.configure(self.settings)

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Append settings to postgresql.conf (strings are quoted); they apply at the next start or reload."""
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            for key, value in settings.items():
                literal = "'" + value.replace("'", "''") + "'" if isinstance(value, str) else value
                conf.write(f"{key} = {literal}\n")

    def start(self) -> Self:
        """Create on first use, start the postmaster and wait until it accepts connections."""
        if self.running:
            return self
        if first := self._allocate():
            self._create()
        for attempt in range(3 if first else 1):
            opts = {"port": self.port, "listen_addresses": "127.0.0.1", "unix_socket_directories": self.base}
            self._spawn([PG_BIN / "postgres", "-D", self.data_dir,
                         *(arg for k, v in opts.items() for arg in ("-c", f"{k}={v}"))], signal.SIGQUIT)
            try:
                _wait_until(lambda: self.run("clusters.ping", timeout=2), self.timeout,
                            f"{self} to accept connections", self.log_file, self.proc)
                return self
            except ClusterError:
                self.stop("immediate")
                if attempt == 2 or not first or "could not bind" not in _tail(self.log_file, 5):
                    raise
                _PORTS.discard(self.port)  # someone took the port between our choosing and binding it
                self.port = free_port()
        return self

    def stop(self, mode: str = "fast") -> None:
        """Shut down (smart, fast or immediate), resuming a paused server first; escalates on timeout."""
        self.resume()
        self._terminate(STOP_SIGNALS[mode])

    def restart(self, mode: str = "fast") -> Self:
        """Stop and start again on the same port."""
        self.stop(mode)
        return self.start()

    def pause(self) -> None:
        """SIGSTOP the postmaster and all its children: clients hang until `resume()`."""
        if self.paused or self.proc is None or not self.running:
            return
        os.kill(self.proc.pid, signal.SIGSTOP)  # first, so that it forks nothing meanwhile
        self.paused = [self.proc.pid, *descendants(self.proc.pid)]
        _signal_all(self.paused[1:], signal.SIGSTOP)
        _wait_until(lambda: all(proc_stat(p)[:1] in ([], ["T"], ["Z"]) for p in self.paused), self.timeout,
                    f"{self} to stop on SIGSTOP", self.log_file)

    def resume(self) -> None:
        """SIGCONT everything `pause()` stopped."""
        pids, self.paused = self.paused, []
        _signal_all(pids[::-1], signal.SIGCONT)

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """An autocommit psycopg connection (connect_timeout defaults to the cluster's timeout)."""
        kwargs.setdefault("connect_timeout", max(2, round(self.timeout)))
        return psycopg.connect(self.dsn(dbname), autocommit=True, **kwargs)

    def execute(self, query: str | pgsql.Composable, params: Sequence[Any] | Mapping[str, Any] | None = None, *,
                dbname: str = "postgres", timeout: float | None = None) -> list[tuple[Any, ...]]:
        """Run a statement (or a parameterless script) on a fresh connection; the last rows returned."""
        rows: list[tuple[Any, ...]] = []
        with self.connect(dbname, connect_timeout=max(2, round(timeout or self.timeout))) as conn:
            cur = conn.execute(query, params)  # type: ignore[arg-type]
            while True:
                rows = cur.fetchall() if cur.description else rows
                if not cur.nextset():
                    return rows

    psql = execute

    def run(self, name: str, *, dbname: str = "postgres", timeout: float | None = None,
            **params: Any) -> list[tuple[Any, ...]]:
        """Run the tooling statement `name` (devtools/sql/) on a fresh connection; its rows."""
        call = statement(name)(**params)
        return self.execute(call.statement.text, call.params, dbname=dbname, timeout=timeout)

    def lsn(self) -> str:
        """Flush WAL with one tiny synchronous commit; the flushed LSN covers every earlier commit."""
        with self.connect() as conn:  # synchronous_commit=off leaves commits unflushed, so unsent to standbys
            run_sync(conn, statement("clusters.flush_wal")())
            return str(run_sync(conn, statement("clusters.flush_lsn")())[0][0])

    def terminate_backends(self, application_name: str | None = None) -> int:
        """Terminate client backends (all, or those with `application_name`) and wait; how many."""
        return int(self.run("clusters.terminate_backends", app=application_name)[0][0])


@contextlib.contextmanager
def cluster_factory() -> Iterator[Callable[..., Cluster]]:
    """Yield `make(settings=None, **kw) -> started Cluster`; everything made is destroyed on exit."""
    made: list[Cluster] = []

    def make(settings: Settings = None, **kwargs: Any) -> Cluster:
        made.append(cluster := Cluster(settings, **kwargs))
        return cluster.start()

    try:
        yield make
    finally:
        for cluster in reversed(made):
            cluster.destroy()


class Standby(Cluster):
    """A hot standby streaming from `primary`, seeded by `pg_basebackup -R` (its settings copied too)."""

    def __init__(self, primary: Cluster, settings: Settings = None, **kwargs: Any) -> None:
        """Describe a standby of a running primary; `settings` are added to the copied postgresql.conf."""
        super().__init__(settings, fast=False, name=kwargs.pop("name", f"{primary.name}-standby"), **kwargs)
        self.primary = primary

    def _create(self) -> None:
        """Take a base backup of the primary, writing standby.signal and primary_conninfo."""
        _run([PG_BIN / "pg_basebackup", "-D", self.data_dir, "-R", "-X", "stream", "-c", "fast", "--no-sync",
              "-h", "127.0.0.1", "-p", self.primary.port, "-U", "postgres"], self.timeout, cwd=self.base)
        self.configure(self.settings)

    def wait_for_replay(self, lsn: str | None = None, timeout: float | None = None) -> str:
        """Wait until WAL up to `lsn` (default: all the primary committed so far) is replayed here."""
        target = lsn or self.primary.lsn()
        _wait_until(lambda: self.run("clusters.replayed", lsn=target)[0][0],
                    timeout or self.timeout, f"{self} to replay {target}", self.log_file, self.proc)
        return target

    def promote(self, timeout: float | None = None) -> None:
        """Promote to a writable primary, waiting until it is one."""
        wait = max(1, round(timeout or self.timeout))
        if not self.run("clusters.promote", wait_s=wait)[0][0]:
            raise ClusterError(f"{self} not promoted within {wait}s; log {self.log_file}:\n{_tail(self.log_file)}")


def standby_of(primary: Cluster, settings: Settings = None, **kwargs: Any) -> Standby:
    """Start a hot standby of `primary` on another free port; destroy it, or use it in `with`."""
    return _started(Standby(primary, settings, **kwargs))  # type: ignore[no-any-return]


def citus_available() -> Availability:
    """Whether Citus can run: runs <repo>/../shared/citus/install.sh once, when present and we are root."""
    if not (ok := binaries_available()):
        return ok
    with _LOCK:
        if "citus" not in _ONCE:
            note = f"{CITUS_INSTALL} is absent"
            if CITUS_INSTALL.exists() and os.geteuid() != 0:
                note = f"{CITUS_INSTALL} needs root"
            elif CITUS_INSTALL.exists():
                done = subprocess.run(["sh", str(CITUS_INSTALL)], capture_output=True, text=True, timeout=120)
                note = f"{CITUS_INSTALL} exited {done.returncode}: {done.stderr.strip()[-500:]}"
            libdir, sharedir = _run([PG_BIN / "pg_config", "--pkglibdir", "--sharedir"], 30).split()
            found = (Path(libdir) / "citus.so").exists() and (Path(sharedir) / "extension/citus.control").exists()
            _ONCE["citus"] = Availability(found, f"citus installed in {libdir}" if found else f"no citus: {note}")
        return _ONCE["citus"]  # type: ignore[no-any-return]


class CitusCluster(_Scoped):
    """A Citus coordinator and workers (scratch Clusters preloading citus), ready in database `dbname`."""

    def __init__(self, workers: int = 2, dbname: str = "postgres", settings: Settings = None,
                 timeout: float = 60.0) -> None:
        """Describe the nodes; `start()` runs them and prepares `dbname`."""
        # sslmode=disable: the nodes talk over loopback, and libpq would otherwise look for a client
        # certificate under $HOME/.postgresql, which is root's (unreadable by the postgres OS user).
        node_settings = {"shared_preload_libraries": "citus", "citus.node_conninfo": "sslmode=disable",
                         **(settings or {})}
        self.coordinator = Cluster(node_settings, name="citus-coord", timeout=timeout)
        self.workers = [Cluster(node_settings, name=f"citus-w{i}", timeout=timeout) for i in range(workers)]
        self.nodes, self.dbname = [self.coordinator, *self.workers], dbname
        _LIVE[id(self)] = self

    def start(self) -> Self:
        """Start every node and make citus ready in `dbname`."""
        for node in self.nodes:
            node.start()
        self.create_database(self.dbname)
        return self

    def dsn(self, dbname: str | None = None) -> str:
        """The coordinator's DSN (default: the database given at creation)."""
        return self.coordinator.dsn(dbname or self.dbname)

    def create_database(self, name: str) -> str:
        """Create `name` with the citus extension on every node and register the workers; its DSN."""
        for node in self.nodes:
            if not node.run("clusters.database_exists", datname=name)[0][0]:
                # DDL on a database name: an identifier, composed safely (ours, not a client's).
                node.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
            node.run("citus.create_extension", dbname=name)
        coordinator = self.coordinator
        coordinator.run("citus.set_coordinator_host", host="127.0.0.1", port=coordinator.port, dbname=name)
        for worker in self.workers:
            coordinator.run("citus.add_node", host="127.0.0.1", port=worker.port, dbname=name)
        return self.dsn(name)

    def destroy(self) -> None:
        """Destroy every node; safe to call twice."""
        try:
            for node in reversed(self.nodes):
                node.destroy()
        finally:
            _LIVE.pop(id(self), None)


def citus_cluster(workers: int = 2, dbname: str = "postgres", settings: Settings = None) -> CitusCluster:
    """Start a coordinator and `workers` workers with citus ready in `dbname`; ClusterError if unavailable."""
    if not (ok := citus_available()):
        raise ClusterError(ok.reason)
    return _started(CitusCluster(workers, dbname, settings))  # type: ignore[no-any-return]


def pgbouncer_available() -> Availability:
    """Whether a pgbouncer binary is on PATH (or in /usr/sbin); its path as the reason."""
    exe = shutil.which("pgbouncer", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")
    return Availability(True, exe) if exe else Availability(False, "pgbouncer binary not found on PATH")


class PgBouncer(_Server):
    """PgBouncer (1.18+) on a free port in front of one cluster: generated ini, trust auth, user postgres."""

    name, log_name = "pgbouncer", "pgbouncer.log"

    def __init__(self, cluster: Cluster, pool_mode: str = "transaction", settings: Settings = None,
                 timeout: float = 15.0) -> None:
        """Describe the bouncer; `settings` override its [pgbouncer] section."""
        super().__init__(timeout)
        self.cluster, self.pool_mode, self.settings = cluster, pool_mode, dict(settings or {})

    def start(self) -> Self:
        """Write the ini and auth file, run pgbouncer and wait until it listens."""
        if self.running:
            return self
        if not (exe := pgbouncer_available()):
            raise ClusterError(exe.reason)
        self._allocate()
        base = Path(str(self.base))
        config = {"listen_addr": "127.0.0.1", "listen_port": self.port, "unix_socket_dir": base,
                  "auth_type": "trust", "auth_file": base / "userlist.txt", "admin_users": "postgres",
                  "pool_mode": self.pool_mode, "ignore_startup_parameters": "extra_float_digits,options",
                  "max_client_conn": 200, "default_pool_size": 10, **self.settings}
        (base / "userlist.txt").write_text('"postgres" ""\n')  # trust still needs the user listed
        (base / "pgbouncer.ini").write_text(f"[databases]\n* = host=127.0.0.1 port={self.cluster.port}\n\n"
                                            "[pgbouncer]\n" + "".join(f"{k} = {v}\n" for k, v in config.items()))
        self._spawn([exe.reason, base / "pgbouncer.ini"], signal.SIGTERM)
        _wait_until(lambda: _accepts(self.port), self.timeout, f"{self} to listen", self.log_file, self.proc)
        return self

    def stop(self) -> None:
        """Immediate shutdown (SIGTERM), escalating to SIGKILL."""
        self._terminate(signal.SIGTERM)


def pgbouncer_in_front_of(cluster: Cluster, pool_mode: str = "transaction", settings: Settings = None) -> PgBouncer:
    """Start PgBouncer in front of `cluster`; `.dsn()` reaches it (with psycopg use prepare_threshold=None)."""
    return _started(PgBouncer(cluster, pool_mode, settings))  # type: ignore[no-any-return]
