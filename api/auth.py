"""Bearer-token authentication, with a small in-process cache of token lookups.

Every route but /schema needs `Authorization: Bearer <token>`. The token is
looked up with UserRepository.authenticate (one unique-index lookup, one round
trip) and the answer is cached for `settings.token_cache_ttl_s`, keyed by the
token's SHA-256 (never the token itself) and never beyond the token's own
expires_at, so a recently seen token costs no round trip at all.

Consequence of the cache: a revoked token keeps working in a process that saw
it within the last `token_cache_ttl_s` seconds (30 s by default; 0 disables
the cache). Refused tokens are not cached.
"""

from __future__ import annotations

import time
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from api.errors import CHALLENGE, INVALID_TOKEN
from repositories.errors import Unauthenticated
from repositories.users import TokenOwner, UserRepository, hash_token

MAX_CACHED = 10_000


class TokenCache:
    """token hash -> (user id, wall-clock time the entry stops being trusted)."""

    def __init__(self, ttl_s: float, *, max_entries: int = MAX_CACHED) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[bytes, tuple[UUID, float]] = {}

    def get(self, key: bytes) -> UUID | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        user_id, until = entry
        if time.time() >= until:
            del self._entries[key]
            return None
        return user_id

    def put(self, key: bytes, owner: TokenOwner) -> None:
        if self.ttl_s <= 0:
            return
        until = time.time() + self.ttl_s
        if owner.expires_at is not None:
            until = min(until, owner.expires_at.timestamp())
        if len(self._entries) >= self.max_entries:
            self._evict()
        self._entries[key] = (owner.user_id, until)

    def _evict(self) -> None:
        now = time.time()
        for key in [k for k, (_, until) in self._entries.items() if until <= now]:
            del self._entries[key]
        while len(self._entries) >= self.max_entries:  # still full: drop the oldest entries
            del self._entries[next(iter(self._entries))]

    def clear(self) -> None:
        self._entries.clear()


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Sets request.user to the caller's user id (a UUID), or answers 401."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = bearer_token(connection.headers.get("authorization"))
        if token is None:
            raise NotAuthorizedException("missing bearer token", headers=CHALLENGE)
        state = connection.app.state
        cache: TokenCache = state.token_cache
        key = hash_token(token)
        user_id = cache.get(key)
        if user_id is None:
            try:
                owner = await UserRepository(state.db).authenticate(token=token)
            except Unauthenticated as exc:
                raise NotAuthorizedException(str(exc), headers=INVALID_TOKEN) from None
            cache.put(key, owner)
            user_id = owner.user_id
        return AuthenticationResult(user=user_id, auth=None)
