"""The one SQL loader: reads every sql/<area>/<verb_noun>.sql once, at import.

Each statement reaches the server with its name as a leading comment
(`/* workflows.get_with_graph */`), so pg_stat_statements and pg_stat_activity
show it. A missing file raises at import; a positional `%s`, a header-less file
or a call with a misspelt or missing parameter raises `SqlFileError`, which every
statement's test would hit long before a user does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentdb.paths import SQL_DIR

# %(name)s placeholders; "%%" is a literal percent sign.
_NAMED = re.compile(r"%\((\w+)\)s")
_ANY_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sbt]")
_LITERAL_PERCENT = re.compile(r"%%")


class SqlFileError(Exception):
    """A statement file that cannot be used as written, or a call that does not fit it."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One named statement: its text as sent, and the parameters it takes."""

    name: str
    path: Path
    header: str
    text: str
    params: frozenset[str]

    def bind(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """Check that `values` names exactly this statement's parameters."""
        given = frozenset(values)
        if given != self.params:
            missing = sorted(self.params - given)
            extra = sorted(given - self.params)
            raise SqlFileError(f"{self.name}: missing parameters {missing}, unexpected {extra}")
        return values


def parse(path: Path, name: str) -> Statement:
    """Read one .sql file: leading `--` comment lines are its header, the rest its statement."""
    raw = path.read_text(encoding="utf-8")
    header_lines: list[str] = []
    body_lines: list[str] = []
    lines = raw.splitlines()
    index = 0
    while index < len(lines) and (lines[index].startswith("--") or not lines[index].strip()):
        if lines[index].startswith("--"):
            header_lines.append(lines[index][2:].strip())
        index += 1
    body_lines = lines[index:]
    header = "\n".join(header_lines).strip()
    body = "\n".join(body_lines).strip().rstrip(";").strip()
    if not header:
        raise SqlFileError(f"{path}: no header comment saying what it returns and why")
    if not body:
        raise SqlFileError(f"{path}: no statement")
    without_literals = _LITERAL_PERCENT.sub("", body)
    named = set(_NAMED.findall(without_literals))
    positional = [m for m in _ANY_PLACEHOLDER.findall(without_literals) if "(" not in m]
    if positional:
        raise SqlFileError(f"{path}: positional parameter {positional[0]!r}; use %(name)s")
    if ";" in _strip_strings(body):
        raise SqlFileError(f"{path}: more than one statement")
    text = f"/* {name} */ {body}"
    return Statement(name=name, path=path, header=header, text=text, params=frozenset(named))


def _strip_strings(body: str) -> str:
    """The statement without quoted literals and comments (for the one-statement check)."""
    body = re.sub(r"'(?:[^']|'')*'", "''", body)
    body = re.sub(r"\$\$.*?\$\$", "", body, flags=re.S)
    return re.sub(r"--[^\n]*", "", body)


def load_all(root: Path = SQL_DIR) -> dict[str, Statement]:
    """Every statement under `root`, keyed `area.verb_noun`."""
    found: dict[str, Statement] = {}
    for path in sorted(root.glob("*/*.sql")):
        name = f"{path.parent.name}.{path.stem}"
        found[name] = parse(path, name)
    return found


STATEMENTS: dict[str, Statement] = load_all()

# Names of the statements this process has run successfully. The test session
# writes them out (tests/conftest.py), and `agentdb sql check` reports any file
# under sql/ that no test executed.
EXECUTED: set[str] = set()


def statement(name: str) -> Statement:
    """The statement `area.verb_noun`; raises at import time of the caller if absent."""
    try:
        return STATEMENTS[name]
    except KeyError:
        raise SqlFileError(f"no sql file for {name!r} under {SQL_DIR}") from None


def run_sync(conn: Any, name: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on a synchronous psycopg connection (tools, tests, jobs' admin steps)."""
    found = statement(name)
    cur = conn.execute(found.text, found.bind(params))
    rows = cur.fetchall() if cur.description else []
    EXECUTED.add(name)
    return rows
