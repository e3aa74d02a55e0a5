-- Data generator: workflow executions first..last (pg_temp.datagen_executions), each
-- of one of its owner's workflows, skewed to their first ones (rank u^3 of their count).
INSERT INTO workflow_executions (id, user_id, workflow_id, status, started_at, completed_at, error)
SELECT pg_temp.datagen_id(6, %(seed)s, e.i), u.id, w.id, e.status,
    %(base)s::timestamptz - e.before_s * interval '1 second',
    CASE WHEN e.status IN ('completed', 'failed', 'cancelled')
        THEN %(base)s::timestamptz - (e.before_s - e.duration_s) * interval '1 second' END,
    CASE WHEN e.status = 'failed' THEN 'step failed' END
FROM pg_temp.datagen_executions(%(seed)s, %(users)s, %(first)s::bigint, %(last)s::bigint) AS e
INNER JOIN datagen_users AS u ON u.u = e.owner
INNER JOIN datagen_owned AS w ON w.kind = 'w' AND w.owner = e.owner
    AND w.ord = floor(u.workflows * power(pg_temp.datagen_uniform(e.i, %(seed)s * 100 + 7), 3))::integer
