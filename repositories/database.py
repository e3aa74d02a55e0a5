"""How repositories talk to PostgreSQL: the one way to send statements, one round trip a call.

A call is one statement or several, each bound with `statement(**params)`:

- one statement goes alone on an autocommit connection: Bind, Execute and Sync
  in one write, once this connection has it prepared. Its first run on a
  connection goes in a pipeline instead, so that preparing it (Parse) does not
  cost a round trip of its own;
- several statements go in one pipeline: all of them and one Sync, one round
  trip. PostgreSQL runs everything before a Sync as one implicit transaction, so
  a write of several statements is atomic: if any fails, none is committed.
  (`conn.transaction()` is never used inside a pipeline: it costs 4 round trips.)

A statement answers with one row (a JSON document PostgreSQL built, as raw
bytes in the first column, and plain columns such as a version), or with a row
per item of a list (see repositories.paging). A statement that names a row the
user does not have raises AB404 itself (see migration 0006), so no caller ever
interprets an empty result. `translate` is
the one mapping from database errors to repository errors.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
import psycopg
from psycopg import errors as pgerrors
from psycopg.adapt import Loader
from psycopg.types.json import set_json_dumps
from psycopg.types.numeric import Int8BinaryDumper, Int8Dumper
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from repositories import errors
from repositories.sql import Call, statement
from repositories.tokens import BearerToken

Row = tuple[Any, ...]
T = TypeVar("T")


# --- connection settings the decoding relies on ----------------------------------------------------------------------


class RawJsonLoader(Loader):
    """json/jsonb arrive as the bytes PostgreSQL wrote: decoded once, by msgspec, or passed through."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


def configure(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    """Adapt a new connection the way every caller of the repositories expects.

    json/jsonb load as raw bytes; Python objects dump to json with msgspec; every
    int is sent as int8, so a statement's parameter types (and so psycopg's
    prepared statement for it) do not change with the size of a number; prepared
    statements are never evicted (eviction costs a DEALLOCATE round trip).
    """
    conn.adapters.register_loader("json", RawJsonLoader)
    conn.adapters.register_loader("jsonb", RawJsonLoader)
    conn.adapters.register_dumper(int, Int8Dumper)
    conn.adapters.register_dumper(int, Int8BinaryDumper)
    set_json_dumps(msgspec.json.encode, conn)
    conn.prepared_max = 10_000


def connection_kwargs(*, prepare: bool = True, options: str = "", application_name: str = "agentdb") -> dict[str, Any]:
    """Connection options: autocommit (a pipeline is its own implicit transaction) and
    server-side prepared statements from the first execution unless switched off
    (behind a transaction-mode pooler); `options` are startup settings (`-c name=value`)."""
    kwargs: dict[str, Any] = {
        "autocommit": True,
        "prepare_threshold": 0 if prepare else None,
        "application_name": application_name,
        "connect_timeout": 5,
    }
    if options:
        kwargs["options"] = options
    return kwargs


_SWITCH_ROLE = statement("auth.switch_role")


async def switch_role(conn: psycopg.AsyncConnection[Any], role: str) -> None:
    """Make a new pooled connection work as `role` (agentdb_app, agentdb_jobs: migration 0007)."""
    await conn.execute(_SWITCH_ROLE.text, _SWITCH_ROLE(role=role).params)


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A configured synchronous connection, for tools and tests."""
    conn = psycopg.connect(dsn, **{**connection_kwargs(), **kwargs})
    configure(conn)
    return conn


def run_sync(conn: psycopg.Connection[Any], call: Call) -> list[Row]:
    """Run one statement on a synchronous connection; its rows (tools and tests only)."""
    cur = conn.execute(call.statement.text, call.params)
    return cur.fetchall() if cur.description else []


# --- the one way to send statements ----------------------------------------------------------------------------------

# Per connection: the (statement, parameter shape) pairs psycopg has prepared on it.
# A parameter's shape is what changes psycopg's key for a prepared statement:
# None (sent untyped), an empty list (untyped), anything else.
_prepared: weakref.WeakKeyDictionary[Any, set[tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _shape(call: Call) -> tuple[Any, ...]:
    return (call.statement.name, *(0 if v is None else 1 if v == [] else 2 for v in call.params.values()))


# How many times a read is sent when the connections it is sent on die under it.
READ_SENDS = 3

_AUTHENTICATE = statement("auth.authenticate")
_ACT_AS = statement("auth.act_as")


class Database:
    """A pool, and the one way of running statements on it.

    A call for a user (its first statement takes `user_id`) starts with a scope
    statement in the same round trip, which sets `app.user_id` for its transaction
    (row-level security, migration 0007): `auth.authenticate` when the Database is
    bound to a bearer token (`authenticated()`, the HTTP API, per request), else
    `auth.act_as` (a trusted in-process caller: a job, a script, a test).
    """

    def __init__(
        self, pool: AsyncConnectionPool[Any], *, deadline_s: float = 6.0, token: BearerToken | None = None
    ) -> None:
        self.pool = pool
        # Client-side ceiling on a whole call (waiting for a connection included):
        # a dead network or a stalled server answers Unavailable instead of hanging.
        self.deadline_s = deadline_s
        self.token = token

    def authenticated(self, token: BearerToken) -> Database:
        """This Database, acting only for the user of `token`, checked by each call's first statement."""
        return Database(self.pool, deadline_s=self.deadline_s, token=token)

    def _scoped(self, calls: tuple[Call, ...]) -> tuple[Call, ...]:
        user_id = calls[0].params.get("user_id")
        if self.token is not None:
            if user_id != self.token.user_id:
                raise AssertionError(f"{calls[0].statement.name}: a token-bound call for another user")
            return (_AUTHENTICATE(token_hash=self.token.hash, user_id=user_id), *calls)
        if user_id is None:
            return calls
        return (_ACT_AS(user_id=user_id), *calls)

    async def one(self, type_: type[T], *calls: Call) -> T:
        """Send `calls` in one round trip; the last one's JSON document, decoded into `type_`."""
        return msgspec.json.decode((await self.row(*calls))[0], type=type_)

    async def row(self, *calls: Call) -> Row:
        """Send `calls` in one round trip; the last one's only row (JSON columns as raw bytes)."""
        rows = await self.rows(*calls)
        if len(rows) != 1:
            raise AssertionError(f"{calls[-1].statement.name} answered {len(rows)} rows, not one")
        return rows[0]

    async def rows(self, *calls: Call) -> list[Row]:
        """Send `calls` in one round trip; the last one's rows (JSON columns as raw bytes)."""
        try:
            async with asyncio.timeout(self.deadline_s):
                return await self._send(self._scoped(calls))
        except (PoolTimeout, TimeoutError) as exc:
            raise errors.Unavailable("database busy or unreachable; retry shortly") from exc
        except psycopg.Error as exc:
            mapped = translate(exc)
            if mapped is None:
                raise  # a bug (bad SQL, a missing column): let it surface as a 500
            raise mapped from exc

    async def _send(self, calls: Sequence[Call]) -> list[Row]:
        """The last call's rows. A read that meets a dead connection is sent again, on another
        connection (READ_SENDS times in all, within the call's deadline); a write never is."""
        for attempt in range(1, READ_SENDS + 1):
            try:
                return await self._send_once(calls)
            except _ConnectionLost as lost:
                # The connection died (killed backend, restarted server) under the call.
                # A read committed nothing, so it can go again; a write cannot (it may
                # have committed just before the connection died). When every pooled
                # connection is killed at once, the next one taken may die under the
                # call as well: hence more than one retry.
                if attempt == READ_SENDS or not all(call.statement.read_only for call in calls):
                    raise lost.error from None
        raise AssertionError("unreachable")

    async def _send_once(self, calls: Sequence[Call]) -> list[Row]:
        async with self.pool.connection() as conn:
            try:
                prepared = _prepared.setdefault(conn, set())
                if len(calls) == 1 and (conn.prepare_threshold is None or _shape(calls[0]) in prepared):
                    cur = await conn.execute(calls[0].statement.text, calls[0].params)
                    return await cur.fetchall()
                cursors = []
                async with conn.pipeline():
                    for call in calls:
                        cursors.append(await conn.execute(call.statement.text, call.params))
                if conn.prepare_threshold is not None:
                    prepared.update(_shape(call) for call in calls)
                last = cursors[-1]
                return await last.fetchall() if last.description else []
            except psycopg.OperationalError as exc:
                if conn.closed or not exc.sqlstate or exc.sqlstate in _SERVER_ENDED_IT:
                    # The connection is gone or in a state nobody can vouch for: the
                    # server ended the session (its FATAL error can arrive before the close
                    # is seen), or psycopg failed on it client-side (no SQLSTATE: "server
                    # closed the connection", "cannot exit pipeline mode while busy").
                    # Closed here, so that the pool discards it.
                    await conn.close()
                    raise _ConnectionLost(exc) from exc
                raise


# The server ended the session (the connection is gone even if its close is not seen yet):
# terminated by an administrator, a crash of another backend, idle_session_timeout.
_SERVER_ENDED_IT = frozenset({"57P01", "57P02", "57P05"})


class _ConnectionLost(Exception):
    """The connection a call was sent on died under it."""

    def __init__(self, error: psycopg.OperationalError) -> None:
        super().__init__(str(error))
        self.error = error


# --- the one mapping from database errors to repository errors -------------------------------------------------------

# Constraints whose violation names a field of the input. Citus reports a
# constraint with its shard's suffix (`..._fkey_102008`), which is stripped.
FIELD_OF_CONSTRAINT = {
    "workflow_nodes_agent_id_user_id_fkey": "agent_id",
    "workflow_nodes_block_id_user_id_fkey": "block_id",
    "workflow_nodes_workflow_id_node_key_key": "nodes.key",
    "workflow_edges_check": "edges",
    "workflow_edges_workflow_id_source_node_id_target_node_id_key": "edges",
    "agent_tools_agent_id_position_key": "tools.position",
    "agent_executions_workflow_execution_id_user_id_fkey": "workflow_execution_id",
    "users_email_key": "email",
    "users_email_check": "email",
}
_SHARD_SUFFIX = re.compile(r"_\d+$")


def translate(exc: psycopg.Error) -> errors.RepositoryError | None:
    """The one mapping from database errors to repository errors (None: a bug, not the input)."""
    sqlstate = exc.sqlstate or ""
    message = exc.diag.message_primary or str(exc)
    detail = exc.diag.message_detail or None
    if sqlstate == "AB401":
        return errors.Unauthenticated(message)
    if sqlstate == "AB404":
        return errors.NotFound(message)
    if sqlstate == "AB409":
        return errors.IllegalTransition(message, current_status=detail)
    if sqlstate == "AB412":
        return errors.StaleVersion(message, current_version=int(detail) if detail else None)
    if sqlstate == "AB422":
        return errors.ValidationFailed(message, field=detail)
    if isinstance(exc, pgerrors.IntegrityError):
        constraint = _SHARD_SUFFIX.sub("", exc.diag.constraint_name or "")
        field = FIELD_OF_CONSTRAINT.get(constraint) or exc.diag.column_name or constraint or None
        if isinstance(exc, pgerrors.ForeignKeyViolation):
            message = f"{field}: refers to a row that does not exist"
        elif isinstance(exc, pgerrors.UniqueViolation):
            message = f"{field}: already exists"
        else:
            message = f"{field}: value not allowed"
        return errors.ValidationFailed(message, field=field)
    if sqlstate.startswith("22") or (not sqlstate and isinstance(exc, psycopg.DataError)):
        # A data exception (bad text representation, out of range), or a value
        # psycopg refuses to send (a NUL character in a text).
        return errors.ValidationFailed(message)
    if isinstance(exc, pgerrors.QueryCanceled | psycopg.OperationalError | pgerrors.AdminShutdown):
        return errors.Unavailable("database unavailable or too slow; retry shortly")
    if sqlstate[:2] in ("08", "53", "55", "57", "58", "40"):  # connection, resources, lock, shutdown, serialization
        return errors.Unavailable(f"database unavailable ({sqlstate}); retry shortly")
    return None
