"""The OpenAPI document tells the truth: every status an operation can answer, with its real body.

Errors are problem details (api.errors.Problem, `application/problem+json`);
operationIds are the handlers' names in camelCase (`getWorkflow`); the headers
an operation sends (ETag, Location, Server-Timing, X-Request-ID) are declared.
tests/test_openapi.py checks every response the test suite sees against it.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme

from api.errors import PROBLEM_JSON, Problem

_WHEN = {
    304: "Not Modified: the workflow is still at the version If-None-Match names",
    400: "The request cannot be read: a bad query parameter, header or cursor, or a body that is not UTF-8 JSON "
         "(codes invalid-parameter, invalid-json)",
    401: "Missing, malformed, unknown, expired or revoked bearer token (code unauthenticated)",
    404: "No such resource for this user (another user's looks the same); an id in the path that is not a UUID; "
         "an id to filter on that names none of the user's",
    408: "The body did not arrive in time (code request-timeout)",
    409: "The state machine does not allow this move from the current status (current_status)",
    412: "If-Match names a version that is no longer current (current_version, and the current ETag)",
    413: "The body is larger than 1 MiB",
    414: "The request line (path and query) is longer than 8 KiB (code uri-too-long)",
    415: "The body is not application/json",
    422: "The body was read, and what it says is refused (field names the culprit)",
    428: "If-Match is required",
    429: "Too many failed authentications from this client, or too many open event streams for this user "
         "(Retry-After)",
    500: "A bug: the request id names it in the server's log",
    503: "The database is unavailable, too slow, or locked for this request (Retry-After)",
}

# Every operation under /api/agent-builder (414: api.guards.UriLength answers before routing).
COMMON = (400, 401, 414, 429, 500, 503)
BODY = (408, 413, 415, 422)  # every operation that takes a body
NAMED = (404,)  # every operation with an id in its path


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The documented error answers of an operation, each a problem detail."""
    return {status: ResponseSpec(Problem, media_type=PROBLEM_JSON, description=_WHEN[status],
                                 generate_examples=False)
            for status in sorted(set(statuses))}


def no_body(description: str) -> ResponseSpec:
    return ResponseSpec(None, description=description, generate_examples=False)


MINIMAL = "No body: the client sent Prefer: return=minimal"  # no_body's description of a 204 for Prefer


def headers(*names: str) -> list[ResponseHeader]:
    """Response headers an operation sends, for the document only (the handler sets them)."""
    described = {
        "ETag": "The workflow's version, quoted: what If-Match and If-None-Match name",
        "Location": "Where the created resource lives",
        "Preference-Applied": "return=minimal when the client's Prefer was honoured",
    }
    return [ResponseHeader(name=name, value="x", documentation_only=True, description=described[name])
            for name in names]


EVERY_RESPONSE_HEADERS = [
    ResponseHeader(name="X-Request-ID", value="x", documentation_only=True,
                   description="The request's id (the client's X-Request-ID if sane, else made): in every log line"),
    ResponseHeader(name="Server-Timing", value="x", documentation_only=True,
                   description='What the request cost the database: db;dur=<ms>;desc="<n> queries"'),
    ResponseHeader(name="AgentDB-LSN", value="x", documentation_only=True, required=False,
                   description="With read replicas only: the WAL position (e.g. 0/3000148) this request's writes "
                               "reached or its reads saw. Send it back as the AgentDB-LSN request header to read "
                               "at least that far on the next request, whichever server process answers it"),
]


def operation_id(route_handler: Any, http_method: Any, path_components: Any) -> str:
    """`list_workflows` -> `listWorkflows`."""
    head, *rest = route_handler.handler_name.split("_")
    return head + "".join(part.title() for part in rest)


def config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="agent-builder API",
        version="1.0.0",
        path="/schema",
        operation_id_creator=operation_id,
        components=Components(security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}),
    )
