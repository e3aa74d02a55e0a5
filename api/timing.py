"""Server-Timing: what each request cost the database.

api.observability binds a fresh agentdb.dbmeter meter to each request (every
round trip a repository makes is counted) and keeps it in the ASGI scope; this
`before_send` hook writes

    Server-Timing: db;dur=<ms>;desc="<n> queries"

on the response start. It runs on the app's outermost `send`, so error
responses produced by Litestar's exception handlers carry the header too.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from agentdb.dbmeter import DbMeter
from api.observability import METER_KEY


def server_timing(meter: DbMeter | None) -> str:
    if meter is None:
        return 'db;dur=0.0;desc="0 queries"'
    return f'db;dur={meter.milliseconds:.1f};desc="{meter.round_trips} queries"'


async def add_server_timing(message: Message, scope: Scope) -> None:
    """before_send hook: add Server-Timing to every HTTP response."""
    if message["type"] == "http.response.start":
        meter: Any = scope.get(METER_KEY)  # type: ignore[call-overload]
        MutableScopeHeaders.from_message(message).add("Server-Timing", server_timing(meter))
