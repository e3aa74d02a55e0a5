"""The round-trip meter of tests and benchmarks, read off the wire.

libpq can trace every protocol message it sends (F) and receives (B). A
connection handed to `attach()` (the pool's `on_connect` hook in tests) writes
its trace to a file of its own, and

    with round_trips() as rt:
        await repo.get(...)
    assert rt.round_trips == 1, rt

counts what crossed the network in the block. A round trip is one exchange the
client waits for: a Sync (or a simple Query) sent and its ReadyForQuery received.
The server answers every Sync and every Query with exactly one ReadyForQuery, so
the count does not depend on how libpq split the messages into writes, nor on
rows the server streamed before the Sync arrived, nor on psycopg's Flush after
the Sync of a pipeline. A pipeline of many statements and one Sync is one round
trip; a statement prepared outside a pipeline is two (Parse+Sync, then Bind,
Execute, Sync); BEGIN and COMMIT are one each. A statement is every Execute or
simple Query sent; on failure the meter prints their names, taken from their
leading `/* area.name */` comments. Every name seen is also kept in `EXECUTED`,
which the test session writes out for `python -m devtools check` (coverage).
"""

from __future__ import annotations

import ctypes
import os
import re
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from psycopg import pq

_traces: weakref.WeakSet[_Trace] = weakref.WeakSet()
# Names of every statement seen going out on a traced connection.
EXECUTED: set[str] = set()
# Statements that frame a call rather than make it: the transaction block a Citus coordinator's
# pipelines are wrapped in, and the role switch every call starts with behind a transaction-mode
# pooler (repositories/database.py). Recorded as executed, left out of a meter's statement list,
# so tests read the same list everywhere.
FRAMING = frozenset({"meta.begin", "meta.commit", "auth.set_role_local"})

# libpq writes the trace through a buffered stdio FILE it does not flush after
# each message; fflush(NULL) flushes every output stream of the process.
_libc = ctypes.CDLL(None)
_LINE = re.compile(r"^(?P<dir>[FB])\t\d+\t(?P<msg>\w+)\t?(?P<rest>.*)$")
_PARSE = re.compile(r'^\s*"([^"]*)" "(.*)$')
_QUERY = re.compile(r'^\s*"(.*)$')
_QUOTED = re.compile(r'"([^"]*)"')
_LABEL = re.compile(r"^/\* ([\w.]+) \*/")


def _label(text: str) -> str:
    match = _LABEL.match(text)
    if match:
        return match.group(1)
    return (text.split() or ["?"])[0].upper()


class _Trace:
    """One connection's trace file and the parser state carried between reads."""

    def __init__(self, conn: Any) -> None:
        fd, self.path = tempfile.mkstemp(prefix="agentdb-wire-", suffix=".trace")
        # libpq fdopen()s the descriptor and keeps it; the reader opens the file
        # anew, with an offset of its own (a dup would share the writer's).
        conn.pgconn.trace(fd)
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        self._reader = open(self.path, encoding="utf-8", errors="replace")  # noqa: SIM115
        self._pending = ""
        self.prepared: dict[str, str] = {}
        self.current = "?"
        self.last_direction = "B"
        weakref.finalize(conn, self.close)

    def close(self) -> None:
        self.read(None)  # what it sent last still counts as executed
        self._reader.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def read(self, meter: Meter | None) -> None:
        """Consume the lines written since the last read, counting into `meter`."""
        _libc.fflush(None)
        chunk = self._pending + self._reader.read()
        lines = chunk.split("\n")
        self._pending = lines.pop()  # an incomplete last line waits for the next read
        for line in lines:
            self._feed(line, meter)

    def _feed(self, line: str, meter: Meter | None) -> None:
        match = _LINE.match(line)
        if not match:
            return
        direction, msg, rest = match.group("dir"), match.group("msg"), match.group("rest")
        if direction == "B" and self.last_direction == "F" and meter is not None:
            meter.exchanges += 1
        self.last_direction = direction
        if direction == "B":
            if msg == "ReadyForQuery" and meter is not None:
                meter.round_trips += 1
            return
        quoted = _QUOTED.findall(rest)
        if msg == "Parse":
            # The statement text may span lines (and hold quotes): only its start matters.
            parse = _PARSE.match(rest)
            if parse:
                self.prepared[parse.group(1)] = _label(parse.group(2))
                EXECUTED.add(self.prepared[parse.group(1)])
        elif msg == "Bind" and len(quoted) >= 2:
            self.current = self.prepared.get(quoted[1], "?")
        elif msg == "Execute" and meter is not None and self.current not in FRAMING:
            meter.statements.append(self.current)
        elif msg == "Query":
            query = _QUERY.match(rest)
            label = _label(query.group(1)) if query else "?"
            EXECUTED.add(label)
            if meter is not None:
                meter.statements.append(label)


def attach(conn: Any) -> None:
    """Start tracing `conn` (a pool's `on_connect` hook, or any psycopg connection)."""
    _traces.add(_Trace(conn))


def drain() -> None:
    """Read every open trace to its end (before EXECUTED is written out)."""
    for trace in list(_traces):
        trace.read(None)


@dataclass
class Meter:
    """Round trips and statements seen on the wire during a `round_trips()` block."""

    round_trips: int = 0
    statements: list[str] = field(default_factory=list)
    # Network exchanges: the client sent, then waited for answers (one per F-then-B turn of the
    # trace). A pipeline with two Syncs (a write, then its WAL position) is 2 round trips, 1 exchange.
    exchanges: int = 0

    def __repr__(self) -> str:
        return (f"<{self.round_trips} round trips ({self.exchanges} exchanges), {len(self.statements)} statements:"
                f" {self.statements}>")


@contextmanager
def round_trips() -> Iterator[Meter]:
    """Count what every traced connection sent and received inside the block."""
    if not _traces:
        raise RuntimeError("no traced connection: open the pool with on_connect=devtools.wire.attach")
    for trace in list(_traces):
        trace.read(None)  # skip what happened before the block
    meter = Meter()
    try:
        yield meter
    finally:
        for trace in list(_traces):
            trace.read(meter)
