-- Bulk load of generated agent executions (agentdb.datagen).
COPY agent_executions (
    id, user_id, agent_id, session_id, workflow_execution_id, status, started_at, completed_at
) FROM STDIN
