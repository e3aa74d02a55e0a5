"""Opaque page cursors: a repository's keyset, signed for the list that made it.

A cursor is `<keyset>.<mac>` in URL-safe base64: the keyset of the page's last row
and an HMAC-SHA256 (truncated to 128 bits) over the keyset and the list's scope
(the endpoint and its filters). A cursor that was altered, forged, or made by
another list or with other filters fails the check and answers 400 naming
`cursor`. The key is AGENTDB_SECRET_KEY, or one generated in the database by
migration 0008, so every process and restart agrees on it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime
from uuid import UUID

import msgspec

from api.errors import INVALID_PARAMETER, RequestError
from repositories.paging import Keyset

_REFUSED = "cursor: not a cursor of this list (altered, or made with other filters)"


class _Keyset(msgspec.Struct, array_like=True):
    at: datetime
    id: UUID


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Strict: only the one canonical spelling of some bytes (base64's spare bits must be zero)."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not canonical base64")
    return raw


class Cursors:
    """Encodes and checks the cursors of every list, with one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: bytes, scope: tuple[object, ...]) -> bytes:
        message = msgspec.json.encode([str(part) if part is not None else None for part in scope]) + b"\0" + payload
        return hmac.new(self._key, message, hashlib.sha256).digest()[:16]

    def encode(self, keyset: Keyset | None, *scope: object) -> str | None:
        """The cursor of the page after `keyset` in the list named by `scope` (None: no next page)."""
        if keyset is None:
            return None
        payload = msgspec.json.encode(_Keyset(*keyset))
        return f"{_b64(payload)}.{_b64(self._mac(payload, scope))}"

    def decode(self, cursor: str | None, *scope: object) -> Keyset | None:
        """The keyset a cursor of this list stands for (None: the first page); 400 if it is not one."""
        if not cursor:
            return None
        payload_text, _, mac_text = cursor.partition(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise RequestError(INVALID_PARAMETER, _REFUSED, field="cursor") from None
        if not hmac.compare_digest(mac, self._mac(payload, scope)):
            raise RequestError(INVALID_PARAMETER, _REFUSED, field="cursor")
        key = msgspec.json.decode(payload, type=_Keyset)  # signed by us: well-formed
        return key.at, key.id
