"""The one mapping from exceptions to HTTP responses: RFC 9457 problem details.

Every error answers `application/problem+json`:

    {"type": "/problems/not-found", "title": "Not Found", "status": 404,
     "code": "not-found", "detail": "workflow not found", "field": null}

`code` (and `type`, which is `/problems/<code>`) is stable per kind of error and
is what clients branch on; `detail` is for people; `field` names the input at
fault (a body path such as `nodes[0].key`, a parameter, a header). A 409 adds
`current_status`, a 412 `current_version` (and the current ETag).

One rule decides 400 or 422: 400 when the request cannot be read (a body that is
not UTF-8 JSON, nested too deeply, or too slow to arrive; a bad query parameter,
header or cursor); 422 when it was read and what it says is refused (a field of
the wrong type or out of range, an unknown field, a graph that does not hold
together, a reference to a row that does not exist). Unexpected exceptions answer
a generic 500: the message, stack trace and SQL go to the log with the request's
id, never to the client.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any, NamedTuple

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)

from repositories.errors import (
    IllegalTransition,
    NotFound,
    StaleVersion,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)

log = logging.getLogger("agentdb.api")

PROBLEM_JSON = "application/problem+json"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="agent-builder"'}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="agent-builder", error="invalid_token"'}


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An error response body (RFC 9457 problem details); `field` is always present, null when
    no single input is at fault."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    field: str | None
    current_status: str | None = None
    current_version: int | None = None


class Kind(NamedTuple):
    status: int
    code: str


INVALID_JSON = Kind(400, "invalid-json")
INVALID_PARAMETER = Kind(400, "invalid-parameter")
UNAUTHENTICATED = Kind(401, "unauthenticated")
NOT_FOUND = Kind(404, "not-found")
METHOD_NOT_ALLOWED = Kind(405, "method-not-allowed")
REQUEST_TIMEOUT = Kind(408, "request-timeout")
ILLEGAL_TRANSITION = Kind(409, "illegal-transition")
STALE_VERSION = Kind(412, "stale-version")
PAYLOAD_TOO_LARGE = Kind(413, "payload-too-large")
URI_TOO_LONG = Kind(414, "uri-too-long")
UNSUPPORTED_MEDIA_TYPE = Kind(415, "unsupported-media-type")
VALIDATION_FAILED = Kind(422, "validation-failed")
PRECONDITION_REQUIRED = Kind(428, "precondition-required")
TOO_MANY_REQUESTS = Kind(429, "too-many-requests")
INTERNAL = Kind(500, "internal")
UNAVAILABLE = Kind(503, "unavailable")

KINDS = (INVALID_JSON, INVALID_PARAMETER, UNAUTHENTICATED, NOT_FOUND, METHOD_NOT_ALLOWED, REQUEST_TIMEOUT,
         ILLEGAL_TRANSITION, STALE_VERSION, PAYLOAD_TOO_LARGE, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE,
         VALIDATION_FAILED, PRECONDITION_REQUIRED, TOO_MANY_REQUESTS, INTERNAL, UNAVAILABLE)
_BY_STATUS = {kind.status: kind for kind in KINDS if kind.code not in ("invalid-json", "invalid-parameter")}
_BY_STATUS[400] = INVALID_PARAMETER


class RequestError(HTTPException):
    """A request the API refuses before it reaches a repository, with its kind and field."""

    def __init__(self, kind: Kind, detail: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail=detail, status_code=kind.status, headers=headers)
        self.kind = kind
        self.field = field


def problem(kind: Kind, detail: str, *, field: str | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> Response[Problem]:
    """The response of one error."""
    body = Problem(type=f"/problems/{kind.code}", title=HTTPStatus(kind.status).phrase, status=kind.status,
                   code=kind.code, detail=detail, field=field, **extra)
    return Response(body, status_code=kind.status, media_type=PROBLEM_JSON, headers=headers)


def _validation_failed(_: Request[Any, Any, Any], exc: ValidationFailed) -> Response[Problem]:
    return problem(VALIDATION_FAILED, str(exc), field=exc.field)


def _unauthenticated(_: Request[Any, Any, Any], exc: Unauthenticated | NotAuthorizedException) -> Response[Problem]:
    headers = getattr(exc, "headers", None) or INVALID_TOKEN
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    return problem(UNAUTHENTICATED, detail, headers=headers)


def _not_found(_: Request[Any, Any, Any], exc: NotFound | NotFoundException) -> Response[Problem]:
    detail = "no such resource" if isinstance(exc, NotFoundException) else str(exc)
    return problem(NOT_FOUND, detail)


def _stale(_: Request[Any, Any, Any], exc: StaleVersion) -> Response[Problem]:
    headers = {"ETag": f'"{exc.current_version}"'} if exc.current_version else None
    return problem(STALE_VERSION, str(exc), field="If-Match", headers=headers, current_version=exc.current_version)


def _illegal(_: Request[Any, Any, Any], exc: IllegalTransition) -> Response[Problem]:
    return problem(ILLEGAL_TRANSITION, str(exc), field=exc.field, current_status=exc.current_status)


def _unavailable(_: Request[Any, Any, Any], exc: Unavailable) -> Response[Problem]:
    return problem(UNAVAILABLE, str(exc), headers={"Retry-After": "1"})


_UNKNOWN = re.compile(r"unknown field `([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


def _request_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    """Litestar's own checks of query parameters, headers and msgspec-decoded bodies.

    A bad query parameter or header answers 400 naming it; a body of wrong types,
    with an unknown field or missing one answers 422 naming its path (msgspec's,
    such as `nodes[0].key`); `body` stands for the whole body.
    """
    errors = exc.extra if isinstance(exc.extra, list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    message = str(first.get("message") or exc.detail)
    field = first.get("key")
    if first.get("source") != "body":
        detail = f"{field}: {message}" if field else message
        return problem(INVALID_PARAMETER, detail, field=field)
    if field == "data":
        field = None
    for pattern, text in ((_UNKNOWN, "unknown field"), (_MISSING, "required")):
        named = pattern.search(message)
        if named:  # name the field itself, under the path of its object
            field = named.group(1) if field is None else f"{field}.{named.group(1)}"
            message = text
    if message == "'data'":
        return problem(INVALID_JSON, "body: a JSON object is required", field="body")
    field = field or "body"
    return problem(VALIDATION_FAILED, f"{field}: {message}", field=field)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    if isinstance(exc, RequestError):
        return problem(exc.kind, exc.detail, field=exc.field, headers=exc.headers)
    if exc.status_code >= 500:
        return _internal(request, exc)
    if exc.status_code == 400:  # Litestar's own: a body that did not parse
        return problem(INVALID_JSON, f"body: not valid JSON ({exc.detail})", field="body")
    kind = _BY_STATUS.get(exc.status_code, Kind(exc.status_code, HTTPStatus(exc.status_code).phrase.lower()
                                                    .replace(" ", "-")))
    return problem(kind, exc.detail, headers=exc.headers)


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    user = request.scope.get("user")
    log.error("unhandled exception", exc_info=exc, extra={"fields": {
        "method": request.method, "path": request.url.path, "user_id": str(user) if user else None}})
    return problem(INTERNAL, "internal error; the request id names it in the server's log")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationFailed: _validation_failed,
    Unauthenticated: _unauthenticated,
    NotAuthorizedException: _unauthenticated,
    NotFound: _not_found,
    NotFoundException: _not_found,
    StaleVersion: _stale,
    IllegalTransition: _illegal,
    Unavailable: _unavailable,
    ValidationException: _request_validation,
    MethodNotAllowedException: _http,
    HTTPException: _http,
    Exception: _internal,
}
