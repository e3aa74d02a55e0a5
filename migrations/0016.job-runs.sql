-- depends: 0015.memory-indexes
--
-- One row per scheduled run of a job (`agentdb jobs schedule`): the scheduler that
-- inserts (job, slot) first runs it; every other scheduler meets the primary key
-- (INSERT ... ON CONFLICT DO NOTHING) and skips that slot. So two schedulers run
-- each job once per slot, however their clocks and start times interleave. A run
-- still going when its next slot comes is not started twice either: each job also
-- holds a session advisory lock while it runs (sql/jobs/try_lock.sql).
-- Not a user table: no user_id, no row-level security; only agentdb_jobs reads and
-- writes it. Under Citus: a reference table (or left on the coordinator).
CREATE TABLE job_runs (
    job          text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
    slot         timestamptz NOT NULL,
    runner       text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      jsonb,
    PRIMARY KEY (job, slot)
);
COMMENT ON TABLE job_runs IS 'Scheduled job runs: (job, slot) claimed by exactly one scheduler (migration 0016).';
COMMENT ON COLUMN job_runs.slot IS 'The scheduled time this run is for (UTC instant).';
COMMENT ON COLUMN job_runs.runner IS 'host:pid of the scheduler that claimed the slot.';

GRANT SELECT, INSERT, UPDATE ON job_runs TO agentdb_jobs;
