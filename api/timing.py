"""Server-Timing: what each request cost the database.

`DbMeterMiddleware` (the outermost middleware) binds a fresh agentdb.dbmeter
meter to the request's task, so every round trip a repository (or the token
lookup) makes is counted, and keeps it in the ASGI scope. The `before_send`
hook then writes

    Server-Timing: db;dur=<ms>;desc="<n> queries"

on the response start. It runs on the app's outermost `send`, so error
responses produced by Litestar's exception handlers carry the header too.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from agentdb.dbmeter import DbMeter, metering

SCOPE_KEY = "agentdb.db_meter"


class DbMeterMiddleware:
    """Meter the database work of each HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with metering() as meter:
            scope[SCOPE_KEY] = meter  # type: ignore[literal-required]
            await self.app(scope, receive, send)


def server_timing(meter: DbMeter | None) -> str:
    if meter is None:
        return 'db;dur=0.0;desc="0 queries"'
    return f'db;dur={meter.milliseconds:.1f};desc="{meter.round_trips} queries"'


async def add_server_timing(message: Message, scope: Scope) -> None:
    """before_send hook: add Server-Timing to every HTTP response."""
    if message["type"] == "http.response.start":
        meter: Any = scope.get(SCOPE_KEY)  # type: ignore[call-overload]
        MutableScopeHeaders.from_message(message).add("Server-Timing", server_timing(meter))
