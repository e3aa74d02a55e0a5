REVOKE UPDATE (last_accessed_at) ON agent_memories FROM agentdb_jobs;
