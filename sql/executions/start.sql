-- Starts (queues) an execution of a workflow the user owns, returning it as JSON.
-- The INSERT ... SELECT from workflows is the ownership check: another user's
-- or a missing workflow inserts nothing and returns no row (404), in the same
-- single statement.
INSERT INTO workflow_executions (user_id, workflow_id, status, input)
SELECT w.user_id, w.id, 'pending', %(input)s
FROM workflows AS w
WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
RETURNING json_build_object(
    'id', id,
    'workflow_id', workflow_id,
    'status', status,
    'started_at', started_at,
    'completed_at', completed_at,
    'error', error,
    'input', input,
    'output', output
)
