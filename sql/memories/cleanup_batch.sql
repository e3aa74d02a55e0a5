-- One batch of the memory cleanup for one user: deletes (or, with dry_run,
-- only counts) the memories the retention policy removes, and returns the
-- counts per rule as JSON, with `more` when a rule filled its batch. The rules,
-- in precedence order, each row counted under the first that takes it:
--   expired     expires_at has passed;
--   idle        not read (last_accessed_at) for idle_days days;
--   over_limit  beyond the max_per_session newest of its agent and session,
--               ranking only the memories the first two rules keep.
-- idle_days and max_per_session come from the agent's configuration
-- ({"memory": {"idle_days": 30, "max_per_session": 200}}, numbers) or else the
-- defaults passed in; 0 switches a rule off. Each rule takes at most `batch`
-- rows (NULL: all, as a dry run counts), so one statement deletes at most
-- 3 x batch rows: a short transaction. Rows some other transaction has locked (a
-- reader touching last_accessed_at) are skipped, never waited for (SKIP
-- LOCKED): the next batch or run takes them; a dry run locks nothing.
-- Indexes: expired, ix_agent_memories_user_expires; idle and over_limit scan each
-- agent's memories in ix_agent_memories_session_recent order (per agent of
-- `policy`, a nested loop), which is also the window's order. There is no index
-- on last_accessed_at on purpose (0014: reads keep their updates HOT).
WITH policy AS (
    SELECT
        a.id AS agent_id,
        CASE
            WHEN jsonb_typeof(a.configuration #> '{memory,idle_days}') = 'number'
                THEN greatest((a.configuration #>> '{memory,idle_days}')::numeric, 0)
            ELSE %(idle_days)s::numeric
        END AS idle_days,
        CASE
            WHEN jsonb_typeof(a.configuration #> '{memory,max_per_session}') = 'number'
                THEN greatest(floor((a.configuration #>> '{memory,max_per_session}')::numeric), 0)
            ELSE %(max_per_session)s::numeric
        END AS max_per_session
    FROM agents AS a
    WHERE a.user_id = %(user_id)s
),

expired AS (
    SELECT m.id
    FROM agent_memories AS m
    WHERE m.user_id = %(user_id)s AND m.expires_at <= now()
    ORDER BY m.expires_at
    LIMIT %(batch)s
),

idle AS (
    SELECT m.id
    FROM policy AS p
    INNER JOIN agent_memories AS m ON m.agent_id = p.agent_id
    WHERE m.user_id = %(user_id)s AND p.idle_days > 0
        AND m.last_accessed_at < now() - p.idle_days * interval '1 day'
        AND (m.expires_at IS NULL OR m.expires_at > now())
    ORDER BY m.last_accessed_at, m.id
    LIMIT %(batch)s
),

ranked AS (
    SELECT
        m.id, p.max_per_session,
        count(*) OVER session - row_number() OVER (session ORDER BY m.created_at, m.id) AS newer
    FROM policy AS p
    INNER JOIN agent_memories AS m ON m.agent_id = p.agent_id
    WHERE m.user_id = %(user_id)s AND p.max_per_session > 0
        AND (m.expires_at IS NULL OR m.expires_at > now())
        AND NOT (p.idle_days > 0 AND m.last_accessed_at < now() - p.idle_days * interval '1 day')
    WINDOW session AS (PARTITION BY m.agent_id, m.session_id)
),

over_limit AS (
    SELECT r.id
    FROM ranked AS r
    WHERE r.newer >= r.max_per_session
    ORDER BY r.id
    LIMIT %(batch)s
),

candidates AS (
    SELECT e.id, 'expired' AS rule FROM expired AS e
    UNION ALL
    SELECT i.id, 'idle' AS rule FROM idle AS i
    UNION ALL
    SELECT o.id, 'over_limit' AS rule FROM over_limit AS o
),

free AS (
    SELECT m.id
    FROM agent_memories AS m
    WHERE m.user_id = %(user_id)s AND m.id IN (SELECT c.id FROM candidates AS c) AND NOT %(dry_run)s
    FOR UPDATE SKIP LOCKED
),

deleted AS (
    DELETE FROM agent_memories AS d
    USING candidates AS c
    WHERE d.user_id = %(user_id)s AND d.id = c.id AND d.id IN (SELECT f.id FROM free AS f)
    RETURNING c.rule
),

found AS (
    SELECT
        (SELECT count(*) FROM expired) AS expired,
        (SELECT count(*) FROM idle) AS idle,
        (SELECT count(*) FROM over_limit) AS over_limit
)

SELECT json_build_object(
    'expired', CASE WHEN %(dry_run)s THEN f.expired ELSE (SELECT count(*) FROM deleted AS d WHERE d.rule = 'expired') END,
    'idle', CASE WHEN %(dry_run)s THEN f.idle ELSE (SELECT count(*) FROM deleted AS d WHERE d.rule = 'idle') END,
    'over_limit',
    CASE WHEN %(dry_run)s THEN f.over_limit ELSE (SELECT count(*) FROM deleted AS d WHERE d.rule = 'over_limit') END,
    'more', coalesce(greatest(f.expired, f.idle, f.over_limit) >= %(batch)s, FALSE)
) AS removed
FROM found AS f
