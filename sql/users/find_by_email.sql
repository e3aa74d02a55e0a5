-- A user by email (unique index users_email_key); used by the demo loader and
-- the CLI to find an existing user.
SELECT id, email, created_at
FROM users
WHERE email = %(email)s
