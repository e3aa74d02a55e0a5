-- Moves a workflow execution to a new status if, and only if, the state machine
-- allows it from the current one (the VALUES list below is the whole machine:
-- pending -> running -> completed | failed, and pending | running -> cancelled).
-- Raises AB404 when the user has no such execution, AB409 (detail: the current
-- status) when the move is not allowed from it; executions.get follows in the
-- same pipeline and returns the moved execution.
-- The UPDATE names the row by (id, user_id) and checks the move against the
-- row's own status: a racing transition makes it wait for the row lock and
-- re-check its WHERE on the new version, so of two workers racing for one move
-- exactly one wins. `target` (read only when nothing moved) locks the row FOR
-- UPDATE, so it reports the status as it is after any racing transition
-- committed. No UPDATE ... FROM a CTE: Citus cannot route that to one shard.
-- `notified` wakes the live streams of the execution (api/live.py; see
-- executions.append_events): a stream ends once it sees a terminal status.
WITH target AS (
    SELECT e.id, e.status
    FROM workflow_executions AS e
    WHERE e.id = %(execution_id)s AND e.user_id = %(user_id)s
    FOR UPDATE
),

moved AS (
    UPDATE workflow_executions AS e
    SET
        status = %(to_status)s,
        completed_at = CASE WHEN %(to_status)s IN ('completed', 'failed', 'cancelled') THEN now() END,
        error = coalesce(%(error)s::text, e.error),
        output = coalesce(%(output)s::jsonb, e.output)
    WHERE
        e.id = %(execution_id)s
        AND e.user_id = %(user_id)s
        AND (e.status, %(to_status)s::text) IN (
            VALUES ('pending', 'running'),
            ('running', 'completed'),
            ('running', 'failed'),
            ('pending', 'cancelled'),
            ('running', 'cancelled')
        )
    RETURNING e.status, e.event_seq
),

notified AS (
    SELECT pg_notify('agentdb_events', %(execution_id)s::text || ' ' || m.event_seq::text)
    FROM moved AS m
)

SELECT CASE
    WHEN EXISTS (SELECT 1 FROM moved)
        THEN json_build_object('status', (SELECT m.status FROM moved AS m), 'notified', (SELECT count(*) FROM notified))
    WHEN EXISTS (SELECT 1 FROM target)
        THEN agentdb_raise('AB409', 'this move is not allowed from the current status', (SELECT t.status FROM target AS t))
    ELSE agentdb_raise('AB404', 'execution not found')
END AS moved
