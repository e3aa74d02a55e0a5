-- The dashboard's statistics of a user for the `days` UTC days ending `until`
-- (default: today, UTC), optionally of one agent and/or one workflow, as one JSON
-- document: per side (agents, workflows) a total and a dense daily series (every
-- day present, zeros included). Exact at any moment, in one statement and one
-- snapshot (migration 0011): a bucket with no dirty mark is read from its roll-up
-- row; a bucket with a mark (changed since its last roll-up, or never rolled up)
-- is aggregated from the raw rows instead, and its roll-up row ignored. So the
-- cost is the roll-up rows of the range plus the raw rows of the few buckets
-- written since the last roll-up, not the raw rows of the whole range.
-- An agent_id or workflow_id the user does not have raises AB404.
-- Indexes: roll-up rows by ix_*_execution_stats_user_date (user_id, bucket_date);
-- marks by their primary key (user_id, seq); a marked bucket's raw rows by
-- ix_agent_exec_user_agent_started / ix_workflow_exec_user_workflow_started, one
-- UTC day a range. The agent and workflow filters are `IS NULL OR` predicates on
-- roll-up rows and marks only (a user's rows of the range, small by design), so
-- one plan serves the four filter combinations; the raw tables are reached only
-- through the marks, by index. Plans at TEST and M scale: tests/test_jobs_stats.py,
-- bench/jobs_bench.py. Per-day zero rows (generate_series) make the series dense;
-- GROUP BY ROLLUP adds the total row.
WITH span AS (
    SELECT u.until - (%(days)s::integer - 1) AS since, u.until
    FROM (SELECT coalesce(%(until)s::date, agentdb_bucket_date(now())) AS until) AS u
),

guard AS (
    SELECT CASE
        WHEN %(agent_id)s::uuid IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM agents AS a WHERE a.id = %(agent_id)s AND a.user_id = %(user_id)s
        ) THEN agentdb_raise('AB404', 'agent not found')
        WHEN %(workflow_id)s::uuid IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM workflows AS w WHERE w.id = %(workflow_id)s AND w.user_id = %(user_id)s
        ) THEN agentdb_raise('AB404', 'workflow not found')
    END AS raised
),

agent_marked AS (
    SELECT DISTINCT d.agent_id, d.bucket_date
    FROM agent_execution_stats_dirty AS d
    WHERE d.user_id = %(user_id)s
        AND d.bucket_date BETWEEN (SELECT p.since FROM span AS p) AND (SELECT p.until FROM span AS p)
        AND (%(agent_id)s::uuid IS NULL OR d.agent_id = %(agent_id)s)
),

agent_rows AS (
    SELECT
        s.bucket_date, s.pending_count, s.running_count, s.completed_count, s.failed_count, s.cancelled_count,
        s.prompt_tokens_sum, s.completion_tokens_sum, s.cost_usd_sum, s.latency_ms_sum, s.latency_ms_max
    FROM agent_execution_stats AS s
    LEFT JOIN agent_marked AS k ON k.agent_id = s.agent_id AND k.bucket_date = s.bucket_date
    WHERE s.user_id = %(user_id)s
        AND s.bucket_date BETWEEN (SELECT p.since FROM span AS p) AND (SELECT p.until FROM span AS p)
        AND (%(agent_id)s::uuid IS NULL OR s.agent_id = %(agent_id)s)
        AND k.agent_id IS NULL
    UNION ALL
    SELECT
        k.bucket_date,
        count(*) FILTER (WHERE x.status = 'pending'),
        count(*) FILTER (WHERE x.status = 'running'),
        count(*) FILTER (WHERE x.status = 'completed'),
        count(*) FILTER (WHERE x.status = 'failed'),
        count(*) FILTER (WHERE x.status = 'cancelled'),
        coalesce(sum(m.prompt_tokens), 0),
        coalesce(sum(m.completion_tokens), 0),
        coalesce(sum(m.cost_usd), 0),
        coalesce(sum(m.latency_ms), 0),
        coalesce(max(m.latency_ms), 0)
    FROM agent_marked AS k
    INNER JOIN agent_executions AS x
        ON x.user_id = %(user_id)s AND x.agent_id = k.agent_id
        AND x.started_at >= k.bucket_date::timestamp AT TIME ZONE 'UTC'
        AND x.started_at < (k.bucket_date + 1)::timestamp AT TIME ZONE 'UTC'
    LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = x.id AND m.user_id = %(user_id)s
    GROUP BY k.agent_id, k.bucket_date
    UNION ALL
    SELECT g.day::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM span AS p
    CROSS JOIN generate_series(p.since, p.until, interval '1 day') AS g (day)
),

agent_days AS (
    SELECT
        grouping(r.bucket_date) = 1 AS is_total, r.bucket_date,
        json_build_object(
            'date', r.bucket_date,
            'executions', sum(r.pending_count + r.running_count + r.completed_count + r.failed_count + r.cancelled_count),
            'pending', sum(r.pending_count), 'running', sum(r.running_count), 'completed', sum(r.completed_count),
            'failed', sum(r.failed_count), 'cancelled', sum(r.cancelled_count),
            'prompt_tokens', sum(r.prompt_tokens_sum), 'completion_tokens', sum(r.completion_tokens_sum),
            'total_tokens', sum(r.prompt_tokens_sum + r.completion_tokens_sum), 'cost_usd', sum(r.cost_usd_sum),
            'latency_ms_sum', sum(r.latency_ms_sum), 'latency_ms_max', max(r.latency_ms_max)
        ) AS doc
    FROM agent_rows AS r
    GROUP BY ROLLUP (r.bucket_date)
),

workflow_marked AS (
    SELECT DISTINCT d.workflow_id, d.bucket_date
    FROM workflow_execution_stats_dirty AS d
    WHERE d.user_id = %(user_id)s
        AND d.bucket_date BETWEEN (SELECT p.since FROM span AS p) AND (SELECT p.until FROM span AS p)
        AND (%(workflow_id)s::uuid IS NULL OR d.workflow_id = %(workflow_id)s)
),

workflow_rows AS (
    SELECT
        s.bucket_date, s.pending_count, s.running_count, s.completed_count, s.failed_count, s.cancelled_count,
        s.duration_ms_sum, s.duration_ms_max
    FROM workflow_execution_stats AS s
    LEFT JOIN workflow_marked AS k ON k.workflow_id = s.workflow_id AND k.bucket_date = s.bucket_date
    WHERE s.user_id = %(user_id)s
        AND s.bucket_date BETWEEN (SELECT p.since FROM span AS p) AND (SELECT p.until FROM span AS p)
        AND (%(workflow_id)s::uuid IS NULL OR s.workflow_id = %(workflow_id)s)
        AND k.workflow_id IS NULL
    UNION ALL
    SELECT
        k.bucket_date,
        count(*) FILTER (WHERE e.status = 'pending'),
        count(*) FILTER (WHERE e.status = 'running'),
        count(*) FILTER (WHERE e.status = 'completed'),
        count(*) FILTER (WHERE e.status = 'failed'),
        count(*) FILTER (WHERE e.status = 'cancelled'),
        coalesce(sum(round(extract(EPOCH FROM e.completed_at - e.started_at) * 1000)), 0),
        coalesce(max(round(extract(EPOCH FROM e.completed_at - e.started_at) * 1000)), 0)
    FROM workflow_marked AS k
    INNER JOIN workflow_executions AS e
        ON e.user_id = %(user_id)s AND e.workflow_id = k.workflow_id
        AND e.started_at >= k.bucket_date::timestamp AT TIME ZONE 'UTC'
        AND e.started_at < (k.bucket_date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY k.workflow_id, k.bucket_date
    UNION ALL
    SELECT g.day::date, 0, 0, 0, 0, 0, 0, 0
    FROM span AS p
    CROSS JOIN generate_series(p.since, p.until, interval '1 day') AS g (day)
),

workflow_days AS (
    SELECT
        grouping(r.bucket_date) = 1 AS is_total, r.bucket_date,
        json_build_object(
            'date', r.bucket_date,
            'executions', sum(r.pending_count + r.running_count + r.completed_count + r.failed_count + r.cancelled_count),
            'pending', sum(r.pending_count), 'running', sum(r.running_count), 'completed', sum(r.completed_count),
            'failed', sum(r.failed_count), 'cancelled', sum(r.cancelled_count),
            'duration_ms_sum', sum(r.duration_ms_sum), 'duration_ms_max', max(r.duration_ms_max)
        ) AS doc
    FROM workflow_rows AS r
    GROUP BY ROLLUP (r.bucket_date)
)

SELECT coalesce((SELECT g.raised FROM guard AS g), json_build_object(
    'since', (SELECT p.since FROM span AS p),
    'until', (SELECT p.until FROM span AS p),
    'agent_id', %(agent_id)s::uuid,
    'workflow_id', %(workflow_id)s::uuid,
    'live_buckets', json_build_object(
        'agents', (SELECT count(*) FROM agent_marked), 'workflows', (SELECT count(*) FROM workflow_marked)
    ),
    'agents', json_build_object(
        'total', (SELECT d.doc FROM agent_days AS d WHERE d.is_total),
        'daily', (SELECT json_agg(d.doc ORDER BY d.bucket_date) FROM agent_days AS d WHERE NOT d.is_total)
    ),
    'workflows', json_build_object(
        'total', (SELECT d.doc FROM workflow_days AS d WHERE d.is_total),
        'daily', (SELECT json_agg(d.doc ORDER BY d.bucket_date) FROM workflow_days AS d WHERE NOT d.is_total)
    )
)) AS stats
