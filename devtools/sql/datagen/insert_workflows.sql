-- Data generator: the workflows (datagen_owned kind 'w'), a kind in their graph definition.
INSERT INTO workflows (id, user_id, name, description, graph_definition, version, created_at, updated_at)
SELECT o.id, u.id, 'workflow ' || o.n, 'generated',
    jsonb_build_object('kind', (ARRAY['etl', 'chat', 'review'])[mod(o.n, 3) + 1]), 1,
    %(base)s::timestamptz - (%(year_s)s - o.n) * interval '1 second',
    %(base)s::timestamptz - (%(year_s)s - o.n) * interval '1 second'
FROM datagen_owned AS o
INNER JOIN datagen_users AS u ON u.u = o.owner
WHERE o.kind = 'w'
