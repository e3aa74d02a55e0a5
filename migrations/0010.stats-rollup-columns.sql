-- depends: 0007.roles-and-row-level-security
--
-- What the daily roll-ups (issue 13) need beyond the columns of 0002: the maxima
-- next to the sums, and when each bucket was last recomputed. The names of 0002
-- stay (they are the schema contract). A bucket is one UTC day of started_at:
-- bucket_date = (started_at AT TIME ZONE 'UTC')::date (agentdb_bucket_date below),
-- so a bucket is the same day for every reader whatever its time zone.
--
-- Each bucket holds the executions that STARTED that day, in their status now:
-- pending_count and running_count are those still in flight, the sums and maxima
-- are over every execution of the bucket (a pending one weighs 0). Averages are
-- sums over counts: latency over all the bucket's agent executions, duration over
-- the finished workflow executions (completed + failed + cancelled).
--
-- ADD COLUMN with a constant (or STABLE) default rewrites nothing on PostgreSQL 11+.

CREATE FUNCTION agentdb_bucket_date(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (at AT TIME ZONE 'UTC')::date;

COMMENT ON FUNCTION agentdb_bucket_date(timestamptz) IS
    'The daily statistics bucket of a timestamp: its UTC date.';

ALTER TABLE agent_execution_stats
    ADD COLUMN latency_ms_max integer NOT NULL DEFAULT 0,
    ADD COLUMN rolled_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE workflow_execution_stats
    ADD COLUMN duration_ms_max bigint NOT NULL DEFAULT 0,
    ADD COLUMN rolled_at timestamptz NOT NULL DEFAULT now();

COMMENT ON TABLE agent_execution_stats IS
    'Daily roll-up per user and agent of agent_executions (+ metrics) that started that UTC day, in their '
    'current status; recomputed whole from the raw rows by the rollup job for every dirty bucket.';
COMMENT ON TABLE workflow_execution_stats IS
    'Daily roll-up per user and workflow of workflow_executions that started that UTC day, in their current '
    'status; recomputed whole from the raw rows by the rollup job for every dirty bucket.';
COMMENT ON COLUMN agent_execution_stats.rolled_at IS 'When the rollup job last recomputed this bucket.';
COMMENT ON COLUMN workflow_execution_stats.duration_ms_sum IS
    'Sum of completed_at - started_at (ms) over the bucket''s finished executions.';
