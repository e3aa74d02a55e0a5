-- Writes one memory or a batch for an agent and session of the user, in one
-- statement, and returns them as a JSON array in the order given. The INSERT ...
-- SELECT from agents is the ownership check: another user's or a missing agent
-- inserts nothing and the statement raises AB404. `memories` is a JSON array of
-- {content, expires_at}; each row's created_at is the transaction's time plus its
-- position in microseconds, so a batch keeps its order in every later read
-- (newest first, keyset (created_at, id)) instead of tying on one timestamp.
-- The clock is read in a CTE, and the document is built outside the RETURNING.
WITH clock AS (
    SELECT now() AS at
),

written AS (
    INSERT INTO agent_memories AS m (
        id, user_id, agent_id, session_id, content, created_at, last_accessed_at, expires_at
    )
    SELECT
        gen_random_uuid(), a.user_id, a.id, %(session_id)s, i.item ->> 'content',
        c.at + (i.position - 1) * interval '1 microsecond',
        c.at + (i.position - 1) * interval '1 microsecond',
        (i.item ->> 'expires_at')::timestamptz
    FROM agents AS a
    CROSS JOIN clock AS c
    CROSS JOIN jsonb_array_elements(%(memories)s) WITH ORDINALITY AS i (item, position)
    WHERE a.id = %(agent_id)s AND a.user_id = %(user_id)s
    RETURNING m.id, m.agent_id, m.session_id, m.content, m.created_at, m.last_accessed_at, m.expires_at
)

SELECT coalesce(
    (
        SELECT json_agg(json_build_object(
            'id', w.id, 'agent_id', w.agent_id, 'session_id', w.session_id, 'content', w.content,
            'created_at', w.created_at, 'last_accessed_at', w.last_accessed_at, 'expires_at', w.expires_at
        ) ORDER BY w.created_at, w.id)
        FROM written AS w
    ),
    agentdb_raise('AB404', 'agent not found')
) AS memories
