"""UserRepository: users and their bearer tokens (stored only as SHA-256)."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import msgspec

from repositories import paging
from repositories.database import Database
from repositories.errors import Unauthenticated
from repositories.sql import statement
from repositories.tokens import hash_token, new_token, parse_token

_CREATE = statement("users.create")
_GET_BY_EMAIL = statement("users.get_by_email")
_INSERT_TOKEN = statement("users.insert_token")
_AUTHENTICATE = statement("auth.authenticate")
_REVOKE_TOKEN = statement("users.revoke_token")
_REVOKE_TOKEN_BY_ID = statement("users.revoke_token_by_id")
_REVOKE_TOKENS_NAMED = statement("users.revoke_tokens_named")
_LIST_PAGE = statement("users.list_page")
_LIST_TOKENS = statement("users.list_tokens")


class User(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    created_at: datetime


class Token(msgspec.Struct, frozen=True):
    """A stored token's metadata (never the token itself)."""

    id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None


class UserSummary(msgspec.Struct, frozen=True):
    """A user in the operators' list (users.list_page): how many tokens, how many still live."""

    id: UUID
    email: str
    created_at: datetime
    tokens: int
    live_tokens: int


class TokenOwner(msgspec.Struct, frozen=True):
    """Whom a valid token authenticates."""

    user_id: UUID


def _email(email: str) -> str:
    return email.strip().lower()


class UserRepository:
    """Users and API tokens."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, *, email: str, token_name: str = "default") -> tuple[User, str]:
        """Create a user and a first token in 1 round trip; the token is returned once."""
        user_id = uuid.uuid4()
        token = new_token(user_id)
        user = await self.db.one(User, _CREATE(
            user_id=user_id, email=_email(email), token_hash=hash_token(token), token_name=token_name
        ))
        return user, token

    async def get_by_email(self, *, email: str) -> User:
        """The user with this email (NotFound if none)."""
        return await self.db.one(User, _GET_BY_EMAIL(email=_email(email)))

    async def issue_token(self, *, user_id: UUID, name: str = "default", expires_at: datetime | None = None) -> str:
        """A new token for an existing user; returned once, stored as its hash."""
        token = new_token(user_id)
        await self.db.one(Token, _INSERT_TOKEN(
            user_id=user_id, token_hash=hash_token(token), name=name, expires_at=expires_at
        ))
        return token

    async def authenticate(self, *, token: str) -> TokenOwner:
        """The owner of a known, unrevoked, unexpired token (Unauthenticated if none): the
        check every HTTP request makes in its own first statement, on its own."""
        bearer = parse_token(token)
        if bearer is None:
            raise Unauthenticated("not a token agentdb issued")
        return await self.db.one(TokenOwner, _AUTHENTICATE(token_hash=bearer.hash, user_id=bearer.user_id))

    async def revoke_token(self, *, user_id: UUID, token: str) -> None:
        """Revoke one of the user's tokens (NotFound if unknown or already revoked)."""
        await self.db.row(_REVOKE_TOKEN(user_id=user_id, token_hash=hash_token(token)))

    async def replace_token(self, *, user_id: UUID, name: str, expires_at: datetime | None = None) -> str:
        """Revoke the user's live tokens called `name` and issue one new one (returned once):
        1 round trip, atomic, so a name never piles up tokens (the demo's)."""
        token = new_token(user_id)
        await self.db.one(Token, _REVOKE_TOKENS_NAMED(user_id=user_id, name=name), _INSERT_TOKEN(
            user_id=user_id, token_hash=hash_token(token), name=name, expires_at=expires_at
        ))
        return token

    # Operators (`agentdb users ...`, `agentdb tokens ...`): across users, so on a Database
    # whose pool works as agentdb_jobs (agentdb.pool.JOBS_ROLE).

    async def list(self, *, limit: int = 50, after: paging.Keyset | None = None) -> paging.Page[UserSummary]:
        """A keyset page of every user, newest first, with token counts: 1 round trip."""
        return paging.raw_page(await self.db.rows(_LIST_PAGE(**paging.params(limit, after))), limit).decode(UserSummary)

    async def list_tokens(
        self, *, email: str, limit: int = 50, after: paging.Keyset | None = None
    ) -> paging.Page[Token]:
        """A keyset page of the tokens of the user with this email, newest first (NotFound if
        there is no such user): 1 round trip."""
        call = _LIST_TOKENS(email=_email(email), **paging.params(limit, after))
        rows = await self.db.rows(_GET_BY_EMAIL(email=_email(email)), call)
        return paging.raw_page(rows, limit).decode(Token)

    async def revoke_token_by_id(self, *, token_id: UUID) -> Token:
        """Revoke any user's token by its id (NotFound if unknown, IllegalTransition if already
        revoked): 1 round trip."""
        return await self.db.one(Token, _REVOKE_TOKEN_BY_ID(token_id=token_id))
