-- Stores a new bearer token as its SHA-256 only (the token itself is shown once
-- to its owner and never stored). Returns the token row's id and expiry.
INSERT INTO api_tokens (user_id, token_hash, name, expires_at)
VALUES (%(user_id)s, %(token_hash)s, %(name)s, %(expires_at)s)
RETURNING id, expires_at
