-- A user's latest agent executions, newest first, a row per execution with its
-- JSON document (its agent and metrics): the dashboard's recent activity in one
-- round trip. Read in order off ix_agent_exec_user_started, stopping at `limit`;
-- the agent's name and the metrics are primary-key / unique-key lookups per row of
-- the page (scalar subqueries, as executions.history does: a join would let the
-- planner hash all of the user's agents, a cost that grows with the user, not
-- with the page). executions.get_agent_execution builds the same document for one.
SELECT json_build_object(
    'id', x.id,
    'agent', json_build_object(
        'id', x.agent_id,
        'name', (SELECT a.name FROM agents AS a WHERE a.id = x.agent_id AND a.user_id = %(user_id)s)
    ),
    'session_id', x.session_id, 'workflow_execution_id', x.workflow_execution_id, 'status', x.status,
    'started_at', x.started_at, 'completed_at', x.completed_at,
    'metrics', (
        SELECT json_build_object(
            'prompt_tokens', m.prompt_tokens, 'completion_tokens', m.completion_tokens,
            'total_tokens', m.total_tokens, 'latency_ms', m.latency_ms, 'cost_usd', m.cost_usd)
        FROM agent_execution_metrics AS m
        WHERE m.agent_execution_id = x.id AND m.user_id = %(user_id)s
    )
) AS item
FROM agent_executions AS x
WHERE x.user_id = %(user_id)s
ORDER BY x.started_at DESC, x.id DESC
LIMIT %(limit)s
