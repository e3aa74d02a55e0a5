-- Data generator, session only: workflow executions first..last, each a pure function
-- of its number: its owner (skewed), seconds before the base time (uniform over a
-- year), status (the last hour pending or running, then 85%% completed, 10%% failed, 5%%
-- cancelled) and duration (1-121 s when finished). Agent executions, metrics and
-- events call it again for the same numbers rather than reading the rows back.
CREATE FUNCTION pg_temp.datagen_executions(seed bigint, users bigint, first bigint, last bigint)
RETURNS TABLE (i bigint, owner integer, before_s float8, status text, duration_s float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT g.i, pg_temp.datagen_pick_user(pg_temp.datagen_uniform(g.i, seed * 100 + 5), users),
        d.before_s,
        CASE WHEN d.before_s < 3600 THEN (CASE WHEN d.r < 0.5 THEN 'running' ELSE 'pending' END)
            WHEN d.r < 0.85 THEN 'completed' WHEN d.r < 0.95 THEN 'failed' ELSE 'cancelled' END,
        CASE WHEN d.before_s < 3600 THEN 0 ELSE 1 + 120 * pg_temp.datagen_uniform(g.i, seed * 100 + 9) END
    FROM generate_series(first, last) AS g (i)
    CROSS JOIN LATERAL (
        SELECT 31536000 * pg_temp.datagen_uniform(g.i, seed * 100 + 6) AS before_s,
            pg_temp.datagen_uniform(g.i, seed * 100 + 8) AS r
    ) AS d
$$
