-- The latest `limit` runs of each job named in `jobs`, newest first, as JSON
-- documents: a backward scan of the primary key (job, slot) per job, so the
-- cost does not grow with the history kept.
SELECT json_build_object(
    'job', r.job, 'slot', r.slot, 'runner', r.runner, 'started_at', r.started_at,
    'finished_at', r.finished_at, 'outcome', r.outcome
) AS run
FROM unnest(%(jobs)s::text[]) AS j (name)
CROSS JOIN LATERAL (
    SELECT r.job, r.slot, r.runner, r.started_at, r.finished_at, r.outcome
    FROM job_runs AS r
    WHERE r.job = j.name
    ORDER BY r.slot DESC
    LIMIT %(limit)s
) AS r
ORDER BY r.job ASC, r.slot DESC
