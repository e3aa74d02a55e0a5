-- Deletes a workflow and, by cascade, its nodes, edges and executions. Returns
-- the id, or no row when the workflow is missing or another user's.
DELETE FROM workflows
WHERE id = %(workflow_id)s AND user_id = %(user_id)s
RETURNING id
