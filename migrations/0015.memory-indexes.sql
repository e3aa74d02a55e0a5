-- transactional: false
-- depends: 0014.memory-search-document
--
-- The memory statements' indexes (sql/memories/). CONCURRENTLY, one statement a
-- step: see 0003.

-- memories.search: a user's (and agent's) memories matching words (see 0014).
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_memories_search
    ON agent_memories USING gin (agentdb_memory_document(user_id, agent_id, content));

-- memories.recent: a session's memories newest first, keyset (created_at, id) read
-- straight off the index; memories.cleanup_batch ranks each session's memories in
-- this order. Replaces 0002's (user_id, agent_id, session_id, created_at), which
-- lacks the id that breaks ties (a batch of memories shares one transaction time).
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_memories_session_recent
    ON agent_memories (user_id, agent_id, session_id, created_at, id);

DROP INDEX CONCURRENTLY IF EXISTS ix_agent_memories_user_agent_session;

-- memories.cleanup_batch, rule "expired": a user's memories past expires_at.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_agent_memories_user_expires
    ON agent_memories (user_id, expires_at) WHERE expires_at IS NOT NULL;
