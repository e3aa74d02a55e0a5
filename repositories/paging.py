"""Opaque keyset cursors: (timestamp, id) of a page's last row, never an OFFSET."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Final, Generic, TypeVar
from uuid import UUID

import msgspec

from repositories.errors import ValidationFailed

# The first page's keyset: sorts after every real row.
FIRST_PAGE_AT: Final = datetime(9999, 12, 31, tzinfo=UTC)
FIRST_PAGE_ID: Final = UUID("ffffffff-ffff-ffff-ffff-ffffffffffff")

MAX_LIMIT: Final = 200


class _Key(msgspec.Struct, array_like=True):
    at: datetime
    id: UUID


def encode(at: datetime, row_id: UUID) -> str:
    """The cursor that continues after the row (at, row_id)."""
    raw = msgspec.json.encode(_Key(at, row_id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> tuple[datetime, UUID]:
    """The keyset a cursor stands for; the first page's when None. Bad cursors: 400/422."""
    if not cursor:
        return FIRST_PAGE_AT, FIRST_PAGE_ID
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = msgspec.json.decode(raw, type=_Key)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ValidationFailed("cursor: not a cursor this API returned", field="cursor") from None
    if key.at.tzinfo is None:
        raise ValidationFailed("cursor: not a cursor this API returned", field="cursor")
    return key.at, key.id


def check_limit(limit: int) -> int:
    """Limits are 1..MAX_LIMIT."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of items and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None = None
