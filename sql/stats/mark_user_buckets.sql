-- `agentdb jobs rollup --rebuild`, one user at a time: marks dirty every bucket
-- of the user that has raw rows or a roll-up row, so the roll-up that follows
-- recomputes all of them (after a bulk load that skipped triggers, a TRUNCATE,
-- a restore). The same statements as migration 0012, for one user. Reads the
-- user's rows off ix_agent_exec_user_agent_started and
-- ix_workflow_exec_user_workflow_started. Returns the marks written.
WITH agent_marks AS (
    INSERT INTO agent_execution_stats_dirty (user_id, agent_id, bucket_date)
    SELECT x.user_id, x.agent_id, agentdb_bucket_date(x.started_at)
    FROM agent_executions AS x
    WHERE x.user_id = %(user_id)s
    UNION
    SELECT s.user_id, s.agent_id, s.bucket_date
    FROM agent_execution_stats AS s
    WHERE s.user_id = %(user_id)s
    RETURNING 1 AS marked
),

workflow_marks AS (
    INSERT INTO workflow_execution_stats_dirty (user_id, workflow_id, bucket_date)
    SELECT e.user_id, e.workflow_id, agentdb_bucket_date(e.started_at)
    FROM workflow_executions AS e
    WHERE e.user_id = %(user_id)s
    UNION
    SELECT s.user_id, s.workflow_id, s.bucket_date
    FROM workflow_execution_stats AS s
    WHERE s.user_id = %(user_id)s
    RETURNING 1 AS marked
)

SELECT json_build_object(
    'agent_buckets', (SELECT count(*) FROM agent_marks),
    'workflow_buckets', (SELECT count(*) FROM workflow_marks)
) AS marked
