-- The execution an idempotent start (executions.start_idempotent, earlier in the
-- same pipeline) created or found, by its (user, idempotency key): the
-- executions.get document, written as there (tests/test_sql_loader.py holds the
-- two to the same text), and whether this request created it (its id is the one
-- the caller proposed: 201) or a retry found it (200). Index:
-- ux_workflow_exec_user_idempotency_key (migration 0021). Kept a statement of its
-- own, not a function both call: each keeps its plan in view (devtools/plans/)
-- and its user_id filters on every table (one shard under Citus).
SELECT CASE WHEN e.id IS NULL THEN agentdb_raise('AB404', 'execution not found') ELSE json_build_object(
    'id', e.id,
    'workflow_id', e.workflow_id,
    'workflow_name', (SELECT w.name FROM workflows AS w WHERE w.id = e.workflow_id AND w.user_id = %(user_id)s),
    'status', e.status,
    'started_at', e.started_at,
    'completed_at', e.completed_at,
    'error', e.error,
    'input', e.input,
    'output', e.output,
    'workflow_version', e.workflow_version,
    'last_event_seq', e.event_seq,
    'agent_executions', coalesce((
        SELECT json_agg(json_build_object(
                   'id', x.id,
                   'agent', json_build_object('id', a.id, 'name', a.name),
                   'session_id', x.session_id,
                   'workflow_execution_id', x.workflow_execution_id,
                   'status', x.status,
                   'started_at', x.started_at,
                   'completed_at', x.completed_at,
                   'metrics', CASE WHEN m.id IS NOT NULL THEN json_build_object(
                       'prompt_tokens', m.prompt_tokens, 'completion_tokens', m.completion_tokens,
                       'total_tokens', m.total_tokens, 'latency_ms', m.latency_ms, 'cost_usd', m.cost_usd) END
               ) ORDER BY x.started_at, x.id)
        FROM agent_executions AS x
        INNER JOIN agents AS a ON a.id = x.agent_id AND a.user_id = %(user_id)s
        LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = x.id AND m.user_id = %(user_id)s
        WHERE x.workflow_execution_id = e.id AND x.user_id = %(user_id)s
    ), '[]')
) END AS document,
    e.id = %(execution_id)s AS created
FROM (SELECT) AS one
LEFT JOIN workflow_executions AS e
    ON e.user_id = %(user_id)s AND e.idempotency_key = %(idempotency_key)s
