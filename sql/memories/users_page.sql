-- Jobs only (agentdb_jobs, every user's rows): up to `limit` ids of users who
-- have memories, after `after`, in id order: the memory cleanup visits them one by
-- one. A loose index scan over ix_agent_memories_session_recent (user_id leading):
-- from `after`, each step is one index probe for the next user (the recursion
-- stops at `limit`), however many memories each has, instead of a DISTINCT over
-- the whole table. Cross-user by design: no user_id parameter.
WITH RECURSIVE owners AS (
    SELECT 0 AS n, %(after)s::uuid AS user_id
    UNION ALL
    SELECT
        o.n + 1 AS n,
        (
            SELECT m.user_id
            FROM agent_memories AS m
            WHERE m.user_id > o.user_id
            ORDER BY m.user_id
            LIMIT 1
        ) AS user_id
    FROM owners AS o
    WHERE o.user_id IS NOT NULL AND o.n < %(limit)s
)

SELECT o.user_id
FROM owners AS o
WHERE o.n > 0 AND o.user_id IS NOT NULL
ORDER BY o.n
