-- Data generator: memories first..last: an owner (skewed), one of their agents, one of
-- 4 sessions per agent (so a session holds several memories), four words of a small
-- vocabulary (so a word matches a known share of rows); half never expire.
INSERT INTO agent_memories (id, user_id, agent_id, session_id, content, created_at, last_accessed_at, expires_at)
SELECT pg_temp.datagen_id(11, %(seed)s, d.m), u.id, a.id,
    pg_temp.datagen_id(12, %(seed)s, a.n::bigint * 4 + floor(4 * pg_temp.datagen_uniform(d.m, %(seed)s * 100 + 15))::integer),
    'remembered ' || array_to_string(ARRAY(
        SELECT (%(words)s::text[])[1 + floor(cardinality(%(words)s::text[]) * pg_temp.datagen_uniform(d.m * 4 + w, %(seed)s * 100 + 16))::integer]
        FROM generate_series(0, 3) AS w ORDER BY w), ' '),
    %(base)s::timestamptz - d.before_s * interval '1 second',
    %(base)s::timestamptz - d.before_s / 2 * interval '1 second',
    CASE WHEN d.r >= 0.5 THEN %(base)s::timestamptz - (d.before_s - 2592000 * d.r) * interval '1 second' END
FROM (
    SELECT g.m, pg_temp.datagen_pick_user(pg_temp.datagen_uniform(g.m, %(seed)s * 100 + 13), %(users)s) AS owner,
        31536000 * pg_temp.datagen_uniform(g.m, %(seed)s * 100 + 17) AS before_s,
        pg_temp.datagen_uniform(g.m, %(seed)s * 100 + 18) AS r
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g (m)
) AS d
INNER JOIN datagen_users AS u ON u.u = d.owner
INNER JOIN datagen_owned AS a ON a.kind = 'a' AND a.owner = d.owner
    AND a.ord = floor(u.agents * pg_temp.datagen_uniform(d.m, %(seed)s * 100 + 14))::integer
