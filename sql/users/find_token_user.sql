-- The user a bearer token authenticates, if the token is known, not revoked and
-- not expired: one lookup on the unique index of token_hash. Also returns the
-- expiry, so a cache of this answer never outlives the token.
SELECT t.user_id, t.expires_at
FROM api_tokens AS t
WHERE
    t.token_hash = %(token_hash)s
    AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > now())
