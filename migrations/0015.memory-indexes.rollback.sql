-- transactional: false
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_memories_user_expires;
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_memories_user_agent_session
    ON agent_memories (user_id, agent_id, session_id, created_at);
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_memories_session_recent;
DROP INDEX CONCURRENTLY IF EXISTS ix_agent_memories_search;
