"""Read-your-writes across processes: the AgentDB-LSN response and request header.

With read replicas (AGENTDB_READ_DATABASE_URL), a user's reads go to hot standbys
only once a standby has replayed the user's last write (repositories.database,
ReadReplicas). Within one process the Database remembers that write's WAL
position per user; across processes (several workers, several hosts behind a load
balancer) the client carries it: every API response sends `AgentDB-LSN: <position>`
(the highest position the request's reads had to see or its writes reached), and a
client that sends it back on its next request reads at least that far, whichever
process answers. A malformed or missing header only means no such floor.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from repositories.database import lsn_text, lsn_value

LSN_HEADER = "AgentDB-LSN"
DB_KEY = "agentdb.db"  # the request's Database, in the ASGI scope (set by api.app's `db` dependency)


def client_lsn(raw: str | None) -> int:
    """The WAL position a client sent back (0 when none or malformed: a hint, not an input)."""
    if not raw:
        return 0
    try:
        return lsn_value(raw)
    except ValueError:
        return 0


async def add_lsn_header(message: Message, scope: Scope) -> None:
    """before_send: the position the request's reads had to see, or its writes reached."""
    if message["type"] == "http.response.start":
        db: Any = scope.get(DB_KEY)  # type: ignore[call-overload]
        if db is not None and db.lsn:
            MutableScopeHeaders.from_message(message)[LSN_HEADER] = lsn_text(db.lsn)
