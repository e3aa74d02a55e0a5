"""UserRepository: users and their bearer tokens (stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from uuid import UUID

import msgspec

from repositories.database import Database
from repositories.errors import NotFound
from repositories.sql import statement

_INSERT = statement("users.insert")
_INSERT_TOKEN = statement("users.insert_token")
_FIND_TOKEN_USER = statement("users.find_token_user")
_REVOKE_TOKEN = statement("users.revoke_token")
_FIND_BY_EMAIL = statement("users.find_by_email")


class User(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    created_at: datetime


class TokenOwner(msgspec.Struct, frozen=True):
    """Whom a valid token authenticates, and until when (None: no expiry)."""

    user_id: UUID
    expires_at: datetime | None


def hash_token(token: str) -> bytes:
    """The only form in which a token is stored or looked up."""
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    """A random bearer token (256 bits), shown once to its owner."""
    return "agdb_" + secrets.token_urlsafe(32)


class UserRepository:
    """Users and API tokens."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, *, email: str, token_name: str = "default") -> tuple[User, str]:
        """Create a user and a first token in 1 round trip; the token is returned once."""
        user_id = uuid.uuid4()
        token = new_token()
        (user_rows, _) = await self.db.run(
            (_INSERT, {"user_id": user_id, "email": email.strip().lower()}),
            (_INSERT_TOKEN, {
                "user_id": user_id,
                "token_hash": hash_token(token),
                "name": token_name,
                "expires_at": None,
            }),
        )
        return User(*user_rows[0]), token

    async def find_by_email(self, *, email: str) -> User | None:
        row = await self.db.row(_FIND_BY_EMAIL, email=email.strip().lower())
        return User(*row) if row else None

    async def issue_token(
        self, *, user_id: UUID, name: str = "default", expires_at: datetime | None = None
    ) -> str:
        """A new token for an existing user; returned once, stored as its hash."""
        token = new_token()
        await self.db.row(
            _INSERT_TOKEN, user_id=user_id, token_hash=hash_token(token), name=name, expires_at=expires_at
        )
        return token

    async def authenticate(self, token: str) -> TokenOwner | None:
        """The owner of a known, unrevoked, unexpired token: one unique-index lookup."""
        row = await self.db.row(_FIND_TOKEN_USER, token_hash=hash_token(token))
        return TokenOwner(*row) if row else None

    async def revoke_token(self, *, user_id: UUID, token: str) -> None:
        if await self.db.row(_REVOKE_TOKEN, user_id=user_id, token_hash=hash_token(token)) is None:
            raise NotFound("token not found")
