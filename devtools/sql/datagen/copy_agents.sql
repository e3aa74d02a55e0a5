-- Bulk load of generated agents (agentdb.datagen).
COPY agents (id, user_id, name, description, configuration, created_at, updated_at) FROM STDIN
