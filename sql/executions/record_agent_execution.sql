-- Records one agent execution and its metrics row together (one statement, so
-- never one without the other), returning the execution as JSON. The INSERT ...
-- SELECT from agents is the ownership check: another user's or a missing agent
-- inserts nothing and returns no row. A workflow_execution_id of another user is
-- refused by the (workflow_execution_id, user_id) foreign key.
WITH execution AS (
    INSERT INTO agent_executions (
        user_id, agent_id, session_id, workflow_execution_id, status, started_at, completed_at, error
    )
    SELECT
        a.user_id, a.id, %(session_id)s, %(workflow_execution_id)s, %(status)s,
        coalesce(%(started_at)s::timestamptz, now()),
        -- a terminal status without an explicit end time ends now (never before it started)
        CASE
            WHEN %(status)s::text IN ('completed', 'failed', 'cancelled')
                THEN coalesce(%(completed_at)s::timestamptz, greatest(now(), %(started_at)s::timestamptz))
            ELSE %(completed_at)s::timestamptz
        END,
        %(error)s
    FROM agents AS a
    WHERE a.id = %(agent_id)s AND a.user_id = %(user_id)s
    RETURNING id, user_id, agent_id, session_id, workflow_execution_id, status, started_at, completed_at
),

metrics AS (
    INSERT INTO agent_execution_metrics (
        agent_execution_id, user_id, prompt_tokens, completion_tokens, latency_ms, cost_usd
    )
    SELECT x.id, x.user_id, %(prompt_tokens)s, %(completion_tokens)s, %(latency_ms)s, %(cost_usd)s
    FROM execution AS x
    RETURNING prompt_tokens, completion_tokens, total_tokens, latency_ms, cost_usd
)

SELECT json_build_object(
    'id', x.id,
    'agent_id', x.agent_id,
    'session_id', x.session_id,
    'workflow_execution_id', x.workflow_execution_id,
    'status', x.status,
    'started_at', x.started_at,
    'completed_at', x.completed_at,
    'metrics', json_build_object(
        'prompt_tokens', m.prompt_tokens,
        'completion_tokens', m.completion_tokens,
        'total_tokens', m.total_tokens,
        'latency_ms', m.latency_ms,
        'cost_usd', m.cost_usd
    )
)
FROM execution AS x
CROSS JOIN metrics AS m
