-- Bulk load of generated workflows (agentdb.datagen).
COPY workflows (id, user_id, name, description, graph_definition, version, created_at, updated_at) FROM STDIN
