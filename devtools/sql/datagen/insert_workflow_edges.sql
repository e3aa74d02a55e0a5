-- Data generator: each workflow's nodes joined in a chain (n0 -> n1 -> ...).
INSERT INTO workflow_edges (id, workflow_id, user_id, source_node_id, target_node_id)
SELECT pg_temp.datagen_id(5, %(seed)s, o.n::bigint * 512 + p.p), o.id, u.id,
    pg_temp.datagen_id(4, %(seed)s, o.n::bigint * 512 + p.p), pg_temp.datagen_id(4, %(seed)s, o.n::bigint * 512 + p.p + 1)
FROM datagen_owned AS o
INNER JOIN datagen_users AS u ON u.u = o.owner
CROSS JOIN LATERAL generate_series(0, o.nodes - 2) AS p (p)
WHERE o.kind = 'w' AND o.n BETWEEN %(first)s AND %(last)s
