-- One keyset page of a user's tokens (by the user's email), newest first: id,
-- name, created, expires and revoked times, never the token nor its hash. Rows
-- (item, at, id), limit + 1 at most. For operators (`agentdb tokens list`, role
-- agentdb_jobs): sent after users.get_by_email in the same pipeline, which
-- raises AB404 for an unknown email. users_email_key, then ix_api_tokens_user.
SELECT
    json_build_object(
        'id', t.id, 'name', t.name, 'created_at', t.created_at, 'expires_at', t.expires_at,
        'revoked_at', t.revoked_at
    ) AS item, t.created_at AS at, t.id
FROM users AS u
INNER JOIN api_tokens AS t ON t.user_id = u.id
WHERE u.email = %(email)s
    AND (t.created_at, t.id) < (%(before_at)s, %(before_id)s)
ORDER BY t.created_at DESC, t.id DESC
LIMIT %(limit)s + 1
