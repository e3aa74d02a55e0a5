-- Data generator: 1 + 19 u^2 tools per agent (most have a few, some 20).
INSERT INTO agent_tools (id, agent_id, user_id, name, position, config)
SELECT pg_temp.datagen_id(2, %(seed)s, o.n * 32 + p.p), o.id, u.id, 'tool' || p.p, p.p, '{}'
FROM datagen_owned AS o
INNER JOIN datagen_users AS u ON u.u = o.owner
CROSS JOIN LATERAL generate_series(0, floor(19 * power(pg_temp.datagen_uniform(o.n, %(seed)s * 100 + 2), 2))::integer) AS p (p)
WHERE o.kind = 'a'
