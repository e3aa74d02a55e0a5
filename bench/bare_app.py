"""The bare baseline of the HTTP benchmark: a framework-free ASGI app, the limit agentdb is measured against.

It serves the three seed reads at agentdb's paths (workflow with its graph, recent
activity, history first page) with what cannot be taken away: the bearer token
parsed, one pooled connection, agentdb's own statements (sql/auth/authenticate.sql
then the read, in one pipeline, one round trip, as repositories.database sends
them), and PostgreSQL's JSON bytes written out as they came (a page joined around
them, its cursor signed as the API signs it). No framework, no middleware, no
metering, no logging, no Server-Timing, no compression. The pool has agentdb's
settings (sizes, timeouts, session options, prepared statements, the role switch:
agentdb.config from the environment) but plain psycopg connections.

Served by the same stack as `agentdb serve` (uvicorn, uvloop, httptools; bench/http_bench.py
starts it): `uvicorn bench.bare_app:create_app --factory --loop uvloop --http httptools`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import msgspec
import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from agentdb.config import from_env, resolve_dsn
from agentdb.pool import APP_ROLE, NETWORK_KWARGS, session_options
from api.cursors import Cursors
from repositories import paging
from repositories.database import configure, connection_kwargs, switch_role
from repositories.sql import statement
from repositories.tokens import parse_token

_AUTHENTICATE = statement("auth.authenticate")
_WORKFLOW = statement("workflows.get_with_graph")
_RECENT = statement("executions.recent_agent_activity")
_HISTORY = statement("executions.history")
_CURSOR_KEY = statement("meta.cursor_key")

_WORKFLOW_PATH = re.compile(r"/api/agent-builder/workflows/([0-9a-fA-F-]{32,36})")
_JSON = [(b"content-type", b"application/json")]


async def _answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*(headers or _JSON), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app() -> Any:
    settings = from_env()
    state: dict[str, Any] = {}

    async def setup(conn: psycopg.AsyncConnection[Any]) -> None:
        configure(conn)
        if settings.switch_role:
            await switch_role(conn, APP_ROLE)

    async def lifespan(receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
                    resolve_dsn(settings),
                    kwargs={**connection_kwargs(prepare=settings.prepare, options=session_options(settings)),
                            **NETWORK_KWARGS},
                    min_size=settings.pool_min_size, max_size=settings.pool_max_size,
                    timeout=settings.pool_timeout_s, configure=setup, open=False, name="bare")
                await pool.open(wait=True, timeout=10)
                async with pool.connection() as conn:
                    (key,) = await (await conn.execute(_CURSOR_KEY.text)).fetchone()  # type: ignore[misc]
                state["pool"] = pool
                state["cursors"] = Cursors(settings.secret_key.encode() if settings.secret_key else bytes(key))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await state["pool"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def read(token_hash: bytes, user_id: UUID, call: Any) -> list[Any]:
        """auth.authenticate then the read, one pipeline on one pooled connection: the read's rows."""
        async with state["pool"].connection() as conn:
            async with conn.pipeline():
                await conn.execute(_AUTHENTICATE.text, {"token_hash": token_hash, "user_id": user_id})
                cur = await conn.execute(call.statement.text, call.params)
            return await cur.fetchall()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                token = parse_token(value[7:].decode().strip())
        if token is None:
            await _answer(send, 401, b'{"code":"unauthenticated"}')
            return
        path = scope["path"]
        query = dict(parse_qsl(scope["query_string"].decode()))
        limit = int(query.get("limit", 50))
        try:
            if path == "/api/agent-builder/dashboard/recent-activity":
                rows = await read(token.hash, token.user_id, _RECENT(user_id=token.user_id, limit=limit))
                await _answer(send, 200, b'{"items":[' + b",".join(row[0] for row in rows) + b"]}")
            elif path == "/api/agent-builder/executions":
                rows = await read(token.hash, token.user_id,
                                  _HISTORY(user_id=token.user_id, **paging.params(limit, None)))
                page = paging.raw_page(rows, limit)
                cursor = state["cursors"].encode(page.next, "executions", None, None)
                await _answer(send, 200, b'{"items":' + page.items + b',"next_cursor":'
                              + msgspec.json.encode(cursor) + b"}")
            elif match := _WORKFLOW_PATH.fullmatch(path):
                call = _WORKFLOW(user_id=token.user_id, workflow_id=UUID(match.group(1)), unless_version=None)
                ((body, version),) = await read(token.hash, token.user_id, call)
                await _answer(send, 200, body, [*_JSON, (b"etag", f'"{version}"'.encode())])
            else:
                await _answer(send, 404, b'{"code":"not-found"}')
        except PoolTimeout:  # as agentdb answers it: no connection within AGENTDB_POOL_TIMEOUT
            await _answer(send, 503, b'{"code":"unavailable"}')
        except psycopg.Error as exc:
            status = {"AB401": 401, "AB404": 404}.get(exc.sqlstate or "", 500)
            await _answer(send, status, msgspec.json.encode({"code": exc.sqlstate}))

    return app
