-- First statement of a workflow replace (PUT): takes the workflow's row lock,
-- checks the caller's expected version and bumps it, writing the new name,
-- description and graph_definition; workflows.delete_graph and
-- workflows.insert_graph follow in the same pipeline. When nothing matched it
-- raises (AB404 no such workflow for this user, AB412 stale version with the
-- current version as detail), which aborts the rest of the pipeline: the old
-- graph stays whole. Under READ COMMITTED a concurrent writer's commit makes the
-- UPDATE re-check `version` on the new row, so exactly one of two racing writers
-- with the same expected version wins.
WITH replaced AS (
    UPDATE workflows
    SET
        version = version + 1,
        name = %(name)s,
        description = %(description)s,
        graph_definition = %(graph_definition)s,
        updated_at = now()
    WHERE id = %(workflow_id)s AND user_id = %(user_id)s AND version = %(expected_version)s
    RETURNING version
),

current AS (
    SELECT w.version
    FROM workflows AS w
    WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
)

SELECT CASE
    WHEN EXISTS (SELECT 1 FROM replaced) THEN json_build_object('version', (SELECT r.version FROM replaced AS r))
    WHEN EXISTS (SELECT 1 FROM current)
        THEN agentdb_raise('AB412', 'workflow version is not the expected one', (SELECT c.version::text FROM current AS c))
    ELSE agentdb_raise('AB404', 'workflow not found')
END AS version
