-- stats.rollup_agent_buckets for workflow statistics: takes up to `batch` of the
-- user's oldest workflow marks and recomputes their buckets whole from
-- workflow_executions (ix_workflow_exec_user_workflow_started: user_id,
-- workflow_id, started_at). Durations are completed_at - started_at of finished
-- executions, in whole milliseconds (rounded per execution). Returns counts.
WITH taken AS (
    DELETE FROM workflow_execution_stats_dirty AS d
    WHERE d.user_id = %(user_id)s
        AND d.seq IN (
            SELECT t.seq
            FROM workflow_execution_stats_dirty AS t
            WHERE t.user_id = %(user_id)s
            ORDER BY t.seq
            LIMIT %(batch)s
        )
    RETURNING d.workflow_id, d.bucket_date
),

buckets AS (
    SELECT DISTINCT t.workflow_id, t.bucket_date FROM taken AS t
),

fresh AS (
    SELECT
        b.workflow_id, b.bucket_date,
        count(*) FILTER (WHERE e.status = 'pending') AS pending_count,
        count(*) FILTER (WHERE e.status = 'running') AS running_count,
        count(*) FILTER (WHERE e.status = 'completed') AS completed_count,
        count(*) FILTER (WHERE e.status = 'failed') AS failed_count,
        count(*) FILTER (WHERE e.status = 'cancelled') AS cancelled_count,
        coalesce(sum(round(extract(EPOCH FROM e.completed_at - e.started_at) * 1000)), 0) AS duration_ms_sum,
        coalesce(max(round(extract(EPOCH FROM e.completed_at - e.started_at) * 1000)), 0) AS duration_ms_max
    FROM buckets AS b
    INNER JOIN workflow_executions AS e
        ON e.user_id = %(user_id)s AND e.workflow_id = b.workflow_id
        AND e.started_at >= b.bucket_date::timestamp AT TIME ZONE 'UTC'
        AND e.started_at < (b.bucket_date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY b.workflow_id, b.bucket_date
),

upserted AS (
    INSERT INTO workflow_execution_stats AS s (
        user_id, workflow_id, bucket_date, pending_count, running_count, completed_count, failed_count,
        cancelled_count, duration_ms_sum, duration_ms_max, rolled_at
    )
    SELECT
        %(user_id)s, f.workflow_id, f.bucket_date, f.pending_count, f.running_count, f.completed_count,
        f.failed_count, f.cancelled_count, f.duration_ms_sum, f.duration_ms_max, now()
    FROM fresh AS f
    ON CONFLICT (user_id, workflow_id, bucket_date) DO UPDATE SET
        pending_count = excluded.pending_count,
        running_count = excluded.running_count,
        completed_count = excluded.completed_count,
        failed_count = excluded.failed_count,
        cancelled_count = excluded.cancelled_count,
        duration_ms_sum = excluded.duration_ms_sum,
        duration_ms_max = excluded.duration_ms_max,
        rolled_at = excluded.rolled_at
    WHERE (
        s.pending_count, s.running_count, s.completed_count, s.failed_count, s.cancelled_count,
        s.duration_ms_sum, s.duration_ms_max
    ) IS DISTINCT FROM (
        excluded.pending_count, excluded.running_count, excluded.completed_count, excluded.failed_count,
        excluded.cancelled_count, excluded.duration_ms_sum, excluded.duration_ms_max
    )
    RETURNING s.workflow_id
),

emptied AS (
    DELETE FROM workflow_execution_stats AS s
    USING buckets AS b
    LEFT JOIN fresh AS f ON f.workflow_id = b.workflow_id AND f.bucket_date = b.bucket_date
    WHERE s.user_id = %(user_id)s AND s.workflow_id = b.workflow_id AND s.bucket_date = b.bucket_date
        AND f.workflow_id IS NULL
    RETURNING s.workflow_id
)

SELECT json_build_object(
    'marks', (SELECT count(*) FROM taken),
    'buckets', (SELECT count(*) FROM buckets),
    'written', (SELECT count(*) FROM upserted),
    'emptied', (SELECT count(*) FROM emptied)
) AS rolled
