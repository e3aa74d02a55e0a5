-- Bulk load of generated workflow nodes (agentdb.datagen).
COPY workflow_nodes (id, workflow_id, user_id, node_key, node_type, name, agent_id, config, position) FROM STDIN
