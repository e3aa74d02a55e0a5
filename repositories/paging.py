"""Keyset pages: (timestamp, id) of a page's last row, never an OFFSET.

Every list statement returns a row per item, (item, at, id): the item's JSON
document as PostgreSQL wrote it and its keyset, newest first, one row more than
the page (that row only says another page follows). `raw_page` cuts the page
and joins its documents into a JSON array without decoding them; `Page` is that
array decoded, for Python callers; the HTTP API passes `RawPage.items` through.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar
from uuid import UUID

import msgspec
from psycopg.types.json import Jsonb

from repositories.errors import ValidationFailed
from repositories.sql import Statement

if TYPE_CHECKING:
    from repositories.database import Database

# The first page's keyset: sorts after every real row.
FIRST_PAGE: Final = (datetime(9999, 12, 31, tzinfo=UTC), UUID("ffffffff-ffff-ffff-ffff-ffffffffffff"))
MAX_LIMIT: Final = 200

Keyset = tuple[datetime, UUID]
T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of items; `next` is the keyset to pass for the next page (None on the last)."""

    items: list[T]
    next: Keyset | None = None


class RawPage(msgspec.Struct, kw_only=True):
    """One page whose items are the JSON array PostgreSQL built, as bytes."""

    items: bytes
    next: Keyset | None = None

    def decode(self, type_: type[T]) -> Page[T]:
        return Page(items=msgspec.json.decode(self.items, type=list[type_]), next=self.next)  # type: ignore[valid-type]


def params(limit: int, after: Keyset | None) -> dict[str, Any]:
    """The paging parameters of a list statement: limit checked, keyset of the first page when None."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")
    before_at, before_id = after or FIRST_PAGE
    return {"limit": limit, "before_at": before_at, "before_id": before_id}


def raw_page(rows: list[tuple[Any, ...]], limit: int) -> RawPage:
    """A list statement's rows (item, at, id) as a page of at most `limit` items."""
    items = b"[" + b",".join(row[0] for row in rows[:limit]) + b"]"
    if len(rows) <= limit:
        return RawPage(items=items)
    _, at, row_id = rows[limit - 1]
    return RawPage(items=items, next=(at, row_id))


class SearchableList(Generic[T]):
    """`list` and `list_json` of a repository whose rows are listed newest first by `list_page`, or
    searched by `search`: the same statement plus one jsonb `@>` filter on a GIN index
    (tests/test_sql_loader.py holds the two to that). The repository names both and `item`, the
    type a listed row decodes to."""

    db: Database
    item: type[T]
    list_page: Statement
    search: Statement

    async def list(
        self, *, user_id: UUID, limit: int = 50, after: Keyset | None = None, contains: dict[str, Any] | None = None
    ) -> Page[T]:
        """A keyset page of the user's rows, newest first, or of those whose searched document
        contains `contains` (jsonb @>): 1 round trip."""
        return (await self.list_json(user_id=user_id, limit=limit, after=after, contains=contains)).decode(self.item)

    async def list_json(
        self, *, user_id: UUID, limit: int = 50, after: Keyset | None = None, contains: dict[str, Any] | None = None
    ) -> RawPage:
        """`list` with the items as PostgreSQL's JSON bytes, not decoded."""
        if contains is None:
            call = self.list_page(user_id=user_id, **params(limit, after))
        else:
            call = self.search(user_id=user_id, contains=Jsonb(contains), **params(limit, after))
        return raw_page(await self.db.rows(call), limit)
