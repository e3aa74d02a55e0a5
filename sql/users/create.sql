-- Creates a user and their first bearer token in one statement (the token
-- stored as its SHA-256 only; the token itself is shown once to its owner and
-- never stored), returning the user as JSON. A taken email raises
-- users_email_key (-> 422 naming email).
WITH new_user AS (
    INSERT INTO users (id, email)
    VALUES (%(user_id)s, %(email)s)
    RETURNING id, email, created_at
),

new_token AS (
    INSERT INTO api_tokens (user_id, token_hash, name)
    SELECT u.id, %(token_hash)s, %(token_name)s
    FROM new_user AS u
    RETURNING id
)

-- (new_token runs although nothing reads it: PostgreSQL always executes a
-- data-modifying CTE, once, to completion.)
SELECT json_build_object('id', u.id, 'email', u.email, 'created_at', u.created_at) AS document
FROM new_user AS u
