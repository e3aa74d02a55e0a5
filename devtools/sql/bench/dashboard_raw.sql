-- Benchmarks only: the dashboard's numbers (stats.dashboard, no agent or workflow
-- filter) aggregated straight from the raw rows of the range, as a dashboard
-- without roll-ups would: the baseline of bench/jobs_bench.py, which checks that
-- both answer the same totals. Reads the user's executions of the range off
-- ix_agent_exec_user_started / ix_workflow_exec_user_started and each one's metrics.
WITH span AS (
    SELECT %(until)s::date - (%(days)s::integer - 1) AS since, %(until)s::date AS until
),

agents AS (
    SELECT
        count(*) AS executions,
        count(*) FILTER (WHERE x.status = 'completed') AS completed,
        coalesce(sum(m.prompt_tokens + m.completion_tokens), 0) AS total_tokens,
        coalesce(sum(m.cost_usd), 0) AS cost_usd,
        coalesce(sum(m.latency_ms), 0) AS latency_ms_sum,
        coalesce(max(m.latency_ms), 0) AS latency_ms_max
    FROM agent_executions AS x
    LEFT JOIN agent_execution_metrics AS m ON m.agent_execution_id = x.id AND m.user_id = %(user_id)s
    WHERE x.user_id = %(user_id)s
        AND x.started_at >= (SELECT p.since FROM span AS p)::timestamp AT TIME ZONE 'UTC'
        AND x.started_at < ((SELECT p.until FROM span AS p) + 1)::timestamp AT TIME ZONE 'UTC'
),

flows AS (
    SELECT
        count(*) AS executions,
        count(*) FILTER (WHERE e.status = 'completed') AS completed,
        coalesce(sum(round(extract(EPOCH FROM e.completed_at - e.started_at) * 1000)), 0) AS duration_ms_sum
    FROM workflow_executions AS e
    WHERE e.user_id = %(user_id)s
        AND e.started_at >= (SELECT p.since FROM span AS p)::timestamp AT TIME ZONE 'UTC'
        AND e.started_at < ((SELECT p.until FROM span AS p) + 1)::timestamp AT TIME ZONE 'UTC'
)

SELECT json_build_object(
    'agents', (SELECT row_to_json(a) FROM agents AS a),
    'workflows', (SELECT row_to_json(f) FROM flows AS f)
) AS totals
