-- Stores a new bearer token as its SHA-256 only (the token itself is shown once
-- to its owner and never stored). Returns the token's id, name and expiry as JSON.
INSERT INTO api_tokens (user_id, token_hash, name, expires_at)
VALUES (%(user_id)s, %(token_hash)s, %(name)s, %(expires_at)s)
RETURNING json_build_object('id', id, 'name', name, 'created_at', created_at, 'expires_at', expires_at) AS document
