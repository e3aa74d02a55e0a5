-- Data generator: the agents (datagen_owned kind 'a'), a model and a temperature in
-- their configuration.
INSERT INTO agents (id, user_id, name, description, configuration, created_at, updated_at)
SELECT o.id, u.id, 'agent ' || o.n, 'generated',
    jsonb_build_object('model', (ARRAY['gpt-4o', 'claude-sonnet', 'llama-3'])[mod(o.n, 3) + 1],
        'temperature', mod(o.n, 10) / 10.0),
    %(base)s::timestamptz - (%(year_s)s - o.n) * interval '1 second',
    %(base)s::timestamptz - (%(year_s)s - o.n) * interval '1 second'
FROM datagen_owned AS o
INNER JOIN datagen_users AS u ON u.u = o.owner
WHERE o.kind = 'a'
