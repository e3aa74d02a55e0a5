-- Bulk load of generated agent tools (agentdb.datagen).
COPY agent_tools (id, agent_id, user_id, name, position, config) FROM STDIN
