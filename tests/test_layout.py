"""The rooms of the house: product packages never import the tooling, the benchmarks or the
tests, and no two packages import each other (walked from the source, every import statement
at any depth, so a lazy import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

from devtools import PRODUCT_PACKAGES, ROOT

NOT_PRODUCT = {"devtools", "bench", "tests"}
OURS = set(PRODUCT_PACKAGES) | NOT_PRODUCT


def _imports(package: str) -> dict[str, set[str]]:
    """{module path: the top-level packages of ours it imports}."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = (names & OURS) - {package}
    return found


def test_product_code_never_imports_tooling_bench_or_tests() -> None:
    offenders = {module: sorted(names & NOT_PRODUCT)
                 for package in PRODUCT_PACKAGES for module, names in _imports(package).items()
                 if names & NOT_PRODUCT}
    assert offenders == {}


def test_no_import_cycle_between_packages() -> None:
    graph = {package: set().union(*_imports(package).values()) for package in OURS}
    seen: list[str] = []

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, f"import cycle: {' -> '.join((*path, package))}"
        if package in seen:
            return
        for target in sorted(graph.get(package, ())):
            visit(target, (*path, package))
        seen.append(package)

    for package in sorted(graph):
        visit(package, ())
    # The layers, bottom up: repositories, then the jobs over them (handed a Database, never
    # opening one), then the runtime, then the HTTP API (POST /memory/cleanup runs a job's step).
    assert graph["repositories"] == set()
    assert graph["jobs"] <= {"repositories"}
    assert graph["agentdb"] <= {"repositories", "jobs"}
    assert graph["api"] <= {"agentdb", "repositories", "jobs"}
