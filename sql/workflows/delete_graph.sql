-- Second statement of a graph replace: removes the old nodes (their edges go by
-- ON DELETE CASCADE). Runs only after workflows.bump_version succeeded in the
-- same pipeline, which holds the workflow's row lock.
DELETE FROM workflow_nodes
WHERE workflow_id = %(workflow_id)s AND user_id = %(user_id)s
