ALTER TABLE agent_memories RESET (fillfactor);
DROP FUNCTION agentdb_memory_scope(uuid, uuid);
DROP FUNCTION agentdb_memory_document(uuid, uuid, text);
