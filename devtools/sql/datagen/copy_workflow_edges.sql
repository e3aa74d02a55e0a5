-- Bulk load of generated workflow edges (agentdb.datagen).
COPY workflow_edges (id, workflow_id, user_id, source_node_id, target_node_id) FROM STDIN
