-- Data generator: `per` agent executions of each workflow execution first..last, one
-- session per workflow execution, the owner's agents in turn, spread over its duration.
INSERT INTO agent_executions (id, user_id, agent_id, session_id, workflow_execution_id, status, started_at, completed_at)
SELECT pg_temp.datagen_id(8, %(seed)s, e.i * %(per)s + j.j), u.id, a.id, pg_temp.datagen_id(9, %(seed)s, e.i),
    pg_temp.datagen_id(6, %(seed)s, e.i), e.status,
    %(base)s::timestamptz - (e.before_s - j.j * e.duration_s / (%(per)s + 1)) * interval '1 second',
    CASE WHEN e.status IN ('completed', 'failed', 'cancelled')
        THEN %(base)s::timestamptz - (e.before_s - (j.j + 1) * e.duration_s / (%(per)s + 1)) * interval '1 second' END
FROM pg_temp.datagen_executions(%(seed)s, %(users)s, %(first)s::bigint, %(last)s::bigint) AS e
CROSS JOIN generate_series(0, %(per)s - 1) AS j (j)
INNER JOIN datagen_users AS u ON u.u = e.owner
INNER JOIN datagen_owned AS a ON a.kind = 'a' AND a.owner = e.owner
    AND a.ord = mod(e.i * %(per)s + j.j, u.agents)::integer
