-- Jobs only (agentdb_jobs): up to `limit` ids of users with dirty statistics
-- marks (migration 0011), after `after`, in id order: the roll-up visits them one
-- by one. A loose index scan of each marks table's primary key (user_id, seq),
-- one probe per user and at most `limit` per table, so even a rebuild's millions
-- of marks are not read here; the first `limit` of the union are among the first
-- `limit` of each side. Cross-user by design: no user_id parameter.
WITH RECURSIVE agent_owners AS (
    SELECT
        1 AS n,
        (
            SELECT a.user_id
            FROM agent_execution_stats_dirty AS a
            WHERE a.user_id > %(after)s
            ORDER BY a.user_id
            LIMIT 1
        ) AS user_id
    UNION ALL
    SELECT
        o.n + 1 AS n,
        (
            SELECT a.user_id
            FROM agent_execution_stats_dirty AS a
            WHERE a.user_id > o.user_id
            ORDER BY a.user_id
            LIMIT 1
        ) AS user_id
    FROM agent_owners AS o
    WHERE o.user_id IS NOT NULL AND o.n < %(limit)s
),

workflow_owners AS (
    SELECT
        1 AS n,
        (
            SELECT w.user_id
            FROM workflow_execution_stats_dirty AS w
            WHERE w.user_id > %(after)s
            ORDER BY w.user_id
            LIMIT 1
        ) AS user_id
    UNION ALL
    SELECT
        o.n + 1 AS n,
        (
            SELECT w.user_id
            FROM workflow_execution_stats_dirty AS w
            WHERE w.user_id > o.user_id
            ORDER BY w.user_id
            LIMIT 1
        ) AS user_id
    FROM workflow_owners AS o
    WHERE o.user_id IS NOT NULL AND o.n < %(limit)s
)

SELECT u.user_id
FROM (
    SELECT a.user_id FROM agent_owners AS a WHERE a.user_id IS NOT NULL
    UNION
    SELECT w.user_id FROM workflow_owners AS w WHERE w.user_id IS NOT NULL
) AS u
ORDER BY u.user_id
LIMIT %(limit)s
