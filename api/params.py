"""Query and header parameters shared by the routes, and the injected dependencies."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from litestar.di import NamedDependency, Provide
from litestar.params import HeaderParameter, QueryParameter

from api.errors import INVALID_PARAMETER, PRECONDITION_REQUIRED, RequestError
from api.guards import check_depth
from repositories.database import Database
from repositories.paging import MAX_LIMIT

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT}.")]
Cursor = Annotated[str | None, QueryParameter(description="The next_cursor of the previous page.")]
JsonQuery = Annotated[str | None, QueryParameter(description="A JSON object; matches rows containing it (jsonb @>).")]
# Required (428 when missing, not Litestar's 400): the "" default is what a missing header reads as.
IfMatch = Annotated[
    str, HeaderParameter(name="If-Match", required=True, description='The version being replaced: "3" (an ETag) or 3.')
]
IfNoneMatch = Annotated[
    str | None, HeaderParameter(name="If-None-Match", description='The ETag the client holds: 304 if still current.')
]

_OBJECT = msgspec.json.Decoder(dict[str, Any])


def json_object(raw: str, *, field: str) -> dict[str, Any]:
    """A JSON object given in a query parameter (400 naming the parameter if it is not one)."""
    encoded = raw.encode()
    check_depth(encoded, field)
    try:
        return _OBJECT.decode(encoded)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise RequestError(INVALID_PARAMETER, f"{field}: must be a JSON object ({exc})", field=field) from None


_VERSION = re.compile(r'(?:W/)?"?([1-9][0-9]{0,9})"?')


def expected_version(if_match: str | None) -> int:
    """The version named by If-Match (`"3"` or `3`): missing 428, anything else 400."""
    if if_match is None or not if_match.strip():
        raise RequestError(PRECONDITION_REQUIRED, "If-Match: required (the workflow's ETag)", field="If-Match")
    match = _VERSION.fullmatch(if_match.strip())
    if match is None:
        raise RequestError(INVALID_PARAMETER, 'If-Match: must be a version such as "3"', field="If-Match")
    return int(match.group(1))


def version_of(if_none_match: str | None) -> int | None:
    """The version an If-None-Match names, if it names one (anything else: no condition)."""
    match = _VERSION.fullmatch(if_none_match.strip()) if if_none_match else None
    return int(match.group(1)) if match else None


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


# Injected by name (see api.app and each controller's `dependencies`).
UserId = NamedDependency[UUID]


R = TypeVar("R")


def repository(make: Callable[[Database], R]) -> Provide:
    """The dependency that hands a handler the repository `make` builds over the request's
    database (the app's `db` dependency)."""

    def provide(db: NamedDependency[Database]) -> R:
        return make(db)

    return Provide(provide, sync_to_thread=False)
