-- A keyset page of one session's memories, newest first, (item, at, id) rows,
-- limit + 1 at most (repositories.paging), and, in the same statement, their
-- last_accessed_at set to now: reading a memory is what keeps it from the
-- cleanup's idle rule. Expired memories (expires_at passed) are not shown; the
-- cleanup deletes them later. Read in order off ix_agent_memories_session_recent
-- (user_id, agent_id, session_id, created_at, id): the plan stops after the page.
-- Only the page proper is touched, not the look-ahead row. A row the cleanup is
-- deleting at this moment is locked: SKIP LOCKED leaves it untouched instead of
-- waiting, so a read never waits on the cleanup (it still shows the row, as of
-- its snapshot). The UPDATE changes no indexed column, so it can be HOT (0014).
WITH clock AS (
    SELECT now() AS at
),

page AS (
    SELECT m.id, m.agent_id, m.session_id, m.content, m.created_at, m.last_accessed_at, m.expires_at
    FROM agent_memories AS m
    WHERE m.user_id = %(user_id)s AND m.agent_id = %(agent_id)s AND m.session_id = %(session_id)s
        AND (m.created_at, m.id) < (%(before_at)s, %(before_id)s)
        AND (m.expires_at IS NULL OR m.expires_at > now())
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT %(limit)s + 1
),

shown AS (
    SELECT p.id
    FROM page AS p
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT %(limit)s
),

free AS (
    SELECT m.id
    FROM agent_memories AS m
    WHERE m.user_id = %(user_id)s AND m.id IN (SELECT s.id FROM shown AS s)
    FOR UPDATE SKIP LOCKED
),

touched AS (
    UPDATE agent_memories AS m
    SET last_accessed_at = c.at
    FROM clock AS c
    WHERE m.user_id = %(user_id)s AND m.id IN (SELECT f.id FROM free AS f)
    RETURNING m.id, m.last_accessed_at
)

SELECT
    json_build_object(
        'id', p.id, 'agent_id', p.agent_id, 'session_id', p.session_id, 'content', p.content,
        'created_at', p.created_at, 'last_accessed_at', coalesce(t.last_accessed_at, p.last_accessed_at),
        'expires_at', p.expires_at
    ) AS item, p.created_at AS at, p.id
FROM page AS p
LEFT JOIN touched AS t ON t.id = p.id
ORDER BY p.created_at DESC, p.id DESC
