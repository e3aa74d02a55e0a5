-- One workflow execution with its workflow's name and its agent executions
-- (each with metrics), as one JSON document in one round trip. Agent executions
-- come from a scalar subquery over ix_agent_exec_workflow_execution.
SELECT json_build_object(
    'id', e.id,
    'workflow_id', e.workflow_id,
    'workflow_name', w.name,
    'status', e.status,
    'started_at', e.started_at,
    'completed_at', e.completed_at,
    'error', e.error,
    'input', e.input,
    'output', e.output,
    'agent_executions', coalesce((
        SELECT json_agg(json_build_object(
                   'id', x.id,
                   'agent_id', x.agent_id,
                   'session_id', x.session_id,
                   'status', x.status,
                   'started_at', x.started_at,
                   'completed_at', x.completed_at,
                   'metrics', CASE WHEN m.id IS NOT NULL THEN json_build_object(
                       'prompt_tokens', m.prompt_tokens,
                       'completion_tokens', m.completion_tokens,
                       'total_tokens', m.total_tokens,
                       'latency_ms', m.latency_ms,
                       'cost_usd', m.cost_usd
                   ) END
               ) ORDER BY x.started_at, x.id)
        FROM agent_executions AS x
        LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = x.id
        WHERE x.workflow_execution_id = e.id AND x.user_id = e.user_id
    ), '[]')
)
FROM workflow_executions AS e
INNER JOIN workflows AS w ON w.id = e.workflow_id
WHERE e.id = %(execution_id)s AND e.user_id = %(user_id)s
