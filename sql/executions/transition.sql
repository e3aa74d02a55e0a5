-- Moves a workflow execution to a new status if, and only if, the state machine
-- allows it from the current one (the VALUES list below is the whole machine:
-- pending -> running -> completed | failed, and pending | running -> cancelled).
-- Returns (current status, moved execution as JSON):
--   (NULL, NULL)      no such execution for this user          -> 404
--   (status, NULL)    move not allowed from `status`           -> 409
--   (_, json)         moved
-- `target` locks the row FOR UPDATE, so it reports the status as it is after
-- any racing transition committed; the UPDATE re-checks its WHERE on that same
-- row version, so of two workers racing for one move exactly one wins.
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
    FROM target AS t
    WHERE
        e.id = t.id
        AND (t.status, %(to_status)s::text) IN (
            VALUES ('pending', 'running'),
            ('running', 'completed'),
            ('running', 'failed'),
            ('pending', 'cancelled'),
            ('running', 'cancelled')
        )
    RETURNING json_build_object(
        'id', e.id,
        'workflow_id', e.workflow_id,
        'status', e.status,
        'started_at', e.started_at,
        'completed_at', e.completed_at,
        'error', e.error,
        'input', e.input,
        'output', e.output
    ) AS execution
)

SELECT
    (SELECT t.status FROM target AS t) AS current_status,
    (SELECT m.execution FROM moved AS m) AS execution
