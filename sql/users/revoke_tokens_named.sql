-- Revokes every live token of this user that has this name (the demo replaces
-- its token this way instead of piling them up), returning how many as JSON.
-- Sent before users.insert_token in the same pipeline: one round trip, atomic.
-- ix_api_tokens_user, then the user's few tokens filtered.
WITH revoked AS (
    UPDATE api_tokens AS t
    SET revoked_at = now()
    WHERE t.user_id = %(user_id)s AND t.name = %(name)s AND t.revoked_at IS NULL
    RETURNING t.id
)

SELECT json_build_object('revoked', (SELECT count(*) FROM revoked)) AS document
