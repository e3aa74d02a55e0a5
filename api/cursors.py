"""Opaque page cursors: a repository's keyset, encoded for the next request."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

import msgspec

from api.errors import RequestError
from repositories.paging import Keyset


class _Keyset(msgspec.Struct, array_like=True):
    at: datetime
    id: UUID


def encode(keyset: Keyset | None) -> str | None:
    """The cursor of the page after `keyset` (None: there is no next page)."""
    if keyset is None:
        return None
    raw = msgspec.json.encode(_Keyset(*keyset))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> Keyset | None:
    """The keyset a cursor stands for (None: the first page); 400 naming `cursor` if it is not one."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = msgspec.json.decode(raw, type=_Keyset)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise RequestError("cursor: not a cursor this API returned", field="cursor") from None
    if key.at.tzinfo is None:
        raise RequestError("cursor: not a cursor this API returned", field="cursor")
    return key.at, key.id
