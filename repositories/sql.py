"""The one SQL loader: every <root>/<area>/<verb_noun>.sql is read once, at import.

Each statement reaches the server with its name as a leading comment
(`/* workflows.get_with_graph */`), so pg_stat_statements and pg_stat_activity
show it. A missing file raises at import; a positional `%s`, a header-less file
or a call with a misspelt or missing parameter raises `SqlFileError`, which every
statement's test would hit long before a user does.

The product's statements live in the checkout's top-level `sql/`; an installed
wheel carries the same files as `repositories/_sql/` (see pyproject.toml).
Developer tools load their own statements with the same `Statements` class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# %(name)s placeholders; "%%" is a literal percent sign.
_NAMED = re.compile(r"%\((\w+)\)s")
_ANY_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sbt]")
_LITERAL_PERCENT = re.compile(r"%%")
# A statement that changes data is never sent twice (see Database's retry).
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY)\b", re.IGNORECASE)


def data_dir(module_file: str, packaged: str, checkout: str) -> Path:
    """Where files shipped beside a module live: `<its package>/<packaged>` in an installed wheel,
    else the checkout's top-level `<checkout>/` (the statements here; the migrations too)."""
    here = Path(module_file).resolve().parent
    return here / packaged if (here / packaged).is_dir() else here.parent / checkout


SQL_DIR = data_dir(__file__, "_sql", "sql")


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
    read_only: bool

    def bind(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """Check that `values` names exactly this statement's parameters."""
        if values.keys() != self.params:
            missing = sorted(self.params - values.keys())
            extra = sorted(values.keys() - self.params)
            raise SqlFileError(f"{self.name}: missing parameters {missing}, unexpected {extra}")
        return values

    def __call__(self, **params: Any) -> Call:
        """This statement bound to `params` (checked now, not when sent)."""
        return Call(self, self.bind(params))


@dataclass(frozen=True, slots=True)
class Call:
    """A statement with its parameters, ready to send."""

    statement: Statement
    params: Mapping[str, Any]


def parse(path: Path, name: str) -> Statement:
    """Read one .sql file: leading `--` comment lines are its header, the rest its statement."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header_lines: list[str] = []
    index = 0
    while index < len(lines) and (lines[index].startswith("--") or not lines[index].strip()):
        if lines[index].startswith("--"):
            header_lines.append(lines[index][2:].strip())
        index += 1
    header = "\n".join(header_lines).strip()
    body = "\n".join(lines[index:]).strip().rstrip(";").strip()
    if not header:
        raise SqlFileError(f"{path}: no header comment saying what it returns and why")
    if not body:
        raise SqlFileError(f"{path}: no statement")
    without_literals = _LITERAL_PERCENT.sub("", body)
    positional = [m for m in _ANY_PLACEHOLDER.findall(without_literals) if "(" not in m]
    if positional:
        raise SqlFileError(f"{path}: positional parameter {positional[0]!r}; use %(name)s")
    code = strip_literals(body)
    if ";" in code:
        raise SqlFileError(f"{path}: more than one statement")
    return Statement(
        name=name,
        path=path,
        header=header,
        text=f"/* {name} */ {body}",
        params=frozenset(_NAMED.findall(without_literals)),
        read_only=_WRITES.search(code) is None,
    )


def strip_literals(body: str) -> str:
    """The statement without quoted literals and comments (what is code, not data)."""
    body = re.sub(r"'(?:[^']|'')*'", "''", body)
    body = re.sub(r"\$\$.*?\$\$", "", body, flags=re.S)
    return re.sub(r"--[^\n]*", "", body)


def load_all(root: Path) -> dict[str, Statement]:
    """Every statement under `root`, keyed `area.verb_noun`."""
    return {f"{path.parent.name}.{path.stem}": parse(path, f"{path.parent.name}.{path.stem}")
            for path in sorted(root.glob("*/*.sql"))}


class Statements:
    """The statements of one directory, loaded at once, looked up by `area.verb_noun`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_name = load_all(root)

    def __getitem__(self, name: str) -> Statement:
        try:
            return self._by_name[name]
        except KeyError:
            raise SqlFileError(f"no sql file for {name!r} under {self.root}") from None

    def __iter__(self) -> Iterator[Statement]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)


PRODUCT = Statements(SQL_DIR)


def statement(name: str) -> Statement:
    """The product statement `area.verb_noun`; raises at import time of the caller if absent."""
    return PRODUCT[name]
