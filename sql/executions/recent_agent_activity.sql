-- A user's latest agent executions, newest first, each with its agent and its
-- metrics row, as a JSON array: the dashboard's recent activity in one round
-- trip. The page is read in order off ix_agent_exec_user_started and stops at
-- `limit`; the agent and metrics are primary-key / unique-key joins on the page
-- only (a nested loop over at most `limit` rows, not a join per row from Python).
SELECT coalesce(json_agg(json_build_object(
    'id', p.id,
    'session_id', p.session_id,
    'workflow_execution_id', p.workflow_execution_id,
    'status', p.status,
    'started_at', p.started_at,
    'completed_at', p.completed_at,
    'agent', json_build_object('id', a.id, 'name', a.name),
    'metrics', CASE WHEN m.id IS NOT NULL THEN json_build_object(
        'prompt_tokens', m.prompt_tokens,
        'completion_tokens', m.completion_tokens,
        'total_tokens', m.total_tokens,
        'latency_ms', m.latency_ms,
        'cost_usd', m.cost_usd
    ) END
) ORDER BY p.started_at DESC, p.id DESC), '[]')
FROM (
    SELECT x.id, x.agent_id, x.session_id, x.workflow_execution_id, x.status, x.started_at, x.completed_at
    FROM agent_executions AS x
    WHERE x.user_id = %(user_id)s
    ORDER BY x.started_at DESC, x.id DESC
    LIMIT %(limit)s
) AS p
INNER JOIN agents AS a ON a.id = p.agent_id
LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = p.id
