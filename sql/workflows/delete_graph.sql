-- Second statement of a workflow replace: removes the old nodes (their edges go
-- by ON DELETE CASCADE). Runs only after workflows.replace succeeded in the same
-- pipeline, which holds the workflow's row lock.
DELETE FROM workflow_nodes
WHERE workflow_id = %(workflow_id)s AND user_id = %(user_id)s
