-- Revokes a token of this user by its hash. Raises AB404 when it is unknown,
-- someone else's or already revoked.
WITH revoked AS (
    UPDATE api_tokens
    SET revoked_at = now()
    WHERE token_hash = %(token_hash)s AND user_id = %(user_id)s AND revoked_at IS NULL
    RETURNING id
)

SELECT coalesce((SELECT json_build_object('id', r.id) FROM revoked AS r), agentdb_raise('AB404', 'token not found'))
