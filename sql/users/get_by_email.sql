-- A user by email (unique index users_email_key), as JSON; used by the demo
-- loader and the CLI. Raises AB404 when there is none.
SELECT coalesce(
    (SELECT json_build_object('id', u.id, 'email', u.email, 'created_at', u.created_at)
     FROM users AS u WHERE u.email = %(email)s),
    agentdb_raise('AB404', 'user not found')
) AS document
