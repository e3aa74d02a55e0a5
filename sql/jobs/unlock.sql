-- Releases the session-level advisory lock jobs.try_lock took for job `name`
-- (true if this session held it), before its connection goes back to the pool.
SELECT pg_advisory_unlock(hashtextextended('agentdb.job:' || %(name)s::text, 0)) AS unlocked
