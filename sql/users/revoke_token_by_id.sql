-- Revokes one token by its id, whoever owns it (operators: `agentdb tokens
-- revoke`, role agentdb_jobs; api_tokens is keyed by the user themselves, a
-- reference table under Citus). Returns the revoked token as JSON. Raises AB409
-- (detail: when) if it was already revoked, AB404 if there is no such token.
-- Primary key lookup. The outer query sees the table as it was before the
-- UPDATE, so the AB409 branch only runs when the UPDATE matched nothing.
WITH revoked AS (
    UPDATE api_tokens AS t
    SET revoked_at = now()
    WHERE t.id = %(token_id)s AND t.revoked_at IS NULL
    RETURNING t.id, t.user_id, t.name, t.created_at, t.expires_at, t.revoked_at
)

SELECT coalesce(
    (SELECT json_build_object(
        'id', r.id, 'name', r.name, 'created_at', r.created_at, 'expires_at', r.expires_at,
        'revoked_at', r.revoked_at
    ) FROM revoked AS r),
    (SELECT agentdb_raise('AB409', 'token already revoked', o.revoked_at::text)
     FROM api_tokens AS o WHERE o.id = %(token_id)s),
    agentdb_raise('AB404', 'token not found')
) AS document
