-- Bulk load of generated workflow executions (agentdb.datagen).
COPY workflow_executions (id, user_id, workflow_id, status, started_at, completed_at, error) FROM STDIN
