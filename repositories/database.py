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

With read replicas (`ReadReplicas`: a second pool, on hot standbys), a call whose
statements are all read-only goes to the standby, guarded in its own round trip
by `replicas.check_replayed`; everything else goes to the primary pool, and a
write reads the primary's WAL position after its commit (read-your-writes).
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
import psycopg
from psycopg import errors as pgerrors
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus
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
_BEGIN = statement("meta.begin")
_COMMIT = statement("meta.commit")


# Connections to a Citus coordinator: their pipelines go inside BEGIN ... COMMIT (auth.switch_role).
_IN_TRANSACTION_BLOCK: weakref.WeakSet[Any] = weakref.WeakSet()


async def switch_role(conn: psycopg.AsyncConnection[Any], role: str) -> None:
    """Make a new pooled connection work as `role` (agentdb_app, agentdb_jobs: migration 0007);
    on a Citus coordinator, mark it to send its pipelines inside a transaction block."""
    cur = await conn.execute(_SWITCH_ROLE.text, _SWITCH_ROLE(role=role).params)
    row = await cur.fetchone()
    if row is not None and row[1]:
        use_transaction_blocks(conn)


def use_transaction_blocks(conn: Any) -> None:
    """Send this connection's pipelines inside BEGIN ... COMMIT (still one round trip): what Citus
    needs to forward a request's SET LOCAL app.user_id to its workers (migration 0032)."""
    _IN_TRANSACTION_BLOCK.add(conn)


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
_SET_ROLE_LOCAL = statement("auth.set_role_local")
_CHECK_REPLAYED = statement("replicas.check_replayed")
_WAL_POSITION = statement("replicas.wal_position")

STANDBY_BEHIND = "AB503"  # raised by replicas.check_replayed: this standby lacks the user's last write


def lsn_value(text: str) -> int:
    """A WAL position ('16/B374D848', as pg_lsn prints it) as a number; ValueError if malformed."""
    high, _, low = text.strip().partition("/")
    if not low or len(high) > 8 or len(low) > 8:
        raise ValueError(f"not a WAL position: {text!r}")
    return (int(high, 16) << 32) | int(low, 16)


def lsn_text(value: int) -> str:
    """A number back to pg_lsn's text ('16/B374D848')."""
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


class ReadReplicas:
    """The read pool (hot standbys), and per user the primary's WAL position after their last write.

    A read-only call goes to the read pool with `replicas.check_replayed` first in
    its pipeline: the standby must have replayed the user's last write (their
    entry here, or the position a client sent back from another process) and
    everything forgotten here (`floor`), else it raises AB503 and the call goes
    to the primary. The entries are bounded (`max_users`, oldest written out
    first) and kept `remember_s`; a forgotten entry raises `floor` to its
    position, so forgetting never lets a read miss a write, it only sends reads
    to the primary while a standby lags behind everything forgotten.
    """

    def __init__(self, pool: AsyncConnectionPool[Any], *, remember_s: float = 60.0, max_users: int = 100_000) -> None:
        self.pool = pool
        self.remember_s, self.max_users = remember_s, max_users
        self.floor = 0
        self.standby_reads = self.primary_reads = 0  # reads answered by the read pool, and sent on to the primary
        self._written: OrderedDict[Any, tuple[int, float]] = OrderedDict()  # user -> (position, when)

    def wrote(self, user_id: Any, lsn: int) -> None:
        """Remember `lsn` as `user_id`'s last write (None: a write for no user raises the floor)."""
        if user_id is None:
            self.floor = max(self.floor, lsn)
            return
        previous = self._written.pop(user_id, (0, 0.0))[0]
        self._written[user_id] = (max(previous, lsn), time.monotonic())
        self._forget(time.monotonic() - self.remember_s)

    def needed(self, user_id: Any) -> int:
        """The WAL position a standby must have replayed before it may answer `user_id`."""
        self._forget(time.monotonic() - self.remember_s)
        entry = self._written.get(user_id)
        return max(self.floor, entry[0] if entry else 0)

    def _forget(self, before: float) -> None:
        while self._written:
            user_id, (lsn, when) = next(iter(self._written.items()))
            if when >= before and len(self._written) <= self.max_users:
                return
            del self._written[user_id]
            self.floor = max(self.floor, lsn)


class Database:
    """A pool, and the one way of running statements on it.

    A call for a user (its first statement takes `user_id`) starts with a scope
    statement in the same round trip, which sets `app.user_id` for its transaction
    (row-level security, migration 0007): `auth.authenticate` when the Database is
    bound to a bearer token (`authenticated()`, the HTTP API, per request), else
    `auth.act_as` (a trusted in-process caller: a job, a script, a test).
    """

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        deadline_s: float = 6.0,
        token: BearerToken | None = None,
        replicas: ReadReplicas | None = None,
        lsn: int = 0,
    ) -> None:
        self.pool = pool
        # Client-side ceiling on a whole call (waiting for a connection included):
        # a dead network or a stalled server answers Unavailable instead of hanging.
        self.deadline_s = deadline_s
        self.token = token
        self.replicas = replicas
        # The highest WAL position this Database's reads must see: the one a client
        # sent back (AgentDB-LSN), raised by its own writes and by what its reads needed.
        self.lsn = lsn

    def authenticated(self, token: BearerToken, *, lsn: int = 0) -> Database:
        """This Database, acting only for the user of `token`, checked by each call's first statement;
        its reads see at least WAL position `lsn` (a client's AgentDB-LSN, from another process)."""
        return Database(self.pool, deadline_s=self.deadline_s, token=token, replicas=self.replicas, lsn=lsn)

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
                if self.replicas is None:
                    return await self._send(self.pool, self._scoped(calls))
                if all(call.statement.read_only for call in calls):
                    return await self._read(self.replicas, calls)
                return await self._write(self.replicas, calls)
        except (PoolTimeout, TimeoutError) as exc:
            raise errors.Unavailable("database busy or unreachable; retry shortly") from exc
        except psycopg.Error as exc:
            mapped = translate(exc)
            if mapped is None:
                raise  # a bug (bad SQL, a missing column): let it surface as a 500
            raise mapped from exc

    async def _read(self, replicas: ReadReplicas, calls: tuple[Call, ...]) -> list[Row]:
        """A read on a standby that has replayed what it must show, else on the primary.

        Falls back to the primary when the standby is behind (AB503), refuses the
        token (AB401: it may lack a token just issued), is unreachable, stalls (half
        the deadline at most) or cancels the read (a recovery conflict); any other
        answer (AB404...) is the answer.
        """
        user_id = calls[0].params.get("user_id")
        self.lsn = max(self.lsn, replicas.needed(user_id))
        guarded = (_CHECK_REPLAYED(lsn=lsn_text(self.lsn)), *self._scoped(calls))
        try:
            async with asyncio.timeout(self.deadline_s / 2):
                rows = await self._send(replicas.pool, guarded)
            replicas.standby_reads += 1
            return rows
        except psycopg.Error as exc:
            if exc.sqlstate not in (STANDBY_BEHIND, "AB401") and not isinstance(translate(exc), errors.Unavailable):
                raise
        except TimeoutError:
            pass
        replicas.primary_reads += 1
        return await self._send(self.pool, self._scoped(calls))

    async def _write(self, replicas: ReadReplicas, calls: tuple[Call, ...]) -> list[Row]:
        """A write on the primary; its WAL position, read after its commit (in the same round
        trip, after a Sync), becomes the user's last write."""
        try:
            rows, lsn = await self._send_once(self.pool, self._scoped(calls), position_after=True)
        except _ConnectionLost as lost:
            raise lost.error from None  # never sent twice: it may have committed
        self.lsn = max(self.lsn, lsn)
        replicas.wrote(calls[0].params.get("user_id"), lsn)
        return rows

    async def _send(self, pool: AsyncConnectionPool[Any], calls: Sequence[Call]) -> list[Row]:
        """The last call's rows. A read that meets a dead connection is sent again, on another
        connection (READ_SENDS times in all, within the call's deadline); a write never is."""
        for attempt in range(1, READ_SENDS + 1):
            try:
                return (await self._send_once(pool, calls))[0]
            except _ConnectionLost as lost:
                # The connection died (killed backend, restarted server) under the call.
                # A read committed nothing, so it can go again; a write cannot (it may
                # have committed just before the connection died). When every pooled
                # connection is killed at once, the next one taken may die under the
                # call as well: hence more than one retry.
                if attempt == READ_SENDS or not all(call.statement.read_only for call in calls):
                    raise lost.error from None
        raise AssertionError("unreachable")

    async def _send_once(
        self, pool: AsyncConnectionPool[Any], calls: Sequence[Call], *, position_after: bool = False
    ) -> tuple[list[Row], int]:
        """The last call's rows; with `position_after`, also the WAL position after their commit:
        `replicas.wal_position` follows a Sync in the same pipeline (one round trip, two Syncs)."""
        if role := getattr(pool, "transaction_role", None):  # behind a transaction-mode pooler
            calls = (_SET_ROLE_LOCAL(role=role), *calls)
        async with pool.connection() as conn:
            try:
                prepared = _prepared.setdefault(conn, set())
                if len(calls) == 1 and not position_after and (
                    conn.prepare_threshold is None or _shape(calls[0]) in prepared
                ):
                    cur = await conn.execute(calls[0].statement.text, calls[0].params)
                    return await cur.fetchall(), 0
                block = conn in _IN_TRANSACTION_BLOCK
                cursors = []
                async with conn.pipeline() as pipeline:
                    if block:
                        await conn.execute(_BEGIN.text)
                    for call in calls:
                        cursors.append(await conn.execute(call.statement.text, call.params))
                    if block:
                        await conn.execute(_COMMIT.text)
                    if position_after:
                        # A Sync here commits the write before the position is read. psycopg
                        # has no public call that queues a Sync without waiting for its
                        # results (Pipeline.sync() costs a round trip): pinned, and held by
                        # tests/test_read_replicas.py (read-your-writes, and one network
                        # round trip on the wire).
                        pipeline._enqueue_sync()
                        position = await conn.execute(_WAL_POSITION.text, _WAL_POSITION().params)
                if conn.prepare_threshold is not None:
                    prepared.update(_shape(call) for call in calls)
                last = cursors[-1]
                rows = await last.fetchall() if last.description else []
                return rows, lsn_value((await position.fetchone())[0]) if position_after else 0
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
            except psycopg.Error:
                if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
                    await conn.rollback()  # a failed transaction block (Citus): errors only
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
# constraint with its shard's suffix (`..._fkey_102008`), which is stripped, and
# sometimes only in the message (read from there). Migration 0030 kept these
# names when it added user_id to the keys; tests/test_contract.py checks they exist.
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
# Citus may leave diag.constraint_name empty; the message still names the constraint.
_CONSTRAINT_IN_MESSAGE = re.compile(r'constraint "([^"]+)"')


def _constraint_in(message: str) -> str:
    """The constraint a violation message names ('' when none)."""
    match = _CONSTRAINT_IN_MESSAGE.search(message)
    return match.group(1) if match else ""


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
        constraint = _SHARD_SUFFIX.sub("", exc.diag.constraint_name or _constraint_in(message))
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
