"""Responses built from the JSON PostgreSQL wrote, and the HTTP conventions every route shares.

Reads send the database's bytes as they are (no decode, no re-encode): a page is
`{"items": <the statement's array>, "next_cursor": ...}` joined around them.
Writes honour `Prefer: return=minimal` (no body, `Preference-Applied`) and a
create says where the new resource lives (`Location`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from repositories.paging import RawPage

JSON = "application/json"
API_PREFIX = "/api/agent-builder"


def json_bytes(body: bytes, *, status_code: int = HTTP_200_OK, headers: dict[str, str] | None = None) -> Response[Any]:
    """A response whose body is JSON already encoded (by PostgreSQL)."""
    return Response(body, status_code=status_code, media_type=JSON, headers=headers)


def page(raw: RawPage, next_cursor: str | None) -> Response[Any]:
    """A page of items as PostgreSQL wrote them, and the cursor of the next page."""
    return json_bytes(b'{"items":' + raw.items + b',"next_cursor":' + msgspec.json.encode(next_cursor) + b"}")


def minimal(request: Request[Any, Any, Any]) -> bool:
    """Whether the client asked for no body (`Prefer: return=minimal`, RFC 7240)."""
    return any(part.strip() == "return=minimal" for part in request.headers.get("prefer", "").split(","))


def written(request: Request[Any, Any, Any], body: bytes, *, status_code: int = HTTP_200_OK,
            headers: dict[str, str] | None = None) -> Response[Any]:
    """The answer to a write: the resource as PostgreSQL wrote it, or no body if the client
    prefers (a 201 keeps its status and Location, a 200 becomes 204)."""
    if minimal(request):
        status = status_code if status_code != HTTP_200_OK else HTTP_204_NO_CONTENT
        return Response(b"", status_code=status, headers={**(headers or {}), "Preference-Applied": "return=minimal"})
    return json_bytes(body, status_code=status_code, headers=headers)


def location(path: str) -> dict[str, str]:
    """The Location of a resource created under the API prefix: `path` relative to it."""
    return {"Location": f"{API_PREFIX}/{path}"}


async def private_to_the_user(message: Message, scope: Scope) -> None:
    """before_send: the API's answers are one user's data: no shared cache keeps them, and a
    private cache revalidates them (a workflow's ETag makes that cheap)."""
    if message["type"] == "http.response.start" and scope["path"].startswith(API_PREFIX):
        headers = MutableScopeHeaders.from_message(message)
        headers["Cache-Control"] = "private, no-cache"
        headers.add("Vary", "Authorization")
