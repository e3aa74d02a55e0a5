-- A scheduler claims the run of `job` for `slot` (migration 0016): true for the
-- one scheduler whose INSERT lands, false for every other (ON CONFLICT DO
-- NOTHING on the primary key (job, slot); a racing insert waits for the first to
-- commit, then finds it). The row records who runs it.
WITH claimed AS (
    INSERT INTO job_runs (job, slot, runner)
    VALUES (%(job)s, %(slot)s, %(runner)s)
    ON CONFLICT (job, slot) DO NOTHING
    RETURNING job
)

SELECT count(*) = 1 AS claimed FROM claimed
