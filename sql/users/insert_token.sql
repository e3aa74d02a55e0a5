-- Stores a new bearer token as its SHA-256 only (the token itself is shown once
-- to its owner and never stored). Returns the token's id, name and expiry as JSON.
-- The document is built outside the RETURNING: Citus refuses non-immutable
-- functions (json_build_object) in a distributed RETURNING.
WITH inserted AS (
    INSERT INTO api_tokens AS t (user_id, token_hash, name, expires_at)
    VALUES (%(user_id)s, %(token_hash)s, %(name)s, %(expires_at)s)
    RETURNING t.id, t.name, t.created_at, t.expires_at
)

SELECT json_build_object('id', i.id, 'name', i.name, 'created_at', i.created_at, 'expires_at', i.expires_at) AS document
FROM inserted AS i
