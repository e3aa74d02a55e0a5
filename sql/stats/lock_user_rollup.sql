-- Sent first in the pipeline of every roll-up batch of a user (migration 0011):
-- a transaction-level advisory lock on that user's roll-ups, so the batch's own
-- statement, which takes its snapshot only after this returns, never overlaps
-- another roll-up of the same user. Without it, a roll-up reading an older
-- snapshot could commit after a newer one and write a bucket back to older
-- numbers. The job runs alone anyway (its session lock, sql/jobs/try_lock.sql);
-- this keeps the numbers right even if two ran. Waits at most lock_timeout.
SELECT pg_advisory_xact_lock(hashtextextended('agentdb.rollup:' || %(user_id)s::text, 0)) AS locked
