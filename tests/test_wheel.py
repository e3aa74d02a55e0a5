"""The wheel, as a user gets it: built from the sdist (so both carry everything), installed
non-editable in a fresh venv, and run from outside the source tree: `import repositories`,
`agentdb migrate`, `agentdb serve` and one request, on a scratch database of the test server.
The venv gets no extra, so the command without DATABASE_URL names the extra to install."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from devtools import PRODUCT_PACKAGES, ROOT
from devtools.clusters import free_port
from devtools.testdb import scratch_database
from tests.test_cli import assert_one_line

pytestmark = pytest.mark.packaging
# Wheels of the dependencies, kept between runs (gitignored): the install needs no index once filled.
WHEELHOUSE = ROOT / ".agentdb" / "wheelhouse"
PRODUCT = set(PRODUCT_PACKAGES)


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, check=False,
                          **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def _build(out: Path) -> tuple[Path, Path]:
    """`python -m build`: the sdist, then the wheel built from that sdist."""
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return next(out.glob("agentdb-*.tar.gz")), next(out.glob("agentdb-*.whl"))


def _install(wheel: Path, venv: Path) -> None:
    """A fresh venv holding the wheel and its dependencies (no extras): from the wheelhouse
    alone when it has them all, else from the index too (and the wheelhouse is filled)."""
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    pip = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--find-links", WHEELHOUSE]
    offline = subprocess.run([*map(str, pip), "--no-index", str(wheel)], capture_output=True, timeout=300, check=False)
    if offline.returncode:
        _run(sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", WHEELHOUSE, wheel)
        for ours in WHEELHOUSE.glob("agentdb-*.whl"):  # only the dependencies are kept
            ours.unlink()
        _run(*pip, wheel)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The sdist, the wheel built from it, and a fresh venv with the wheel installed."""
    out = tmp_path_factory.mktemp("dist")
    sdist, wheel = _build(out)
    venv = out / "venv"
    _install(wheel, venv)
    return sdist, wheel, venv


def test_sdist_and_wheel_carry_the_product_and_only_it(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    sdist, wheel, venv = built
    statements = {p.relative_to(ROOT / "sql").as_posix() for p in (ROOT / "sql").rglob("*.sql")}
    migrations = {p.name for p in (ROOT / "migrations").glob("*.sql")}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("agentdb-")}
    assert tops == PRODUCT  # no devtools, bench, tests, or any other top-level module
    assert {n.removeprefix("repositories/_sql/") for n in names if n.startswith("repositories/_sql/")} == statements
    assert {n.removeprefix("agentdb/_migrations/") for n in names if n.startswith("agentdb/_migrations/")} == migrations
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    assert {f"sql/{s}" for s in statements} <= members and {f"migrations/{m}" for m in migrations} <= members

    python = venv / "bin" / "python"
    agentdb = venv / "bin" / "agentdb"
    away = tmp_path / "elsewhere"
    away.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL", "VIRTUAL_ENV")}

    imports = "; ".join(f"import {p}; print({p}.__file__)" for p in sorted(PRODUCT))
    imported = _run(python, "-c", f"{imports}; import repositories.sql as s; print(s.SQL_DIR)",
                    cwd=away, env=clean).stdout.split()
    site = str(venv / "lib")
    assert all(path.startswith(site) for path in imported), imported  # the installed copy, not the checkout
    for tooling in ("devtools", "bench", "tests"):
        missing = subprocess.run([python, "-c", f"import {tooling}"], cwd=away, env=clean, capture_output=True,
                                 text=True, check=False)
        assert missing.returncode == 1 and "ModuleNotFoundError" in missing.stderr, tooling
    assert _run(agentdb, "--version", cwd=away, env=clean).stdout.strip().startswith("agentdb ")

    # No DATABASE_URL and no `embedded` extra: one line naming the pip install.
    no_extra = agentdb_run(agentdb, away, {**clean, "AGENTDB_PGDATA": str(tmp_path / "pgdata")}, "migrate")
    assert_one_line(no_extra, 2, "pip install 'agentdb[embedded]'")


def agentdb_run(agentdb: Path, cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(agentdb), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120, check=False)


def test_installed_wheel_migrates_and_serves_from_anywhere(built: tuple[Path, Path, Path], tmp_path: Path,
                                                          server_dsn: str) -> None:
    agentdb = built[2] / "bin" / "agentdb"
    away = tmp_path / "elsewhere"
    away.mkdir()
    with scratch_database(server_dsn, prefix="agentdb_wheel") as database:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"DATABASE_URL": database}
        migrated = agentdb_run(agentdb, away, env, "migrate")
        shipped = [p for p in (ROOT / "migrations").glob("*.sql") if not p.name.endswith(".rollback.sql")]
        assert migrated.returncode == 0 and migrated.stdout.startswith(f"applied {len(shipped)}:"), migrated
        token = agentdb_run(agentdb, away, env, "users", "create", "wheel@example.com").stdout.strip()
        assert token.startswith("agdb_")
        port = free_port()
        server = subprocess.Popen([str(agentdb), "serve", "--port", str(port)], cwd=away, env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            said = server.stdout.readline() + server.stdout.readline()
            assert f"http://127.0.0.1:{port}/api/agent-builder" in said and "database: postgresql://" in said, said
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline and server.poll() is None, server.stderr
                    time.sleep(0.1)
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/agent-builder/workflows?limit=5",
                                             headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200 and json.loads(response.read())["items"] == []
        finally:
            server.terminate()
            _, err = server.communicate(timeout=30)
        assert server.returncode == 143 and "Traceback" not in err, err
