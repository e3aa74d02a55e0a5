-- Tests only (as the schema owner): late finishers: sets status and completed_at
-- of the named workflow and agent executions, and the agents' metrics, in one
-- statement (each UPDATE fires its statistics trigger).
WITH w AS (
    UPDATE workflow_executions AS e
    SET status = r.status, completed_at = r.completed_at
    FROM jsonb_to_recordset(%(workflow_rows)s) AS r (id uuid, status text, completed_at timestamptz)
    WHERE e.id = r.id
    RETURNING e.id
),

a AS (
    UPDATE agent_executions AS x
    SET status = r.status, completed_at = r.completed_at
    FROM jsonb_to_recordset(%(agent_rows)s) AS r (id uuid, status text, completed_at timestamptz)
    WHERE x.id = r.id
    RETURNING x.id
)

UPDATE agent_execution_metrics AS m
SET latency_ms = r.latency_ms, cost_usd = r.cost_usd
FROM jsonb_to_recordset(%(agent_rows)s) AS r (id uuid, latency_ms integer, cost_usd numeric)
WHERE m.agent_execution_id = r.id
