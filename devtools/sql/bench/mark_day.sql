-- Benchmarks only: marks one day of a user's buckets dirty, as a day of writes since
-- the last roll-up would, so the dashboard reads that day from the raw rows.
WITH a AS (
    INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
    SELECT DISTINCT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at)
    FROM agent_executions AS x
    WHERE x.user_id = %(user_id)s
        AND x.started_at >= %(day)s::date::timestamp AT TIME ZONE 'UTC'
        AND x.started_at < (%(day)s::date + 1)::timestamp AT TIME ZONE 'UTC'
    RETURNING 1 AS marked
)

INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
SELECT DISTINCT e.user_id, e.workflow_id, agentdb_bucket_date(e.started_at)
FROM workflow_executions AS e
WHERE e.user_id = %(user_id)s
    AND e.started_at >= %(day)s::date::timestamp AT TIME ZONE 'UTC'
    AND e.started_at < (%(day)s::date + 1)::timestamp AT TIME ZONE 'UTC'
