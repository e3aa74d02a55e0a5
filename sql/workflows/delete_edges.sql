-- Second statement of a workflow replace: removes the old edges, so that
-- workflows.insert_graph, next in the same pipeline, writes the new ones from
-- scratch while upserting nodes by key (a node whose key survives keeps its id;
-- the others go there). Runs only after workflows.replace succeeded in the same
-- pipeline, which holds the workflow's row lock. Index: the unique
-- (workflow_id, source_node_id, target_node_id), by its leading column.
DELETE FROM workflow_edges AS e
WHERE e.workflow_id = %(workflow_id)s AND e.user_id = %(user_id)s
