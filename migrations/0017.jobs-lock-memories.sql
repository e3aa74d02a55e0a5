-- depends: 0016.job-runs
--
-- The memory cleanup (sql/memories/cleanup_batch.sql) locks the rows it deletes
-- with FOR UPDATE SKIP LOCKED, so it never waits on a row a reader holds; a row
-- lock needs the UPDATE privilege on at least one column. agentdb_jobs gets it on
-- last_accessed_at alone: the least that allows the lock, and nothing it could
-- change that matters (reads set that column anyway).
GRANT UPDATE (last_accessed_at) ON agent_memories TO agentdb_jobs;
