-- Takes the session-level advisory lock of job `name` if no other session holds
-- it: true if taken, false (at once, never waiting) if another process runs the
-- job. Sent on a pooled connection the job keeps for its whole run
-- (repositories.jobs.JobRepository.exclusive): the lock lasts until
-- jobs.unlock or until that connection closes (a crashed process frees it).
-- Keys are 64-bit hashes of 'agentdb.job:<name>'.
SELECT pg_try_advisory_lock(hashtextextended('agentdb.job:' || %(name)s::text, 0)) AS locked
