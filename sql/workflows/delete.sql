-- Deletes a workflow and, by cascade, its nodes, edges and executions. Raises
-- AB404 when the workflow is missing or another user's.
WITH deleted AS (
    DELETE FROM workflows
    WHERE id = %(workflow_id)s AND user_id = %(user_id)s
    RETURNING id
)

SELECT coalesce((SELECT json_build_object('id', d.id) FROM deleted AS d), agentdb_raise('AB404', 'workflow not found'))
