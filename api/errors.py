"""The one mapping from exceptions to HTTP responses.

Every error body is {"error": <message>, "field": <name or null>} (plus
"current_status" on 409). Unexpected exceptions answer a generic 500: the
message, stack trace and SQL go to the log, never to the client.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from repositories.errors import IllegalTransition, NotFound, StaleVersion, Unauthenticated, Unavailable, ValidationFailed

log = logging.getLogger("api")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="agent-builder"'}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="agent-builder", error="invalid_token"'}


class RequestError(HTTPException):
    """A request the API refuses before it reaches a repository (400 unless told), naming the field."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, status_code: int = HTTP_400_BAD_REQUEST) -> None:
        super().__init__(detail=message, status_code=status_code)
        self.field = field


def _error(status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None,
           **extra: Any) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"error": message, "field": field}
    body.update((key, value) for key, value in extra.items() if value is not None)
    return Response(content=body, status_code=status, headers=headers, media_type="application/json")


def _validation_failed(_: Request, exc: ValidationFailed) -> Response[dict[str, Any]]:
    return _error(HTTP_422_UNPROCESSABLE_ENTITY, str(exc), field=exc.field)


def _unauthenticated(_: Request, exc: Unauthenticated) -> Response[dict[str, Any]]:
    return _error(HTTP_401_UNAUTHORIZED, str(exc), headers=INVALID_TOKEN)


def _not_found(_: Request, exc: NotFound) -> Response[dict[str, Any]]:
    return _error(HTTP_404_NOT_FOUND, str(exc))


def _stale(_: Request, exc: StaleVersion) -> Response[dict[str, Any]]:
    return _error(HTTP_412_PRECONDITION_FAILED, str(exc), field="If-Match", current_version=exc.current_version)


def _illegal(_: Request, exc: IllegalTransition) -> Response[dict[str, Any]]:
    return _error(HTTP_409_CONFLICT, str(exc), field="to_status", current_status=exc.current_status)


def _unavailable(_: Request, exc: Unavailable) -> Response[dict[str, Any]]:
    return _error(HTTP_503_SERVICE_UNAVAILABLE, str(exc), headers={"Retry-After": "1"})


_UNKNOWN = re.compile(r"unknown field `([^`]*)`")


def _request_validation(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    """Litestar's own checks of query parameters, headers and msgspec-decoded bodies.

    Malformed JSON and a missing body answer 400; a well-formed body of wrong
    types or with unknown fields answers 422; a bad query parameter (limit=0)
    answers 400. The field is named by msgspec's path (`nodes[0].key`) or the
    parameter's name; `body` stands for the whole body.
    """
    errors = exc.extra if isinstance(exc.extra, list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    message = str(first.get("message") or exc.detail)
    field = first.get("key")
    if "malformed" in message.lower() or "json" in message.lower() and field is None:
        return _error(HTTP_400_BAD_REQUEST, f"body: {message}", field="body")
    if first.get("source") != "body":
        return _error(HTTP_400_BAD_REQUEST, f"{field}: {message}" if field else message, field=field)
    if field == "data" and message == "'data'":
        return _error(HTTP_400_BAD_REQUEST, "body: a JSON object is required", field="body")
    if field == "data":
        field = None
    unknown = _UNKNOWN.search(message)
    if unknown:  # name the unknown field itself, under the path of its object
        field = unknown.group(1) if field is None else f"{field}.{unknown.group(1)}"
        message = "unknown field"
    field = field or "body"
    return _error(HTTP_422_UNPROCESSABLE_ENTITY, f"{field}: {message}", field=field)


def _http(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    if exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("HTTP %s: %s", exc.status_code, exc.detail)
        return _error(exc.status_code, "internal error")
    field = getattr(exc, "field", None)
    if field is None and "JSON is malformed" in exc.detail:  # the body did not parse
        return _error(exc.status_code, f"body: {exc.detail}", field="body")
    return _error(exc.status_code, exc.detail, field=field, headers=exc.headers)


def _internal(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled exception", exc_info=exc)
    return _error(HTTP_500_INTERNAL_SERVER_ERROR, "internal error")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationFailed: _validation_failed,
    Unauthenticated: _unauthenticated,
    NotFound: _not_found,
    StaleVersion: _stale,
    IllegalTransition: _illegal,
    Unavailable: _unavailable,
    ValidationException: _request_validation,
    HTTPException: _http,
    Exception: _internal,
}
