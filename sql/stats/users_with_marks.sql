-- Jobs only (agentdb_jobs): up to `limit` ids of users with dirty statistics
-- marks (migration 0011), after `after`, in id order: the roll-up visits them one
-- by one. The loose index scan of memories.users_page over both marks tables'
-- primary keys (user_id, seq) at once: each step probes each table for its first
-- user after the previous step's and takes the lower of the two (least() skips a
-- side that has none), so `limit` steps of two probes answer the page, however
-- many marks each user has: even a rebuild's millions of marks are not read here.
-- Cross-user by design: no user_id parameter.
WITH RECURSIVE owners AS (
    SELECT 0 AS n, %(after)s::uuid AS user_id
    UNION ALL
    SELECT
        o.n + 1 AS n,
        least(
            (
                SELECT a.user_id
                FROM agent_execution_stats_dirty AS a
                WHERE a.user_id > o.user_id
                ORDER BY a.user_id
                LIMIT 1
            ),
            (
                SELECT w.user_id
                FROM workflow_execution_stats_dirty AS w
                WHERE w.user_id > o.user_id
                ORDER BY w.user_id
                LIMIT 1
            )
        ) AS user_id
    FROM owners AS o
    WHERE o.user_id IS NOT NULL AND o.n < %(limit)s
)

SELECT o.user_id
FROM owners AS o
WHERE o.n > 0 AND o.user_id IS NOT NULL
ORDER BY o.n
