-- One roll-up batch of a user's agent statistics: takes (deletes) up to `batch`
-- of the user's oldest dirty marks (migration 0011) and recomputes each marked
-- bucket WHOLE from the raw rows, in the same statement, so the marks removed and
-- the rows read share one snapshot: a write committed after it keeps its mark for
-- the next batch. A bucket that still has executions is upserted (INSERT ... ON
-- CONFLICT DO UPDATE, skipping rows whose numbers did not change); one that has
-- none any more is deleted. Running it again, or after a crash (the batch's
-- transaction rolled back with its marks), gives the same rows. Returns counts.
-- Reads: marks by their primary key (user_id, seq); each bucket's executions by
-- ix_agent_exec_user_agent_started (user_id, agent_id, started_at), one UTC day
-- a range; metrics by their unique agent_execution_id.
WITH taken AS (
    DELETE FROM agent_execution_stats_dirty AS d
    WHERE d.user_id = %(user_id)s
        AND d.seq IN (
            SELECT t.seq
            FROM agent_execution_stats_dirty AS t
            WHERE t.user_id = %(user_id)s
            ORDER BY t.seq
            LIMIT %(batch)s
        )
    RETURNING d.agent_id, d.bucket_date
),

buckets AS (
    SELECT DISTINCT t.agent_id, t.bucket_date FROM taken AS t
),

fresh AS (
    SELECT
        b.agent_id, b.bucket_date,
        count(*) FILTER (WHERE x.status = 'pending') AS pending_count,
        count(*) FILTER (WHERE x.status = 'running') AS running_count,
        count(*) FILTER (WHERE x.status = 'completed') AS completed_count,
        count(*) FILTER (WHERE x.status = 'failed') AS failed_count,
        count(*) FILTER (WHERE x.status = 'cancelled') AS cancelled_count,
        coalesce(sum(m.prompt_tokens), 0) AS prompt_tokens_sum,
        coalesce(sum(m.completion_tokens), 0) AS completion_tokens_sum,
        coalesce(sum(m.cost_usd), 0) AS cost_usd_sum,
        coalesce(sum(m.latency_ms), 0) AS latency_ms_sum,
        coalesce(max(m.latency_ms), 0) AS latency_ms_max
    FROM buckets AS b
    INNER JOIN agent_executions AS x
        ON x.user_id = %(user_id)s AND x.agent_id = b.agent_id
        AND x.started_at >= b.bucket_date::timestamp AT TIME ZONE 'UTC'
        AND x.started_at < (b.bucket_date + 1)::timestamp AT TIME ZONE 'UTC'
    LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = x.id AND m.user_id = %(user_id)s
    GROUP BY b.agent_id, b.bucket_date
),

upserted AS (
    INSERT INTO agent_execution_stats AS s (
        user_id, agent_id, bucket_date, pending_count, running_count, completed_count, failed_count,
        cancelled_count, prompt_tokens_sum, completion_tokens_sum, cost_usd_sum, latency_ms_sum, latency_ms_max,
        rolled_at
    )
    SELECT
        %(user_id)s, f.agent_id, f.bucket_date, f.pending_count, f.running_count, f.completed_count,
        f.failed_count, f.cancelled_count, f.prompt_tokens_sum, f.completion_tokens_sum, f.cost_usd_sum,
        f.latency_ms_sum, f.latency_ms_max, now()
    FROM fresh AS f
    ON CONFLICT (user_id, agent_id, bucket_date) DO UPDATE SET
        pending_count = excluded.pending_count,
        running_count = excluded.running_count,
        completed_count = excluded.completed_count,
        failed_count = excluded.failed_count,
        cancelled_count = excluded.cancelled_count,
        prompt_tokens_sum = excluded.prompt_tokens_sum,
        completion_tokens_sum = excluded.completion_tokens_sum,
        cost_usd_sum = excluded.cost_usd_sum,
        latency_ms_sum = excluded.latency_ms_sum,
        latency_ms_max = excluded.latency_ms_max,
        rolled_at = excluded.rolled_at
    WHERE (
        s.pending_count, s.running_count, s.completed_count, s.failed_count, s.cancelled_count,
        s.prompt_tokens_sum, s.completion_tokens_sum, s.cost_usd_sum, s.latency_ms_sum, s.latency_ms_max
    ) IS DISTINCT FROM (
        excluded.pending_count, excluded.running_count, excluded.completed_count, excluded.failed_count,
        excluded.cancelled_count, excluded.prompt_tokens_sum, excluded.completion_tokens_sum,
        excluded.cost_usd_sum, excluded.latency_ms_sum, excluded.latency_ms_max
    )
    RETURNING s.agent_id
),

emptied AS (
    DELETE FROM agent_execution_stats AS s
    USING buckets AS b
    LEFT JOIN fresh AS f ON f.agent_id = b.agent_id AND f.bucket_date = b.bucket_date
    WHERE s.user_id = %(user_id)s AND s.agent_id = b.agent_id AND s.bucket_date = b.bucket_date
        AND f.agent_id IS NULL
    RETURNING s.agent_id
)

SELECT json_build_object(
    'marks', (SELECT count(*) FROM taken),
    'buckets', (SELECT count(*) FROM buckets),
    'written', (SELECT count(*) FROM upserted),
    'emptied', (SELECT count(*) FROM emptied)
) AS rolled
