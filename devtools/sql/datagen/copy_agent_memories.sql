-- Bulk load of generated agent memories (agentdb.datagen).
COPY agent_memories (id, user_id, agent_id, session_id, content, created_at, last_accessed_at, expires_at) FROM STDIN
