-- Revokes a token of this user by its hash; returns its id, or no row when it is
-- unknown, someone else's or already revoked.
UPDATE api_tokens
SET revoked_at = now()
WHERE token_hash = %(token_hash)s AND user_id = %(user_id)s AND revoked_at IS NULL
RETURNING id
