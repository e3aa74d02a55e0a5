-- The user a bearer token authenticates, if the token is known, not revoked and
-- not expired: one lookup on the unique index of token_hash. Also returns the
-- expiry, so a cache of this answer never outlives the token. Raises AB401 when
-- the token is not valid.
SELECT coalesce(
    (SELECT json_build_object('user_id', t.user_id, 'expires_at', t.expires_at)
     FROM api_tokens AS t
     WHERE
         t.token_hash = %(token_hash)s
         AND t.revoked_at IS NULL
         AND (t.expires_at IS NULL OR t.expires_at > now())),
    agentdb_raise('AB401', 'invalid, expired or revoked token')
) AS document
