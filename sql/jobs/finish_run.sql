-- Records the end of a claimed run (jobs.claim_run): when, and its outcome (the
-- job's report as JSON, or the error). By primary key (job, slot).
WITH finished AS (
    UPDATE job_runs AS r
    SET finished_at = now(), outcome = %(outcome)s
    WHERE r.job = %(job)s AND r.slot = %(slot)s
    RETURNING r.job
)

SELECT count(*) AS finished FROM finished
