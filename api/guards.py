"""What a request must be before a handler sees it: readable, bounded, of the declared type.

- `json_body` (before_request): a handler that takes a body gets
  `Content-Type: application/json` (else 415), UTF-8 JSON (else 400 invalid-json)
  nested at most MAX_DEPTH levels (else 400), arriving within the body deadline
  (else 408: a Content-Length larger than what is sent no longer holds a
  connection forever). The parsed body is cached by Litestar, so the handler's
  own decoding does not parse it twice.
- `strict_integers` (before_request): integer query parameters are written as
  digits only (`limit=1e2` and `limit=2.0` are refused, 400 naming them).
- `UriLength` (outermost ASGI middleware): a request line longer than
  MAX_URI_BYTES answers 414 instead of reaching the router.
- `AuthFailureLimit` (outer ASGI middleware): a client address that failed
  authentication more than AGENTDB_AUTH_FAILURES_PER_MINUTE times in the last minute
  gets 429 with Retry-After, without the database being asked again.
- `allow_every_method` (before_send): OPTIONS answers list every method of the
  path (Litestar 2 lists only those of the first handler registered, litestar#4169).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import deque
from itertools import accumulate
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import SerializationException
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import INVALID_JSON, INVALID_PARAMETER, REQUEST_TIMEOUT, UNSUPPORTED_MEDIA_TYPE, URI_TOO_LONG
from api.errors import PROBLEM_JSON, TOO_MANY_REQUESTS, Problem, RequestError, problem

MAX_DEPTH = 64
MAX_URI_BYTES = 8192
INTEGER_QUERY_PARAMETERS = frozenset({"limit", "after", "days"})

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_DIGITS = re.compile(r"[0-9]{1,18}")


def nesting_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0  # cannot be deeper than it has brackets: the common case, no scan
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(1 if c in b"[{" else -1 for c in brackets), default=0)


def check_depth(raw: bytes, field: str) -> None:
    """400 naming `field` when the JSON text `raw` nests deeper than MAX_DEPTH."""
    if nesting_depth(raw) > MAX_DEPTH:
        raise RequestError(INVALID_JSON, f"{field}: JSON nested deeper than {MAX_DEPTH} levels", field=field)


async def json_body(request: Request[Any, Any, Any]) -> None:
    """The body of a handler that takes one: JSON, UTF-8, bounded in depth and time."""
    if request.route_handler.parsed_data_field is None:
        return
    body_timeout = request.app.state.settings.body_timeout_s
    try:
        raw = await asyncio.wait_for(request.body(), timeout=body_timeout)
    except TimeoutError:
        raise RequestError(REQUEST_TIMEOUT, f"body: not received within {body_timeout} s", field="body",
                           headers={"Connection": "close"}) from None
    if not raw:
        return  # an optional body may be absent; a required one is refused by the handler's decoding
    media_type, _ = request.content_type
    if media_type != "application/json":
        raise RequestError(UNSUPPORTED_MEDIA_TYPE, "Content-Type: must be application/json", field="Content-Type",
                           headers={"Accept": "application/json"})
    check_depth(raw, "body")
    try:
        await request.json()
    except (SerializationException, UnicodeDecodeError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON text"
        raise RequestError(INVALID_JSON, f"body: {reason}", field="body") from None


async def strict_integers(request: Request[Any, Any, Any]) -> None:
    """Integer query parameters as plain digits: 400 naming the parameter otherwise."""
    for name in INTEGER_QUERY_PARAMETERS.intersection(request.query_params):
        value = request.query_params[name]
        if not _DIGITS.fullmatch(value):
            raise RequestError(INVALID_PARAMETER, f"{name}: must be a whole number written in digits", field=name)


async def before_request(request: Request[Any, Any, Any]) -> None:
    await strict_integers(request)
    await json_body(request)


async def _send_problem(send: Send, response: Response[Problem]) -> None:
    """Answer a problem from an ASGI middleware, before the app (and its handlers) see the request."""
    body = msgspec.json.encode(response.content)
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (response.headers or {}).items()]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class UriLength:
    """414 for a request line longer than MAX_URI_BYTES, before routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) \
                > MAX_URI_BYTES:
            await _send_problem(send, problem(URI_TOO_LONG, f"request line: longer than {MAX_URI_BYTES} bytes"))
            return
        await self.app(scope, receive, send)


async def allow_every_method(message: Message, scope: Scope) -> None:
    """before_send: the real Allow header on an OPTIONS answer."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")  # type: ignore[call-overload]
    routes = scope["litestar_app"].routes  # type: ignore[typeddict-item]
    route = next((r for r in routes if isinstance(r, HTTPRoute) and r.path_format == template), None)
    if route is None:
        return
    allow = ", ".join(sorted(route.methods)).encode()
    message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"] + [(b"allow", allow)]


class AuthFailureLimit:
    """429 for a client that keeps presenting bad tokens (per process, by client address)."""

    WINDOW_S = 60.0
    MAX_CLIENTS = 10_000

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        while failures and failures[0] <= now - self.WINDOW_S:
            failures.popleft()
        if failures is not None and not failures:
            del self._failures[client]
            return None
        return failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        now = time.monotonic()
        failures = self._recent(client, now)
        if failures is not None and len(failures) >= self.per_minute:
            retry = max(1, math.ceil(failures[0] + self.WINDOW_S - now))
            await _send_problem(send, problem(TOO_MANY_REQUESTS, "too many failed authentications; retry later",
                                              headers={"Retry-After": str(retry)}))
            return
        status = 0

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, send_and_watch)
        if status == 401:
            if client not in self._failures and len(self._failures) >= self.MAX_CLIENTS:
                self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(client, deque()).append(now)
