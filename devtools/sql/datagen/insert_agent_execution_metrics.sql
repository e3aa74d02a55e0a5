-- Data generator: one metrics row per agent execution of workflow executions first..last:
-- 50-4,000 prompt and 10-1,500 completion tokens, 80-9,000 ms, cost from the tokens.
INSERT INTO agent_execution_metrics (id, agent_execution_id, user_id, prompt_tokens, completion_tokens, latency_ms, cost_usd)
SELECT pg_temp.datagen_id(10, %(seed)s, k.k), pg_temp.datagen_id(8, %(seed)s, k.k), u.id,
    t.prompt, t.completion, 80 + floor(8920 * pg_temp.datagen_uniform(k.k, %(seed)s * 100 + 12))::integer,
    round((t.prompt * 3 + t.completion * 15) / 1000000.0, 6)
FROM pg_temp.datagen_executions(%(seed)s, %(users)s, %(first)s::bigint, %(last)s::bigint) AS e
INNER JOIN datagen_users AS u ON u.u = e.owner
CROSS JOIN LATERAL (SELECT e.i * %(per)s + j AS k FROM generate_series(0, %(per)s - 1) AS j) AS k
CROSS JOIN LATERAL (
    SELECT 50 + floor(3950 * pg_temp.datagen_uniform(k.k, %(seed)s * 100 + 10))::integer AS prompt,
        10 + floor(1490 * pg_temp.datagen_uniform(k.k, %(seed)s * 100 + 11))::integer AS completion
) AS t
