-- Tests only (as the schema owner): agent executions with chosen times, statuses
-- and metrics, from a JSON array, in one statement (the statistics triggers fire).
WITH x AS (
    INSERT INTO agent_executions (id, user_id, agent_id, session_id, status, started_at, completed_at)
    SELECT r.id, r.user_id, r.agent_id, r.id, r.status, r.started_at, r.completed_at
    FROM jsonb_to_recordset(%(rows)s) AS r (
        id uuid, user_id uuid, agent_id uuid, status text, started_at timestamptz, completed_at timestamptz
    )
    RETURNING id, user_id
)

INSERT INTO agent_execution_metrics (agent_execution_id, user_id, prompt_tokens, completion_tokens, latency_ms, cost_usd)
SELECT r.id, r.user_id, r.prompt_tokens, r.completion_tokens, r.latency_ms, r.cost_usd
FROM jsonb_to_recordset(%(rows)s) AS r (
    id uuid, user_id uuid, prompt_tokens integer, completion_tokens integer, latency_ms integer, cost_usd numeric
)
WHERE r.id IN (SELECT x.id FROM x)
