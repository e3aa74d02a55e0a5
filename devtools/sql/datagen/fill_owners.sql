-- Data generator: agents and workflows numbered 0..count-1, owner n for the first
-- `users` of each (every user owns at least one), then owners drawn with the skew;
-- workflows get 5 + 495 u^8 nodes (most small, mean ~60, a few near 500).
INSERT INTO datagen_owned (kind, n, id, owner, ord, nodes)
SELECT s.kind, s.n, pg_temp.datagen_id(s.code, %(seed)s, s.n), s.owner,
    (row_number() OVER (PARTITION BY s.kind, s.owner ORDER BY s.n) - 1)::integer,
    CASE WHEN s.kind = 'w' THEN 5 + floor(495 * power(pg_temp.datagen_uniform(s.n, %(seed)s * 100 + 4), 8))::integer
        ELSE 0 END
FROM (
    SELECT k.kind, k.code, g.n,
        CASE WHEN g.n < %(users)s THEN g.n::integer
            ELSE pg_temp.datagen_pick_user(pg_temp.datagen_uniform(g.n, %(seed)s * 100 + k.salt), %(users)s) END AS owner
    FROM (VALUES ('a', 1, 1, %(agents)s::bigint), ('w', 3, 3, %(workflows)s::bigint)) AS k (kind, code, salt, total)
    CROSS JOIN LATERAL generate_series(0, k.total - 1) AS g (n)
) AS s
