-- Records one agent execution and its metrics row together (one statement, so
-- never one without the other), returning its id as JSON. The INSERT ... SELECT
-- from agents is the ownership check: another user's or a missing agent inserts
-- nothing, and the statement raises AB404. A
-- workflow_execution_id of another user is refused by the
-- (workflow_execution_id, user_id) foreign key.
WITH execution AS (
    INSERT INTO agent_executions AS ae (
        id, user_id, agent_id, session_id, workflow_execution_id, status, started_at, completed_at, error
    )
    SELECT
        gen_random_uuid(), a.user_id, a.id, %(session_id)s, %(workflow_execution_id)s, %(status)s,
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
    RETURNING ae.id, ae.user_id
),

metrics AS (
    INSERT INTO agent_execution_metrics AS am (
        agent_execution_id, user_id, prompt_tokens, completion_tokens, latency_ms, cost_usd
    )
    SELECT x.id, x.user_id, %(prompt_tokens)s, %(completion_tokens)s, %(latency_ms)s, %(cost_usd)s
    FROM execution AS x
    RETURNING am.agent_execution_id
)

SELECT coalesce(
    (SELECT json_build_object('id', m.agent_execution_id) FROM metrics AS m),
    agentdb_raise('AB404', 'agent not found')
) AS recorded
