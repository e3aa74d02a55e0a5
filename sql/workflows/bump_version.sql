-- First statement of a graph replace: takes the workflow's row lock, checks the
-- caller's expected version and bumps it, replacing name, description and
-- graph_definition. When nothing matched it raises (AB404 no such workflow for
-- this user, AB412 stale version), which aborts the rest of the pipeline: the
-- old graph stays whole. Under READ COMMITTED a concurrent writer's commit makes
-- the UPDATE re-check `version` on the new row, so exactly one of two racing
-- writers with the same expected version wins.
WITH bumped AS (
    UPDATE workflows
    SET
        version = version + 1,
        name = %(name)s,
        description = %(description)s,
        graph_definition = %(graph_definition)s,
        updated_at = now()
    WHERE id = %(workflow_id)s AND user_id = %(user_id)s AND version = %(expected_version)s
    RETURNING version
)

SELECT CASE
    WHEN EXISTS (SELECT 1 FROM bumped) THEN (SELECT version FROM bumped)
    WHEN EXISTS (SELECT 1 FROM workflows WHERE id = %(workflow_id)s AND user_id = %(user_id)s)
        THEN agentdb_raise('AB412', 'workflow version is not the expected one')
    ELSE agentdb_raise('AB404', 'workflow not found')
END AS version
