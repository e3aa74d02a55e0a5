-- Tests only (as the schema owner): deletes the named workflow and agent
-- executions (metrics go with them), one statement (the DELETE triggers fire).
WITH w AS (
    DELETE FROM workflow_executions AS e WHERE e.id = ANY(%(workflow_ids)s::uuid[])
    RETURNING e.id
)

DELETE FROM agent_executions AS x
WHERE x.id = ANY(%(agent_ids)s::uuid[])
