-- Tests only (as the schema owner): workflow executions with chosen times and
-- statuses, from a JSON array, in one statement (the statistics triggers fire).
INSERT INTO workflow_executions (id, user_id, workflow_id, status, started_at, completed_at)
SELECT r.id, r.user_id, r.workflow_id, r.status, r.started_at, r.completed_at
FROM jsonb_to_recordset(%(rows)s) AS r (
    id uuid, user_id uuid, workflow_id uuid, status text, started_at timestamptz, completed_at timestamptz
)
