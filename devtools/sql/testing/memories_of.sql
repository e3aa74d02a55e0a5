-- Tests only (as the schema owner): every memory of a user, oldest first, as
-- (id, session_id, content, last_accessed_at, expires_at), whatever a statement
-- under test did or did not touch.
SELECT m.id, m.session_id, m.content, m.last_accessed_at, m.expires_at
FROM agent_memories AS m
WHERE m.user_id = %(user_id)s
ORDER BY m.created_at, m.id
