-- Data generator: each workflow's nodes n0..n<k>: the first a start node, every 4th
-- (position 1, 5, 9...) an agent node bound to the owner's agents in turn, the rest tools.
INSERT INTO workflow_nodes (id, workflow_id, user_id, node_key, node_type, name, agent_id, config, position)
SELECT pg_temp.datagen_id(4, %(seed)s, o.n::bigint * 512 + p.p), o.id, u.id, 'n' || p.p,
    CASE WHEN mod(p.p, 4) = 1 THEN 'agent' WHEN p.p = 0 THEN 'start' ELSE 'tool' END, 'node ' || p.p,
    a.id, '{}', p.p
FROM datagen_owned AS o
INNER JOIN datagen_users AS u ON u.u = o.owner
CROSS JOIN LATERAL generate_series(0, o.nodes - 1) AS p (p)
LEFT JOIN datagen_owned AS a ON mod(p.p, 4) = 1 AND a.kind = 'a' AND a.owner = o.owner AND a.ord = mod(p.p, u.agents)
WHERE o.kind = 'w' AND o.n BETWEEN %(first)s AND %(last)s
