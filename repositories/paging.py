"""Keyset pages: (timestamp, id) of a page's last row, never an OFFSET.

Every list statement returns a row per item, (item, at, id): the item's JSON
document as PostgreSQL wrote it and its keyset, newest first, one row more than
the page (that row only says another page follows). `raw_page` cuts the page
and joins its documents into a JSON array without decoding them; `Page` is that
array decoded, for Python callers; the HTTP API passes `RawPage.items` through.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Generic, TypeVar
from uuid import UUID

import msgspec

from repositories.errors import ValidationFailed

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
