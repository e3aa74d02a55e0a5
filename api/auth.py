"""Bearer-token authentication, checked by the database in each request's own round trip.

Every route under /api/agent-builder needs `Authorization: Bearer <token>`. The
middleware only checks the token's shape (agentdb tokens name their user,
repositories.tokens) and answers 401 at once for anything else; the token itself
is checked by the first statement of the request's pipeline (sql/auth/
authenticate.sql), which also sets the user for row-level security. So there is
no token cache: a revoked token, or a deleted user's, is refused on the very next
request, and a valid one costs no extra round trip.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from api.errors import CHALLENGE, INVALID_TOKEN
from repositories.tokens import parse_token


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if that is what it is."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Sets request.user to the user id the token claims and request.auth to the token
    (repositories.tokens.BearerToken), or answers 401."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = bearer_token(connection.headers.get("authorization"))
        if token is None:
            raise NotAuthorizedException("missing bearer token", headers=CHALLENGE)
        bearer = parse_token(token)
        if bearer is None:
            raise NotAuthorizedException("invalid, expired or revoked token", headers=INVALID_TOKEN)
        return AuthenticationResult(user=bearer.user_id, auth=bearer)
