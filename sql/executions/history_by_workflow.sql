-- executions.history filtered by workflow; its own plan, on ix_workflow_exec_user_workflow_started.
SELECT
    json_build_object(
        'id', e.id, 'workflow_id', e.workflow_id,
        'workflow_name', (SELECT w.name FROM workflows AS w WHERE w.id = e.workflow_id AND w.user_id = %(user_id)s),
        'status', e.status, 'started_at', e.started_at, 'completed_at', e.completed_at, 'error', e.error
    ) AS item, e.started_at AS at, e.id
FROM workflow_executions AS e
WHERE e.user_id = %(user_id)s AND e.workflow_id = %(workflow_id)s
    AND (e.started_at, e.id) < (%(before_at)s, %(before_id)s)
ORDER BY e.started_at DESC, e.id DESC
LIMIT %(limit)s + 1
