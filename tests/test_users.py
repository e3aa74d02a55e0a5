"""Users and bearer tokens: stored only as SHA-256, revocable, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devtools.wire import round_trips
from repositories import Database, NotFound, Unauthenticated, UserRepository, ValidationFailed
from repositories.tokens import hash_token, parse_token


async def test_create_authenticate_revoke(users: UserRepository, jobs_pool: Any) -> None:
    with round_trips() as rt:
        user, token = await users.create(email="Carol@Example.com")
    assert rt.round_trips == 1
    assert user.email == "carol@example.com" and hash_token(token) != token.encode()
    claim = parse_token(token)
    assert claim is not None and claim.user_id == user.id  # the token names its user
    with round_trips() as rt:
        owner = await users.authenticate(token=token)
    assert rt.round_trips == 1 and owner.user_id == user.id
    with pytest.raises(Unauthenticated):
        await users.authenticate(token=token + "x")
    await users.revoke_token(user_id=user.id, token=token)
    with pytest.raises(Unauthenticated):
        await users.authenticate(token=token)
    with pytest.raises(NotFound):
        await users.revoke_token(user_id=user.id, token=token)
    with pytest.raises(NotFound):  # looking a user up by email crosses users: not the app's business
        await users.get_by_email(email="carol@example.com")
    operators = UserRepository(Database(jobs_pool))
    assert (await operators.get_by_email(email="CAROL@example.com")) == user


async def test_expired_token_is_refused(users: UserRepository) -> None:
    user, _ = await users.create(email="dave@example.com")
    expired = await users.issue_token(user_id=user.id, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    valid = await users.issue_token(user_id=user.id, expires_at=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(Unauthenticated):
        await users.authenticate(token=expired)
    owner = await users.authenticate(token=valid)
    assert owner.user_id == user.id


async def test_duplicate_email_names_the_field(users: UserRepository) -> None:
    await users.create(email="eve@example.com")
    with pytest.raises(ValidationFailed) as info:
        await users.create(email="eve@example.com")
    assert info.value.field == "email"
