"""Bearer tokens: `agdb_<user id>_<secret>`, stored only as their SHA-256.

The token names its user (32 hex digits), so a request's first statement can set
that user for row-level security and check the token in the same round trip
(sql/auth/authenticate.sql); the secret (256 random bits) is what makes it a
credential. A token in any other shape is refused without asking the database.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from uuid import UUID

_SHAPE = re.compile(r"agdb_([0-9a-f]{32})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class BearerToken:
    """A well-formed bearer token: the user it claims and its hash (not yet checked)."""

    user_id: UUID
    hash: bytes


def hash_token(token: str) -> bytes:
    """The only form in which a token is stored or looked up."""
    return hashlib.sha256(token.encode()).digest()


def new_token(user_id: UUID) -> str:
    """A new bearer token for `user_id`, shown once to its owner."""
    return f"agdb_{user_id.hex}_{secrets.token_urlsafe(32)}"


def parse_token(token: str) -> BearerToken | None:
    """The claim a token makes, or None if it is not in the shape agentdb issues."""
    match = _SHAPE.fullmatch(token)
    if match is None:
        return None
    return BearerToken(user_id=UUID(match.group(1)), hash=hash_token(token))
